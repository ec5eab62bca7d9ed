"""Activation codes (lms.auth.codes) and the login slips PDF (lms.auth.slips). Pure: no app, no database."""
import io
import re
import unicodedata

from pypdf import PdfReader

from lms.auth import codes
from lms.auth.provisioning import Slip
from lms.auth.slips import render_slips

NAMES = ["Nguyễn Thị Ánh Tuyết", "Đặng Quốc Việt", "Lưu Thị Huyền Trang", "Bùi Thị Thủy", "Ngô Hữu Cường",
         "Dương Thanh Hà", "Phạm Ngọc Khánh", "Vũ Đức Thắng", "Hoàng Xuân Mạnh"]


def slips(names=NAMES):
    return [Slip(name, "Phường Bồ Đề", f"00118801{index:04d}", codes.new_code(), "16/12/2026") for index, name in enumerate(names)]


def test_codes_are_ten_unambiguous_characters_typed_forgivingly():
    drawn = {codes.new_code() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(code) == 10 and set(code) <= set(codes.ALPHABET) for code in drawn)
    assert not set("ILOU") & set(codes.ALPHABET)
    assert codes.grouped("K7QX2M9PZ4") == "K7QX2-M9PZ4"
    assert codes.normalised(" k7qx2 - m9pz4 ") == "K7QX2M9PZ4"
    assert codes.normalised("O1ILX-ABCDE") == "0111X-ABCDE".replace("-", "")
    assert codes.normalised("K7QX2-M9PZ") == "" and codes.normalised("K7QX2-M9PZU") == "" and codes.normalised(None) == ""


def test_the_keyed_hash_depends_on_the_secret_and_the_purpose():
    one = codes.keyed_hash("secret", "activation", "K7QX2M9PZ4")
    assert re.fullmatch(r"[0-9a-f]{64}", one) and "K7QX2M9PZ4" not in one
    assert one == codes.keyed_hash("secret", "activation", "K7QX2M9PZ4")
    assert one != codes.keyed_hash("other", "activation", "K7QX2M9PZ4")
    assert one != codes.keyed_hash("secret", "reset", "K7QX2M9PZ4")
    assert codes.same_hash(one, one) and not codes.same_hash(one, "0" * 64)
    assert len(codes.new_token()) >= 43


def test_the_slips_extract_with_the_exact_vietnamese_names_eight_to_a_page():
    issued = slips()
    # Names typed with combining marks are printed as the same NFC text.
    issued[0].full_name = unicodedata.normalize("NFD", issued[0].full_name)
    pdf = render_slips(issued, "Phường Bồ Đề", "https://lms.hanoi.gov.vn/")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    for name in NAMES[:8]:
        assert name in first.splitlines()
    assert NAMES[8] in second.splitlines() and NAMES[8] not in first
    for slip in issued[:8]:
        assert slip.username in first and codes.grouped(slip.code) in first
    assert first.count("Phường Bồ Đề") == 8 and first.count("https://lms.hanoi.gov.vn/activate") == 8
    assert "đến hết ngày 16/12/2026" in first.replace("\n", " ")
    assert reader.metadata.title == "Phiếu đăng nhập – Phường Bồ Đề"


def test_the_slips_embed_dejavu_serif_and_no_builtin_font():
    pdf = render_slips(slips(NAMES[:2]), "Phường Bồ Đề", "http://127.0.0.1:5000")
    reader = PdfReader(io.BytesIO(pdf))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSerif(-Bold|-Italic)?", font["/BaseFont"]), font["/BaseFont"]
    assert b"Helvetica" not in pdf and b"Times" not in pdf


def test_a_long_name_wraps_onto_a_second_line_in_full():
    long_name = "Tôn Nữ Thị Phương Thảo Nguyên Hồng Ngọc Bích Diệp Hạnh Lam"
    text = PdfReader(io.BytesIO(render_slips(slips([long_name]), "Phường Bồ Đề", "http://x"))).pages[0].extract_text()
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if long_name.startswith(line) and line)
    assert lines[start] != long_name and f"{lines[start]} {lines[start + 1]}" == long_name
