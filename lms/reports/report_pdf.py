"""The PDF of a report (lms.reports.exports.write_report): A4, landscape when the table is
wide; the title and the filter lines, the report's charts (lms.reports.charts) drawn from the
table's rows, then the table itself with its header row on every page. Text is set in the
shipped DejaVu Serif, so every Vietnamese diacritic prints and no built-in PDF font is used.

A streamed table (the gaps, every person) is cut at PDF_ROW_LIMIT rows with a line saying
that the XLSX holds the rest: a PDF of a hundred thousand rows helps nobody. A table of more
than PDF_MAX_COLUMNS columns (by unit or title: some thirty) is printed without its per-module
counts, which the heat map above it shows as shares and the XLSX holds as counts."""
from xml.sax.saxutils import escape

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal, format_percent
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from lms.certificates.document import BOLD, REGULAR, register_fonts
from lms.localtime import local_date
from lms.messages import N_, Message, translated
from lms.reports import charts
from lms.reports.tables import TOTAL_LABEL, WIDE_NAME_KEYS, header_text
from lms.text import nfc

PDF_ROW_LIMIT = 5000
PORTRAIT_MAX_COLUMNS = 8
PDF_MAX_COLUMNS = 18  # more do not fit a landscape page in readable type
PORTRAIT_MAX_WEIGHT = 12  # the sum of _weight over the columns; more is cramped on a portrait page
CHART_MAX_WIDTH = 640  # wider bars only stretch; the landscape frame is about 760 pt
FRAME_PADDING = 6  # reportlab's default, on each side of the frame
NO_VALUE = charts.NO_VALUE
HEADER_GREY = colors.Color(0.88, 0.88, 0.88)
TOTAL_GREY = colors.Color(0.94, 0.94, 0.94)


def _styles(font_size):
    leading = font_size * 1.2
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=4),
        "line": ParagraphStyle("line", fontName=REGULAR, fontSize=9, leading=11.5, alignment=TA_CENTER),
        "note": ParagraphStyle("note", fontName=REGULAR, fontSize=8.5, leading=11, spaceBefore=4),
        "header": ParagraphStyle("header", fontName=BOLD, fontSize=font_size, leading=leading),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=font_size, leading=leading),
        "total": ParagraphStyle("total", fontName=BOLD, fontSize=font_size, leading=leading),
    }


def _font_size(column_count):
    """Smaller type for wider tables, so that the units table (some thirty columns) fits."""
    for most, size in ((PORTRAIT_MAX_COLUMNS, 8.5), (12, 8), (20, 6.5)):
        if column_count <= most:
            return size
    return 5.5


def _paragraph(text, style):
    return Paragraph(escape(nfc(str(text))), style)


class NumberFormat:
    """Numbers as the reader's language writes them (Vietnamese: 1.234 and 7,5)."""

    def __init__(self, locale):
        try:
            format_decimal(1, locale=locale)
            self.locale = locale
        except (UnknownLocaleError, ValueError, TypeError):
            self.locale = "vi"

    def __call__(self, value, kind):
        if value is None:  # no figure (nobody to count): a dash, as on the page
            return NO_VALUE if kind in ("count", "score", "rate") else ""
        if isinstance(value, str):  # a label, or '' where a total has no sum
            return value
        if kind == "rate":
            return format_percent(value, "#,##0.0%", locale=self.locale)
        if kind == "score":
            return format_decimal(value, "0.0", locale=self.locale)
        if kind == "date":
            day = local_date(value)
            return day.strftime("%d/%m/%Y") if day else ""
        if kind == "count":
            return format_decimal(value, "#,##0", locale=self.locale)
        return str(value)


def _weight(column):
    """A column's share of the width: a name needs some three times a figure's."""
    if column.kind == "text":
        return 3.2 if column.key in WIDE_NAME_KEYS else 1.6
    return 1.25 if column.kind == "date" else 1.0


def _column_widths(columns, available):
    weights = [_weight(column) for column in columns]
    return [available * value / sum(weights) for value in weights]


