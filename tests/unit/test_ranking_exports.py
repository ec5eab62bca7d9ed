"""The ranking's files (lms.rankings.exports, ranking_pdf, charts): read back with openpyxl and
pypdf from documents built here in the shape lms.rankings.document makes. Pure: no database."""
import io
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.messages import vietnamese
from lms.rankings import charts
from lms.rankings.exports import breakdown_xlsx, ranking_xlsx
from lms.rankings.labels import BAND_BY_LABELS, MISSING_RULE_LABELS, NORMALISATION_LABELS
from lms.rankings.ranking_pdf import breakdown_pdf, ranking_pdf

Q = Decimal("0.0001")
SVG = "{http://www.w3.org/2000/svg}"
# The default formula's (lms/rankings/formula_default.yaml): (code, name, measure, normalisation, weight, target).
COMPONENTS = [
    ("learning", "Kết quả học tập, bồi dưỡng kỹ năng CNTT", [
        ("enrolled_pct", "Tỉ lệ cán bộ đã tham gia học theo lộ trình", "%", "best", 1, "100"),
        ("modules_passed_pct", "Tỉ lệ mô-đun cơ bản đã đạt trên tổng số phải đạt", "%", "best", 1, "100"),
        ("basic_standard_pct", "Tỉ lệ cán bộ đạt chuẩn kỹ năng CNTT cơ bản", "%", "best", 2, "100"),
        ("advanced_standard_pct", "Tỉ lệ cán bộ đạt chuẩn kỹ năng CNTT nâng cao", "%", "best", 1, "30"),
        ("mean_score", "Điểm thi trung bình (thang 10)", "điểm", "minmax", 1, "8"),
        ("on_time_pct", "Tỉ lệ cán bộ không còn khóa học quá hạn", "%", "best", 1, "100")]),
    ("deployment", "Ứng dụng công nghệ thông tin", [
        ("online_procedures_pct", "Tỉ lệ thủ tục hành chính cung cấp trực tuyến mức độ 3, 4", "%", "best", 2, "30"),
        ("online_applications_pct", "Tỉ lệ hồ sơ được tiếp nhận, giải quyết trực tuyến", "%", "best", 2, "20"),
        ("official_email_pct", "Tỉ lệ cán bộ, công chức sử dụng thư điện tử công vụ", "%", "target", 1, "100"),
        ("one_stop_shop", "Sử dụng phần mềm một cửa điện tử dùng chung", "có/không", "target", 1, "1"),
        ("computers_per_staff", "Số máy tính trên một cán bộ, công chức", "máy/người", "target", 1, "1")]),
]
INDICATOR_COUNT = 11
BANDS = [("Hoàn thành xuất sắc nhiệm vụ", "0.8500"), ("Hoàn thành tốt nhiệm vụ", "0.7000"), ("Hoàn thành nhiệm vụ", "0.5000"),
         ("Không hoàn thành nhiệm vụ", None)]
NAMES = ["Phường Bồ Đề", "Phường Long Biên", "Phường Phúc Đồng"]


def _weights():
    """{code: the indicator's share of the index}, each component half of it."""
    weights = {}
    for _, _, indicators in COMPONENTS:
        total = sum(weight for *_, weight, _ in indicators)
        weights.update({code: (Decimal("0.5") * weight / total).quantize(Q) for code, _, _, _, weight, _ in indicators})
    return weights


def _band(index):
    return next(label for label, floor in BANDS if floor is None or index >= Decimal(floor))


def _unit(number, name, normalised, excluded=False, missing=()):
    weights, scores = _weights(), []
    for component, _, indicators in COMPONENTS:
        for code, _, measure, _, _, target in indicators:
            lacking = code in missing
            value = None if (excluded and lacking) else normalised[code]
            contribution = None if excluded else (value * weights[code]).quantize(Q)
            scores.append({"code": code, "component": component, "raw": None if lacking else str(normalised[code] * Decimal(target)),
                           "missing": lacking, "normalised": None if value is None else str(value), "weight": str(weights[code]),
                           "contribution": None if contribution is None else str(contribution)})
    index = None if excluded else sum(Decimal(score["contribution"]) for score in scores)
    unit = {"unit_id": number, "code": f"LB-{number:03d}", "name": name, "rank": None, "index": None if index is None else str(index),
            "band": None if excluded else _band(index), "excluded": excluded, "missing": list(missing), "scores": scores, "next_band": None}
    if index is not None and unit["band"] != BANDS[0][0]:
        label, floor = BANDS[[label for label, _ in BANDS].index(unit["band"]) - 1]
        unit["next_band"] = {"label": label, "index_needed": floor, "gap": str(Decimal(floor) - index), "improvements": [
            {"code": "online_procedures_pct", "normalised_needed": "1.0000", "raw_needed": "30", "raw_change": "4.5"}]}
    return unit


