"""The pages reached without signing in that set one's own password: activation with a one-time
code (first sign-in, or a new code from HR), and the forgotten-password link sent by e-mail.

A wrong code counts as a failed sign-in of that account in the sign-in throttling
(lms.auth.throttling), so guessing codes is as slow as guessing passwords."""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _

from lms.audit.services import record, record_refusal
from lms.auth import activation, throttling
from lms.auth.access import public
from lms.auth.forms import ActivateForm, ForgotPasswordForm, ResetPasswordForm
from lms.auth.services import AccountError
from lms.auth.sessions import start_session
from lms.extensions import limiter
from lms.jobs import submit as submit_job
from lms.models_base import utcnow
from lms.redirects import redirect_with
from lms.routing import Routes

routes = Routes()
# Per address, on top of one e-mail per account in the cool-down (lms.auth.activation): nobody
# fills every official's mailbox; an office behind one address still asks freely.
FORGOT_LIMIT = "30 per hour"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the reset link's token is in the URL


@routes.route("/activate", methods=("GET", "POST"))
@public
def activate():
    form = ActivateForm()
    if request.method == "GET" and request.args.get("username"):
        form.username.data = request.args["username"][:80]
    if not form.validate_on_submit():
        return render_template("auth/activate.html", form=form)
    username = form.username.data.strip().lower()
    address = request.remote_addr or ""
    wait = throttling.retry_after_seconds(username, address)
    if wait:
        record_refusal("activation.throttled", target=username, actor_name=username, wait_seconds=wait)
        flash(throttling.throttled_message(wait), "danger")
        return render_template("auth/activate.html", form=form), 429, {"Retry-After": str(wait)}
    try:
        user = activation.redeem_code(username, form.code.data, form.password.data, utcnow())
    except AccountError as error:  # the password policy, with the username known only now
        form.password.errors.append(str(error))
        return render_template("auth/activate.html", form=form)
    if user is None:
        throttling.record_failure(username, address)
        record("activation.failure", target=username, actor_name=username)
        form.code.errors.append(_("Tên đăng nhập hoặc mã kích hoạt không đúng, hoặc mã đã được dùng hay đã hết hạn."))
        return render_template("auth/activate.html", form=form)
    throttling.clear_failures(username, address)
    start_session(user)
    record("login.success", target=user.username, actor=user)
    return redirect_with(_("Đã đặt mật khẩu. Chào mừng bạn đến với hệ thống!"), url_for("home.index"))


@routes.route("/password/forgot", methods=("GET", "POST"))
@public
@limiter.limit(FORGOT_LIMIT, methods=["POST"], scope="password-forgot")
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form, sent=False)
    if activation.request_reset(form.identifier.data, utcnow()):
        submit_job("mail.deliver", {})  # commits the request, then sends
    # The same answer whether or not an account matched: the page reveals no account.
    return render_template("auth/forgot_password.html", form=form, sent=True)


@routes.route("/password/reset/<token>", methods=("GET", "POST"))
@public
def reset_password(token):
    now = utcnow()
    if activation.reset_token(token, now) is None:
        return render_template("auth/reset_password.html", form=None), 404, NO_STORE
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = activation.redeem_reset(token, form.password.data, now)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            start_session(user)
            record("login.success", target=user.username, actor=user)
            return redirect_with(_("Đã đặt mật khẩu mới."), url_for("home.index"))
    return render_template("auth/reset_password.html", form=form), 200, NO_STORE
