"""Bulk import of the unit tree and of staff lists: validate every row, then apply all or nothing.

Row errors are in the language of the request; column names stay those of the file. The
preview shows each row's values as they will be saved, in the language of the request, and
what the row will do (add, update, leave unchanged)."""
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.catalogue.models import EmulationBloc, Title
from lms.extensions import db
from lms.messages import N_, MessageError
from lms.org import services
from lms.org.events import staff_imported
from lms.org.models import SEXES, STAFF_STATUSES, UNIT_KINDS, Staff, Unit
from lms.tabular import RowError, TableError, fold, parse_date, read_table, text_value

STAFF_COLUMNS = {
    "full_name": ("Họ và tên", "Họ tên", "Full name"),
    "birth_date": ("Ngày sinh", "Ngày tháng năm sinh", "Date of birth"),
    "birth_place": ("Nơi sinh", "Quê quán", "Place of birth"),
    "sex": ("Giới tính", "Sex"),
    "id_number": ("Số định danh", "Số CCCD", "CCCD", "Số CCCD/CMND", "CMND", "ID number"),
    "unit_code": ("Mã đơn vị", "Unit code"),
    "title": ("Chức danh", "Mã chức danh", "Title"),
    "email": ("Email", "Thư điện tử"),
    "phone": ("Điện thoại", "Số điện thoại", "Phone"),
    "status": ("Trạng thái", "Status"),
}
STAFF_REQUIRED = ("full_name", "id_number", "unit_code")

UNIT_COLUMNS = {
    "code": ("Mã đơn vị", "Code"),
    "name": ("Tên đơn vị", "Name"),
    "kind": ("Loại", "Loại đơn vị", "Kind"),
    "parent_code": ("Mã đơn vị cấp trên", "Đơn vị cấp trên", "Parent code"),
    "bloc": ("Khối thi đua", "Mã khối thi đua", "Bloc"),
}
UNIT_REQUIRED = ("code", "name", "kind")

ID_NUMBER = re.compile(r"^\d{9}$|^\d{12}$")  # CMND (9 digits) or CCCD (12 digits)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HEADER_LABEL = {name: aliases[0] for name, aliases in {**STAFF_COLUMNS, **UNIT_COLUMNS}.items()}
PREVIEW_ROWS = 20

# The preview's columns: (key, heading). Optional staff columns show only when the file has them.
STAFF_PREVIEW = (("full_name", N_("Họ và tên")), ("birth_date", N_("Ngày sinh")), ("birth_place", N_("Nơi sinh")),
                 ("sex", N_("Giới tính")), ("id_number", N_("Số định danh")), ("unit", N_("Đơn vị")), ("title", N_("Chức danh")),
                 ("email", N_("Email")), ("phone", N_("Điện thoại")), ("status", N_("Trạng thái")))
STAFF_ALWAYS_SHOWN = ("full_name", "id_number", "unit")
UNIT_PREVIEW = (("code", N_("Mã đơn vị")), ("name", N_("Tên đơn vị")), ("kind", N_("Loại")),
                ("parent_code", N_("Mã đơn vị cấp trên")), ("bloc", N_("Khối thi đua")))


def _label_lookup(labels):
    folded = {}
    for key, label in labels.items():
        folded[fold(key)] = key
        folded[fold(label)] = key
    return folded


SEX_LOOKUP = _label_lookup(SEXES)
STATUS_LOOKUP = _label_lookup(STAFF_STATUSES)
KIND_LOOKUP = _label_lookup(UNIT_KINDS)


COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


@dataclass
class PreviewRow:
    action: str  # "create", "update" or "unchanged"
    cells: list  # text in the request's language, one per ImportReport.columns


@dataclass
class ImportReport:
    """What an import found (validation) or did (apply): the counts are the same in both."""

    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    columns: list = field(default_factory=list)  # the preview's headings, translated
    preview: list = field(default_factory=list)  # PreviewRow of the first rows

    @property
    def ok(self):
        return not self.errors

    def count(self, action, cells):
        """Count a valid row by what it will do; keep its cells for the preview while there is room."""
        counter = COUNTERS[action]
        setattr(self, counter, getattr(self, counter) + 1)
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append(PreviewRow(action, cells))


def _shown_date(value):
    return value.strftime("%d/%m/%Y") if value else ""


def _shown_label(labels, key):
    """A stored key (female, active, ward) as its label in the request's language."""
    return _(labels[key]) if key else ""


def _read(filename, content, columns, required, report, max_rows):
    try:
        table = read_table(filename, content, columns, max_rows=max_rows)
    except TableError as error:
        report.errors.append(RowError(1, "-", error.translated(_)))
        return None
    missing = [name for name in required if name in table.missing]
    for name in missing:
        report.errors.append(RowError(1, HEADER_LABEL[name], _("thiếu cột bắt buộc")))
    report.total = len(table.rows)
    return None if missing else table


