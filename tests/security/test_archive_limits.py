"""Zip bombs: every archive the server opens (a practical upload, a staff, candidate or indicator
workbook, a question bank workbook, a lesson attachment) goes through lms.archives, which
refuses too many members, too much declared data, a bomb's compression ratio and a member
whose header lies about its size, before anything is inflated. The bombs here are real: their
members inflate to what they declare (1 GB of zeros from 1 MB), built without inflating them."""
import io
import re
import resource
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from exam_support import docx_bytes, make_pool, make_session
from sqlalchemy import func, select

from lms.archives import ArchiveError, ArchiveLimits, DamagedArchive, content_matches, open_workbook, open_zip, sheet_rows
from lms.courses.models import LessonAttachment
from lms.exams import starting
from lms.exams.models import PracticalUpload
from lms.models_base import utcnow
from lms.org.models import Staff
from lms.questionbank.formats import FormatError
from lms.questionbank.formats import xlsx as question_xlsx
from lms.questionbank.models import Question, QuestionBank
from lms.tabular import TableError, read_table, write_xlsx

MB = 1024 * 1024
GB_OF_ZEROS_CRC = 0x5B64C2B0  # zlib.crc32(bytes(2**30)): computing it takes a second, it never changes
STAFF_COLUMNS = {"full_name": ("Họ và tên",)}


def deflated_zeros(megabytes):
    """A raw deflate stream of `megabytes` MB of zeros, about 1 KB per MB: one flushed block
    repeated (a full flush makes each block stand alone), then an empty final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + b"\x03\x00"


def zip_bytes(members):
    """A zip written by hand from (name, deflated data, crc32, size, declared size) so that a
    member may hold more than it declares, and a bomb need not be inflated to be built."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, _size, declared in members:
        encoded, offset = name.encode(), out.tell()
        header = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(data), declared, len(encoded), 0)
        out.write(b"PK\x03\x04" + header + encoded + data)
        central.write(b"PK\x01\x02" + struct.pack("<H", 20) + header + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(directory), out.tell(), 0)
    return out.getvalue() + directory + b"PK\x05\x06" + end


def member(name, content, declared=None):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return (name, data, zlib.crc32(content), len(content), len(content) if declared is None else declared)


def zero_member(name, megabytes, crc=None):
    size = megabytes * MB
    return (name, deflated_zeros(megabytes), crc if crc is not None else zlib.crc32(bytes(size)), size, size)


def members_of(archive_bytes):
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_member(archive_bytes, name, replacement):
    """The archive's members, compressed again, with `name` replaced by a built member."""
    return zip_bytes([replacement if item == name else member(item, content) for item, content in members_of(archive_bytes).items()]
                     + ([] if name in members_of(archive_bytes) else [replacement]))


def gigabyte_bomb(archive_bytes, name):
    return with_member(archive_bytes, name, zero_member(name, 1024, GB_OF_ZEROS_CRC))


def staff_workbook(rows=1):
    return write_xlsx(["Họ và tên"], [[f"Cán bộ {number}"] for number in range(rows)])


@pytest.fixture()
def cheap():
    """Asserts that what the test does takes little time and memory (the bombs declare 1 GB)."""
    started, peak = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 100 * 1024  # KB on Linux: under 100 MB more at peak


# --- The builders make real archives ----------------------------------------------------------------


def test_the_hand_built_zips_are_real_and_the_zero_member_inflates_to_what_it_declares():
    archive = zip_bytes([member("a.txt", b"xin chao"), zero_member("zeros.bin", 3)])
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None and opened.read("a.txt") == b"xin chao"
        assert opened.read("zeros.bin") == bytes(3 * MB)
        assert opened.getinfo("zeros.bin").compress_size < 4 * 1100  # about 1000:1
    assert len(deflated_zeros(1024)) < 1100 * 1024  # the gigabyte bomb is about 1 MB


# --- lms.archives --------------------------------------------------------------------------------


def test_open_zip_refuses_a_gigabyte_bomb_from_its_directory_without_inflating_it():
    bomb = zip_bytes([member("[Content_Types].xml", b"<Types/>"), zero_member("word/document.xml", 1024, GB_OF_ZEROS_CRC)])
    assert len(bomb) < 1100 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError) as refused, open_zip(bomb):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "Tệp giải nén ra quá lớn (hơn 200 MB)" in str(refused.value)
    assert peak < 20 * MB


def test_a_small_member_that_inflates_a_thousand_fold_is_refused_by_its_ratio():
    with pytest.raises(ArchiveError, match=r"«word/document.xml».*bất thường \(\d{3,}:1\)"), open_zip(
            zip_bytes([zero_member("word/document.xml", 8)])):
        pass
    with open_zip(zip_bytes([member("word/document.xml", b"<w:document/>" * 5000)])) as archive:  # small: any ratio
        assert archive.read("word/document.xml").startswith(b"<w:document/>")


def test_too_many_members_are_refused():
    many = zip_bytes([member(f"m/{number}.xml", b"") for number in range(2001)])
    with pytest.raises(ArchiveError, match=r"quá nhiều thành phần \(2001, tối đa 2000\)"), open_zip(many):
        pass