def make_document(count=3, names=None, excluded=0, version=None, missing_rule="lowest"):
    """A bloc of `count` ranked units (the first named from `names`, the others «Phường số n»)
    and `excluded` units not ranked, listed before the ranked ones to check the files' order."""
    names = list(names or NAMES)
    names += [f"Phường số {number}" for number in range(len(names) + 1, count + 1)]
    codes = [code for _, _, indicators in COMPONENTS for code, *_ in indicators]
    ranked = [_unit(number, names[number - 1], {code: Decimal(95 - (number * 7 + position * 3) % 60).scaleb(-2)
                                                 for position, code in enumerate(codes)})
              for number in range(1, count + 1)]
    ranked.sort(key=lambda unit: -Decimal(unit["index"]))
    for position, unit in enumerate(ranked, start=1):  # competition ranks, as compute gives: 1, 2, 2, 4
        unit["rank"] = position if position == 1 or unit["index"] != ranked[position - 2]["index"] else ranked[position - 2]["rank"]
    left_out = [_unit(1000 + number, f"Xã chưa báo cáo {number}", dict.fromkeys(codes, Decimal("0.5")), excluded=True,
                      missing=["computers_per_staff"]) for number in range(1, excluded + 1)]
    return {
        "period": "2017", "bloc": {"code": "KHOI-PHUONG", "name": "Khối phường"}, "version": version,
        "published_at": "2026-12-31T18:00:00+00:00" if version else None, "computed_at": "2026-12-03T12:00:00+00:00",
        "missing_rule": missing_rule, "precision": 4, "band_by": "index",
        "bands": [{"label": label, "min_index": floor, "max_rank": None} for label, floor in BANDS],
        "components": [{"code": code, "name": name, "weight": "0.5000", "indicators": [
            {"code": item, "name": label, "measure": measure, "direction": "higher", "normalisation": normalisation,
             "weight": str(_weights()[item]), "target": target} for item, label, measure, normalisation, _, target in indicators]}
            for code, name, indicators in COMPONENTS],
        "stats": {code: {"reported": count, "best": "95", "worst": "10", "target": "100"} for code in codes},
        "units": left_out + ranked,
    }


def workbook(content):
    return load_workbook(io.BytesIO(content))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


# XLSX -------------------------------------------------------------------------------------

def test_the_ranking_sheet_states_the_ranking_and_writes_figures_as_numbers():
    document = make_document()
    book = workbook(ranking_xlsx(document, vietnamese))
    assert book.sheetnames == ["Xếp hạng", "Chi tiết", "Công thức"]
    sheet = book["Xếp hạng"]
    lines = rows(sheet)
    assert lines[0][0] == "Xếp hạng thi đua Khối phường, năm 2017"
    assert lines[1][0] == "Bản tính ngày 03/12/2026, chưa công bố"
    assert lines[2][0] == MISSING_RULE_LABELS["lowest"]
    assert lines[4] == ["Hạng", "Mã đơn vị", "Tên đơn vị", "Chỉ số", "Xếp loại", "Kết quả học tập, bồi dưỡng kỹ năng CNTT",
                        "Ứng dụng công nghệ thông tin", "Thiếu số liệu"]
    first = next(unit for unit in document["units"] if unit["rank"] == 1)
    rank, code, name, index, band, learning, deployment, missing = lines[5]
    assert (rank, code, name, band, missing) == (1, first["code"], first["name"], first["band"], None)
    assert isinstance(rank, int) and isinstance(index, float) and index == float(first["index"])
    assert sheet.cell(row=6, column=4).number_format == "0.0000"
    assert learning + deployment == pytest.approx(index, abs=1e-9)
    assert [line[0] for line in lines[5:]] == [1, 2, 3]


