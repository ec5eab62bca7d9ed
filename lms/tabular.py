"""Reading the spreadsheets HR departments keep (XLSX or CSV) into numbered rows, with
row errors as translatable Messages (lms.messages)."""
import calendar
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from lms.archives import ArchiveError, open_workbook, sheet_rows
from lms.messages import N_, Message, MessageError, reason, vietnamese
from lms.text import tidy


@dataclass
class RowError:
    row: int  # 1-based as the spreadsheet shows it (the header is row 1)
    column: str
    message: str

    def __str__(self):
        return self.translated(vietnamese)

    def translated(self, gettext) -> str:
        return Message(N_("Dòng %(row)s, cột «%(column)s»: %(message)s"), row=self.row, column=self.column,
                       message=self.message).translated(gettext)


@dataclass
class Table:
    headers: list
    rows: list = field(default_factory=list)  # (row number, {canonical column: value})
    titles: list = field(default_factory=list)  # the header row as the file spells it (an unknown column named in an error)


class TableError(MessageError):
    pass


def fold(text):
    """Header matching key: lower case, no diacritics, single spaces ("Họ và tên" → "ho va ten")."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def read_table(filename, content, columns, max_rows=50_000):
    """Parse XLSX or CSV `content`; `columns` maps a canonical name to accepted header spellings."""
    lookup = {fold(alias): name for name, aliases in columns.items() for alias in (name, *aliases)}
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(content, max_rows)
    elif name.endswith(".csv"):
        raw_rows = _csv_rows(content)
    else:
        raise TableError(N_("Chỉ nhận tệp .xlsx hoặc .csv."))
    try:
        header = next(raw_rows)
    except StopIteration:
        raise TableError(N_("Tệp không có dữ liệu.")) from None
    mapping = {}
    for index, title in enumerate(header):
        canonical = lookup.get(fold(title))
        if canonical:
            if canonical in mapping.values():
                raise TableError(N_("Dòng 1: cột «%(title)s» bị lặp."), title=title)
            mapping[index] = canonical
    table = Table(headers=[mapping.get(i) for i in range(len(header))], titles=[text_value(title) for title in header])
    for number, values in enumerate(raw_rows, start=2):
        if all(value in (None, "") for value in values):
            continue
        if len(table.rows) >= max_rows:
            raise TableError(N_("Tệp vượt quá %(max)d dòng."), max=max_rows)
        row = {}
        for index, canonical in mapping.items():
            value = values[index] if index < len(values) else None
            if isinstance(value, str):
                value = tidy(value)
            row[canonical] = value
        table.rows.append((number, row))
    table.missing = [name for name in columns if name not in mapping.values()]
    return table


def _xlsx_rows(content, max_rows):
    try:
        workbook = open_workbook(content, data_only=True)  # a zip bomb is refused before openpyxl reads it
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError(N_("Không đọc được tệp Excel: %(error)s"), error=reason(error)) from None
    try:
        # As many blank rows as data rows at most: openpyxl makes one for each row number a cell skips.
        for values in sheet_rows(workbook.worksheets[0], 2 * max_rows + 1):
            yield ["" if value is None else value for value in values]
    except ArchiveError as error:
        raise TableError(N_("Dòng %(row)s: %(error)s"), row=error.row, error=error.message) from None


def _csv_rows(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(N_("Tệp CSV phải mã hóa UTF-8.")) from None
    if "\x00" in text:  # never in a text file, and PostgreSQL cannot store it
        raise TableError(N_("Dòng %(row)s: tệp có ký tự NUL (mã 0) nên không phải văn bản."), row=len((text[: text.index("\x00")] + "x").splitlines()))
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    # newline="": a bare CR ends a line as in the files Excel for Mac writes, and stays inside a quoted field
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as error:  # an unterminated quote at the end, a field over the csv module's limit
        raise TableError(N_("Dòng %(row)s: không đọc được tệp CSV (%(error)s)."), row=reader.line_num, error=str(error)) from None


# Day first, the Vietnamese way, with /, - or . between; or ISO year first.
DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})$")
YEAR_FIRST = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")


def parse_date(value):
    """A date from an Excel cell or text (dd/mm/yyyy first). Text of the right form naming a day
    that does not exist (31/02) is refused as such, not as a format error."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = DAY_FIRST.match(text) or YEAR_FIRST.match(text)
    if match is None:
        raise MessageError(N_("ngày «%(text)s» không đúng dạng dd/mm/yyyy"), text=text)
    year, month, day = (int(match[part]) for part in ("year", "month", "day"))
    if not 1 <= month <= 12:
        raise MessageError(N_("ngày «%(text)s» không có thật: không có tháng %(month)d"), text=text, month=month)
    if year < 1 or day < 1:
        raise MessageError(N_("ngày «%(text)s» không có thật"), text=text)
    days = calendar.monthrange(year, month)[1]
    if day > days:
        raise MessageError(N_("ngày «%(text)s» không có thật: tháng %(month)d/%(year)d chỉ có %(days)d ngày"),
                           text=text, month=month, year=year, days=days)
    return date(year, month, day)


def text_value(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return tidy(str(value))


# Text starting with one of these is run as a formula by spreadsheet programs (OWASP, "CSV
# injection"); the full-width forms too, which some input methods type and Excel accepts.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize_formula(value):
    """Text a spreadsheet would run as a formula, prefixed with an apostrophe so that it stays
    text (=HYPERLINK(…) in a staff name); any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(headers, rows, sheet_title="Danh sách"):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([neutralize_formula(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"  # the header row stays in view
    for row in rows:
        sheet.append([neutralize_formula(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize_formula(header) for header in headers])
    writer.writerows([neutralize_formula(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly
