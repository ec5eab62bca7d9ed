"""The bar chart of a bloc's ranking: one horizontal bar per unit, in ranked order, its rank
and name on the left and its index written after the bar. A Drawing for the PDF
(lms.rankings.ranking_pdf), inline SVG for the pages through lms.reports.charts.to_svg, so
both show the same chart; grey scale, and no style attribute in the SVG (the pages' CSP).

A bloc of two hundred units does not fit one legible chart: chart_parts cuts the ranked rows
into charts of at most BARS_PER_CHART bars, of nearly equal sizes, for the PDF's pages. A
page may draw every row in one chart (it scrolls), as index_bar_svg does. Every word comes
from the caller, already translated; only numbers are formatted here (in the reader's
language: 0,8123 in Vietnamese)."""
import math
from decimal import Decimal

from babel.core import UnknownLocaleError
from babel.numbers import format_decimal
from markupsafe import Markup
from reportlab.graphics.shapes import Drawing, Line, Rect
from reportlab.lib.colors import black
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.certificates.document import REGULAR, register_fonts
from lms.reports.charts import (
    AXIS_BAND,
    BAR_GREY,
    CHART_WIDTH,
    EMPTY_PLOT_HEIGHT,
    GRID_GREY,
    LABEL_SIZE,
    NO_VALUE,
    PADDING,
    TITLE_BAND,
    VALUE_SIZE,
    _fit,
    _frame,
    _text,
    _titled_drawing,
    to_svg,
)

BARS_PER_CHART = 30  # at the pitch below, thirty bars and the title lines fit a landscape A4 page
ROW_PITCH_MAX, ROW_PITCH_MIN, ROWS_HEIGHT_BUDGET = 16, 10, 390
LABEL_SHARE = 0.42  # of the width, for "12. Phường Bồ Đề"
TICKS = (0, 0.25, 0.5, 0.75, 1)


def _locale(locale):
    try:
        format_decimal(1, locale=locale)
        return locale
    except (UnknownLocaleError, ValueError, TypeError):
        return "vi"


def index_text(value, places=4, locale="vi") -> str:
    """An index with `places` decimals as the reader's language writes it ('0,8123'); '—' for None."""
    if value is None:
        return NO_VALUE
    pattern = "0." + "0" * places if places > 0 else "0"
    return format_decimal(Decimal(str(value)), pattern, locale=_locale(locale))


def chart_parts(rows, most=BARS_PER_CHART) -> list:
    """`rows` cut, in their order, into as few lists of at most `most` rows as will do, of
    nearly equal lengths (200 rows: seven charts of 29 or 28 bars, not six of 30 and one of 20)."""
    rows = list(rows)
    if not rows:
        return []
    count = math.ceil(len(rows) / most)
    size, extra = divmod(len(rows), count)
    parts, start = [], 0
    for number in range(count):
        end = start + size + (1 if number < extra else 0)
        parts.append(rows[start:end])
        start = end
    return parts


def _pitch(count) -> float:
    return max(ROW_PITCH_MIN, min(ROW_PITCH_MAX, ROWS_HEIGHT_BUDGET / count)) if count else 0


def _row_label(label, rank) -> str:
    return f"{rank}. {label}" if rank is not None else str(label)


def index_bar_chart(rows, title, width=CHART_WIDTH, places=4, locale="vi") -> Drawing:
    """Horizontal bars of the index (0..1) of each (label, index, rank) row, in the order
    given; an index of None (a unit not ranked) draws no bar and '—'. Every row is drawn: a
    caller with many (the PDF) cuts them with chart_parts first."""
    register_fonts()  # the labels are measured with the font's metrics before anything is drawn
    rows = list(rows)
    pitch = _pitch(len(rows))
    plot_height = pitch * len(rows) or EMPTY_PLOT_HEIGHT
    drawing = _titled_drawing(width, TITLE_BAND + plot_height + AXIS_BAND, title)
    label_width = width * LABEL_SHARE
    left = PADDING + label_width + 4
    plot_width = width - left - PADDING - stringWidth(index_text(1, places, locale), REGULAR, VALUE_SIZE) - 6
    bottom, top = AXIS_BAND, AXIS_BAND + plot_height
    for tick in TICKS:
        x = left + plot_width * tick
        drawing.add(Line(x, bottom, x, top, strokeColor=GRID_GREY, strokeWidth=0.4))
        drawing.add(_text(x, bottom - 10, format_decimal(tick, "0.##", locale=_locale(locale)), size=VALUE_SIZE, anchor="middle"))
    drawing.add(_frame(left, bottom, plot_width, plot_height))
    font_size = min(LABEL_SIZE, pitch * 0.72)
    for position, (label, value, rank) in enumerate(rows):
        centre = top - pitch * (position + 0.5)
        baseline = centre - font_size * 0.35
        drawing.add(_text(left - 4, baseline, _fit(_row_label(label, rank), REGULAR, font_size, label_width), size=font_size, anchor="end"))
        length = 0 if value is None else plot_width * min(max(float(value), 0.0), 1.0)
        if value is not None:
            bar_height = pitch * 0.64
            drawing.add(Rect(left, centre - bar_height / 2, length, bar_height, fillColor=BAR_GREY, strokeColor=black, strokeWidth=0.4))
        drawing.add(_text(left + length + 3, baseline, index_text(value, places, locale), size=min(VALUE_SIZE, font_size)))
    return drawing


def describe(rows, places=4, locale="vi") -> str:
    """The chart's figures as text for a screen reader: '1. Phường Bồ Đề: 0,8123; 2. …'."""
    return "; ".join(f"{_row_label(label, rank)}: {index_text(value, places, locale)}" for label, value, rank in rows)


def index_bar_svg(rows, title, description=None, width=CHART_WIDTH, places=4, locale="vi") -> Markup:
    """The chart of every row as an inline <svg> for a page (lms.reports.charts.to_svg):
    presentation attributes only, titled and described for screen readers (by default with
    every row's rank, name and index)."""
    rows = list(rows)
    if description is None:
        description = describe(rows, places, locale)
    return to_svg(index_bar_chart(rows, title, width=width, places=places, locale=locale), title, description)