def test_a_member_that_holds_more_than_its_header_declares_is_refused_when_read():
    lying = zip_bytes([member("word/document.xml", bytes(4 * MB), declared=1000)])
    with open_zip(lying) as archive, pytest.raises(DamagedArchive, match="Tệp nén bị hỏng"):
        archive.read("word/document.xml")


def test_the_running_cap_stops_a_read_past_its_own_cap_or_past_the_archive_total():
    archive_bytes = zip_bytes([member("a.xml", b"a" * 600_000)])
    with open_zip(archive_bytes, ArchiveLimits(total_bytes=1_000_000)) as archive:
        with pytest.raises(ArchiveError, match="«a.xml» của tệp nén lớn hơn giới hạn"):
            archive.read("a.xml", max_bytes=100_000)
        assert len(archive.read("a.xml")) == 600_000
        with pytest.raises(ArchiveError, match="«a.xml» của tệp nén lớn hơn giới hạn"):
            archive.read("a.xml")  # read again: 1.2 MB inflated in all


@pytest.mark.parametrize("extension, content, matches", [
    (".docx", docx_bytes(), True),
    (".docx", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode", False),  # an .exe renamed
    (".docx", b"<!DOCTYPE html><html><script>alert(1)</script></html>", False),
    (".xlsx", docx_bytes(), False),  # a zip, not a workbook
    (".docx", b"PK\x03\x04 not really a zip", False),
    (".pdf", b"%PDF-1.7\n", True),
    (".pdf", b"<html>", False),
    (".txt", "Hướng dẫn".encode(), True),
    (".txt", b"MZ\x90\x00\x03\x00", False),  # a program is binary
])
def test_content_decides_the_type_not_the_name(extension, content, matches):
    assert content_matches(extension, content) is matches


def test_content_matches_refuses_a_bomb_as_a_bomb_not_as_a_wrong_type():
    with pytest.raises(ArchiveError, match="quá lớn"):
        content_matches(".docx", gigabyte_bomb(docx_bytes(), "word/document.xml"))


def test_a_workbook_is_checked_before_openpyxl_opens_it(cheap):
    with pytest.raises(ArchiveError, match="quá lớn"):
        open_workbook(gigabyte_bomb(staff_workbook(), "xl/worksheets/sheet1.xml"))


def sheet_with_cell_at(row_number):
    """A workbook whose one cell sits at row `row_number`: openpyxl yields a blank row for each one before it."""
    workbook = staff_workbook()
    sheet = members_of(workbook)["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r"<sheetData>.*</sheetData>", f'<sheetData><row r="{row_number}"><c r="A{row_number}" t="inlineStr">'
                   f'<is><t>x</t></is></c></row></sheetData>', sheet)
    sheet = re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="A1:XFD{row_number}"/>', sheet)
    return with_member(workbook, "xl/worksheets/sheet1.xml", member("xl/worksheets/sheet1.xml", sheet.encode()))


def test_a_cell_a_billion_rows_down_is_refused_at_the_row_cap_not_iterated_to(cheap):
    workbook = open_workbook(sheet_with_cell_at(1_000_000_000))
    with pytest.raises(ArchiveError, match=r"quá 1000 dòng") as refused:
        for _row in sheet_rows(workbook.worksheets[0], 1000):
            pass
    assert refused.value.row == 1001
    rows = list(sheet_rows(open_workbook(sheet_with_cell_at(5)).worksheets[0], 1000))
    assert len(rows) == 5 and rows[4][0] == "x" and len(rows[4]) == 200  # the declared XFD width is ignored


# --- The importers ---------------------------------------------------------------------------------


def test_read_table_refuses_a_bomb_with_its_message():
    with pytest.raises(TableError, match="Không đọc được tệp Excel: Tệp giải nén ra quá lớn"):
        read_table("danh-sach.xlsx", gigabyte_bomb(staff_workbook(), "xl/worksheets/sheet1.xml"), STAFF_COLUMNS)


def test_read_table_refuses_a_lying_sheet_with_its_row():
    workbook = staff_workbook(rows=3000)
    sheet = members_of(workbook)["xl/worksheets/sheet1.xml"]
    lying = with_member(workbook, "xl/worksheets/sheet1.xml", member("xl/worksheets/sheet1.xml", sheet, declared=len(sheet) // 2))
    with pytest.raises(TableError, match=r"^(Dòng \d+: )?(Không đọc được tệp Excel: )?Tệp nén bị hỏng"):
        read_table("danh-sach.xlsx", lying, STAFF_COLUMNS)


def test_read_table_caps_blank_rows_at_twice_the_data_rows(cheap):
    with pytest.raises(TableError, match=r"Dòng 202: Trang tính có quá 201 dòng"):
        read_table("danh-sach.xlsx", sheet_with_cell_at(1_000_000), STAFF_COLUMNS, max_rows=100)


def test_the_question_workbook_importer_refuses_a_bomb_on_row_one(cheap):
    template = question_xlsx.template_bytes()
    with pytest.raises(FormatError) as refused:
        question_xlsx.parse(gigabyte_bomb(template, "xl/worksheets/sheet1.xml"))
    assert refused.value.row == 1 and "Tệp giải nén ra quá lớn" in str(refused.value)


# --- Through the web ----------------------------------------------------------------------------------


def test_a_staff_workbook_bomb_is_refused_on_the_import_page_and_nothing_is_imported(client, demo, auth, db, cheap):
    before = db.session.execute(select(func.count(Staff.id))).scalar_one()
    auth.login("hr")
    bomb = gigabyte_bomb(staff_workbook(), "xl/worksheets/sheet1.xml")
    page = auth.post("/org/import/staff", {"file": (io.BytesIO(bomb), "danh-sach.xlsx")}, token_page="/org/staff/",
                     content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code in (200, 400) and "Tệp giải nén ra quá lớn" in text and "chưa nhập dòng nào" in text
    assert "/org/import/staff/" not in text.split("<form")[-1]  # no confirmation offered
    assert db.session.execute(select(func.count(Staff.id))).scalar_one() == before


def test_a_practical_upload_bomb_is_refused_and_no_file_is_kept(client, demo, auth, db, cheap):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    attempt, _created = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    task = attempt.questions[0]
    db.session.commit()
    auth.login("learner")
    bomb = gigabyte_bomb(docx_bytes(), "word/document.xml")
    answer = auth.post(f"/exams/attempts/{attempt.id}/questions/{task.id}/upload", {"file": (io.BytesIO(bomb), "bai-lam.docx")},
                       token_page="/account/password", content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "file_content" and "Tệp giải nén ra quá lớn" in answer.get_json()["message"]
    assert db.session.execute(select(func.count(PracticalUpload.id))).scalar_one() == 0


def test_a_question_workbook_bomb_is_refused_on_the_import_page_and_nothing_is_imported(client, demo, auth, db, cheap):
    bank = QuestionBank(name="Ngân hàng thử", owner_id=None)
    db.session.add(bank)
    db.session.commit()
    auth.login("admin")
    bomb = gigabyte_bomb(question_xlsx.template_bytes(), "xl/worksheets/sheet1.xml")
    page = auth.post(f"/questionbank/banks/{bank.id}/import", {"file": (io.BytesIO(bomb), "cau-hoi.xlsx")},
                     token_page=f"/questionbank/banks/{bank.id}/import", content_type="multipart/form-data")
    assert page.status_code in (200, 400) and "Tệp giải nén ra quá lớn" in page.get_data(as_text=True)
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


def test_a_question_workbook_whose_sheet_lies_about_its_size_is_refused_at_its_row_not_a_500(client, demo, auth, db):
    """openpyxl reads a sheet while the rows are iterated: its zip error then came out of the importer as a 500."""
    questions = question_xlsx.parse(question_xlsx.template_bytes())
    workbook = question_xlsx.serialize([questions[0]] * 3000)  # long enough to be read while its rows are
    sheet = members_of(workbook)["xl/worksheets/sheet1.xml"]
    lying = with_member(workbook, "xl/worksheets/sheet1.xml", member("xl/worksheets/sheet1.xml", sheet, declared=len(sheet) // 2))
    bank = QuestionBank(name="Ngân hàng thử", owner_id=None)
    db.session.add(bank)
    db.session.commit()
    auth.login("admin")
    page = auth.post(f"/questionbank/banks/{bank.id}/import", {"file": (io.BytesIO(lying), "cau-hoi.xlsx")},
                     token_page=f"/questionbank/banks/{bank.id}/import", content_type="multipart/form-data")
    assert page.status_code in (200, 400)
    row = re.search(r"Hàng (\d+): Không đọc được tệp Excel \(.xlsx\): Tệp nén bị hỏng", page.get_data(as_text=True))
    assert row and int(row.group(1)) > 2  # where reading stopped
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


def test_a_lesson_attachment_that_is_a_bomb_or_a_renamed_program_is_refused(client, demo, auth, db, cheap):
    from lms.catalogue.models import Module
    from lms.courses import services

    course = services.create_course(db.session.execute(select(Module).where(Module.code == "IU06")).scalar_one())
    services.save_lesson(course, {"syllabus_code": "IU06.4.1", "slug": "thu-dien-tu", "title": "Thư điện tử", "body": "x",
                                  "minutes": 20, "published": True})
    db.session.commit()
    lesson = course.lessons[0]
    auth.login("trainer")
    page = f"/courses/lessons/{lesson.id}/"
    for content, name in ((gigabyte_bomb(docx_bytes(), "word/document.xml"), "mau.docx"), (b"MZ\x90\x00" + bytes(64), "mau.docx"),
                          (b"<html><script>alert(1)</script>", "mau.docx")):
        answer = auth.post(f"{page}attachments", {"file": (io.BytesIO(content), name)}, token_page=page,
                           content_type="multipart/form-data", follow_redirects=True)
        assert answer.status_code in (200, 400)
        assert "quá lớn" in answer.get_data(as_text=True) or "không đúng định dạng" in answer.get_data(as_text=True)
    assert db.session.execute(select(func.count(LessonAttachment.id))).scalar_one() == 0
