"""The outbox for administrators: every message queued, sent or given up, with its tries and
last error, and sending one again (audited). Bodies are not shown: some carry activation codes."""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.access import load_or_404
from lms.extensions import db
from lms.mail import MAX_TRIES, MailMessage
from lms.notifications import queries
from lms.notifications.delivery import deliver_after_commit
from lms.notifications.forms import NoticeActionForm
from lms.redirects import redirect_with
from lms.routing import Routes, requested_page
from lms.transactions import refused

routes = Routes()


@routes.route("/")
def outbox():
    state = request.args.get("state") if request.args.get("state") in queries.OUTBOX_STATES else None
    page = db.paginate(queries.outbox_query(state), page=requested_page(), per_page=100, error_out=False)
    return render_template("notifications/outbox.html", page=page, state=state, counts=queries.outbox_counts(), max_tries=MAX_TRIES,
                           action=NoticeActionForm())


@routes.route("/<int:message_id>/retry", methods=("POST",))
def retry(message_id):
    message = load_or_404(MailMessage, message_id)
    if not NoticeActionForm().validate_on_submit():
        abort(400)
    if message.sent_at is not None:
        refused()
        return redirect_with(_("Thư này đã được gửi, không cần gửi lại."), url_for("outbox.outbox"), "danger")
    message.tries, message.next_attempt_at = 0, None
    record("mail.retry", target=f"mail_message:{message.id}", actor=current_user, to=message.to_address, last_error=message.last_error[:200])
    deliver_after_commit()
    return redirect_with(_("Thư sẽ được gửi lại ngay."), url_for("outbox.outbox", state=request.args.get("state")))