def test_a_published_version_is_dated_in_hanoi_and_other_rules_are_stated():
    sheet = workbook(ranking_xlsx({**make_document(version=2, missing_rule="zero"), "period": "2017-Q2"}, vietnamese))["Xếp hạng"]
    assert sheet["A1"].value == "Xếp hạng thi đua Khối phường, quý 2 năm 2017"
    assert sheet["A2"].value == "Phiên bản 2, công bố 01/01/2027"  # 18:00 UTC on 31 December is the next day in Hanoi
    assert sheet["A3"].value == MISSING_RULE_LABELS["zero"]
    sheet = workbook(ranking_xlsx(make_document(missing_rule="exclude"), vietnamese))["Xếp hạng"]
    assert sheet["A3"].value == MISSING_RULE_LABELS["exclude"]


def test_units_not_ranked_come_after_the_ranked_ones_with_no_index():
    document = make_document(count=3, excluded=2, missing_rule="exclude")
    assert document["units"][0]["excluded"]  # the factory lists them first
    lines = rows(workbook(ranking_xlsx(document, vietnamese))["Xếp hạng"])[5:]
    assert [line[0] for line in lines] == [1, 2, 3, None, None]
    for rank, _code, name, index, band, learning, deployment, missing in lines[3:]:
        assert name.startswith("Xã chưa báo cáo")
        assert (index, band, learning, deployment) == (None, "Không xếp hạng", None, None)
        assert missing == "Số máy tính trên một cán bộ, công chức"


def test_text_a_spreadsheet_would_run_is_neutralized():
    document = make_document(names=["=HYPERLINK(\"http://x\",\"Bồ Đề\")", "+Long Biên", "Phúc Đồng"])
    book = workbook(ranking_xlsx(document, vietnamese))
    names = {line[2] for line in rows(book["Xếp hạng"])[5:]}
    assert "'=HYPERLINK(\"http://x\",\"Bồ Đề\")" in names and "'+Long Biên" in names
    assert "'=HYPERLINK(\"http://x\",\"Bồ Đề\")" in {line[1] for line in rows(book["Chi tiết"])[1:]}
    assert all(cell.data_type != "f" for row in book["Xếp hạng"].iter_rows() for cell in row)


def test_the_detail_sheet_has_a_row_per_unit_and_indicator():
    document = make_document()
    lines = rows(workbook(ranking_xlsx(document, vietnamese))["Chi tiết"])
    assert lines[0] == ["Mã đơn vị", "Tên đơn vị", "Thành phần", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Chuẩn hóa",
                        "Trọng số", "Đóng góp", "Tốt nhất khối", "Mục tiêu"]
    assert len(lines) == 1 + 3 * INDICATOR_COUNT
    first = next(unit for unit in document["units"] if unit["rank"] == 1)
    score = next(score for score in first["scores"] if score["code"] == "computers_per_staff")
    line = next(line for line in lines if line[0] == first["code"] and line[3] == "computers_per_staff")
    assert line[1:6] == [first["name"], "Ứng dụng công nghệ thông tin", "computers_per_staff", "Số máy tính trên một cán bộ, công chức",
                         "máy/người"]
    assert line[6:] == [float(score["raw"]), float(score["normalised"]), float(score["weight"]), float(score["contribution"]), 95, 1]
    by_unit = {}
    for line in lines[1:]:
        by_unit[line[0]] = by_unit.get(line[0], Decimal(0)) + Decimal(str(line[9]))
    assert by_unit == {unit["code"]: Decimal(unit["index"]) for unit in document["units"]}


def test_the_formula_sheet_states_normalisations_directions_and_bands():
    texts = {value for line in rows(workbook(ranking_xlsx(make_document(), vietnamese))["Công thức"]) for value in line if value}
    assert set(NORMALISATION_LABELS.values()) | {BAND_BY_LABELS["index"], "Càng cao càng tốt", "Độ chính xác: 4 chữ số thập phân",
                                                 "Hoàn thành xuất sắc nhiệm vụ", "Không hoàn thành nhiệm vụ", 0.85} <= texts


