"""A person's notices: the full list, and marking them read (every role has notices)."""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.extensions import db
from lms.notifications import queries, services
from lms.notifications.forms import NoticeActionForm
from lms.redirects import local_target, redirect_with
from lms.routing import Routes, requested_page

routes = Routes()


def _back():
    return local_target(request.form.get("next")) or url_for("notifications.notices")


@routes.route("/")
def notices():
    page = db.paginate(queries.notices_query(current_user), page=requested_page(), per_page=50, error_out=False)
    return render_template("notifications/notices.html", page=page, unread=queries.count_of(current_user, unread_only=True),
                           action=NoticeActionForm())


@routes.route("/<int:notice_id>/read", methods=("POST",))
def mark_read(notice_id):
    notice = queries.notice_of(current_user, notice_id)
    if notice is None:  # someone else's notice reads as missing
        abort(404)
    if not NoticeActionForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user, notice)
    return redirect_with(_("Đã đánh dấu là đã đọc."), _back())


@routes.route("/read-all", methods=("POST",))
def mark_all_read():
    if not NoticeActionForm().validate_on_submit():
        abort(400)
    changed = services.mark_read(current_user)
    return redirect_with(_("Đã đánh dấu %(n)s thông báo là đã đọc.", n=changed), _back())
