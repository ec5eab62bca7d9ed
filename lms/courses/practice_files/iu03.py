"""Practice files of IU03 (Xử lý văn bản cơ bản).

Each builder makes a .docx (python-docx) or .xlsx (openpyxl) in memory and returns
its bytes; nothing touches the disk or the network. The documents belong to a
fictional công văn and giấy mời of UBND phường Bồ Đề (quận Long Biên, Hà Nội, as
it was before 1 July 2025); every person named in them is fictional.

- ``IU03-cong-van-chua-dinh-dang.docx``: the text of a công văn typed with no
  formatting at all (one font, no alignment, double spaces, the abbreviation
  "DVC" to expand) for the lessons on editing, formatting and page layout.
- ``IU03-so-lieu-mot-cua.docx``: a short report whose figures are tab-separated
  lines, to convert into a table.
- ``IU03-danh-sach-tron-thu.xlsx``: the data source of the mail merge.
- ``IU03-mau-thu-moi.docx``: the letter (giấy mời) template, formatted per
  Nghị định 30/2020/NĐ-CP, with «merge fields» written as highlighted text.
"""
from __future__ import annotations

from io import BytesIO
from typing import Callable

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

UNIT = "ỦY BAN NHÂN DÂN"
UNIT_NAME = "PHƯỜNG BỒ ĐỀ"
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"

# The body of the công văn, exactly as a hurried typist left it: the learner
# formats it (IU03.3, IU03.5) and cleans it with Find and Replace (IU03.2.2):
# double spaces, and "DVC" to be replaced by "dịch vụ công".
CONG_VAN_LINES: list[str] = [
    UNIT,
    UNIT_NAME,
    "Số: 215/UBND-VP",
    "V/v hướng dẫn người dân nộp hồ sơ  trực tuyến trên Cổng DVC",
    MOTTO_1,
    MOTTO_2,
    "Bồ Đề, ngày 12 tháng 3 năm 2025",
    "Kính gửi:",
    "- Các tổ dân phố trên địa bàn phường;",
    "- Bộ phận Tiếp nhận và Trả kết quả phường.",
    "Thực hiện Kế hoạch của Ủy ban nhân dân quận Long Biên về đẩy mạnh cung cấp, sử dụng "
    "DVC trực tuyến năm 2025, nhằm nâng cao tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận "
    "và giải quyết trực tuyến, Ủy ban nhân dân phường Bồ Đề đề nghị các tổ dân phố và  Bộ "
    "phận Tiếp nhận và Trả kết quả phường thực hiện một số nội dung sau:",
    "1. Các tổ dân phố tuyên truyền tại các buổi sinh hoạt tổ, trên nhóm thông tin của tổ "
    "về lợi ích của việc nộp hồ sơ trực tuyến: không phải đi lại, theo dõi được tiến độ, "
    "nhận kết quả điện tử; hướng dẫn người dân kích hoạt tài khoản định danh điện tử "
    "VNeID mức độ 2 để đăng nhập Cổng DVC quốc gia.",
    "2. Bộ phận Tiếp nhận và Trả kết quả phường bố trí 01 công chức và 02 đoàn viên "
    "thanh niên tình nguyện hỗ trợ người dân nộp hồ sơ trực tuyến tại trụ sở vào giờ "
    "hành chính các ngày làm việc trong tuần; ưu tiên các thủ tục liên thông đăng ký "
    "khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi và các "
    "thủ tục chứng thực.",
    "3. Công chức Văn phòng - thống kê tổng hợp số hồ sơ tiếp nhận trực tuyến của từng "
    "lĩnh vực, báo cáo Ủy ban nhân dân phường trước ngày 25 hằng tháng để tổng hợp  báo "
    "cáo Ủy ban nhân dân quận.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị liên hệ bà Nguyễn "
    "Thị Thu Trang, công chức Văn phòng - thống kê (Văn phòng Ủy ban nhân dân phường, "
    "tầng 1) để được hướng dẫn. Ủy ban nhân dân phường đề nghị các tổ dân phố, các bộ phận liên quan "
    "nghiêm túc thực hiện./.",
    "Nơi nhận:",
    "- Như trên;",
    "- UBND quận Long Biên (để b/c);",
    "- Đảng ủy, HĐND phường (để b/c);",
    "- Chủ tịch, các PCT UBND phường;",
    "- Lưu: VT, VP.",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "(Đã ký)",
    "Trần Văn Khánh",
]