def test_headers_and_sheet_names_go_through_the_callers_gettext():
    english = {"Xếp hạng": "Ranking", "Hạng": "Rank", "Tên đơn vị": "Unit name", "năm %(year)s": "year %(year)s"}.get
    book = workbook(ranking_xlsx(make_document(), lambda text: english(text, text)))
    assert book.sheetnames[0] == "Ranking"
    assert rows(book["Ranking"])[4][:3] == ["Rank", "Mã đơn vị", "Unit name"]
    assert book["Ranking"]["A1"].value.endswith("year 2017")


def test_a_breakdown_sums_to_the_index_and_says_what_the_next_band_takes():
    document = make_document()
    unit = next(unit for unit in document["units"] if unit["next_band"])
    lines = rows(workbook(breakdown_xlsx(document, unit["unit_id"], vietnamese))["Đơn vị"])
    assert lines[0][0] == f"Kết quả xếp hạng thi đua: {unit['name']} ({unit['code']})"
    labels = {line[0]: line[1] for line in lines if line and line[0]}
    assert (labels["Hạng"], labels["Số đơn vị được xếp hạng"], labels["Chỉ số"], labels["Xếp loại"]) == (
        unit["rank"], 3, float(unit["index"]), unit["band"])
    header = lines.index(["Thành phần", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Chuẩn hóa", "Trọng số", "Đóng góp",
                          "Tốt nhất khối", "Mục tiêu"])
    total = next(position for position, line in enumerate(lines) if line[0] == "Tổng cộng")
    contributions = [Decimal(str(line[7])) for line in lines[header + 1:total]]
    assert len(contributions) == INDICATOR_COUNT and sum(contributions) == Decimal(unit["index"])
    assert Decimal(str(lines[total][7])) == Decimal(unit["index"])
    reach = next(position for position, line in enumerate(lines) if str(line[0]).startswith("Để đạt mức"))
    assert lines[reach][0] == f"Để đạt mức «{unit['next_band']['label']}»"
    assert lines[reach + 1][:2] == ["Chỉ số cần đạt", float(unit["next_band"]["index_needed"])]
    assert lines[reach + 2][:2] == ["Còn thiếu", float(unit["next_band"]["gap"])]
    raw = next(score["raw"] for score in unit["scores"] if score["code"] == "online_procedures_pct")
    improvements = [line[:6] for line in lines].index(["Mã chỉ tiêu", "Chỉ tiêu", "Giá trị hiện tại", "Giá trị cần đạt", "Cần tăng thêm",
                                                       "Chuẩn hóa cần đạt"])
    assert improvements > reach + 2
    assert lines[improvements + 1][:6] == ["online_procedures_pct", "Tỉ lệ thủ tục hành chính cung cấp trực tuyến mức độ 3, 4", float(raw),
                                    30, 4.5, 1]


def test_a_breakdown_of_a_unit_not_in_the_ranking_is_refused():
    with pytest.raises(LookupError):
        breakdown_xlsx(make_document(), 999, vietnamese)
    with pytest.raises(LookupError):
        breakdown_pdf(make_document(), 999, vietnamese)


# Charts and PDF ---------------------------------------------------------------------------

def test_the_chart_svg_has_no_style_attribute_and_labels_rank_and_index():
    rows = [("Phường Bồ Đề", 0.8123, 1), ("<Long Biên>", 0.5, 2), ("Phường Phúc Đồng", 0.5, 2)]
    svg = str(charts.index_bar_svg(rows, "Chỉ số thi đua"))
    assert "style=" not in svg  # the pages' Content-Security-Policy allows no inline style
    root = ElementTree.fromstring(svg)
    assert all("style" not in element.attrib for element in root.iter())
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"1. Phường Bồ Đề", "0,8123", "2. <Long Biên>", "2. Phường Phúc Đồng", "0,5000"} <= set(texts)
    # By default the description reads every row, for a screen reader.
    assert root.find(f"{SVG}desc").text == "1. Phường Bồ Đề: 0,8123; 2. <Long Biên>: 0,5000; 2. Phường Phúc Đồng: 0,5000"
    greys = {element.get("fill") for element in root.iter() if element.get("fill", "none").startswith("rgb")}
    assert "rgb(55%,55%,55%)" in greys and all(len(set(re.findall(r"[\d.]+%", fill))) == 1 for fill in greys)  # grey levels only


