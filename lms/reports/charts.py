"""Charts for the HR competency reports, drawn with reportlab.graphics. Each chart function
returns a Drawing: a Flowable as it is for the PDF exports, inline SVG for the pages through
to_svg(). Pure: no Flask, no database.

Made for print and grey scale: fills are grey levels, every bar and cell carries its value
as text, and the two series of the line chart differ by dash and marker shape, not colour.
Every word shown comes from the caller, already translated; only numbers are formatted here.
"""
import math
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color, black, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.certificates.document import BOLD, REGULAR, register_fonts
from lms.text import nfc

# 450 pt fits an A4 portrait page with the margins of Nghị định 30/2020 (left 30 mm, right
# 15 mm) inside a frame with reportlab's default 6 pt padding; callers may pass width=.
CHART_WIDTH = 450
MAX_ROWS = 60  # bars or heat-map rows drawn; the caller's table lists every row
NO_VALUE = "—"
PADDING = 6
TITLE_SIZE, LABEL_SIZE, VALUE_SIZE = 10.5, 7.5, 7
TITLE_BAND = 26  # title plus a gap, so the value label of a full-height bar stays clear of it
AXIS_BAND = 18
EMPTY_PLOT_HEIGHT = 60
ROW_PITCH_MAX, ROW_PITCH_MIN, ROWS_HEIGHT_BUDGET = 16, 10, 600  # 60 rows still fit one page
HISTOGRAM_PLOT_HEIGHT, LINE_PLOT_HEIGHT, LINE_LABEL_NUDGE = 160, 170, 7
PERIOD_LABEL_MAX = 80  # points; a longer period label is cut
FRAME_GREY, GRID_GREY, BAR_GREY, SERIES_B_GREY = (Color(v, v, v) for v in (0.45, 0.8, 0.55, 0.4))
DARKEST_CELL = 0.2  # grey level of a 100 % cell; 0 % is white
WHITE_TEXT_BELOW = 0.46  # on cells darker than this, white text contrasts better than black


