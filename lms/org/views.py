"""Units, staff, imports and catalogues. HR officers see their subtree; administrators everything."""
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select

from lms.audit.services import record
from lms.auth.access import hr_scope, load_or_404, load_unit_in_scope, require_roles, roles_allowed
from lms.catalogue.models import EmulationBloc, Module, Title
from lms.downloads import table_download
from lms.extensions import db
from lms.org import imports, queries, services
from lms.org.forms import (
    BlocForm,
    ConfirmForm,
    ImportUploadForm,
    ModuleForm,
    StaffFilterForm,
    StaffForm,
    TitleForm,
    UnitForm,
    UnitLifecycleForm,
)
from lms.org.models import SEXES, STAFF_STATUSES, PendingImport, Staff, StaffPosting, Unit
from lms.redirects import redirect_with
from lms.routing import requested_page
from lms.text import tidy

bp = require_roles(Blueprint("org", __name__, url_prefix="/org"), "hr", "admin")


def _unit_choices(scope, blank=None):
    choices = [(0, blank)] if blank else []
    for unit in queries.units_in_scope(scope):
        choices.append((unit.id, "— " * unit.depth + unit.name))
    return choices


def _title_choices(blank):
    return [(0, blank)] + [(t.id, t.name) for t in queries.titles(active_only=True)]


# --- Units -------------------------------------------------------------------------------


@bp.route("/units/")
def units():
    scope = hr_scope()
    roots = queries.scope_roots(scope)
    counts = queries.unit_staff_counts([u.id for u in roots])
    return render_template("org/units.html", units=roots, counts=counts, parent=None)


@bp.route("/units/<int:unit_id>")
def unit_detail(unit_id):
    unit = load_unit_in_scope(unit_id)
    kids = queries.children(unit.id)
    counts = queries.unit_staff_counts([u.id for u in kids] + [unit.id])
    staff = db.session.execute(
        select(Staff).where(Staff.unit_id == unit.id).order_by(Staff.full_name)
    ).scalars().all()
    return render_template("org/unit_detail.html", unit=unit, children=kids, counts=counts, staff=staff, lifecycle=UnitLifecycleForm())


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_allowed("admin")
def unit_form(unit_id=None):
    unit = load_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    scope = hr_scope()
    form.parent_id.choices = _unit_choices(scope, blank=_("(Không có – cấp cao nhất)"))
    form.bloc_id.choices = [(0, "—")] + [(b.id, b.name) for b in queries.blocs()]
    if request.method == "GET" and unit:
        form.parent_id.data = unit.parent_id or 0
        form.bloc_id.data = unit.bloc_id or 0
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        bloc_id = form.bloc_id.data or None
        duplicate = queries.unit_by_code(form.code.data.strip())
        if duplicate is not None and duplicate is not unit:
            form.code.errors.append(_("Mã đơn vị đã được dùng."))
        else:
            try:
                if unit is None:
                    unit = services.create_unit(form.code.data, form.name.data, form.kind.data, parent=parent)
                else:
                    unit.code, unit.name, unit.kind = form.code.data.strip(), tidy(form.name.data), form.kind.data
                    services.move_unit(unit, parent)
                unit.bloc_id = bloc_id
                record("catalogue.update", target=f"unit:{unit.code}")
                return redirect_with(_("Đã lưu đơn vị."), url_for("org.unit_detail", unit_id=unit.id))
            except services.OrgError as error:
                form.parent_id.errors.append(str(error))
    return render_template("org/unit_form.html", form=form, unit=unit)


@bp.route("/units/<int:unit_id>/lifecycle", methods=["POST"])
@roles_allowed("admin")
def unit_lifecycle(unit_id):
    unit = load_or_404(Unit, unit_id)
    form = UnitLifecycleForm()
    if not form.validate_on_submit():
        flash(_("Cần ghi căn cứ, lý do."), "danger")
        return redirect(url_for("org.unit_detail", unit_id=unit.id))
    try:
        if form.action.data == "merge":
            target = queries.unit_by_code((form.target_code.data or "").strip())
            if target is None:
                raise services.OrgError(_("Không có đơn vị tiếp nhận với mã này."))
            services.merge_unit(unit, target, form.effective_on.data, form.reason.data)
            flash(_("Đã sáp nhập %(a)s vào %(b)s.", a=unit.name, b=target.name), "success")
        else:
            services.close_unit(unit, form.effective_on.data, form.reason.data)
            flash(_("Đã giải thể %(a)s.", a=unit.name), "success")
    except services.OrgError as error:
        flash(str(error), "danger")
    return redirect(url_for("org.unit_detail", unit_id=unit.id))


