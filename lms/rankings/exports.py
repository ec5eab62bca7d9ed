"""The unit emulation ranking (Văn bản 3718/UBND-KGVX) as XLSX: a bloc's ranking (sheets
«Xếp hạng», «Chi tiết», «Công thức») and one unit's breakdown. Both read the ranking
document (lms.rankings.document) the pages and the API show, published or computed now, so
a file carries what the page shows.

Figures are numbers, not text: decimal text becomes a float written with the formula's
precision as its format. Every text cell (names come from units and the formula) is cleaned
of what XLSX cannot hold and neutralized (lms.tabular.neutralize_formula). The words and the
reading of the document that the PDF (lms.rankings.ranking_pdf) shares are here too; the
words of the formula's choices are the pages' own (lms.rankings.labels)."""
import io
import re
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lms.localtime import local_date
from lms.messages import N_, Message
from lms.rankings.labels import BAND_BY_LABELS, MISSING_RULE_LABELS, NORMALISATION_LABELS
from lms.reports.tables import TOTAL_LABEL
from lms.tabular import neutralize_formula
from lms.text import nfc

DIRECTIONS = {"higher": N_("Càng cao càng tốt"), "lower": N_("Càng thấp càng tốt")}
NOT_RANKED = N_("Không xếp hạng")
# Column headers, shared with the PDF.
RANK, UNIT_CODE, UNIT_NAME, INDEX, BAND = N_("Hạng"), N_("Mã đơn vị"), N_("Tên đơn vị"), N_("Chỉ số"), N_("Xếp loại")
MISSING, COMPONENT, INDICATOR_CODE, INDICATOR = N_("Thiếu số liệu"), N_("Thành phần"), N_("Mã chỉ tiêu"), N_("Chỉ tiêu")
MEASURE, RAW, NORMALISED, WEIGHT = N_("Đơn vị tính"), N_("Giá trị"), N_("Chuẩn hóa"), N_("Trọng số")
CONTRIBUTION, BEST, TARGET = N_("Đóng góp"), N_("Tốt nhất khối"), N_("Mục tiêu")
CURRENT, NEEDED, CHANGE, NORMALISED_NEEDED = N_("Giá trị hiện tại"), N_("Giá trị cần đạt"), N_("Cần tăng thêm"), N_("Chuẩn hóa cần đạt")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
SHEET_NAME_MAX = 31  # Excel refuses longer sheet names, and these characters, and a quote at either end
SHEET_NAME_FORBIDDEN = str.maketrans({character: "-" for character in "[]:*?/\\"})


# The document's words and figures (the PDF reads them from here too) ----------------------

def number(text):
    """Decimal text of the document ('0.8123', '12', None) as a Decimal, or None."""
    return None if text is None or text == "" else Decimal(str(text))


def _day(moment):
    if not moment:
        return ""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    day = local_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def period_text(period) -> Message:
    """'năm 2017' or 'quý 2 năm 2017', for the middle of a sentence."""
    match = QUARTER.match(str(period))
    if match:
        return Message(N_("quý %(quarter)s năm %(year)s"), quarter=match[2], year=match[1])
    return Message(N_("năm %(year)s"), year=str(period))


def title_text(document) -> Message:
    return Message(N_("Xếp hạng thi đua %(bloc)s, %(period)s"), bloc=nfc(document["bloc"]["name"]),
                   period=period_text(document["period"]))


def version_text(document) -> Message:
    """Which ranking this is: a published version and its day, or a computation not published."""
    if document.get("version") is not None:
        return Message(N_("Phiên bản %(version)s, công bố %(date)s"), version=document["version"],
                       date=_day(document.get("published_at") or document.get("computed_at")))
    return Message(N_("Bản tính ngày %(date)s, chưa công bố"), date=_day(document.get("computed_at")))


def rule_text(document) -> str:
    return MISSING_RULE_LABELS.get(document.get("missing_rule"), document.get("missing_rule") or "")


def heading_lines(document, gettext) -> list:
    """The lines above any ranking file: title, version, the missing-data rule."""
    return [title_text(document).translated(gettext), version_text(document).translated(gettext), gettext(rule_text(document))]


def indicators(document) -> list:
    """(component, indicator) of the formula, in its order."""
    return [(component, indicator) for component in document["components"] for indicator in component["indicators"]]


def ordered_units(document) -> list:
    """The ranked units by rank, then the units not ranked (whatever order the document has)."""
    return sorted(document["units"], key=lambda unit: (unit["excluded"] or unit["rank"] is None, unit["rank"] or 0))


def ranked_count(document) -> int:
    return sum(1 for unit in document["units"] if not unit["excluded"] and unit["rank"] is not None)


