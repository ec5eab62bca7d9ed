"""The unit emulation ranking as a PDF: A4 landscape, the report PDFs' margins and the shipped
DejaVu Serif (registered as lms.reports.report_pdf registers it, so every diacritic prints
and no built-in PDF font is named). A bloc's PDF holds the heading lines (bloc, period,
version, the missing-data rule), the bar chart of the ranked units (cut into charts of at
most BARS_PER_CHART bars: two hundred units make seven pages of legible bars), the ranking
table, then one page per unit: its indicators with their contributions and the sum row (the
index), and what reaching the next band takes. A unit's PDF is the heading and that page.

It reads the ranking document as the XLSX does (lms.rankings.exports), from the same words."""
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from lms.certificates.document import BOLD, REGULAR, register_fonts
from lms.messages import N_, Message
from lms.rankings import exports as words
from lms.rankings.charts import _locale, chart_parts, index_bar_chart, index_text
from lms.reports.charts import NO_VALUE
from lms.reports.report_pdf import page_number
from lms.reports.tables import TOTAL_LABEL
from lms.text import nfc

CHART_MAX_WIDTH = 640  # as the report PDFs: wider bars only stretch
FRAME_PADDING = 6
TABLE_SIZE = 8
GRID_GREY, HEADER_GREY, TOTAL_GREY = colors.Color(0.55, 0.55, 0.55), colors.Color(0.88, 0.88, 0.88), colors.Color(0.94, 0.94, 0.94)
STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=4),
    "line": ParagraphStyle("line", fontName=REGULAR, fontSize=9, leading=11.5, alignment=TA_CENTER),
    "section": ParagraphStyle("section", fontName=BOLD, fontSize=11, leading=14, spaceAfter=4),
    "unit": ParagraphStyle("unit", fontName=BOLD, fontSize=10, leading=13, spaceBefore=4),
    "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=11.5, spaceAfter=3),
    "strong": ParagraphStyle("strong", fontName=BOLD, fontSize=9, leading=11.5, spaceBefore=4, spaceAfter=2),
    "header": ParagraphStyle("header", fontName=BOLD, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.2),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.2),
}


def _p(text, style="body"):
    return Paragraph(escape(nfc(str(text))), STYLES[style])


class _Numbers:
    """The document's decimal text as the reader's language writes it."""

    def __init__(self, document, locale):
        self.places, self.locale = document["precision"], _locale(locale)

    def fixed(self, value):
        return index_text(value, self.places, self.locale)

    def raw(self, value):
        return NO_VALUE if value is None else format_decimal(Decimal(value), "#,##0.####", locale=self.locale)


def _cell(text, width, style="cell"):
    """Plain text where it fits its column, a wrapping Paragraph where it does not (far faster)."""
    text = nfc(str(text or ""))
    if stringWidth(text, STYLES[style].fontName, TABLE_SIZE) <= width - 5:
        return text
    return _p(text, style)


def _grid(header, rows, widths, numeric, extra=()):
    """A table with its (translated) header row on each page, hairlines, figures right-aligned."""
    data = [[_p(text, "header") for text in header]] + rows
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.35, GRID_GREY),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("ALIGN", (index, 1), (index, -1), "RIGHT") for index in numeric]
    return LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(commands + list(extra)), hAlign="LEFT")


def _shares(width, weights):
    return [width * weight / sum(weights) for weight in weights]


def _heading(document, gettext, first=None):
    lines = words.heading_lines(document, gettext)
    if first is not None:
        lines.insert(0, first)
    return [_p(lines[0], "title")] + [_p(line, "line") for line in lines[1:]] + [Spacer(1, 8)]


def _fitted(drawing, width, height):
    scale = min(1.0, width / drawing.width, height / drawing.height)
    if scale < 1.0:
        drawing.renderScale = scale
    return drawing


