"""The report charts (lms.reports.charts): each chart as inline SVG (accessible, escaped, with
its labels and values) and as a flowable in a PDF. Pure: no database, no app."""
import io
import re
import unicodedata
import xml.etree.ElementTree as ElementTree

import pytest
from markupsafe import Markup
from pypdf import PdfReader
from reportlab.graphics.shapes import Group, Rect, String, UserNode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from lms.reports import charts

SVG = "{http://www.w3.org/2000/svg}"
UNIT = "Phường Bồ Đề"
HOSTILE = "<script>alert(1)</script> & Co"
MODULES = [f"IU{number:02d}" for number in range(1, 16)]


def bar_chart(title=HOSTILE):
    return charts.pass_rate_bar_chart([(UNIT, 0.83), ("Phường Long Biên", None), ("Xã Bát Tràng", 0.5)], title)


def histogram(title=HOSTILE):
    return charts.score_histogram([("4–5", 3), ("5–6", 12), ("6–7", 6)], title)


def line_chart(title=HOSTILE):
    points = [("2025-Q3", 10, 4), ("2025-Q4", 40, 41), ("2026-Q1", None, 7)]
    return charts.progress_line_chart(points, title, ("Lượt đạt", "Chứng chỉ đã cấp"))


def heatmap(title=HOSTILE):
    return charts.coverage_heatmap([UNIT, "Xã Bát Tràng"], MODULES[:4], [[0.1, 0.5, 0.9, None], [1.0, 0.0]], title)


BUILDERS = [bar_chart, histogram, line_chart, heatmap]
EMPTY_BUILDERS = [
    lambda: charts.pass_rate_bar_chart([], "Trống"),
    lambda: charts.score_histogram([], "Trống"),
    lambda: charts.progress_line_chart([], "Trống", ("Lượt đạt", "Chứng chỉ")),
    lambda: charts.coverage_heatmap([], [], [], "Trống"),
]


def _multiply(outer, inner):
    a, b, c, d, e, f = outer
    return (a * inner[0] + c * inner[1], b * inner[0] + d * inner[1], a * inner[2] + c * inner[3],
            b * inner[2] + d * inner[3], a * inner[4] + c * inner[5] + e, b * inner[4] + d * inner[5] + f)


def primitives(node, transform=(1, 0, 0, 1, 0, 0)):
    """(shape, (x, y) offset of its coordinates on the drawing) for every shape drawn; widgets
    such as the line chart expanded as a renderer expands them."""
    if isinstance(node, UserNode):
        yield from primitives(node.provideNode(), transform)
    elif isinstance(node, Group):
        transform = _multiply(transform, node.transform)
        for child in node.contents:
            yield from primitives(child, transform)
    else:
        yield node, transform


def strings(drawing):
    return {shape.text: shape for shape, _ in primitives(drawing) if isinstance(shape, String)}


def filled_rects(drawing):
    return [shape for shape, _ in primitives(drawing) if isinstance(shape, Rect) and shape.fillColor is not None]


def cell_of(drawing, text):
    """The heat-map cell (a filled Rect) under the label `text`."""
    label = strings(drawing)[text]
    return next(rect for rect in filled_rects(drawing)
                if rect.x <= label.x <= rect.x + rect.width and rect.y <= label.y <= rect.y + rect.height)


def grey(colour):
    return (colour.red + colour.green + colour.blue) / 3


@pytest.mark.parametrize("build", BUILDERS)
def test_svg_is_an_accessible_inline_image_with_its_title_escaped(build):
    drawing = build()
    svg = charts.to_svg(drawing, HOSTILE, f"{UNIT}: {HOSTILE}")
    assert isinstance(svg, Markup)
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in svg
    assert not svg.startswith("<?xml") and "DOCTYPE" not in svg
    root = ElementTree.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox") == f"0 0 {drawing.width:g} {drawing.height:g}"
    title, desc = list(root)[:2]
    assert (title.tag, desc.tag) == (SVG + "title", SVG + "desc")
    assert title.text == HOSTILE and desc.text == f"{UNIT}: {HOSTILE}"
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert len(root.findall(SVG + "title")) == 1  # renderSVG's placeholder title is gone