def find_unit(document, unit_id):
    for unit in document["units"]:
        if unit["unit_id"] == unit_id:
            return unit
    raise LookupError(f"unit {unit_id!r} is not in the ranking of {document['bloc']['code']} {document['period']}")


def unit_scores(unit, document) -> list:
    """(component, indicator, score or None) in the formula's order."""
    scores = {score["code"]: score for score in unit["scores"]}
    return [(component, indicator, scores.get(indicator["code"])) for component, indicator in indicators(document)]


def component_sums(unit, document) -> dict:
    """{component code: the sum of the unit's contributions to it}, None for a unit not ranked."""
    sums = {}
    for component in document["components"]:
        parts = [number(score["contribution"]) for score in unit["scores"] if score["component"] == component["code"]]
        sums[component["code"]] = None if not parts or None in parts else sum(parts, Decimal(0))
    return sums


def contribution_total(unit):
    parts = [number(score["contribution"]) for score in unit["scores"]]
    return None if not parts or None in parts else sum(parts, Decimal(0))


def missing_names(unit, document) -> str:
    names = {indicator["code"]: indicator["name"] for _, indicator in indicators(document)}
    return "; ".join(nfc(names.get(code, code)) for code in unit["missing"])


def band_text(unit, gettext) -> str:
    if unit.get("band"):
        return unit["band"]
    return gettext(NOT_RANKED) if unit["excluded"] or unit["rank"] is None else ""


def stat(document, code, key):
    return number(((document.get("stats") or {}).get(code) or {}).get(key))


# Cells ------------------------------------------------------------------------------------

def text_cell(value):
    """Text for a cell: NFC, without what XLSX cannot hold, never run as a formula."""
    return neutralize_formula(ILLEGAL_CHARACTERS_RE.sub("", nfc(str(value)))) if value not in (None, "") else None


def _decimal_format(places):
    return "0." + "0" * places if places > 0 else "0"


def _sheet_name(name):
    return (ILLEGAL_CHARACTERS_RE.sub("", nfc(name)).translate(SHEET_NAME_FORBIDDEN).strip("' ") or "Sheet")[:SHEET_NAME_MAX]