def percent_text(rate) -> str:
    """'83%' for 0.83, rounded half up on the value as written (0.285 → '29%'); '—' for None.
    Public so that a table beside a chart can print the same figures."""
    if rate is None:
        return NO_VALUE
    percent = (Decimal(repr(float(rate))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{percent}%"


def number_text(value) -> str:
    """A count as digits; a fraction with one decimal."""
    if value is None:
        return NO_VALUE
    return str(int(round(value))) if float(value).is_integer() else f"{value:.1f}"


def _clamp(rate) -> float:
    return min(max(float(rate), 0.0), 1.0)


def _fit(text, font, size, width) -> str:
    """`text` (NFC) cut with an ellipsis to at most `width` points."""
    text = nfc(text)
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _text(x, y, text, size=LABEL_SIZE, anchor="start", font=REGULAR, colour=black) -> String:
    return String(x, y, nfc(text), fontName=font, fontSize=size, textAnchor=anchor, fillColor=colour)


def _titled_drawing(width, height, title) -> Drawing:
    height = math.ceil(height)  # renderSVG writes the viewBox in whole points
    drawing = Drawing(width, height)
    drawing.initialFontName = REGULAR  # else the renderer opens every drawing by selecting Helvetica
    drawing.add(_text(PADDING, height - PADDING - TITLE_SIZE, _fit(title, BOLD, TITLE_SIZE, width - 2 * PADDING),
                      size=TITLE_SIZE, font=BOLD))
    return drawing


def _frame(x, y, width, height) -> Rect:
    return Rect(x, y, width, height, fillColor=None, strokeColor=FRAME_GREY, strokeWidth=0.6)


def _row_pitch(count) -> float:
    """Row height: generous for a few rows, shrinking so that MAX_ROWS fit on one page."""
    return max(ROW_PITCH_MIN, min(ROW_PITCH_MAX, ROWS_HEIGHT_BUDGET / count)) if count else 0


def _axis_scale(values, whole_numbers=True) -> tuple:
    """(top, step) of a value axis starting at 0: at most five steps of 1, 2 or 5 × 10^k."""
    peak = float(max([v for v in values if v is not None], default=0) or 1)
    magnitude = 10 ** math.floor(math.log10(peak / 5))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= peak / 5)
    if whole_numbers:
        step = max(step, 1)
    return step * math.ceil(peak / step - 1e-9), step


def pass_rate_bar_chart(rows, title, width=CHART_WIDTH) -> Drawing:
    """Horizontal bars of pass rates, one per (label, rate) row, rate 0..1 or None (no staff:
    no bar, '—'). Only the first MAX_ROWS rows are drawn, in the order given."""
    register_fonts()  # the text is measured with the font's metrics before anything is drawn
    rows = list(rows)[:MAX_ROWS]
    pitch = _row_pitch(len(rows))
    plot_height = pitch * len(rows) or EMPTY_PLOT_HEIGHT
    drawing = _titled_drawing(width, TITLE_BAND + plot_height + AXIS_BAND, title)
    label_width = width * 0.36
    left = PADDING + label_width + 4
    plot_width = width - left - PADDING - stringWidth("100%", REGULAR, VALUE_SIZE) - 4
    bottom, top = AXIS_BAND, AXIS_BAND + plot_height
    for tick in range(0, 101, 25):
        x = left + plot_width * tick / 100
        drawing.add(Line(x, bottom, x, top, strokeColor=GRID_GREY, strokeWidth=0.4))
        drawing.add(_text(x, bottom - 10, f"{tick}%", size=VALUE_SIZE, anchor="middle"))
    drawing.add(_frame(left, bottom, plot_width, plot_height))
    font_size = min(LABEL_SIZE, pitch * 0.72)
    for index, (label, rate) in enumerate(rows):
        centre = top - pitch * (index + 0.5)
        baseline = centre - font_size * 0.35
        drawing.add(_text(left - 4, baseline, _fit(label, REGULAR, font_size, label_width), size=font_size, anchor="end"))
        length = 0 if rate is None else plot_width * _clamp(rate)
        if rate is not None:
            bar_height = pitch * 0.64
            drawing.add(Rect(left, centre - bar_height / 2, length, bar_height, fillColor=BAR_GREY, strokeColor=black, strokeWidth=0.4))
        drawing.add(_text(left + length + 3, baseline, percent_text(rate), size=min(VALUE_SIZE, font_size)))
    return drawing


def score_histogram(bins, title, width=CHART_WIDTH) -> Drawing:
    """Vertical bars of (label, count) bins, e.g. ('5–6', 12), the count on top of each bar."""
    register_fonts()  # the text is measured with the font's metrics before anything is drawn
    bins = list(bins)
    drawing = _titled_drawing(width, TITLE_BAND + HISTOGRAM_PLOT_HEIGHT + AXIS_BAND, title)
    top_value, step = _axis_scale([count for _, count in bins])
    left = PADDING + stringWidth(number_text(top_value), REGULAR, VALUE_SIZE) + 6
    plot_width, bottom = width - left - PADDING, AXIS_BAND
    tick = 0
    while tick <= top_value:
        y = bottom + HISTOGRAM_PLOT_HEIGHT * tick / top_value
        drawing.add(Line(left, y, left + plot_width, y, strokeColor=GRID_GREY, strokeWidth=0.4))
        drawing.add(_text(left - 3, y - 2.5, number_text(tick), size=VALUE_SIZE, anchor="end"))
        tick += step
    drawing.add(_frame(left, bottom, plot_width, HISTOGRAM_PLOT_HEIGHT))
    slot = plot_width / max(len(bins), 1)
    for index, (label, count) in enumerate(bins):
        centre = left + slot * (index + 0.5)
        bar_height = HISTOGRAM_PLOT_HEIGHT * (count or 0) / top_value
        drawing.add(Rect(centre - slot * 0.35, bottom, slot * 0.7, bar_height, fillColor=BAR_GREY, strokeColor=black, strokeWidth=0.4))
        drawing.add(_text(centre, bottom + bar_height + 3, number_text(count), size=VALUE_SIZE, anchor="middle"))
        drawing.add(_text(centre, bottom - 10, _fit(label, REGULAR, LABEL_SIZE, slot - 2), anchor="middle"))
    return drawing


def _series_styles():
    """(line colour, dash, marker) of the two series: solid with discs, dashed with hollow squares."""
    return ((black, None, makeMarker("FilledCircle", size=5, fillColor=black, strokeColor=black)),
            (SERIES_B_GREY, [4, 2], makeMarker("Square", size=5, fillColor=white, strokeColor=SERIES_B_GREY, strokeWidth=0.9)))


def _legend(drawing, x, y, series_labels):
    for (colour, dash, marker), label in zip(_series_styles(), series_labels):
        drawing.add(Line(x, y, x + 20, y, strokeColor=colour, strokeWidth=1.3, strokeDashArray=dash))
        marker.x, marker.y = x + 10, y
        drawing.add(marker)
        drawing.add(_text(x + 25, y - 2.5, label))
        x += 25 + stringWidth(nfc(label), REGULAR, LABEL_SIZE) + 16


def _labels_below(series) -> list:
    """(series, point) of the value labels to put under their point rather than above: in
    each period the lower of the two points (the second series' on a tie), so the two labels
    part. Points are numbered as the chart numbers them, without the None values."""
    below, numbers = [], [0, 0]
    for a, b in zip(*series):
        for row, (mine, other) in enumerate(((a, b), (b, a))):
            if mine is None:
                continue
            if other is not None and (mine < other or (mine == other and row == 1)):
                below.append((row, numbers[row]))
            numbers[row] += 1
    return below


def progress_line_chart(points, title, series_labels, width=CHART_WIDTH) -> Drawing:
    """Two series over periods, from (period_label, value_a, value_b) points (a value may be
    None: no point), each point labelled with its value, and a legend of series_labels."""
    register_fonts()  # the text is measured with the font's metrics before anything is drawn
    points = list(points)
    names = [_fit(period, REGULAR, VALUE_SIZE, PERIOD_LABEL_MAX) for period, _, _ in points]
    slot = (width - 2 * PADDING - 40) / max(len(points), 1)
    longest = max((stringWidth(name, REGULAR, VALUE_SIZE) for name in names), default=0)
    slanted = longest > slot - 4  # labels that would overlap are set at 30°
    axis_band = 12 + longest * 0.5 + VALUE_SIZE if slanted else AXIS_BAND  # sin 30° of the longest label
    legend_band = 18
    drawing = _titled_drawing(width, TITLE_BAND + legend_band + LINE_PLOT_HEIGHT + axis_band, title)
    _legend(drawing, PADDING + 4, axis_band + LINE_PLOT_HEIGHT + legend_band / 2 + 2, series_labels)
    series = [[a for _, a, _ in points], [b for _, _, b in points]]
    every_value = series[0] + series[1]
    top_value, step = _axis_scale(every_value, all(v is None or float(v).is_integer() for v in every_value))
    left = PADDING + stringWidth(number_text(top_value), REGULAR, VALUE_SIZE) + 8
    if slanted:  # room on the left for the first label, which hangs back by cos 30° of its width
        left = max(left, PADDING + longest * 0.87 - slot / 2)
    if not points:
        drawing.add(_frame(left, axis_band, width - left - PADDING, LINE_PLOT_HEIGHT))
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = left, axis_band, width - left - PADDING, LINE_PLOT_HEIGHT
    chart.data = [tuple(values) for values in series]
    chart.strokeColor = FRAME_GREY
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.strokeColor = FRAME_GREY
    labels = chart.categoryAxis.labels
    labels.fontName, labels.fontSize = REGULAR, VALUE_SIZE
    labels.angle, labels.boxAnchor, labels.dy = (30, "ne", -2) if slanted else (0, "n", -2)
    axis = chart.valueAxis
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top_value, step
    axis.labelTextFormat = number_text
    axis.labels.fontName, axis.labels.fontSize = REGULAR, VALUE_SIZE
    axis.strokeColor, axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = FRAME_GREY, 1, GRID_GREY, 0.4
    for index, (colour, dash, marker) in enumerate(_series_styles()):
        line = chart.lines[index]
        line.strokeColor, line.strokeWidth, line.strokeDashArray, line.symbol = colour, 1.3, dash, marker
    # The chart numbers a series' points after dropping its None values, so the labels are too.
    chart.lineLabelFormat = "values"
    chart.lineLabelArray = [[number_text(v) for v in values if v is not None] for values in series]
    chart.lineLabelNudge = LINE_LABEL_NUDGE
    chart.lineLabels.fontName, chart.lineLabels.fontSize = REGULAR, 6.5
    for row, column in _labels_below(series):
        chart.lineLabels[(row, column)].dy = -2 * LINE_LABEL_NUDGE
    drawing.add(chart)
    return drawing


def cell_grey(value) -> float:
    """Grey level of a heat-map cell: 1 (white) for 0 %, DARKEST_CELL for 100 %."""
    return 1 - (1 - DARKEST_CELL) * _clamp(value)


def coverage_heatmap(row_labels, column_labels, values, title, width=CHART_WIDTH) -> Drawing:
    """A grid of rates (values[row][column], 0..1 or None), each cell shaded white to dark
    grey and labelled with its percentage; a None cell is left empty with '—'. Only the
    first MAX_ROWS rows are drawn."""
    register_fonts()  # the text is measured with the font's metrics before anything is drawn
    row_labels, column_labels = list(row_labels)[:MAX_ROWS], list(column_labels)
    values = list(values)
    pitch = _row_pitch(len(row_labels))
    plot_height = pitch * len(row_labels) or EMPTY_PLOT_HEIGHT
    header = 14
    drawing = _titled_drawing(width, TITLE_BAND + header + plot_height + PADDING, title)
    label_width = width * 0.3
    left = PADDING + label_width + 4
    cell_width = min((width - left - PADDING) / max(len(column_labels), 1), 48)
    grid_width = cell_width * len(column_labels) if column_labels else width - left - PADDING
    bottom, top = PADDING, PADDING + plot_height
    if not row_labels or not column_labels:
        drawing.add(_frame(left, bottom, grid_width, plot_height))
    cell_size = min(VALUE_SIZE, pitch * 0.7, cell_width / 3.4)
    font_size = min(LABEL_SIZE, pitch * 0.72)
    for column, code in enumerate(column_labels):
        drawing.add(_text(left + cell_width * (column + 0.5), top + 4, _fit(code, REGULAR, VALUE_SIZE, cell_width - 1),
                          size=VALUE_SIZE, anchor="middle"))
    for row, label in enumerate(row_labels):
        y = top - pitch * (row + 1)
        baseline = y + pitch / 2 - cell_size * 0.35
        drawing.add(_text(left - 4, y + pitch / 2 - font_size * 0.35, _fit(label, REGULAR, font_size, label_width), size=font_size, anchor="end"))
        row_values = list(values[row]) if row < len(values) else []
        for column in range(len(column_labels)):
            value = row_values[column] if column < len(row_values) else None
            x = left + cell_width * column
            grey = 1.0 if value is None else cell_grey(value)
            drawing.add(Rect(x, y, cell_width, pitch, fillColor=Color(grey, grey, grey), strokeColor=GRID_GREY, strokeWidth=0.4))
            drawing.add(_text(x + cell_width / 2, baseline, percent_text(value), size=cell_size, anchor="middle",
                              colour=white if grey < WHITE_TEXT_BELOW else black))
    return drawing


# Anchored on style=" and quoted ids: text content has its quotes escaped, so a label that
# reads like markup is never rewritten.
_FONT_FAMILY = re.compile(r'style="font-family: (LMS-DejaVuSerif(-Bold)?);')
_PLACEHOLDER = re.compile(r"\s*<(title|desc)>[^<]*</\1>")
_SIZE_ATTRIBUTES = re.compile(r'\s(width|height|viewBox)="[^"]*"')


def _web_font(match) -> str:
    """The registered name first (a page may declare it with @font-face), then the same face
    if installed, then any serif; bold stated, since a browser knows no 'LMS-…-Bold'."""
    weight = " font-weight: bold;" if match.group(2) else ""
    return f"style=\"font-family: {match.group(1)}, 'DejaVu Serif', serif;{weight}"


_STYLE = re.compile(r'\sstyle="([^"]*)"')
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*(.+?)\s*$")


def _presentation_attributes(match) -> str:
    """A style attribute as SVG presentation attributes (fill="…", font-size="…"): the pages'
    Content-Security-Policy allows no inline style, and a chart must not need one."""
    attributes = []
    for declaration in match.group(1).split(";"):
        parsed = _DECLARATION.match(declaration)
        if parsed:
            attributes.append(f' {parsed.group(1)}="{parsed.group(2).replace(chr(34), chr(39))}"')
    return "".join(attributes)


def to_svg(drawing: Drawing, title, description) -> Markup:
    """The drawing as an <svg> element for inline use in HTML: no XML declaration or DOCTYPE,
    role="img" labelled by its own <title> and <desc> (escaped), a viewBox and width 100 %
    so that it scales with its container, and ids unique to this call."""
    prefix = f"chart-{uuid.uuid4().hex}"
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg"):]
    svg = _PLACEHOLDER.sub("", svg, count=2)  # renderSVG's own '...' title and desc
    # renderSVG names its clip path and group 'clip' and 'group' in every drawing.
    svg = svg.replace('<clipPath id="clip">', f'<clipPath id="{prefix}-clip">', 1)
    svg = svg.replace('id="group"', f'id="{prefix}-group"', 1).replace("clip-path: url(#clip)", f"clip-path: url(#{prefix}-clip)", 1)
    svg = _STYLE.sub(_presentation_attributes, _FONT_FAMILY.sub(_web_font, svg))
    opening_end = svg.index(">")
    opening = _SIZE_ATTRIBUTES.sub("", svg[:opening_end])
    opening += (f' viewBox="0 0 {drawing.width:g} {drawing.height:g}" width="100%"'
                f' role="img" aria-labelledby="{prefix}-title {prefix}-desc">'
                f'<title id="{prefix}-title">{escape(nfc(title))}</title>'
                f'<desc id="{prefix}-desc">{escape(nfc(description))}</desc>')
    return Markup(opening + svg[opening_end + 1:])  # nosec B704 reportlab escapes the labels; title and desc escaped above