def _wide(table):
    """Landscape for many columns, or for a few long text ones (the gaps: names and titles)."""
    columns = pdf_columns(table)
    return len(columns) > PORTRAIT_MAX_COLUMNS or sum(_weight(column) for column in columns) > PORTRAIT_MAX_WEIGHT


def pdf_columns(table):
    """The columns the PDF prints: all but, in a table too wide for a page (by unit or title:
    some thirty columns), the per-module counts, which the heat map above shows as shares."""
    if len(table.columns) <= PDF_MAX_COLUMNS:
        return table.columns
    return [column for column in table.columns if not column.key.startswith("module:")]


def _table_flowables(table, gettext, styles, number, width):
    """The table (header repeated on each page, at most PDF_ROW_LIMIT rows) and its notes."""
    columns = pdf_columns(table)
    widths = _column_widths(columns, width)
    size = styles["cell"].fontSize

    def cells(row, style, spans=False):
        line = []
        for index, (column, column_width) in enumerate(zip(columns, widths)):
            if spans and index == 0:
                column_width += widths[1]
            text = nfc(number(translated(row.get(column.key), gettext), column.kind))
            # A Paragraph (which wraps) only for text too long for its column: ten times faster.
            fits = column.kind != "text" or stringWidth(text, style.fontName, size) <= column_width - 4
            line.append(text if fits else _paragraph(text, style))
        return line

    data = [[_paragraph(header_text(column, gettext), styles["header"]) for column in columns]]
    truncated = False
    for row in table.rows:
        if len(data) > PDF_ROW_LIMIT:
            truncated = True
            break
        data.append(cells(row, styles["cell"]))
    if truncated and hasattr(table.rows, "close"):
        table.rows.close()  # a streamed result: the rest is not fetched
    body_rows = len(data) - 1
    total_spans = table.total is not None and len(columns) > 1 and columns[1].key not in table.total
    if table.total is not None and body_rows:
        # The label over the first two columns (a code's and a name's), blank where no sum is.
        total = {column.key: table.total.get(column.key, "") for column in columns}
        data.append(cells({**total, columns[0].key: gettext(TOTAL_LABEL)}, styles["total"], spans=total_spans))
    if not body_rows:
        return [Paragraph(escape(gettext(N_("Không có dữ liệu."))), styles["note"])]
    numeric = [index for index, column in enumerate(columns) if column.kind != "text"]
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, styles["cell"].fontSize),
        ("GRID", (0, 0), (-1, -1), 0.35, colors.Color(0.55, 0.55, 0.55)),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    commands += [("ALIGN", (index, 1), (index, -1), "RIGHT") for index in numeric]
    if table.total is not None:
        commands += [("BACKGROUND", (0, -1), (-1, -1), TOTAL_GREY), ("FONT", (0, -1), (-1, -1), BOLD, styles["cell"].fontSize)]
        if total_spans:
            commands.append(("SPAN", (0, -1), (1, -1)))
    flowables = [LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(commands))]
    if len(columns) < len(table.columns):
        flowables.append(Paragraph(escape(gettext(N_("Số người đạt từng mô-đun: xem biểu đồ ở trên và tệp XLSX."))), styles["note"]))
    if truncated:
        flowables.append(Paragraph(escape(Message(
            N_("Chỉ in %(shown)s dòng đầu; danh sách đầy đủ có trong tệp XLSX."),
            shown=number(PDF_ROW_LIMIT, "count")).translated(gettext)), styles["note"]))
    return flowables


def _keys(table):
    return {column.key for column in table.columns}


def _module_codes(table):
    return [column.params["module"] for column in table.columns if column.key.startswith("module:") and column.params]


def _module_shares(rows, modules):
    """Per row, the share of its staff who passed each module (None: nobody to count)."""
    return [[row[f"module:{code}"] / row["staff"] if row["staff"] else None for code in modules] for row in rows]