class _RowCheck:
    """The errors of one row, added to the report with its number and the column's header."""

    def __init__(self, report, number):
        self.report, self.number, self.before = report, number, len(report.errors)

    def error(self, column, message):
        self.report.errors.append(RowError(self.number, HEADER_LABEL[column], message))

    @property
    def ok(self):
        return len(self.report.errors) == self.before

    def fits(self, column, value, model_column):
        """False, and the error, when `value` is longer than its database column holds (PostgreSQL refuses it)."""
        limit = model_column.type.length
        if len(value) > limit:
            self.error(column, _("dài quá %(max)d ký tự", max=limit))
            return False
        return True


def _checked_rows(table, report):
    """(row number, row, its _RowCheck) for each row of the table."""
    for number, row in table.rows:
        yield number, row, _RowCheck(report, number)


def _by_code_and_name(model):
    """Every row of a catalogue (titles, blocs), found by its code or its name, folded."""
    found = {}
    for row in db.session.execute(select(model)).scalars():
        found[fold(row.code)] = found[fold(row.name)] = row
    return found


def import_staff(filename, content, scope, apply=False, max_rows=50_000):
    """Validate a staff list; with `apply`, save it when (and only when) every row is valid.

    People are matched by ID number: a re-import updates them. Rows outside the
    importer's scope are errors, as is a person already recorded outside it.
    """
    report = ImportReport("staff")
    table = _read(filename, content, STAFF_COLUMNS, STAFF_REQUIRED, report, max_rows)
    if table is None:
        return report
    codes = {text_value(row.get("unit_code")) for _, row in table.rows}
    id_numbers = {text_value(row.get("id_number")) for _, row in table.rows}
    units = {u.code: u for u in db.session.execute(select(Unit).where(Unit.code.in_(codes))).scalars()}
    existing = {s.id_number: s for s in db.session.execute(select(Staff).where(Staff.id_number.in_(id_numbers))).scalars()}
    titles = _by_code_and_name(Title)
    shown = [(key, heading) for key, heading in STAFF_PREVIEW if key in STAFF_ALWAYS_SHOWN or key not in table.missing]
    report.columns = [_(heading) for _key, heading in shown]
    seen = {}
    valid = []
    for number, row, check in _checked_rows(table, report):
        values = {}
        values["full_name"] = text_value(row.get("full_name"))
        if not values["full_name"]:
            check.error("full_name", _("không được để trống"))
        check.fits("full_name", values["full_name"], Staff.full_name)
        id_number = text_value(row.get("id_number"))
        if not ID_NUMBER.match(id_number):
            check.error("id_number", _("«%(value)s» không phải số CMND (9 số) hoặc CCCD (12 số)", value=id_number))
        elif id_number in seen:
            check.error("id_number", _("trùng với dòng %(row)d", row=seen[id_number]))
        else:
            seen[id_number] = number
        values["id_number"] = id_number
        unit = units.get(text_value(row.get("unit_code")))
        if unit is None:
            check.error("unit_code", _("không có đơn vị mã «%(code)s»", code=text_value(row.get("unit_code"))))
        elif unit.status != "active":
            check.error("unit_code", _("đơn vị «%(unit)s» không còn hoạt động", unit=unit.name))
        elif not scope.contains_unit(unit):
            check.error("unit_code", _("đơn vị «%(unit)s» nằm ngoài phạm vi quản lý của bạn", unit=unit.name))
        title = None
        if text_value(row.get("title")):
            title = titles.get(fold(row.get("title")))
            if title is None:
                check.error("title", _("không có chức danh «%(title)s»", title=text_value(row.get("title"))))
        if "birth_date" in row:
            try:
                values["birth_date"] = parse_date(row.get("birth_date"))
            except MessageError as problem:
                check.error("birth_date", problem.translated(_))
        if "birth_place" in row:
            values["birth_place"] = text_value(row.get("birth_place"))
            check.fits("birth_place", values["birth_place"], Staff.birth_place)
        if text_value(row.get("sex")):
            values["sex"] = SEX_LOOKUP.get(fold(row.get("sex")))
            if values["sex"] is None:
                check.error("sex", _("chỉ nhận «Nam» hoặc «Nữ»"))
        email = text_value(row.get("email"))
        if email and not EMAIL.match(email):
            check.error("email", _("«%(value)s» không phải địa chỉ thư điện tử", value=email))
        elif email:
            check.fits("email", email, Staff.email)
        if "email" in row:
            values["email"] = email.lower()
        if "phone" in row:
            values["phone"] = text_value(row.get("phone"))
            check.fits("phone", values["phone"], Staff.phone)
        if text_value(row.get("status")):
            values["status"] = STATUS_LOOKUP.get(fold(row.get("status")))
            if values["status"] is None:
                check.error("status", _("trạng thái «%(value)s» không hợp lệ", value=text_value(row.get("status"))))
        current = existing.get(id_number)
        if current is not None and not scope.contains_unit(current.unit):
            check.error("id_number", _("người này đang thuộc một đơn vị ngoài phạm vi quản lý của bạn"))
        if check.ok:
            action = "create" if current is None else "unchanged" if _staff_unchanged(current, values, unit, title) else "update"
            valid.append((values, unit, title, current, action))
            cells = {**values, "birth_date": _shown_date(values.get("birth_date")), "sex": _shown_label(SEXES, values.get("sex")),
                     "status": _shown_label(STAFF_STATUSES, values.get("status")), "unit": unit.name, "title": title.name if title else ""}
            report.count(action, [cells.get(key) or "" for key, _heading in shown])
    if report.errors or not apply:
        return report
    imported = []
    for values, unit, title, current, action in valid:
        imported.append(current if action == "unchanged" else services.save_staff(values, unit, title, staff=current)[0])
    record("import.staff", target=filename, created=report.created, updated=report.updated, unchanged=report.unchanged)
    staff_imported.send(imported, filename=filename)  # accounts for the imported, when so configured
    return report


