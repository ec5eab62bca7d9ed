"""Units' IT-deployment figures from a spreadsheet (XLSX or CSV): one row per unit (`Mã đơn vị`,
optionally `Tên đơn vị`), one column per reported indicator (its code or its Vietnamese name).
Every row and cell is checked first; with `apply`, the figures are recorded when (and only
when) the whole file is valid. A blank cell gives no figure; clearing one is done on the form.

Row errors are in the language of the request; column names stay those of the file. The
template this module writes is the same file, prefilled with the current figures."""
import io
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from lms.audit.services import record
from lms.catalogue.models import INDICATOR_DIRECTIONS, INDICATOR_KINDS, Indicator
from lms.extensions import db
from lms.messages import MessageError, vietnamese
from lms.org.imports import ImportReport
from lms.org.models import Unit
from lms.rankings.indicators import (
    INACTIVE_REFUSED,
    LEARNING_REFUSED,
    OUTSIDE_SCOPE,
    as_period,
    current_values,
    is_blank,
    is_change,
    record_values,
    reported_indicators,
    reporting_condition,
    reporting_units_query,
    unit_staff_counts,
    valid_range,
    validate_value,
)
from lms.tabular import RowError, TableError, neutralize_formula, read_table, text_value

UNIT_CODE, UNIT_NAME = "Mã đơn vị", "Tên đơn vị"
UNIT_COLUMNS = {"unit_code": (UNIT_CODE, "Unit code"), "unit_name": (UNIT_NAME, "Unit name")}
MAX_ROWS = 10_000  # Hanoi has about a thousand units in emulation blocs
DATA_SHEET, GUIDE_SHEET = "Số liệu", "Hướng dẫn"


@dataclass
class IndicatorImportReport(ImportReport):
    """An ImportReport whose rows are units: created (figures where the unit had none), updated
    (a figure replaced), unchanged; `values` counts the figures the file records."""

    kind: str = "indicators"
    period: str = ""
    values: int = 0


def _columns(indicators):
    """read_table's columns: the unit's, then every indicator by its code, Vietnamese and English names."""
    columns = dict(UNIT_COLUMNS)
    for indicator in indicators:
        columns[indicator.code] = tuple(name for name in (indicator.name, indicator.name_en) if name)
    return columns


def _indicator_columns(table, titles, indicators, report):
    """[(indicator, its header in the file)] of the columns to read; header errors to the report."""
    by_code = {indicator.code: indicator for indicator in indicators}
    found = []
    for index, title in enumerate(titles):
        canonical = table.headers[index] if index < len(table.headers) else None
        if not title or canonical in UNIT_COLUMNS:
            continue
        indicator = by_code.get(canonical)
        if indicator is None:
            report.errors.append(RowError(1, title, _("không có chỉ tiêu nào có mã hoặc tên này")))
        elif not indicator.reported:
            report.errors.append(RowError(1, title, _(LEARNING_REFUSED, name=indicator.name)))
        elif not indicator.active:
            report.errors.append(RowError(1, title, _(INACTIVE_REFUSED, name=indicator.name)))
        else:
            found.append((indicator, title))
    return found


def _read(filename, content, indicators, report, max_rows):
    try:
        table = read_table(filename, content, _columns(indicators), max_rows=max_rows)
    except TableError as error:
        report.errors.append(RowError(1, "-", error.translated(_)))
        return None, []
    report.total = len(table.rows)
    if "unit_code" in table.missing:
        report.errors.append(RowError(1, UNIT_CODE, _("thiếu cột bắt buộc")))
    columns = _indicator_columns(table, table.titles, indicators, report)
    if "unit_code" in table.missing:
        return None, []
    if not columns and not report.errors:
        report.errors.append(RowError(1, "-", _("tệp không có cột chỉ tiêu nào")))
    return table, columns


def _units(codes, scope, period):
    """{code: (unit, in the scope, reports for the period)}, the scope and the period tested in SQL."""
    rows = db.session.execute(select(Unit, scope.unit_condition().label("in_scope"), reporting_condition(period).label("reporting"))
                              .where(Unit.code.in_(codes)))
    return {unit.code: (unit, bool(in_scope), bool(reporting)) for unit, in_scope, reporting in rows}


def _unit_error(code, found, seen):
    """Why the row's unit code cannot take figures, or None."""
    if not code:
        return _("không được để trống")
    if code in seen:
        return _("trùng với dòng %(row)d", row=seen[code])
    if found is None:
        return _("không có đơn vị mã «%(code)s»", code=code)
    unit, in_scope, reporting = found
    if not in_scope:
        return _(OUTSIDE_SCOPE, unit=code)  # its name and figures stay unseen
    if unit.bloc_id is None:
        return _("đơn vị «%(unit)s» không thuộc khối thi đua nào", unit=unit.name)
    if not reporting:
        return _("đơn vị «%(unit)s» không còn hoạt động", unit=unit.name)
    return None


def shown_value(indicator, value, empty="—"):
    """A figure as a page shows it: Có/Không for a yes/no, a number in the reader's locale."""
    if value is None:
        return empty
    if indicator.kind == "boolean":
        return _("Có") if value else _("Không")
    return format_decimal(value, format="#,##0.######")