def report_charts(table, gettext, width):
    """The charts of the report `table` is: by unit or title, the basic standard's rate per
    row and the share of its staff who passed each module (a heat map); by module, the
    pass rate of those required; over time, exams sat and passed. Told apart by their columns
    (tables.py); a streamed table gets none (its rows are read once, by the table)."""
    rows = table.rows
    if not isinstance(rows, (list, tuple)) or not rows:
        return []
    keys = _keys(table)
    modules = _module_codes(table)
    if "basic_rate" in keys:  # by unit (its note column tells it) or by title
        by_unit = "status_label" in keys
        found = [charts.pass_rate_bar_chart([(row["name"], row["basic_rate"]) for row in rows], gettext(
            N_("Tỉ lệ đạt chuẩn cơ bản theo đơn vị") if by_unit else N_("Tỉ lệ đạt chuẩn cơ bản theo chức danh")), width=width)]
        if modules:
            found.append(charts.coverage_heatmap([row["name"] for row in rows], modules, _module_shares(rows, modules), gettext(
                N_("Tỉ lệ cán bộ đạt từng mô-đun theo đơn vị") if by_unit else N_("Tỉ lệ cán bộ đạt từng mô-đun theo chức danh")),
                width=width))
        return found
    if {"pass_rate", "required"} <= keys:
        return [charts.pass_rate_bar_chart([(f"{row['code']} – {row['name']}", row["pass_rate"]) for row in rows],
                                           gettext(N_("Tỉ lệ đạt theo mô-đun (trong số người phải học)")), width=width)]
    if {"period", "graded"} <= keys:
        return [charts.progress_line_chart([(row["period"], row["graded"], row["passed"]) for row in rows],
                                           gettext(N_("Lượt thi và lượt đạt theo kỳ")),
                                           [gettext(N_("Lượt thi mô-đun")), gettext(N_("Lượt đạt"))], width=width)]
    return []


def _fitted(drawing, width, height):
    """A chart scaled down to the frame when it is larger (sixty bars on a landscape page)."""
    scale = min(1.0, width / drawing.width, height / drawing.height)
    if scale < 1.0:
        drawing.renderScale = scale
    return drawing


def page_number(gettext):
    """onPage: the page number at the bottom right (every report PDF, the ranking's too)."""
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.drawRightString(document.pagesize[0] - document.rightMargin, document.bottomMargin / 2,
                               Message(N_("Trang %(page)s"), page=document.page).translated(gettext))
        canvas.restoreState()
    return draw


def write_pdf(tables, out, gettext, title_lines=(), locale="vi"):
    register_fonts()
    tables = list(tables)  # a few tables; their rows stay unread until the table is laid out
    wide = any(_wide(table) for table in tables)
    if wide:
        pagesize, margins = landscape(A4), dict(leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    else:  # Nghị định 30/2020: left 30 mm, right 15 mm, top and bottom 20 mm
        pagesize, margins = A4, dict(leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm, bottomMargin=20 * mm)
    title = gettext(tables[0].title) if tables else ""
    # The canvas's first font too: else each page's preamble names Helvetica.
    document = SimpleDocTemplate(out, pagesize=pagesize, title=nfc(title), initialFontName=REGULAR, initialFontSize=9, **margins)
    frame_width, frame_height = document.width - 2 * FRAME_PADDING, document.height - 2 * FRAME_PADDING
    number = NumberFormat(locale)
    story = []
    for index, table in enumerate(tables):
        styles = _styles(_font_size(len(pdf_columns(table))))
        story.append(_paragraph(gettext(table.title), styles["title"]))
        if index == 0:
            story += [_paragraph(line, styles["line"]) for line in title_lines]
        story.append(Spacer(1, 8))
        for drawing in report_charts(table, gettext, min(frame_width, CHART_MAX_WIDTH)):
            story += [_fitted(drawing, frame_width, frame_height), Spacer(1, 8)]
        story += _table_flowables(table, gettext, styles, number, frame_width)
        story.append(Spacer(1, 14))
    if not story:
        story.append(Paragraph(escape(gettext(N_("Không có dữ liệu."))), _styles(9)["note"]))
    draw = page_number(gettext)
    document.build(story, onFirstPage=draw, onLaterPages=draw)