# Figures for the table lesson (IU03.4.1): tab-separated lines to convert to a table.
MOT_CUA_ROWS: list[tuple[str, int, int, int]] = [
    ("Tư pháp - hộ tịch", 412, 298, 409),
    ("Chứng thực", 1530, 611, 1530),
    ("Đất đai - xây dựng", 96, 41, 90),
    ("Lao động - thương binh và xã hội", 158, 72, 151),
    ("Văn hóa - thể thao", 23, 19, 23),
]

# Data source of the mail merge (IU03.6.1): tổ trưởng tổ dân phố and unit heads invited
# to the training conference. Column names are ASCII without spaces so that both
# Word and LibreOffice accept them as merge field names.
MERGE_HEADER: list[str] = ["STT", "DanhXung", "HoTen", "ChucVu", "DonVi", "DiaChi"]
MERGE_ROWS: list[tuple[str, str, str, str, str]] = [
    ("Ông", "Nguyễn Văn Thành", "Tổ trưởng", "Tổ dân phố số 1", "Ngõ 12 phố Bồ Đề"),
    ("Bà", "Lê Thị Hồng Vân", "Tổ trưởng", "Tổ dân phố số 2", "Ngõ 28 phố Bồ Đề"),
    ("Ông", "Phạm Quốc Huy", "Tổ trưởng", "Tổ dân phố số 3", "Ngõ 43 phố Nguyễn Văn Cừ"),
    ("Bà", "Đỗ Thị Ngọc Lan", "Tổ trưởng", "Tổ dân phố số 4", "Ngõ 81 phố Nguyễn Văn Cừ"),
    ("Ông", "Vũ Đình Khải", "Tổ trưởng", "Tổ dân phố số 5", "Ngõ 9 phố Bồ Đề"),
    ("Bà", "Hoàng Thị Thúy", "Tổ trưởng", "Tổ dân phố số 6", "Ngõ 55 phố Bồ Đề"),
    ("Ông", "Bùi Trọng Nghĩa", "Tổ trưởng", "Tổ dân phố số 7", "Ngõ 120 phố Nguyễn Sơn"),
    ("Bà", "Trịnh Thị Mỹ Hạnh", "Tổ trưởng", "Tổ dân phố số 8", "Ngõ 66 phố Nguyễn Sơn"),
    ("Ông", "Ngô Xuân Trường", "Tổ trưởng", "Tổ dân phố số 9", "Ngõ 17 phố Ngọc Lâm"),
    ("Bà", "Đặng Thị Quỳnh", "Tổ trưởng", "Tổ dân phố số 10", "Ngõ 32 phố Ngọc Lâm"),
    ("Ông", "Lý Minh Đức", "Trưởng ban", "Ban Công tác Mặt trận khu dân cư số 3", "Ngõ 43 phố Nguyễn Văn Cừ"),
    ("Bà", "Phan Thị Bích Ngọc", "Chi hội trưởng", "Chi hội Phụ nữ tổ dân phố số 6", "Ngõ 55 phố Bồ Đề"),
]

_NS_FONT = "Times New Roman"


def _save_docx(doc) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _page_nd30(doc) -> None:
    """A4, margins inside the ranges of Nghị định 30/2020/NĐ-CP (top/bottom 2 cm, left 3 cm, right 1,5 cm)."""
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)


def _run(paragraph, text: str, *, size: float = 14, bold: bool = False, italic: bool = False,
         underline: bool = False):
    run = paragraph.add_run(text)
    run.font.name = _NS_FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    return run


