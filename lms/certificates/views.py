"""Sổ gốc cấp chứng chỉ: the register for HR officers (their subtree) and administrators,
its export, one certificate's page and history, and the administrator's decisions: revoke,
keep a flagged certificate with a reason, reissue a corrected one. Registered by blueprint.py."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.access import hr_scope, load_unit_in_scope, roles_allowed
from lms.certificates import authority as authorities
from lms.certificates import issuance, queries, review
from lms.certificates.forms import ReasonForm, RegisterFilterForm, ReissueForm
from lms.downloads import PDF, download, table_download
from lms.extensions import db
from lms.models_base import utcnow
from lms.org import queries as org_queries
from lms.redirects import flash_outcome, redirect_with
from lms.routing import Routes, requested_page
from lms.transactions import refused

routes = Routes()


def _filtered_register():
    scope = hr_scope()
    form = RegisterFilterForm(request.args)
    form.year.choices = [(0, _("Tất cả các năm"))] + [(year, str(year)) for year in queries.register_years()]
    form.unit.choices = [(0, _("Tất cả đơn vị"))] + [(unit.id, "— " * unit.depth + unit.name) for unit in org_queries.units_in_scope(scope)]
    unit = load_unit_in_scope(form.unit.data, scope) if form.unit.data else None
    query = queries.register_query(scope, year=form.year.data or None, unit=unit, kind=form.kind.data or None,
                                   status=form.status.data or None, review=form.review.data or None, text=form.q.data)
    return form, query


@routes.route("/")
def register():
    form, query = _filtered_register()
    page = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("certificates/register.html", form=form, page=page)


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


@routes.route("/register.<fmt>")
def register_export(fmt):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    _form, query = _filtered_register()
    headers = [_("Số vào sổ"), _("Số hiệu"), _("Họ và tên"), _("Ngày sinh"), _("Nơi sinh"), _("Giới tính"), _("Đơn vị"),
               _("Loại chứng chỉ"), _("Mô đun"), _("Kết quả"), _("Ngày thi"), _("Hội đồng thi"), _("Ngày cấp"), _("Tình trạng"),
               _("Ngày thu hồi"), _("Lý do"), _("Mã tra cứu")]
    rows = []
    for certificate in db.session.execute(query).scalars():
        parts = "; ".join(f"{kind}: {score:g}" for kind, score in certificate.result.get("parts", []) if score is not None)
        rows.append([certificate.register_number, certificate.serial, certificate.holder_name, _date(certificate.birth_date),
                     certificate.birth_place, certificate.sex, certificate.unit.name, _(certificate.kind_label), ", ".join(certificate.module_codes),
                     parts, _date(certificate.exam_date), certificate.exam_council, _date(certificate.issue_date), _(certificate.status_label),
                     _date(certificate.revoked_at), certificate.revoked_reason, certificate.code])
    record("certificates.register_export", target=fmt, rows=len(rows), filters=dict(request.args))
    return table_download(headers, rows, fmt, "so-goc-cap-chung-chi", _("Sổ gốc"))


def _load(code):
    certificate = queries.certificate_in_scope(code, hr_scope())
    if certificate is None:
        abort(404 if queries.by_code(code) is None else 403)
    return certificate


@routes.route("/<code>")
def detail(code):
    certificate = _load(code)
    return render_template("certificates/detail.html", certificate=certificate, history=queries.history(certificate),
                           replaced_by=queries.replaced_by(certificate), reason_form=ReasonForm(), reissue_form=_reissue_form(certificate),
                           verify_url=authorities.current().verify_url(certificate.code))


def _reissue_form(certificate, formdata=None):
    form = ReissueForm(formdata)
    if formdata is None:
        form.holder_name.data, form.birth_date.data, form.birth_place.data = certificate.holder_name, certificate.birth_date, certificate.birth_place
    return form


def _holder_or_staff(code):
    """A certificate its holder may download, or staff of its scope."""
    certificate = queries.by_code(code)
    if certificate is None:
        abort(404)
    staff = getattr(current_user, "staff", None)
    if staff is not None and staff.id == certificate.staff_id:
        return certificate
    if current_user.has_role("hr", "admin") and queries.certificate_in_scope(code, hr_scope()) is not None:
        return certificate
    abort(403)


@routes.route("/<code>.pdf")
@roles_allowed("learner", "hr", "admin")
def pdf(code):
    certificate = _holder_or_staff(code)
    stored = queries.pdf_of(certificate)
    return download(stored.content, f"chung-chi-{certificate.serial}.pdf", PDF)


@routes.route("/<code>/credential.jwt")
@roles_allowed("learner", "hr", "admin")
def credential(code):
    from lms.certificates.publishing import signed_credential

    certificate = _holder_or_staff(code)
    return download(signed_credential(certificate).encode("ascii"), f"chung-chi-{certificate.serial}.jwt", "application/vc+jwt")


def _decide(code, action, message):
    certificate = _load(code)
    form = ReasonForm()
    if not form.validate_on_submit():
        refused()
        return redirect_with(_("Cần ghi lý do."), url_for(".detail", code=code), "danger")
    if flash_outcome(lambda: action(certificate, utcnow(), current_user, form.reason.data), message, review.ReviewError):
        record(f"certificate.{request.endpoint.rsplit('.', 1)[-1]}", target=f"certificate:{certificate.code}", reason=form.reason.data)
    return redirect(url_for(".detail", code=code))


@routes.route("/<code>/revoke", methods=("POST",))
@roles_allowed("admin")
def revoke(code):
    return _decide(code, review.revoke, _("Đã thu hồi chứng chỉ."))


@routes.route("/<code>/keep", methods=("POST",))
@roles_allowed("admin")
def keep(code):
    return _decide(code, review.keep, _("Đã giữ nguyên chứng chỉ, lý do được ghi vào sổ."))


@routes.route("/<code>/reissue", methods=("GET", "POST"))
@roles_allowed("admin")
def reissue(code):
    certificate = _load(code)
    if certificate.status != "valid":
        abort(409)
    form = _reissue_form(certificate, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        particulars = {"holder_name": form.holder_name.data, "birth_date": form.birth_date.data, "birth_place": form.birth_place.data or ""}
        new = issuance.reissue(certificate, authorities.current(), utcnow(), current_user, form.reason.data, particulars)
        record("certificate.reissue", target=f"certificate:{certificate.code}", replaced_by=new.code)
        return redirect_with(_("Đã cấp lại chứng chỉ, số vào sổ %(number)s.", number=new.register_number), url_for(".detail", code=new.code))
    status = 422 if request.method == "POST" else 200
    return render_template("certificates/reissue.html", certificate=certificate, form=form), status
