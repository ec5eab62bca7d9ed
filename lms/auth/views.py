"""Sign-in, sign-out, language, own password; the administrators' account pages."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from lms.audit.services import record, record_refusal
from lms.auth import services, throttling
from lms.auth.access import load_or_404, require_roles
from lms.auth.forms import AccountFilterForm, AccountForm, ChangePasswordForm, LoginForm
from lms.auth.models import SCOPED_ROLES, RoleAssignment, User
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.auth.sessions import end_session, start_session
from lms.errors import error_response, wants_json
from lms.extensions import db, login_manager
from lms.org.models import Staff, Unit
from lms.redirects import local_target, redirect_with
from lms.routing import requested_page

bp = Blueprint("auth", __name__)
admin_bp = require_roles(Blueprint("accounts", __name__, url_prefix="/admin/accounts"), "admin")


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        return error_response(401)
    flash(_("Vui lòng đăng nhập để tiếp tục."), "warning")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        address = request.remote_addr or ""
        wait = throttling.retry_after_seconds(username, address)
        user = services.find_user(username)
        # One password check on every path (unknown, disabled, throttled alike: None checks against
        # the dummy hash), so that the time taken tells nothing about the account.
        matched = verify_password(user.password_hash if user is not None and user.enabled else None, form.password.data)
        if wait:
            record_refusal("login.throttled", target=username, actor_name=username, wait_seconds=wait)
            flash(throttling.throttled_message(wait), "danger")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        if matched:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            throttling.clear_failures(username, address)
            start_session(user)
            record("login.success", target=username, actor=user)
            return redirect(local_target(request.args.get("next")) or url_for("home.index"))
        throttling.record_failure(username, address)
        record("login.failure", target=username, actor_name=username)
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record("logout", target=current_user.username)
        end_session(current_user)
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code):
    if code in ("vi", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
    return redirect(local_target(request.form.get("next")) or url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data, actor=user)
            start_session(user)  # the other sessions were ended; keep this one
            return redirect_with(_("Đã đổi mật khẩu."), url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


# --- Administrators: accounts and roles -------------------------------------------------


@admin_bp.route("/")
def list_accounts():
    form = AccountFilterForm(request.args)
    query = select(User).order_by(User.username)
    if form.q.data:
        pattern = f"%{form.q.data.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if form.role.data:
        query = query.where(User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == form.role.data)))
    page = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("admin/accounts.html", page=page, form=form)


def _apply_account_form(form, user=None):
    unit = None
    if set(form.roles.data) & set(SCOPED_ROLES) and form.unit_code.data:
        unit = db.session.execute(select(Unit).where(Unit.code == form.unit_code.data.strip())).scalar_one_or_none()
        if unit is None:
            form.unit_code.errors.append(_("Không có đơn vị mã %(code)s.", code=form.unit_code.data))
            return None
    staff = None
    if form.staff_id_number.data:
        staff = db.session.execute(select(Staff).where(Staff.id_number == form.staff_id_number.data.strip())).scalar_one_or_none()
        if staff is None:
            form.staff_id_number.errors.append(_("Không có cán bộ với số định danh này."))
            return None
    try:
        if user is None:
            if not form.password.data:
                form.password.errors.append(_("Cần đặt mật khẩu cho tài khoản mới."))
                return None
            user = services.create_user(form.username.data, form.password.data, form.display_name.data, form.roles.data, unit=unit, staff=staff)
        else:
            user.display_name = form.display_name.data.strip()
            user.staff_id = staff.id if staff else None
            services.set_roles(user, form.roles.data, unit=unit)
            if form.password.data:
                services.set_password(user, form.password.data)
            record("user.update", target=user.username)
        services.set_enabled(user, form.enabled.data)
    except services.AccountError as error:
        form.username.errors.append(str(error))
        return None
    return user


@admin_bp.route("/new", methods=["GET", "POST"])
def create_account():
    form = AccountForm()
    if form.validate_on_submit() and _apply_account_form(form):
        return redirect_with(_("Đã tạo tài khoản."), url_for("accounts.list_accounts"))
    return render_template("admin/account_form.html", form=form, user=None)


@admin_bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit_account(user_id):
    user = load_or_404(User, user_id)
    form = AccountForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.role_names)
        scoped = [a.unit for a in user.roles if a.role in SCOPED_ROLES and a.unit]
        form.unit_code.data = scoped[0].code if scoped else ""
        form.staff_id_number.data = user.staff.id_number if user.staff else ""
    form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        form.username.data = user.username
        if _apply_account_form(form, user):
            return redirect_with(_("Đã lưu tài khoản."), url_for("accounts.list_accounts"))
    return render_template("admin/account_form.html", form=form, user=user)