def _para(container, text: str = "", *, align=WD_ALIGN_PARAGRAPH.LEFT, size: float = 14,
          bold: bool = False, italic: bool = False, before: float = 0, after: float = 0,
          first_line: float | None = None):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if first_line is not None:
        fmt.first_line_indent = Cm(first_line)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _rule(cell, *, indent_cm: float) -> None:
    """A thin horizontal line (the bottom border of an empty paragraph), shortened by indents."""
    paragraph = _para(cell, size=2)
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.right_indent = Cm(indent_cm)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # w:pBdr must precede w:spacing, w:ind and w:jc in w:pPr (schema order).
    paragraph._p.get_or_add_pPr().insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")


def build_cong_van_chua_dinh_dang() -> bytes:
    """The công văn as raw text: default style, every line a left-aligned paragraph."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for line in CONG_VAN_LINES:
        doc.add_paragraph(line)
    doc.core_properties.title = "Công văn chưa định dạng (bài tập IU03)"
    doc.core_properties.author = "UBND phường Bồ Đề (hư cấu)"
    return _save_docx(doc)


def _document_nd30():
    """A new document laid out as Nghị định 30/2020/NĐ-CP asks: A4 margins, Times New Roman 14."""
    doc = Document()
    _page_nd30(doc)
    style = doc.styles["Normal"]
    style.font.name = _NS_FONT
    style.font.size = Pt(14)
    return doc


def build_so_lieu_mot_cua() -> bytes:
    """A short report with figures typed as tab-separated lines, to be turned into a table."""
    doc = _document_nd30()
    _para(doc, "KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
          align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _para(doc, "Quý I năm 2025 – Bộ phận Tiếp nhận và Trả kết quả phường Bồ Đề",
          align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, after=12)
    _para(doc, "Bảng số liệu dưới đây đang gõ dạng văn bản, các cột cách nhau bằng phím Tab. "
               "Hãy chuyển thành bảng, thêm cột tỷ lệ trực tuyến và dòng tổng cộng.",
          after=6, first_line=1)
    doc.add_paragraph("Lĩnh vực\tTổng số hồ sơ\tHồ sơ trực tuyến\tĐã giải quyết đúng hạn")
    for field, total, online, on_time in MOT_CUA_ROWS:
        doc.add_paragraph(f"{field}\t{total}\t{online}\t{on_time}")
    _para(doc, "Nhận xét: tỷ lệ hồ sơ nộp trực tuyến của lĩnh vực chứng thực còn thấp; "
               "các tổ dân phố cần tăng cường tuyên truyền, hướng dẫn người dân.",
          before=12, first_line=1)
    return _save_docx(doc)


def build_danh_sach_tron_thu() -> bytes:
    """The mail-merge data source: one header row, one invitee per row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "DanhSach"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append(MERGE_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
    for number, row in enumerate(MERGE_ROWS, start=1):
        ws.append([number, *row])
        for cell in ws[ws.max_row]:
            cell.border = border
    for column, width in zip("ABCDEF", (6, 11, 26, 16, 38, 28)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("Hướng dẫn")
    for line in (
        "Nguồn dữ liệu trộn thư – Giấy mời Hội nghị tập huấn dịch vụ công trực tuyến",
        "Dòng 1 của trang DanhSach là tên trường (không dấu, không dấu cách) để dùng làm «trường trộn».",
        "Mỗi dòng từ dòng 2 là một người được mời; không để dòng trống xen giữa.",
        "Khi trộn thư, chọn trang tính DanhSach và đánh dấu 'Dòng dữ liệu đầu tiên chứa tiêu đề cột'.",
        "Dữ liệu là hư cấu, chỉ dùng cho bài thực hành.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _highlight_fields(paragraph, text: str, *, size: float = 14, bold: bool = False) -> None:
    """Write text, highlighting every «Field» so the learner sees where to insert merge fields."""
    rest = text
    while "«" in rest:
        before, _, after = rest.partition("«")
        field, _, rest = after.partition("»")
        if before:
            _run(paragraph, before, size=size, bold=bold)
        run = _run(paragraph, f"«{field}»", size=size, bold=bold)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if rest:
        _run(paragraph, rest, size=size, bold=bold)


def build_mau_thu_moi() -> bytes:
    """The giấy mời template: header per Nghị định 30/2020/NĐ-CP, «fields» to merge."""
    doc = _document_nd30()

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    left, right = header.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(left.paragraphs[0], UNIT, size=13, bold=True)
    _para(left, UNIT_NAME, align=WD_ALIGN_PARAGRAPH.CENTER, size=13, bold=True)
    _rule(left, indent_cm=2.0)
    _para(left, "Số: 35/GM-UBND", align=WD_ALIGN_PARAGRAPH.CENTER, size=13, before=6)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(right.paragraphs[0], MOTTO_1, size=13, bold=True)
    _para(right, MOTTO_2, align=WD_ALIGN_PARAGRAPH.CENTER, size=14, bold=True)
    _rule(right, indent_cm=1.4)
    _para(right, "Bồ Đề, ngày 10 tháng 3 năm 2025", align=WD_ALIGN_PARAGRAPH.CENTER,
          size=14, italic=True, before=6)

    _para(doc, "GIẤY MỜI", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, before=24)
    _para(doc, "Dự Hội nghị tập huấn hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
          align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)
    kinh_gui = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _highlight_fields(kinh_gui, "Kính gửi: «DanhXung» «HoTen» – «ChucVu» «DonVi»")

    body = [
        "Thực hiện Kế hoạch đẩy mạnh cung cấp, sử dụng dịch vụ công trực tuyến năm 2025, "
        "Ủy ban nhân dân phường Bồ Đề tổ chức Hội nghị tập huấn hướng dẫn người dân sử dụng "
        "dịch vụ công trực tuyến và tài khoản định danh điện tử VNeID.",
        "Ủy ban nhân dân phường trân trọng kính mời «DanhXung» «HoTen» tới dự.",
        "Thời gian: 08 giờ 00 phút, thứ Năm, ngày 20 tháng 3 năm 2025.",
        "Địa điểm: Hội trường tầng 3, trụ sở Ủy ban nhân dân phường Bồ Đề.",
        "Đề nghị «DanhXung» mang theo điện thoại thông minh đã cài ứng dụng VNeID. "
        "Giấy mời gửi tới địa chỉ: «DiaChi»; mọi thông tin xin liên hệ Văn phòng "
        "Ủy ban nhân dân phường để được hướng dẫn.",
        "Rất mong «DanhXung» tham dự đầy đủ, đúng giờ./.",
    ]
    for text in body:
        paragraph = _para(doc, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, first_line=1)
        paragraph.paragraph_format.line_spacing = 1.15
        _highlight_fields(paragraph, text)

    footer = doc.add_table(rows=1, cols=2)
    footer.autofit = False
    receivers, signer = footer.rows[0].cells
    receivers.width, signer.width = Cm(8), Cm(8.5)
    receivers.paragraphs[0].paragraph_format.space_before = Pt(12)
    _run(receivers.paragraphs[0], "Nơi nhận:", size=12, bold=True, italic=True)
    for line in ("- Như trên;", "- Chủ tịch, các PCT UBND phường;", "- Lưu: VT, VP."):
        _para(receivers, line, size=11)
    signer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    signer.paragraphs[0].paragraph_format.space_before = Pt(12)
    _run(signer.paragraphs[0], "TM. ỦY BAN NHÂN DÂN", size=14, bold=True)
    _para(signer, "KT. CHỦ TỊCH", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _para(signer, "PHÓ CHỦ TỊCH", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=60)
    _para(signer, "Trần Văn Khánh", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)

    doc.core_properties.title = "Mẫu giấy mời để trộn thư (bài tập IU03)"
    doc.core_properties.author = "UBND phường Bồ Đề (hư cấu)"
    return _save_docx(doc)


FILES: dict[str, Callable[[], bytes]] = {
    "IU03-cong-van-chua-dinh-dang.docx": build_cong_van_chua_dinh_dang,
    "IU03-so-lieu-mot-cua.docx": build_so_lieu_mot_cua,
    "IU03-danh-sach-tron-thu.xlsx": build_danh_sach_tron_thu,
    "IU03-mau-thu-moi.docx": build_mau_thu_moi,
}
