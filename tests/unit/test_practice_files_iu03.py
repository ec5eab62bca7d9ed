"""The practice files of IU03 build in memory and re-open with real Vietnamese content."""
import unicodedata
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Cm
from openpyxl import load_workbook

from lms.courses.practice_files import all_files, iu03


def _nfc(text):
    return unicodedata.normalize("NFC", text) == text


def _docx(name):
    return Document(BytesIO(iu03.FILES[name]()))


def _all_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def test_file_names_are_registered():
    assert set(iu03.FILES) == {
        "IU03-cong-van-chua-dinh-dang.docx",
        "IU03-so-lieu-mot-cua.docx",
        "IU03-danh-sach-tron-thu.xlsx",
        "IU03-mau-thu-moi.docx",
    }
    assert set(iu03.FILES) <= set(all_files())


@pytest.mark.parametrize("name", sorted(iu03.FILES))
def test_builders_return_office_files(name):
    data = iu03.FILES[name]()
    assert isinstance(data, bytes) and data[:2] == b"PK"  # an OOXML (zip) container


def test_cong_van_chua_dinh_dang():
    document = _docx("IU03-cong-van-chua-dinh-dang.docx")
    lines = [p.text for p in document.paragraphs]
    text = "\n".join(lines)
    assert _nfc(text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert "PHƯỜNG BỒ ĐỀ" in lines
    assert "Số: 215/UBND-VP" in lines
    assert any(line.startswith("V/v ") for line in lines)
    assert "Bồ Đề, ngày 12 tháng 3 năm 2025" in lines
    assert "Kính gửi:" in lines and "Nơi nhận:" in lines
    assert text.rstrip().endswith("Trần Văn Khánh")
    # what the learner has to clean up and format
    assert "DVC" in text and "  " in text
    assert document.styles["Normal"].font.name == "Calibri"
    assert all(p.alignment is None for p in document.paragraphs)
    assert len(text.split()) > 250


def test_so_lieu_mot_cua():
    document = _docx("IU03-so-lieu-mot-cua.docx")
    tabbed = [p.text.split("\t") for p in document.paragraphs if "\t" in p.text]
    assert tabbed[0] == ["Lĩnh vực", "Tổng số hồ sơ", "Hồ sơ trực tuyến", "Đã giải quyết đúng hạn"]
    assert len(tabbed) == 1 + len(iu03.MOT_CUA_ROWS)
    for field, total, online, on_time in tabbed[1:]:
        assert _nfc(field)
        assert int(online) <= int(total) and int(on_time) <= int(total)
    assert not document.tables  # the learner builds the table


def test_danh_sach_tron_thu():
    workbook = load_workbook(BytesIO(iu03.FILES["IU03-danh-sach-tron-thu.xlsx"]()))
    sheet = workbook["DanhSach"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["STT", "DanhXung", "HoTen", "ChucVu", "DonVi", "DiaChi"]
    assert all(name.isascii() and " " not in name for name in header)  # safe merge-field names
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) >= 10
    for number, row in enumerate(rows, start=1):
        assert row[0] == number
        assert row[1] in {"Ông", "Bà"}
        assert all(isinstance(value, str) and value and _nfc(value) for value in row[1:])
        assert len(row[2].split()) >= 3
    assert sum(not row[2].isascii() for row in rows) >= 10  # real Vietnamese diacritics
    assert "Hướng dẫn" in workbook.sheetnames


def test_mau_thu_moi():
    document = _docx("IU03-mau-thu-moi.docx")
    text = _all_text(document)
    assert _nfc(text)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "ỦY BAN NHÂN DÂN", "PHƯỜNG BỒ ĐỀ", "Số: 35/GM-UBND", "GIẤY MỜI",
                     "TM. ỦY BAN NHÂN DÂN", "Nơi nhận:"):
        assert expected in text
    # every «field» of the template is a column of the data source
    fields = {chunk.split("»")[0] for chunk in text.split("«")[1:]}
    assert {"DanhXung", "HoTen", "ChucVu", "DonVi", "DiaChi"} == fields
    highlighted = [run.text for p in document.paragraphs for run in p.runs
                   if run.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert "«HoTen»" in highlighted
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.05)
    assert abs(section.left_margin - Cm(3)) < Cm(0.05)
    assert abs(section.right_margin - Cm(1.5)) < Cm(0.05)
    assert document.styles["Normal"].font.name == "Times New Roman"
