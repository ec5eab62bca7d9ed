"""The practice files of IU04 and IU05 build in memory and re-open with real content."""
import datetime as dt
import unicodedata
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from lms.courses.practice_files import iu04, iu05


def _nfc(text):
    return unicodedata.normalize("NFC", text) == text


def test_file_names_are_registered():
    assert set(iu04.FILES) == {"IU04-bang-luong-thang.xlsx", "IU04-thong-ke-ho-so.xlsx"}
    assert set(iu05.FILES) == {"IU05-bao-cao-so-ket.pptx"}


@pytest.mark.parametrize("builder", [*iu04.FILES.values(), *iu05.FILES.values()])
def test_builders_are_deterministic(builder):
    first, second = builder(), builder()
    assert isinstance(first, bytes) and first[:2] == b"PK"  # a zip (OOXML) container

    def parts(data):  # every part but the document properties (they carry a timestamp)
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()
                    if not name.startswith("docProps/")}

    assert parts(first) == parts(second)


def test_bang_luong_thang():
    wb = load_workbook(BytesIO(iu04.FILES["IU04-bang-luong-thang.xlsx"]()))
    ws = wb["Bảng lương"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN XÃ ĐÔNG PHONG"
    assert ws["D3"].value == 2_340_000 and ws["D4"].value == 22
    header = [c.value for c in ws[7]]
    assert header[:3] == ["STT", "Họ và tên", "Chức danh"]
    assert "Thực lĩnh (đồng)" in header
    data = [row for row in ws.iter_rows(min_row=8, max_row=22, values_only=True)]
    assert len(data) == 15
    for number, row in enumerate(data, start=1):
        stt, name, title, coef, allowance, days = row[:6]
        assert stt == number
        assert _nfc(name) and len(name.split()) >= 3
        assert _nfc(title)
        assert 1.8 <= coef <= 8 and 0 <= allowance <= 1
        assert 0 < days <= 22
        assert all(value is None for value in row[6:11]), "formula columns must be empty"
    assert any(not name.isascii() for _, name, *_ in data)  # real Vietnamese diacritics
    assert [ws.cell(row=r, column=2).value for r in range(23, 27)] == [
        "Tổng cộng", "Bình quân", "Cao nhất", "Thấp nhất"]
    assert "Hướng dẫn" in wb.sheetnames


def test_thong_ke_ho_so():
    wb = load_workbook(BytesIO(iu04.FILES["IU04-thong-ke-ho-so.xlsx"]()))
    assert wb.sheetnames == ["Hồ sơ quý III", "Tổng hợp", "Theo tháng"]
    ws = wb["Hồ sơ quý III"]
    assert [c.value for c in ws[4]][:4] == ["STT", "Mã hồ sơ", "Ngày tiếp nhận", "Lĩnh vực"]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert len(rows) >= 10
    fields = {name for name, _, _ in iu04.FIELDS}
    for row in rows:
        received, due, done = row[2], row[8], row[9]
        assert isinstance(received, dt.datetime) and dt.date(2025, 7, 1) <= received.date() <= dt.date(2025, 9, 30)
        assert row[3] in fields and row[7] in iu04.CHANNELS
        assert _nfc(row[5]) and _nfc(row[4])
        assert row[10] == ("Trễ hạn" if done > due else "Đúng hạn")
    assert {row[10] for row in rows} == {"Đúng hạn", "Trễ hạn"}
    monthly = wb["Theo tháng"]
    table = [r for r in monthly.iter_rows(min_row=4, max_row=6, values_only=True)]
    assert [r[0] for r in table] == ["Tháng 7", "Tháng 8", "Tháng 9"]
    assert sum(sum(r[1:4]) for r in table) == len(rows)


def test_bao_cao_so_ket():
    prs = Presentation(BytesIO(iu05.FILES["IU05-bao-cao-so-ket.pptx"]()))
    slides = list(prs.slides)
    assert len(slides) == 6
    titles = [slide.shapes.title.text for slide in slides]
    assert titles[0] == "Báo cáo sơ kết 6 tháng đầu năm 2025"
    assert all(title and _nfc(title) for title in titles)
    assert len(set(titles)) == 6
    for slide in slides[1:]:
        body = slide.placeholders[1].text_frame
        assert len(body.paragraphs) >= 4
        assert all(_nfc(p.text) and p.text for p in body.paragraphs)
    assert "Đông Phong" in slides[0].placeholders[1].text_frame.text
    assert slides[0].has_notes_slide