def _staff_unchanged(staff, values, unit, title):
    same_fields = all(getattr(staff, key) == value for key, value in values.items() if key != "id_number")
    return same_fields and staff.unit_id == unit.id and staff.title_id == (title.id if title else None)


def _unit_unchanged(existing, code, name, kind, parent_code, bloc):
    """An existing unit the row leaves as it is; an empty bloc keeps the unit's bloc, a parent new in the file is a move."""
    unit = existing[code]
    parent = existing.get(parent_code) if parent_code else None
    if parent_code and parent is None:
        return False
    return (unit.name, unit.kind, unit.parent_id, unit.bloc_id) == (name, kind, parent.id if parent else None, bloc.id if bloc else unit.bloc_id)


def import_units(filename, content, apply=False, max_rows=50_000):
    """Validate a unit list (parents may come earlier in the file or already exist); apply all or nothing."""
    report = ImportReport("units")
    table = _read(filename, content, UNIT_COLUMNS, UNIT_REQUIRED, report, max_rows)
    if table is None:
        return report
    existing = {u.code: u for u in db.session.execute(select(Unit)).scalars()}
    blocs = _by_code_and_name(EmulationBloc)
    report.columns = [_(heading) for _key, heading in UNIT_PREVIEW]
    in_file = {}
    valid = []
    for number, row, check in _checked_rows(table, report):
        code = text_value(row.get("code"))
        name = text_value(row.get("name"))
        if not code:
            check.error("code", _("không được để trống"))
        elif code in in_file:
            check.error("code", _("trùng với dòng %(row)d", row=in_file[code]))
        else:
            check.fits("code", code, Unit.code)
        if not name:
            check.error("name", _("không được để trống"))
        check.fits("name", name, Unit.name)
        kind = KIND_LOOKUP.get(fold(row.get("kind")))
        if kind is None:
            check.error("kind", _("loại «%(value)s» không hợp lệ (ví dụ: Quận, Huyện, Phường, Xã, Thị trấn, Trường học)",
                            value=text_value(row.get("kind"))))
        parent_code = text_value(row.get("parent_code"))
        if parent_code and parent_code not in existing and parent_code not in in_file:
            check.error("parent_code", _("không có đơn vị cấp trên mã «%(code)s» (trong CSDL hoặc ở các dòng trên)", code=parent_code))
        if parent_code and parent_code == code:
            check.error("parent_code", _("đơn vị không thể là cấp trên của chính nó"))
        bloc = None
        if text_value(row.get("bloc")):
            bloc = blocs.get(fold(row.get("bloc")))
            if bloc is None:
                check.error("bloc", _("không có khối thi đua «%(bloc)s»", bloc=text_value(row.get("bloc"))))
        if code:
            in_file.setdefault(code, number)
        if check.ok:
            action = "create" if code not in existing else "unchanged" if _unit_unchanged(existing, code, name, kind, parent_code, bloc) else "update"
            valid.append((code, name, kind, parent_code, bloc, action))
            report.count(action, [code, name, _shown_label(UNIT_KINDS, kind), parent_code, bloc.name if bloc else ""])
    if report.errors or not apply:
        return report
    for code, name, kind, parent_code, bloc, action in valid:
        parent = existing.get(parent_code) if parent_code else None  # units created by earlier rows included
        if action == "create":
            existing[code] = services.create_unit(code, name, kind, parent=parent, bloc=bloc)
            continue
        if action == "unchanged":
            continue
        unit = existing[code]
        unit.name, unit.kind = name, kind
        if bloc is not None:
            unit.bloc = bloc
        if unit.parent_id != (parent.id if parent else None):
            services.move_unit(unit, parent)
    record("import.units", target=filename, created=report.created, updated=report.updated, unchanged=report.unchanged)
    return report