def test_ids_are_unique_across_charts_on_one_page():
    page = "".join(charts.to_svg(build(), "Biểu đồ", "Mô tả") for build in BUILDERS + BUILDERS)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) >= 4 * len(BUILDERS) * 2
    assert len(ids) == len(set(ids))
    assert not re.search(r'url\(#clip\)|id="clip"', page)


def test_svg_text_names_the_shipped_font_with_fallbacks():
    svg = charts.to_svg(bar_chart(), "Biểu đồ", "Mô tả")
    assert "font-family=\"LMS-DejaVuSerif, 'DejaVu Serif', serif\"" in svg
    assert "font-family=\"LMS-DejaVuSerif-Bold, 'DejaVu Serif', serif\" font-weight=\"bold\"" in svg


def test_svg_needs_no_inline_style():
    """The pages' Content-Security-Policy (style-src 'self') would ignore a style attribute:
    every fill and font is a presentation attribute instead."""
    svg = charts.to_svg(charts.coverage_heatmap([UNIT], ["IU01"], [[0.5]], "Bao phủ"), "Bao phủ", "Mô tả")
    assert "style=" not in svg
    assert 'fill="rgb(' in svg


def test_bar_chart_shows_units_and_rates_and_no_bar_without_staff():
    drawing = bar_chart("Tỷ lệ đạt chuẩn")
    svg = charts.to_svg(drawing, "Tỷ lệ đạt chuẩn", "Mô tả")
    for text in (UNIT, "Phường Long Biên", "83%", "50%", "—", "Tỷ lệ đạt chuẩn"):
        assert text in svg
    bars = filled_rects(drawing)
    assert len(bars) == 2  # the unit without staff has none
    assert bars[0].width == pytest.approx(bars[1].width * 0.83 / 0.5)


def test_bar_chart_labels_are_nfc_and_long_ones_are_cut():
    decomposed = unicodedata.normalize("NFD", UNIT)
    long_name = "Ủy ban nhân dân phường Bồ Đề và các đơn vị sự nghiệp trực thuộc quận Long Biên"
    texts = strings(charts.pass_rate_bar_chart([(decomposed, 1.0), (long_name, 0.2)], "T"))
    assert UNIT in texts
    cut = next(text for text in texts if text.startswith("Ủy ban"))
    assert cut.endswith("…") and len(cut) < len(long_name)


def test_bar_chart_grows_with_rows_and_stops_at_sixty():
    rows = [(f"Đơn vị {number}", number / 100) for number in range(75)]
    few, more = charts.pass_rate_bar_chart(rows[:3], "T"), charts.pass_rate_bar_chart(rows[:30], "T")
    capped, sixty = charts.pass_rate_bar_chart(rows, "T"), charts.pass_rate_bar_chart(rows[:60], "T")
    assert few.height < more.height < sixty.height
    assert capped.height == sixty.height
    texts = strings(capped)
    assert "Đơn vị 59" in texts and "Đơn vị 60" not in texts


@pytest.mark.parametrize("rate, text", [(0.83, "83%"), (0.285, "29%"), (1, "100%"), (0.0, "0%"), (None, "—")])
def test_percent_text(rate, text):
    assert charts.percent_text(rate) == text


def test_histogram_has_counts_on_bars_of_matching_height():
    drawing = histogram("Phân bố điểm")
    svg = charts.to_svg(drawing, "Phân bố điểm", "Mô tả")
    for text in ("5–6", "12", "4–5", "Phân bố điểm"):
        assert text in svg
    heights = [bar.height for bar in filled_rects(drawing)]
    assert heights[1] == pytest.approx(heights[0] * 4) and heights[2] == pytest.approx(heights[0] * 2)
    texts = strings(drawing)
    assert texts["12"].y > texts["6"].y > texts["3"].y  # each count sits on its own bar