def _row_action(cells, current, unit):
    """What a row does (create, update, unchanged) and its preview cells, old → new where it changes."""
    action, shown = "unchanged", []
    for indicator, value in cells:
        if value is None:
            shown.append("")
            continue
        row = current.get((unit.id, indicator.code))
        if row is not None and row.value == value:
            shown.append(shown_value(indicator, value))
        elif row is None:
            action = "create" if action == "unchanged" else action
            shown.append(shown_value(indicator, value))
        else:
            action = "update"
            shown.append(f"{shown_value(indicator, row.value)} → {shown_value(indicator, value)}")
    return action, shown


def import_indicators(filename, content, period, scope, user, apply=False, source="import", max_rows=MAX_ROWS):
    """Validate a file of figures for `period`; with `apply`, record them when (and only when)
    every row is valid. Units outside `scope` are errors; `user` None for a command."""
    period = as_period(period)
    report = IndicatorImportReport(period=period.label)
    indicators = db.session.execute(select(Indicator).order_by(Indicator.position, Indicator.code)).scalars().all()
    table, columns = _read(filename, content, indicators, report, max_rows)
    if table is None:
        return report
    report.columns = [_("Mã đơn vị"), _("Tên đơn vị"), *(title for _indicator, title in columns)]
    codes = {text_value(row.get("unit_code")) for _number, row in table.rows}
    units = _units(codes - {""}, scope, period)
    counted = [found[0].id for found in units.values() if found[1]] if any(i.kind == "count" for i, _t in columns) else []
    staff = unit_staff_counts(counted) if counted else {}
    seen, valid = {}, []
    for number, row in table.rows:
        before = len(report.errors)
        code = text_value(row.get("unit_code"))
        found = units.get(code)
        problem = _unit_error(code, found, seen)
        if problem:
            report.errors.append(RowError(number, UNIT_CODE, problem))
        if code:
            seen.setdefault(code, number)
        unit = None if problem else found[0]
        cells = []
        for indicator, title in columns:
            raw = row.get(indicator.code)
            if is_blank(raw):
                cells.append((indicator, None))
                continue
            try:
                cells.append((indicator, validate_value(indicator, raw, staff.get(unit.id) if unit else None)))
            except MessageError as error:
                report.errors.append(RowError(number, title, error.translated(_)))
        if len(report.errors) == before:
            valid.append((unit, cells))
    if report.errors:
        return report
    current = current_values(scope, period, [unit.id for unit, _cells in valid])
    entries = []
    for unit, cells in valid:
        action, shown = _row_action(cells, current, unit)
        report.count(action, [unit.code, unit.name, *shown])
        entries += [(unit, indicator, value) for indicator, value in cells if value is not None]
    if not apply:
        report.values = sum(1 for unit, indicator, value in entries if is_change(current.get((unit.id, indicator.code)), value))
        return report
    recorded = record_values(entries, period, user, source, scope=scope)
    report.values = recorded.added
    record("indicators.record", target=filename, actor=user, period=period.label, source=source, added=recorded.added,
           unchanged=recorded.unchanged, units=len(valid))
    return report


def _guide_rows(indicators, period, gettext):
    yield [gettext("Số liệu ứng dụng CNTT của đơn vị, kỳ %(period)s (Văn bản 3718/UBND-KGVX)") % {"period": period.label}]
    yield [gettext("Mỗi dòng của trang «%(sheet)s» là một đơn vị; mỗi cột một chỉ tiêu, tiêu đề là mã chỉ tiêu. Ô để trống: "
                   "không khai báo (số liệu đang có giữ nguyên). Số thập phân viết 87,5 hoặc 87.5; tỉ lệ phần trăm ghi số "
                   "từ 0 đến 100, không định dạng ô kiểu phần trăm. Tệp có lỗi thì không dòng nào được nhập.") % {"sheet": DATA_SHEET}]
    yield []
    yield [gettext("Mã chỉ tiêu"), gettext("Tên chỉ tiêu"), gettext("Đơn vị tính"), gettext("Loại"), gettext("Giá trị hợp lệ"),
           gettext("Chiều đánh giá")]
    for indicator in indicators:
        yield [indicator.code, indicator.name, indicator.measure, gettext(INDICATOR_KINDS[indicator.kind]),
               valid_range(indicator).translated(gettext), gettext(INDICATOR_DIRECTIONS.get(indicator.direction, indicator.direction))]


def _sheet(sheet, rows, bold_rows, widths):
    for row in rows:
        sheet.append([neutralize_formula(value) for value in row])
    for number in bold_rows:
        for cell in sheet[number]:
            cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def indicator_template(scope, period, gettext=vietnamese):
    """The import file for `period`: one row per reporting unit of the scope with its current
    figures, and a second sheet listing every reported indicator and what it accepts."""
    period = as_period(period)
    indicators = reported_indicators()
    units = db.session.execute(reporting_units_query(scope, period)).scalars().all()
    current = current_values(scope, period, [unit.id for unit in units])
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    rows = [[UNIT_CODE, UNIT_NAME, *(indicator.code for indicator in indicators)]]
    for unit in units:
        values = [current.get((unit.id, indicator.code)) for indicator in indicators]
        rows.append([unit.code, unit.name, *(None if row is None else row.value for row in values)])
    _sheet(data, rows, [1], [14, 36] + [16] * len(indicators))
    data.freeze_panes = "C2"  # the unit's code and name, and the header, stay in view
    guide = workbook.create_sheet(GUIDE_SHEET)
    _sheet(guide, _guide_rows(indicators, period, gettext), [1, 4], [26, 60, 12, 30, 36, 22])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

