"""HR's "Tài khoản" pages: the accounts of a unit's staff, provisioned for the subtree at once,
login slips per unit, a new activation code for one person. Within the officer's scope."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.auth import account_queries, provisioning
from lms.auth.access import hr_scope, load_or_404, load_unit_in_scope
from lms.auth.activation import code_expiry, public_url
from lms.auth.codes import grouped
from lms.auth.forms import ProvisionForm, SlipsForm
from lms.auth.slips import render_slips
from lms.downloads import PDF, download
from lms.jobs import submit as submit_job
from lms.models_base import utcnow
from lms.org.models import Staff
from lms.org.queries import scope_roots
from lms.redirects import redirect_with
from lms.routing import Routes

routes = Routes()
SKIPPED_SHOWN = 20


@routes.route("/")
def index():
    roots = scope_roots(hr_scope())
    if len(roots) == 1:
        return redirect(url_for("staff_accounts.unit_accounts", unit_id=roots[0].id))
    return render_template("org/accounts_index.html", roots=roots)


@routes.route("/units/<int:unit_id>")
def unit_accounts(unit_id):
    unit = load_unit_in_scope(unit_id)
    return render_template("org/accounts.html", unit=unit, summary=account_queries.subtree_summary(unit),
                           people=account_queries.unit_staff_accounts(unit), deliveries=account_queries.DELIVERIES,
                           provision=ProvisionForm(), slips=SlipsForm(), confirm=FlaskForm())


@routes.route("/units/<int:unit_id>/provision", methods=("POST",))
def provision(unit_id):
    unit = load_unit_in_scope(unit_id)
    form = ProvisionForm()
    if not form.validate_on_submit():
        abort(400)
    report = provisioning.provision_unit(unit, form.include_subunits.data, actor=current_user, now=utcnow())
    for person, reason in report.skipped[:SKIPPED_SHOWN]:
        flash(_("Không tạo được tài khoản cho %(name)s (%(id)s): %(reason)s", name=person.full_name, id=person.id_number,
                reason=reason.translated(_)), "warning")
    if report.emailed:
        submit_job("mail.deliver", {})  # commits the accounts, then sends the codes
    return redirect_with(
        _("Đã tạo %(n)d tài khoản: %(e)d người nhận mã kích hoạt qua thư điện tử, %(s)d người cần phiếu đăng nhập; "
          "%(a)d người đã có tài khoản.", n=len(report.created), e=report.emailed, s=report.without_email, a=report.already),
        url_for("staff_accounts.unit_accounts", unit_id=unit.id))


@routes.route("/units/<int:unit_id>/slips.pdf", methods=("POST",))
def slips(unit_id):
    unit = load_unit_in_scope(unit_id)
    form = SlipsForm()
    if not form.validate_on_submit():
        abort(400)
    issued = provisioning.issue_slips(unit, include_emailed=form.include_emailed.data, actor=current_user, now=utcnow())
    if not issued:
        return redirect_with(_("Không có ai cần phiếu đăng nhập ở %(unit)s: mọi tài khoản đã kích hoạt hoặc đã nhận mã qua thư.",
                               unit=unit.name), url_for("staff_accounts.unit_accounts", unit_id=unit.id), "warning")
    pdf = render_slips(issued, unit.name, current_app.config["PUBLIC_URL"])
    return download(pdf, f"phieu-dang-nhap-{unit.code}.pdf", PDF)


def _load_staff(staff_id):
    staff = load_or_404(Staff, staff_id)
    if not hr_scope().contains_unit(staff.unit):
        abort(403)
    return staff


@routes.route("/staff/<int:staff_id>/code", methods=("POST",))
def issue_code(staff_id):
    """A new activation code for one person, shown once (their account made first if need be)."""
    staff = _load_staff(staff_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    back = url_for("staff_accounts.unit_accounts", unit_id=staff.unit_id)
    if staff.status not in provisioning.WORKING:
        return redirect_with(_("%(name)s không còn công tác: không cấp mã.", name=staff.full_name), back, "danger")
    user = account_queries.account_of_staff(staff.id)
    if user is None:
        report = provisioning.provision_staff([staff.id], actor=current_user, label=staff.id_number, email_codes=False)
        if report.skipped:
            return redirect_with(_("Không tạo được tài khoản cho %(name)s (%(id)s): %(reason)s", name=staff.full_name,
                                   id=staff.id_number, reason=report.skipped[0][1].translated(_)), back, "danger")
        user = account_queries.account_of_staff(staff.id)
    if not user.enabled:
        return redirect_with(_("Tài khoản %(username)s đang bị khóa: quản trị hệ thống mở khóa trước.", username=user.username), back, "danger")
    now = utcnow()
    code = provisioning.issue_code(user, actor=current_user, now=now)
    page = render_template("org/account_code.html", staff=staff, user=user, code_display=grouped(code), expires_at=code_expiry(now),
                           activate_url=public_url("/activate"))
    return page, 200, {"Cache-Control": "no-store"}