# --- Staff -------------------------------------------------------------------------------


def _filtered_staff_query():
    scope = hr_scope()
    form = StaffFilterForm(request.args)
    form.unit.choices = _unit_choices(scope, blank=_("Tất cả đơn vị"))
    form.title.choices = _title_choices(_("Tất cả chức danh"))
    unit = load_unit_in_scope(form.unit.data, scope) if form.unit.data else None
    query = queries.staff_query(scope, text=form.q.data, unit=unit, title_id=form.title.data or None, status=form.status.data or None)
    return form, query


@bp.route("/staff/")
def staff_list():
    form, query = _filtered_staff_query()
    page = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("org/staff_list.html", form=form, page=page)


EXPORT_HEADERS = ["Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Số định danh", "Mã đơn vị", "Đơn vị", "Chức danh", "Email", "Điện thoại", "Trạng thái"]


@bp.route("/staff/export.<fmt>")
def staff_export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    form, query = _filtered_staff_query()
    rows = [
        [
            s.full_name,
            s.birth_date.strftime("%d/%m/%Y") if s.birth_date else "",
            s.birth_place,
            SEXES.get(s.sex or "", ""),
            s.id_number,
            s.unit.code,
            s.unit.name,
            s.title.name if s.title else "",
            s.email,
            s.phone,
            STAFF_STATUSES.get(s.status, s.status),
        ]
        for s in db.session.execute(query).unique().scalars()
    ]
    record("staff.export", target=fmt, rows=len(rows), filters=dict(request.args))
    return table_download(EXPORT_HEADERS, rows, fmt, "danh-sach-can-bo", "Cán bộ")


def _load_staff(staff_id):
    staff = load_or_404(Staff, staff_id)
    if not hr_scope().contains_unit(staff.unit):
        abort(403)
    return staff


@bp.route("/staff/<int:staff_id>")
def staff_detail(staff_id):
    staff = _load_staff(staff_id)
    postings = db.session.execute(
        select(StaffPosting).where(StaffPosting.staff_id == staff.id).order_by(StaffPosting.started_at.desc())
    ).scalars().all()
    units = {u.id: u for u in db.session.execute(select(Unit).where(Unit.id.in_({p.unit_id for p in postings}))).scalars()}
    titles = {t.id: t for t in db.session.execute(select(Title)).scalars()}
    path = queries.learning_path(staff.title_id) if staff.title_id else []
    from lms.reports.profile import competency_profile  # reports build on org: imported where used
    from lms.reports.views import cell

    return render_template("org/staff_detail.html", staff=staff, postings=postings, units=units, titles=titles, path=path,
                           profile=competency_profile(hr_scope(), staff.id), cell=cell)


@bp.route("/staff/new", methods=["GET", "POST"])
@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
def staff_form(staff_id=None):
    scope = hr_scope()
    staff = _load_staff(staff_id) if staff_id else None
    form = StaffForm(obj=staff)
    form.unit_id.choices = _unit_choices(scope)
    form.title_id.choices = _title_choices("—")
    if request.method == "GET" and staff:
        form.title_id.data = staff.title_id or 0
        form.sex.data = staff.sex or ""
    if form.validate_on_submit():
        unit = load_unit_in_scope(form.unit_id.data, scope)
        title = db.session.get(Title, form.title_id.data) if form.title_id.data else None
        other = db.session.execute(select(Staff).where(Staff.id_number == form.id_number.data)).scalar_one_or_none()
        if other is not None and other is not staff:
            form.id_number.errors.append(_("Số định danh đã có trong hồ sơ khác."))
        else:
            values = {name: getattr(form, name).data for name in services.STAFF_FIELDS}
            values["sex"] = values["sex"] or None
            values["id_number"] = form.id_number.data
            if staff is not None:
                staff.id_number = form.id_number.data
            staff, created = services.save_staff(values, unit, title, staff=staff)
            record("staff.create" if created else "staff.update", target=staff.id_number)
            return redirect_with(_("Đã lưu hồ sơ."), url_for("org.staff_detail", staff_id=staff.id))
    return render_template("org/staff_form.html", form=form, staff=staff)


# --- Imports -----------------------------------------------------------------------------

IMPORTERS = {
    "staff": (lambda filename, content, apply: imports.import_staff(filename, content, hr_scope(), apply=apply)),
    "units": (lambda filename, content, apply: imports.import_units(filename, content, apply=apply)),
}