class _Sheet:
    """A write-only sheet and the few cell styles a ranking needs, built once."""

    def __init__(self, workbook, name, widths, precision):
        self.sheet = workbook.create_sheet(_sheet_name(name))
        for column, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        self.fixed, self.bold = _decimal_format(precision), Font(bold=True)

    def cell(self, value, kind="text", bold=False, wrap=False):
        """kind: text, fixed (the precision's decimals), raw (as reported), int."""
        if value is None or value == "":
            return None
        if kind == "text":
            value = text_cell(value)
        else:
            value = int(value) if kind == "int" else float(value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if kind == "fixed":
            cell.number_format = self.fixed
        if bold:
            cell.font = self.bold
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def line(self, *texts, bold=False):
        self.sheet.append([self.cell(text, bold=bold) for text in texts])

    def header(self, headers, gettext):
        self.sheet.append([self.cell(gettext(header), bold=True, wrap=True) for header in headers])

    def blank(self):
        self.sheet.append([])


def _title(sheet, document, gettext, first=None):
    """The heading lines (a unit's breakdown opens with its own `first` line), then a blank row."""
    lines = heading_lines(document, gettext)
    if first is not None:
        lines.insert(0, first)
    title = sheet.cell(lines[0], bold=True)
    title.font = Font(bold=True, size=13)
    sheet.sheet.append([title])
    for line in lines[1:]:
        sheet.line(line)
    sheet.blank()


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The bloc's ranking -----------------------------------------------------------------------

def _ranking_sheet(workbook, document, gettext):
    components = document["components"]
    sheet = _Sheet(workbook, gettext(N_("Xếp hạng")), [7, 14, 36, 10, 28] + [16] * len(components) + [48], document["precision"])
    sheet.sheet.freeze_panes = "A6"  # the four lines above and the header row stay in view
    _title(sheet, document, gettext)
    sheet.sheet.append([sheet.cell(gettext(header), bold=True, wrap=True) for header in (RANK, UNIT_CODE, UNIT_NAME, INDEX, BAND)]
                       + [sheet.cell(component["name"], bold=True, wrap=True) for component in components]
                       + [sheet.cell(gettext(MISSING), bold=True, wrap=True)])
    for unit in ordered_units(document):
        sums = component_sums(unit, document)
        sheet.sheet.append([sheet.cell(unit["rank"], "int"), sheet.cell(unit["code"]), sheet.cell(unit["name"]),
                            sheet.cell(number(unit["index"]), "fixed"), sheet.cell(band_text(unit, gettext))]
                           + [sheet.cell(sums[component["code"]], "fixed") for component in components]
                           + [sheet.cell(missing_names(unit, document))])


def _detail_sheet(workbook, document, gettext):
    sheet = _Sheet(workbook, gettext(N_("Chi tiết")), [14, 30, 30, 22, 48, 11, 11, 11, 11, 11, 11, 11], document["precision"])
    sheet.sheet.freeze_panes = "A2"
    sheet.header([UNIT_CODE, UNIT_NAME, COMPONENT, INDICATOR_CODE, INDICATOR, MEASURE, RAW, NORMALISED, WEIGHT, CONTRIBUTION,
                  BEST, TARGET], gettext)
    for unit in ordered_units(document):
        for component, indicator, score in unit_scores(unit, document):
            score = score or {}
            sheet.sheet.append([sheet.cell(unit["code"]), sheet.cell(unit["name"]), sheet.cell(component["name"]),
                                sheet.cell(indicator["code"]), sheet.cell(indicator["name"]), sheet.cell(indicator.get("measure")),
                                sheet.cell(number(score.get("raw")), "raw"), sheet.cell(number(score.get("normalised")), "fixed"),
                                sheet.cell(number(score.get("weight", indicator["weight"])), "fixed"),
                                sheet.cell(number(score.get("contribution")), "fixed"),
                                sheet.cell(stat(document, indicator["code"], "best"), "raw"),
                                sheet.cell(number(indicator.get("target")), "raw")])


def _formula_rows(sheet, document, gettext):
    sheet.line(gettext(BAND_BY_LABELS.get(document.get("band_by"), document.get("band_by") or "")))
    sheet.line(Message(N_("Độ chính xác: %(places)s chữ số thập phân"), places=document["precision"]).translated(gettext))
    sheet.blank()
    sheet.line(gettext(N_("Thành phần và chỉ tiêu")), bold=True)
    sheet.header([COMPONENT, N_("Trọng số thành phần"), INDICATOR_CODE, INDICATOR, MEASURE, N_("Hướng"), N_("Cách chuẩn hóa"),
                  WEIGHT, TARGET], gettext)
    for component, indicator in indicators(document):
        sheet.sheet.append([sheet.cell(component["name"]), sheet.cell(number(component["weight"]), "fixed"), sheet.cell(indicator["code"]),
                            sheet.cell(indicator["name"]), sheet.cell(indicator.get("measure")),
                            sheet.cell(gettext(DIRECTIONS.get(indicator.get("direction"), indicator.get("direction") or ""))),
                            sheet.cell(gettext(NORMALISATION_LABELS.get(indicator["normalisation"], indicator["normalisation"]))),
                            sheet.cell(number(indicator["weight"]), "fixed"), sheet.cell(number(indicator.get("target")), "raw")])
    sheet.blank()
    sheet.line(gettext(N_("Các mức xếp loại")), bold=True)
    sheet.header([BAND, N_("Chỉ số từ"), N_("Đến hạng")], gettext)
    for band in document["bands"]:
        sheet.sheet.append([sheet.cell(band["label"]), sheet.cell(number(band.get("min_index")), "fixed"),
                            sheet.cell(band.get("max_rank"), "int")])


def ranking_xlsx(document, gettext) -> bytes:
    """The bloc's ranking as an XLSX workbook: «Xếp hạng» (one row per unit, its index and
    its component sums), «Chi tiết» (one row per unit and indicator), «Công thức»."""
    workbook = Workbook(write_only=True)
    _ranking_sheet(workbook, document, gettext)
    _detail_sheet(workbook, document, gettext)
    sheet = _Sheet(workbook, gettext(N_("Công thức")), [30, 12, 22, 48, 11, 18, 30, 11, 11], document["precision"])
    _title(sheet, document, gettext)
    _formula_rows(sheet, document, gettext)
    return _save(workbook)


# One unit's breakdown ---------------------------------------------------------------------

def breakdown_title(unit) -> Message:
    return Message(N_("Kết quả xếp hạng thi đua: %(unit)s (%(code)s)"), unit=nfc(unit["name"]), code=nfc(unit["code"]))


def next_band_note(unit):
    """Why a unit has no next band to reach: not ranked, or already in the highest band."""
    if unit["excluded"] or unit["rank"] is None:
        return N_("Đơn vị không được xếp hạng vì thiếu số liệu.")
    return N_("Đơn vị đã ở mức xếp loại cao nhất.")


# The improvements of lms.rankings.compute.next_band: each indicator that alone could take the unit there.
NO_SINGLE_IMPROVEMENT = N_("Không có chỉ tiêu nào mà chỉ cải thiện riêng nó là đủ để đạt mức này.")
IMPROVEMENT_NOTE = N_("Chỉ cần riêng một chỉ tiêu dưới đây đạt giá trị cần đạt (các chỉ tiêu khác giữ nguyên) là đủ để đạt mức này. "
                      "Giá trị được tính theo số liệu hiện tại của khối nên chỉ để tham khảo.")


def reach_text(next_band) -> Message:
    return Message(N_("Để đạt mức «%(band)s»"), band=nfc(next_band["label"]))


def improvements(unit, document) -> list:
    """(indicator, current raw, the improvement) for each improvement of the unit's next band."""
    by_code = {indicator["code"]: indicator for _, indicator in indicators(document)}
    raws = {score["code"]: number(score["raw"]) for score in unit["scores"]}
    return [(by_code.get(item["code"], {"code": item["code"], "name": item["code"]}), raws.get(item["code"]), item)
            for item in (unit.get("next_band") or {}).get("improvements") or []]


def _breakdown_rows(sheet, unit, document, gettext):
    sheet.header([COMPONENT, INDICATOR_CODE, INDICATOR, MEASURE, RAW, NORMALISED, WEIGHT, CONTRIBUTION, BEST, TARGET], gettext)
    for component, indicator, score in unit_scores(unit, document):
        score = score or {}
        sheet.sheet.append([sheet.cell(component["name"]), sheet.cell(indicator["code"]), sheet.cell(indicator["name"]),
                            sheet.cell(indicator.get("measure")), sheet.cell(number(score.get("raw")), "raw"),
                            sheet.cell(number(score.get("normalised")), "fixed"),
                            sheet.cell(number(score.get("weight", indicator["weight"])), "fixed"),
                            sheet.cell(number(score.get("contribution")), "fixed"),
                            sheet.cell(stat(document, indicator["code"], "best"), "raw"), sheet.cell(number(indicator.get("target")), "raw")])
    total = sheet.cell(contribution_total(unit), "fixed", bold=True)
    sheet.sheet.append([sheet.cell(gettext(TOTAL_LABEL), bold=True), None, None, None, None, None, None, total])


def _next_band_rows(sheet, unit, document, gettext):
    next_band = unit.get("next_band")
    if not next_band:
        sheet.line(gettext(next_band_note(unit)))
        return
    sheet.line(reach_text(next_band).translated(gettext), bold=True)
    sheet.sheet.append([sheet.cell(gettext(N_("Chỉ số cần đạt"))), sheet.cell(number(next_band["index_needed"]), "fixed")])
    sheet.sheet.append([sheet.cell(gettext(N_("Còn thiếu"))), sheet.cell(number(next_band["gap"]), "fixed")])
    found = improvements(unit, document)
    if not found:
        sheet.line(gettext(NO_SINGLE_IMPROVEMENT))
        return
    sheet.line(gettext(IMPROVEMENT_NOTE))
    sheet.header([INDICATOR_CODE, INDICATOR, CURRENT, NEEDED, CHANGE, NORMALISED_NEEDED], gettext)
    for indicator, current, item in found:
        sheet.sheet.append([sheet.cell(indicator["code"]), sheet.cell(indicator["name"]), sheet.cell(current, "raw"),
                            sheet.cell(number(item.get("raw_needed")), "raw"), sheet.cell(number(item.get("raw_change")), "raw"),
                            sheet.cell(number(item.get("normalised_needed")), "fixed")])


def breakdown_xlsx(document, unit_id, gettext) -> bytes:
    """One unit's breakdown as an XLSX sheet: its rank, index and band, each indicator's
    figure and contribution with the sum row (the index), the bloc's best and the target,
    then what reaching the next band takes. LookupError for a unit not in the document."""
    unit = find_unit(document, unit_id)
    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook, gettext(N_("Đơn vị")), [30, 22, 48, 11, 11, 11, 11, 11, 11, 11], document["precision"])
    _title(sheet, document, gettext, first=breakdown_title(unit).translated(gettext))
    sheet.sheet.append([sheet.cell(gettext(RANK), bold=True), sheet.cell(unit["rank"], "int")])
    sheet.sheet.append([sheet.cell(gettext(N_("Số đơn vị được xếp hạng")), bold=True), sheet.cell(ranked_count(document), "int")])
    sheet.sheet.append([sheet.cell(gettext(INDEX), bold=True), sheet.cell(number(unit["index"]), "fixed")])
    sheet.sheet.append([sheet.cell(gettext(BAND), bold=True), sheet.cell(band_text(unit, gettext))])
    if unit["missing"]:
        sheet.sheet.append([sheet.cell(gettext(MISSING), bold=True), sheet.cell(missing_names(unit, document))])
    sheet.blank()
    _breakdown_rows(sheet, unit, document, gettext)
    sheet.blank()
    _next_band_rows(sheet, unit, document, gettext)
    return _save(workbook)