def _charts(document, gettext, numbers, width, first_height, height):
    """The ranked units' bars, BARS_PER_CHART at most per chart, the first under the heading:
    (flowables, how many charts)."""
    rows = [(unit["name"], float(unit["index"]), unit["rank"]) for unit in words.ordered_units(document)
            if not unit["excluded"] and unit["rank"] is not None and unit["index"] is not None]
    parts = chart_parts(rows)
    flowables = []
    for number, part in enumerate(parts):
        title = gettext(N_("Chỉ số thi đua của các đơn vị")) if len(parts) == 1 else Message(
            N_("Chỉ số thi đua của các đơn vị (hạng %(first)s–%(last)s)"), first=part[0][2], last=part[-1][2]).translated(gettext)
        drawing = index_bar_chart(part, title, width=min(width, CHART_MAX_WIDTH), places=numbers.places, locale=numbers.locale)
        flowables += [_fitted(drawing, width, first_height if number == 0 else height), Spacer(1, 8)]
    return flowables, len(parts)


def _ranking_table(document, gettext, numbers, width):
    components = document["components"]
    widths = _shares(width, [0.6, 1.4, 2.8, 1.0, 3.2] + [1.5] * len(components) + [2.6])
    header = ([gettext(text) for text in (words.RANK, words.UNIT_CODE, words.UNIT_NAME, words.INDEX, words.BAND)]
              + [component["name"] for component in components] + [gettext(words.MISSING)])
    rows = []
    for unit in words.ordered_units(document):
        sums = words.component_sums(unit, document)
        values = [str(unit["rank"] or ""), unit["code"], unit["name"], numbers.fixed(words.number(unit["index"])),
                  words.band_text(unit, gettext)] + [numbers.fixed(sums[c["code"]]) for c in components] + [words.missing_names(unit, document)]
        rows.append([_cell(value, column) for value, column in zip(values, widths)])
    numeric = [0, 3] + list(range(5, 5 + len(components)))
    return _grid(header, rows, widths, numeric)


def _summary(unit, document, gettext, numbers):
    if unit["excluded"] or unit["rank"] is None:
        text = gettext(words.next_band_note(unit))
    else:
        text = Message(N_("Hạng %(rank)s/%(count)s · Chỉ số %(index)s · %(band)s"), rank=unit["rank"], count=words.ranked_count(document),
                       index=numbers.fixed(words.number(unit["index"])), band=words.band_text(unit, gettext)).translated(gettext)
    found = [_p(text)]
    if unit["missing"]:
        found.append(_p(Message(N_("Thiếu số liệu: %(names)s"), names=words.missing_names(unit, document)).translated(gettext)))
    return found


