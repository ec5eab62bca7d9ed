"""The certificate PDF (lms.certificates.document): its text as a reader extracts it, its
fonts, page, QR code and embedded register fields. Pure: no database, no app."""
import io
import json
import re
import unicodedata
from datetime import date

import pytest
import qrcode
from pypdf import PdfReader

from lms.certificates import document
from lms.certificates.record import ADVANCED, BASIC, CertificateDocument, CertifiedModule

HOLDER = "Nguyễn Thị Ánh Tuyết"
URL = "https://lms.hanoi.gov.vn/verify/K7QX2M9PZ4"
BASIC_MODULES = tuple(CertifiedModule(f"IU0{number}", name) for number, name in enumerate(
    ["Hiểu biết về CNTT cơ bản", "Sử dụng máy tính cơ bản", "Xử lý văn bản cơ bản", "Sử dụng bảng tính cơ bản",
     "Sử dụng trình chiếu cơ bản", "Sử dụng Internet cơ bản"], start=1))
ADVANCED_MODULES = (CertifiedModule("IU07", "Xử lý văn bản nâng cao"), CertifiedModule("IU09", "Sử dụng trình chiếu nâng cao"))


def certificate(**changes) -> CertificateDocument:
    values = dict(
        code="K7QX2M9PZ4", kind=BASIC, title="CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CƠ BẢN",
        issuing_body="Trung tâm Công nghệ thông tin và Truyền thông Hà Nội", holder_name=HOLDER, birth_date=date(1990, 3, 7),
        birth_place="Hà Nội", sex="Nữ", exam_date=date(2026, 5, 20), exam_council="Hội đồng thi Sở Thông tin và Truyền thông",
        modules=BASIC_MODULES, issue_date=date(2026, 6, 1), signer_title="Giám đốc", signer_name="Trần Văn Bình",
        serial="CB-2026-000123", register_number="0123/2026", verify_url=URL, development=False)
    values.update(changes)
    return CertificateDocument(**values)


def text_of(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.fixture(scope="module")
def basic_pdf():
    return document.render_pdf(certificate())


def test_the_text_a_reader_extracts_is_nfc_even_from_an_nfd_name(basic_pdf):
    decomposed = unicodedata.normalize("NFD", HOLDER)
    assert decomposed != HOLDER
    for pdf in (basic_pdf, document.render_pdf(certificate(holder_name=decomposed))):
        text = text_of(pdf)
        assert HOLDER in text and decomposed not in text
        assert unicodedata.is_normalized("NFC", text)
        for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số hiệu: CB-2026-000123",
                         "Số vào sổ cấp chứng chỉ: 0123/2026", "Ngày sinh: 07/03/1990", "Nơi sinh: Hà Nội", "Giới tính: Nữ",
                         "TRUNG TÂM CÔNG NGHỆ THÔNG TIN", "CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CƠ BẢN",
                         "Hà Nội, ngày 01 tháng 06 năm 2026", "GIÁM ĐỐC", "Trần Văn Bình", f"Tra cứu: {URL}"):
            assert expected in text, expected
        assert "Đã đạt yêu cầu bài thi ngày 20/05/2026 tại Hội đồng thi:" in text


def test_basic_and_advanced_certificates_name_their_modules(basic_pdf):
    assert "Gồm 06 mô đun cơ bản: IU01–IU06" in text_of(basic_pdf)
    advanced = text_of(document.render_pdf(certificate(kind=ADVANCED, modules=ADVANCED_MODULES, sex="")))
    assert "Các mô đun: IU07 – Xử lý văn bản nâng cao; IU09 – Sử dụng trình chiếu nâng cao" in advanced.replace("\n", " ")
    assert "Giới tính" not in advanced


def test_only_development_certificates_carry_the_development_mark(basic_pdf):
    mark = "BẢN THỬ NGHIỆM – KÝ BẰNG CHỨNG THƯ PHÁT TRIỂN, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
    assert mark not in text_of(basic_pdf)
    assert mark in text_of(document.render_pdf(certificate(development=True)))


def test_every_font_is_an_embedded_dejavu_subset_and_none_is_helvetica(basic_pdf):
    reader = PdfReader(io.BytesIO(basic_pdf))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    names = sorted(font["/BaseFont"] for font in fonts)
    assert len(names) == 3  # regular, bold, italic
    for font in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSerif(-Bold|-Italic)?", font["/BaseFont"]), font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]  # the TrueType program is embedded
    assert b"Helvetica" not in basic_pdf and b"Times" not in basic_pdf


def test_the_page_is_a4_landscape(basic_pdf):
    box = PdfReader(io.BytesIO(basic_pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_the_register_fields_and_metadata_round_trip(basic_pdf):
    metadata = PdfReader(io.BytesIO(document.render_pdf(certificate(holder_name=unicodedata.normalize("NFD", HOLDER))))).metadata
    fields = json.loads(metadata["/" + document.REGISTER_KEY])
    assert fields == certificate().register_fields()
    assert fields["holder_name"] == HOLDER and fields["modules"] == ["IU01", "IU02", "IU03", "IU04", "IU05", "IU06"]
    assert metadata.title == f"CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CƠ BẢN – {HOLDER}"
    assert metadata.author == "Trung tâm Công nghệ thông tin và Truyền thông Hà Nội"
    assert "CB-2026-000123" in metadata.subject


def test_rendering_is_deterministic(basic_pdf):
    assert document.render_pdf(certificate()) == basic_pdf


def _matrix_from(rectangles, x, y, size, modules):
    cell = size / modules
    matrix = [[False] * modules for _ in range(modules)]
    for left, bottom, width, height in rectangles:
        row = round((y + size - bottom - height) / cell)
        assert round(height / cell) == 1
        for column in range(round((left - x) / cell), round((left + width - x) / cell)):
            assert not matrix[row][column], "modules drawn twice"
            matrix[row][column] = True
    return matrix


def test_the_qr_rectangles_are_qrcodes_matrix_for_the_url():
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=document.QR_MASK_PATTERN)
    qr.add_data(URL)
    qr.make(fit=True)
    expected = qr.get_matrix()
    rectangles = document.qr_rectangles(URL, 10, 20, 99)
    assert _matrix_from(rectangles, 10, 20, 99, len(expected)) == expected
    assert all(10 <= left and left + width <= 109.001 and 20 <= bottom and bottom + height <= 119.001
               for left, bottom, width, height in rectangles)


def test_the_page_draws_that_qr_code(basic_pdf):
    """The filled rectangles inside the QR area of the content stream rebuild the URL's matrix."""
    content = PdfReader(io.BytesIO(basic_pdf)).pages[0].get_contents().get_data().decode("latin-1")
    number = r"(-?[\d.]+)"
    drawn = [tuple(map(float, match)) for match in re.findall(rf"{number} {number} {number} {number} re f\b", content)]
    x, y, size = document.QR_X, document.QR_Y, document.QR_SIZE
    inside = [rect for rect in drawn if x - 0.01 <= rect[0] <= x + size and y - 0.01 <= rect[1] <= y + size]
    expected = document.qr_matrix(URL)
    assert len(inside) == len(document.qr_rectangles(URL, x, y, size))
    assert _matrix_from(inside, x, y, size, len(expected)) == expected


def test_a_long_url_and_a_missing_date_still_render():
    long_url = "https://lms.hanoi.gov.vn/verify/" + "X" * 120
    text = text_of(document.render_pdf(certificate(verify_url=long_url, issue_date=None, birth_date=None, modules=())))
    assert "X" * 20 in text and "ngày …… tháng …… năm ……" in text