def test_two_hundred_units_make_charts_of_at_most_thirty_bars():
    parts = charts.chart_parts(range(200))
    assert [len(part) for part in parts] == [29, 29, 29, 29, 28, 28, 28]
    assert [item for part in parts for item in part] == list(range(200))
    assert charts.chart_parts([]) == [] and [len(part) for part in charts.chart_parts(range(30))] == [30]


def test_a_unit_without_an_index_draws_no_bar():
    drawing = charts.index_bar_chart([("A", 0.9, 1), ("B", None, None)], "Chỉ số")
    bars = [shape for shape in drawing.contents if type(shape).__name__ == "Rect" and shape.fillColor == charts.BAR_GREY]
    assert len(bars) == 1
    assert "—" in {getattr(shape, "text", None) for shape in drawing.contents}


def test_the_ranking_pdf_embeds_the_font_and_prints_the_names():
    content = ranking_pdf(make_document(excluded=1), vietnamese)
    assert content.startswith(b"%PDF")
    assert b"+DejaVuSerif" in content and b"/FontFile2" in content and b"Helvetica" not in content  # embedded subsets
    reader, pages = pdf_text(content)
    fonts = {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+DejaVuSerif(-Bold)?", font) for font in fonts)
    assert len(reader.pages) == 1 + 4  # heading, chart and table; then a page per unit, the one not ranked last
    assert "Xếp hạng thi đua Khối phường, năm 2017" in pages[0] and "Bảng xếp hạng" in pages[0]
    assert "1. Phường Bồ Đề" in pages[0]  # the chart's label
    assert "Chi tiết từng đơn vị" in pages[1] and "Tổng cộng" in pages[1]
    for page, unit in zip(pages[1:], make_document(excluded=1)["units"][1:] + make_document(excluded=1)["units"][:1]):
        assert f"{unit['name']} ({unit['code']})" in page
    assert "Đơn vị không được xếp hạng vì thiếu số liệu." in pages[4]


def test_a_bloc_of_two_hundred_units_splits_its_chart_over_seven_pages():
    count = 200
    document = make_document(count=count)
    reader, pages = pdf_text(ranking_pdf(document, vietnamese))
    chart_pages = [number for number, text in enumerate(pages) if "Chỉ số thi đua của các đơn vị (hạng" in text]
    assert chart_pages == list(range(7))
    # Each chart titled with the ranks it shows (ties share a rank, so two charts may both show one).
    ranks = [unit["rank"] for unit in document["units"]]
    for page, part in zip(pages, charts.chart_parts(ranks)):
        assert f"(hạng {part[0]}–{part[-1]})" in page and len(re.findall(r"\d+\. Phường", page)) == len(part)
    first_unit = next(number for number, text in enumerate(pages) if "Chi tiết từng đơn vị" in text)
    # The table on pages of its own after the charts, its header on each, every unit in it.
    assert "Bảng xếp hạng" in pages[7] and all("Tên đơn vị" in text for text in pages[7:first_unit])
    codes = set(re.findall(r"LB-\d{3}", "".join(pages[7:first_unit])))
    assert codes == {unit["code"] for unit in make_document(count=count)["units"]}
    # Seven pages of charts, six of the table (some 36 rows a page), then a page per unit.
    assert (first_unit, len(reader.pages)) == (7 + 6, 7 + 6 + count)


def test_a_unit_breakdown_pdf_is_one_page_with_its_sum_row():
    document = make_document()
    unit = next(unit for unit in document["units"] if unit["rank"] == 2)
    reader, pages = pdf_text(breakdown_pdf(document, unit["unit_id"], vietnamese))
    assert len(reader.pages) == 1
    text = pages[0]
    assert f"Kết quả xếp hạng thi đua: {unit['name']} ({unit['code']})" in text
    assert "Tổng cộng" in text and unit["index"].replace(".", ",") in text
    assert f"Để đạt mức «{unit['next_band']['label']}»" in text


def test_a_bloc_with_no_unit_still_makes_its_files():
    document = {**make_document(count=0), "units": []}
    assert rows(workbook(ranking_xlsx(document, vietnamese))["Xếp hạng"])[5:] == []
    reader, pages = pdf_text(ranking_pdf(document, vietnamese))
    assert len(reader.pages) == 1 and "Bảng xếp hạng" in pages[0] and "Chỉ số thi đua của các đơn vị" not in pages[0]
