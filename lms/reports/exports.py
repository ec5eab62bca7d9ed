"""Report tables as files: XLSX (streamed, one sheet per table), CSV (the first table only: the
page's level) and PDF (title, filters, the report's charts, then the table). The page, the
export job and the command line all call write_report, so a file is the same wherever it is
made. Rows are iterated once and never gathered, so that the per-person sheet of a city-wide
export (120,000 rows) keeps memory flat; headers and Message cells are translated with the
caller's gettext; text cells a spreadsheet would run as formulas are neutralized.
"""
import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lms.localtime import local_date
from lms.messages import N_, translated
from lms.reports.report_pdf import write_pdf
from lms.reports.tables import TOTAL_LABEL, WIDE_NAME_KEYS, ReportTable, header_text
from lms.tabular import neutralize_formula

FORMATS = ("xlsx", "csv", "pdf")
NUMBER_FORMATS = {"count": "#,##0", "score": "0.0", "rate": "0.0%", "date": "dd/mm/yyyy"}
SHEET_NAME_MAX = 31  # Excel refuses longer sheet names
SHEET_NAME_FORBIDDEN = str.maketrans({character: "-" for character in "[]:*?/\\"})


def write_report(tables, fmt, out, gettext, title_lines=(), locale="vi"):
    """Write `tables` (one ReportTable, or an iterable of them: one XLSX sheet each) as `fmt`
    to the binary file `out`. `title_lines` are the filter lines under the PDF's title (the
    spreadsheets carry the filters in their file name); `locale` formats the PDF's numbers."""
    if isinstance(tables, ReportTable):
        tables = [tables]
    if fmt == "xlsx":
        _write_xlsx(tables, out, gettext)
    elif fmt == "csv":
        _write_csv(tables, out, gettext)
    elif fmt == "pdf":
        write_pdf(tables, out, gettext, title_lines, locale)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def cell_value(value, column, gettext):
    """A row's value ready for a cell: Messages translated, Decimals as floats, moments as
    days, text cleaned of what XLSX cannot hold and of formula prefixes."""
    value = translated(value, gettext)
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if column.kind == "date":
        return local_date(value)
    if column.kind == "text" or isinstance(value, str):
        return neutralize_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    return value


def _sheet_name(table, gettext, used):
    base = (gettext(table.sheet or table.title).translate(SHEET_NAME_FORBIDDEN).strip("' ")
            or "Sheet")[:SHEET_NAME_MAX]
    name, number = base, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name, number = base[:SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name


def _column_width(column, header):
    if column.kind == "text":
        return 36 if column.key in WIDE_NAME_KEYS else 14
    if column.kind == "date":
        return 13
    return min(max(len(header) * 0.55 + 3, 10), 18)  # headers wrap over two or three lines


def _write_xlsx(tables, out, gettext):
    # write_only: every row goes to a temporary file as it is appended, nothing stays in memory.
    workbook = Workbook(write_only=True)
    used = set()
    for table in tables:
        _write_sheet(workbook.create_sheet(_sheet_name(table, gettext, used)), table, gettext)
    if not workbook.worksheets:
        workbook.create_sheet(gettext(N_("Dữ liệu")))
    workbook.save(out)


def _write_sheet(sheet, table, gettext):
    columns = table.columns
    headers = [header_text(column, gettext) for column in columns]
    for index, (column, header) in enumerate(zip(columns, headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _column_width(column, header)
    sheet.freeze_panes = "A2"  # the header row stays in view (set before the first row)
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralize_formula(header))
        cell.font, cell.alignment = bold, wrapped
        header_cells.append(cell)
    sheet.append(header_cells)
    # One styled cell per numeric column, given each row's value in turn: openpyxl writes a
    # row out when it is appended, so the cell can be reused, and a style is built once.
    styled = [_styled_cell(sheet, column) for column in columns]
    for row in table.rows:
        sheet.append(_xlsx_row(row, columns, styled, gettext))
    if table.total is not None:
        sheet.append(_total_row(sheet, table, gettext))


def _styled_cell(sheet, column):
    number_format = NUMBER_FORMATS.get(column.kind)
    if number_format is None:
        return None
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def _xlsx_row(row, columns, styled, gettext):
    values = []
    for column, cell in zip(columns, styled):
        value = cell_value(row.get(column.key), column, gettext)
        if value is None or cell is None or isinstance(value, str):
            values.append(value)
        else:
            cell.value = value
            values.append(cell)
    return values


def _total_row(sheet, table, gettext):
    bold = Font(bold=True)
    cells = []
    for index, column in enumerate(table.columns):
        value = gettext(TOTAL_LABEL) if index == 0 else cell_value(table.total.get(column.key), column, gettext)
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        if index and column.kind in NUMBER_FORMATS:
            cell.number_format = NUMBER_FORMATS[column.kind]
        cells.append(cell)
    return cells


def csv_value(value, column, gettext):
    """Plain text for a CSV field: rates as percents with one decimal, scores with one
    decimal, days as dd/mm/yyyy; the decimal point is '.' whatever the language."""
    value = cell_value(value, column, gettext)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if column.kind == "rate":
        return f"{value * 100:.1f}"
    if column.kind == "score":
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _write_csv(tables, out, gettext):
    table = next(iter(tables), None)
    # utf-8-sig: the BOM, so that Excel reads the Vietnamese; detached after, `out` stays open.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        if table is not None:
            writer = csv.writer(text)
            writer.writerow([neutralize_formula(header_text(column, gettext)) for column in table.columns])
            for row in table.rows:
                writer.writerow([csv_value(row.get(column.key), column, gettext) for column in table.columns])
    finally:
        text.flush()
        text.detach()