def _scores_table(unit, document, gettext, numbers, width):
    widths = _shares(width, [4.6, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    header = [words.INDICATOR, words.MEASURE, words.RAW, words.NORMALISED, words.WEIGHT, words.CONTRIBUTION, words.BEST, words.TARGET]
    sums = words.component_sums(unit, document)
    rows, extra, current = [], [], None
    for component, indicator, score in words.unit_scores(unit, document):
        if component is not current:  # a component's row: its name and the sum of its contributions
            current = component
            rows.append([_p(component["name"], "header"), "", "", "", "", numbers.fixed(sums[component["code"]]), "", ""])
            extra += [("SPAN", (0, len(rows)), (4, len(rows))), ("FONT", (0, len(rows)), (-1, len(rows)), BOLD, TABLE_SIZE),
                      ("BACKGROUND", (0, len(rows)), (-1, len(rows)), TOTAL_GREY)]
        score = score or {}
        values = [indicator["name"], indicator.get("measure") or "", numbers.raw(words.number(score.get("raw"))),
                  numbers.fixed(words.number(score.get("normalised"))), numbers.fixed(words.number(score.get("weight", indicator["weight"]))),
                  numbers.fixed(words.number(score.get("contribution"))), numbers.raw(words.stat(document, indicator["code"], "best")),
                  numbers.raw(words.number(indicator.get("target")))]
        rows.append([_cell(value, column) for value, column in zip(values, widths)])
    rows.append([gettext(TOTAL_LABEL), "", "", "", "", numbers.fixed(words.contribution_total(unit)), "", ""])
    extra += [("SPAN", (0, -1), (4, -1)), ("FONT", (0, -1), (-1, -1), BOLD, TABLE_SIZE), ("BACKGROUND", (0, -1), (-1, -1), HEADER_GREY)]
    return _grid([gettext(text) for text in header], rows, widths, range(2, 8), extra)


def _next_band(unit, document, gettext, numbers, width):
    next_band = unit.get("next_band")
    if not next_band:
        return [] if unit["excluded"] or unit["rank"] is None else [_p(gettext(words.next_band_note(unit)))]
    found = [_p(words.reach_text(next_band).translated(gettext), "strong"),
             _p(Message(N_("Chỉ số cần đạt %(needed)s, còn thiếu %(gap)s."), needed=numbers.fixed(words.number(next_band["index_needed"])),
                        gap=numbers.fixed(words.number(next_band["gap"]))).translated(gettext))]
    items = words.improvements(unit, document)
    if not items:
        return found + [_p(gettext(words.NO_SINGLE_IMPROVEMENT))]
    found.append(_p(gettext(words.IMPROVEMENT_NOTE)))
    widths = _shares(width * 0.8, [4.6, 1.2, 1.2, 1.2, 1.2])
    rows = [[_cell(value, column) for value, column in zip(
        [indicator["name"], numbers.raw(current), numbers.raw(words.number(item.get("raw_needed"))),
         numbers.raw(words.number(item.get("raw_change"))), numbers.fixed(words.number(item.get("normalised_needed")))], widths)]
        for indicator, current, item in items]
    header = [words.INDICATOR, words.CURRENT, words.NEEDED, words.CHANGE, words.NORMALISED_NEEDED]
    return found + [_grid([gettext(text) for text in header], rows, widths, range(1, 5))]


def _unit_section(unit, document, gettext, numbers, width, heading=True):
    """One unit: its name, rank and band, the indicator table with the sum row, the next band."""
    flowables = [_p(f"{nfc(unit['name'])} ({nfc(unit['code'])})", "unit")] if heading else []
    flowables += _summary(unit, document, gettext, numbers)
    flowables += [_scores_table(unit, document, gettext, numbers, width)]
    flowables += _next_band(unit, document, gettext, numbers, width)
    return flowables + [Spacer(1, 10)]


def _build(story, title, gettext) -> bytes:
    out = io.BytesIO()
    # Landscape with the report PDFs' margins; the canvas's first font too, else each page names Helvetica.
    document = SimpleDocTemplate(out, pagesize=landscape(A4), title=nfc(title), initialFontName=REGULAR, initialFontSize=9,
                                 leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    draw = page_number(gettext)
    document.build(story(document.width - 2 * FRAME_PADDING, document.height - 2 * FRAME_PADDING), onFirstPage=draw, onLaterPages=draw)
    return out.getvalue()


def ranking_pdf(document, gettext, locale="vi") -> bytes:
    """The bloc's ranking: heading, charts, the ranking table, then each unit's section."""
    register_fonts()
    numbers = _Numbers(document, locale)
    title = words.title_text(document).translated(gettext)

    def story(width, height):
        heading = _heading(document, gettext)
        used = sum(flowable.wrap(width, height)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter() for flowable in heading)
        charts, count = _charts(document, gettext, numbers, width, height - used - 8, height)
        flowables = heading + charts + ([PageBreak()] if count > 1 else [])  # after charts of a page each, the table's own page
        flowables += [_p(gettext(N_("Bảng xếp hạng")), "section"), _ranking_table(document, gettext, numbers, width)]
        for number, unit in enumerate(words.ordered_units(document)):
            # A page per unit, which can be sent to the unit; KeepTogether splits only a section longer than a page.
            section = _unit_section(unit, document, gettext, numbers, width)
            if number == 0:
                section.insert(0, _p(gettext(N_("Chi tiết từng đơn vị")), "section"))
            flowables += [PageBreak(), KeepTogether(section)]
        return flowables
    return _build(story, title, gettext)


def breakdown_pdf(document, unit_id, gettext, locale="vi") -> bytes:
    """One unit's breakdown: the heading lines, then its section. LookupError for a unit not in the document."""
    register_fonts()
    unit = words.find_unit(document, unit_id)
    numbers = _Numbers(document, locale)
    title = words.breakdown_title(unit).translated(gettext)

    def story(width, height):
        return _heading(document, gettext, first=title) + _unit_section(unit, document, gettext, numbers, width, heading=False)
    return _build(story, title, gettext)