@bp.route("/import/<kind>", methods=["GET", "POST"])
def import_upload(kind):
    if kind not in IMPORTERS:
        abort(404)
    if kind == "units" and not current_user.has_role("admin"):
        abort(403)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        report = IMPORTERS[kind](upload.filename, content, False)
        pending = None
        if report.ok:
            pending = PendingImport(token=secrets.token_urlsafe(24), kind=kind, filename=upload.filename, content=content, user_id=current_user.id)
            db.session.add(pending)
        return render_template("org/import_preview.html", kind=kind, report=report, pending=pending, confirm=ConfirmForm(), filename=upload.filename)
    return render_template("org/import_upload.html", kind=kind, form=form)


IMPORT_TEMPLATES = {
    "staff": (
        ["Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Số định danh", "Mã đơn vị", "Chức danh", "Email", "Điện thoại", "Trạng thái"],
        [["Nguyễn Thị Lan", "12/05/1988", "Gia Lâm, Hà Nội", "Nữ", "001188012345", "LB-BODE", "Tư pháp – hộ tịch", "lan.nt@hanoi.gov.vn", "0912345678", "Đang công tác"]],
    ),
    "units": (
        ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Khối thi đua"],
        [["LB-BODE", "Phường Bồ Đề", "Phường", "LB", "KHOI-PHUONG"]],
    ),
}


@bp.route("/import/<kind>/template.xlsx")
def import_template(kind):
    if kind not in IMPORT_TEMPLATES:
        abort(404)
    headers, rows = IMPORT_TEMPLATES[kind]
    return table_download(headers, rows, "xlsx", f"mau-nhap-{kind}", "Mẫu")


@bp.route("/import/<kind>/<token>", methods=["POST"])
def import_confirm(kind, token):
    if kind not in IMPORTERS:
        abort(404)
    pending = db.session.execute(
        select(PendingImport).where(PendingImport.token == token, PendingImport.kind == kind, PendingImport.user_id == current_user.id)
    ).scalar_one_or_none()
    if pending is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report = IMPORTERS[kind](pending.filename, pending.content, True)
    db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    if not report.ok:  # the data changed between preview and confirmation
        db.session.rollback()
        return render_template("org/import_preview.html", kind=kind, report=report, pending=None, confirm=None, filename=pending.filename)
    return redirect_with(_("Đã nhập: %(c)d thêm mới, %(u)d cập nhật, %(n)d không đổi.", c=report.created, u=report.updated, n=report.unchanged), url_for("org.staff_list" if kind == "staff" else "org.units"))


# --- Catalogues: titles with learning paths, modules ------------------------------------


@bp.route("/titles/")
def titles():
    return render_template("org/titles.html", titles=queries.titles(), modules=queries.modules())


@bp.route("/titles/new", methods=["GET", "POST"])
@bp.route("/titles/<int:title_id>", methods=["GET", "POST"])
@roles_allowed("admin")
def title_form(title_id=None):
    title = load_or_404(Title, title_id) if title_id else None
    form = TitleForm(obj=title)
    form.modules.choices = [(m.id, f"{m.code} – {m.name}") for m in queries.modules()]
    if request.method == "GET":
        form.modules.data = [link.module_id for link in title.path_modules] if title else [
            m.id for m in queries.modules() if m.level == "basic"
        ]
    if form.validate_on_submit():
        if queries.code_taken(Title, form.code.data, title):
            form.code.errors.append(_("Mã chức danh đã được dùng."))
        else:
            title = services.save_title(title, form.code.data, form.name.data, form.group.data, form.active.data)
            services.set_learning_path(title, form.modules.data)
            return redirect_with(_("Đã lưu chức danh %(t)s.", t=title.name), url_for("org.titles"))
    return render_template("org/title_form.html", form=form, title=title)


@bp.route("/blocs/", methods=["GET", "POST"])
@bp.route("/blocs/<int:bloc_id>", methods=["GET", "POST"])
@roles_allowed("admin")
def blocs(bloc_id=None):
    bloc = load_or_404(EmulationBloc, bloc_id) if bloc_id else None
    form = BlocForm(obj=bloc)
    if form.validate_on_submit():
        if queries.code_taken(EmulationBloc, form.code.data, bloc):
            form.code.errors.append(_("Mã khối đã được dùng."))
        else:
            services.save_bloc(bloc, form.code.data, form.name.data)
            return redirect_with(_("Đã lưu khối thi đua."), url_for("org.blocs"))
    return render_template("org/blocs.html", form=form, bloc=bloc, blocs=queries.blocs())


@bp.route("/modules/<int:module_id>", methods=["GET", "POST"])
@roles_allowed("admin")
def module_form(module_id):
    module = load_or_404(Module, module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        services.update_module(module, form.name.data, form.name_en.data, form.level.data)
        return redirect_with(_("Đã lưu mô đun."), url_for("org.titles"))
    return render_template("org/module_form.html", form=form, module=module)