def test_line_chart_series_differ_by_dash_and_marker_and_carry_values():
    drawing = line_chart("Tiến độ")
    svg = charts.to_svg(drawing, "Tiến độ", "Mô tả")
    for text in ("Lượt đạt", "Chứng chỉ đã cấp", "2025-Q4", ">41<", ">40<", ">7<"):
        assert text in svg
    assert "stroke-dasharray" in svg  # the second series is dashed, in the chart and the legend
    assert "<circle" in svg  # discs for the first series; the second has hollow squares
    placed = {shape.text: transform[5] + shape.y for shape, transform in primitives(drawing) if isinstance(shape, String)}
    assert placed["41"] > placed["40"]  # the higher point's value above, the lower's below


def test_heatmap_cells_darken_with_coverage_and_keep_text_readable():
    drawing = heatmap()
    low, middle, high = (cell_of(drawing, text) for text in ("10%", "50%", "90%"))
    assert grey(low.fillColor) > grey(middle.fillColor) > grey(high.fillColor)
    texts = strings(drawing)
    assert grey(texts["90%"].fillColor) == 1 and grey(texts["10%"].fillColor) == 0
    assert grey(cell_of(drawing, "—").fillColor) == 1  # a None cell is empty
    assert grey(cell_of(drawing, "100%").fillColor) == pytest.approx(charts.DARKEST_CELL)
    svg = charts.to_svg(drawing, "Bao phủ", "Mô tả")
    for text in (UNIT, "IU01", "IU04", "90%", "—"):
        assert text in svg
    shown = [float(level) for level in re.findall(r'fill="rgb\(([\d.]+)%,\1%,\1%\)"', svg)]
    for value in (0.1, 0.5, 0.9):  # the page shows the same greys as the PDF
        assert any(abs(level - 100 * charts.cell_grey(value)) < 1 for level in shown)


def test_heatmap_short_row_is_padded_with_empty_cells():
    drawing = charts.coverage_heatmap(["Xã Bát Tràng"], MODULES[:3], [[0.4]], "T")
    labels = [shape.text for shape, _ in primitives(drawing) if isinstance(shape, String)]
    assert labels.count("40%") == 1 and labels.count("—") == 2


@pytest.mark.parametrize("build", EMPTY_BUILDERS)
def test_empty_input_draws_the_title_and_a_frame(build):
    drawing = build()
    assert drawing.width == charts.CHART_WIDTH and drawing.height > 0
    assert "Trống" in strings(drawing)
    assert any(isinstance(shape, Rect) and shape.fillColor is None for shape, _ in primitives(drawing))
    assert "Trống" in charts.to_svg(drawing, "Trống", "Không có dữ liệu")


def test_charts_are_flowables_in_an_a4_pdf():
    buffer = io.BytesIO()
    # Nghị định 30/2020 margins; the frame keeps reportlab's default 6 pt padding.
    # initialFontName as the certificate's canvas has it: else each page references Helvetica.
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
                                 initialFontName=charts.REGULAR)
    many_units = charts.pass_rate_bar_chart([(f"Đơn vị {number}", number / 100) for number in range(80)], "T")
    story = [build() for build in BUILDERS] + [build() for build in EMPTY_BUILDERS] + [many_units]
    for drawing in story:
        assert drawing.wrap(document.width, document.height)[0] <= document.width - 12
    assert many_units.height <= document.height - 12  # sixty bars fit on one page
    document.build(story)
    pdf = buffer.getvalue()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = unicodedata.normalize("NFC", "".join(page.extract_text() for page in reader.pages))
    assert UNIT in text and "83%" in text
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVuSerif" in font for font in fonts)  # no built-in PDF font
