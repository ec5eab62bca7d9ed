"""Stored XSS through the imports: the payloads of xss_support in a question file of every
format (native YAML, XLSX, GIFT, Aiken, Moodle XML), a staff and a unit list, and the lesson
content folder run nothing on the preview of the import nor on the pages that show the result.
An SVG image (it may carry script) is refused as a question image, embedded or uploaded, and a
lesson's SVG picture is served so that it cannot run."""
import io
import re

import pytest
from sqlalchemy import select
from table_files import csv_bytes, workbook_bytes
from xss_support import ALL_PAYLOADS, PAYLOADS, assert_inert, executable_forms, hostile_question, hostile_questions_of_every_type

from lms.auth.services import find_user
from lms.courses.loader import load_course_content
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import Staff, Unit
from lms.questionbank import services as questionbank
from lms.questionbank.formats import EXTENSIONS, FORMATS, get_format
from lms.questionbank.models import Question, QuestionImage
from lms.questionbank.schema import QuestionData

YEAR = str(local_today().year)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.fixture()
def bank(demo):
    bank = questionbank.create_bank("Ngân hàng nhập", find_user("trainer"))
    db.session.commit()
    return bank


def _question_file(format_name):
    """Two questions carrying every payload (Markdown and, where the format has it, HTML),
    written by the format's own writer as a file from elsewhere would be."""
    questions = [QuestionData.from_dict(hostile_question(f"NHAP-{text_format}", "IU04", text_format))
                 for text_format in ("markdown", "html")]
    body = get_format(format_name).serialize(questions)
    return body.encode("utf-8") if isinstance(body, str) else body


def _upload(auth, url, content, filename, fields=None, **options):
    return auth.post(url, {"file": (io.BytesIO(content), filename), **(fields or {})}, token_page=url,
                     content_type="multipart/form-data", **options)


@pytest.mark.parametrize("format_name", FORMATS)
def test_an_imported_question_file_shows_inert_in_the_preview_and_the_bank(client, auth, bank, format_name):
    auth.login("trainer")
    url = f"/questionbank/banks/{bank.id}/import"
    preview = _upload(auth, url, _question_file(format_name), f"cau-hoi{EXTENSIONS[format_name]}", {"module": "IU04"})
    page = assert_inert(preview, "Xác nhận nhập 2 câu hỏi")  # the preview counts, it shows no content
    action = re.search(r'action="([^"]+/import/[^"]+)"', page).group(1)
    assert auth.post(action, {}, token_page=url).status_code == 302
    questions = db.session.execute(select(Question).where(Question.bank_id == bank.id)).scalars().all()
    assert questions, format_name
    assert_inert(client.get("/questionbank/questions/", query_string={"bank": bank.id}), "Câu độc")
    for question in questions:
        assert_inert(client.get(f"/questionbank/questions/{question.id}"), "Câu độc", "Phương án độc")
        assert_inert(client.get(f"/questionbank/questions/{question.id}/preview"), "Câu độc")


@pytest.mark.parametrize("text_format", ["markdown", "html", "plain"])
def test_questions_of_every_type_imported_show_inert_on_their_pages(client, auth, bank, text_format):
    questions = [QuestionData.from_dict(data) for data in hostile_questions_of_every_type(text_format)]
    auth.login("trainer")
    url = f"/questionbank/banks/{bank.id}/import"
    preview = _upload(auth, url, get_format("native").serialize(questions).encode(), "moi-loai.yaml")
    action = re.search(r'action="([^"]+/import/[^"]+)"', assert_inert(preview)).group(1)
    assert auth.post(action, {}, token_page=url).status_code == 302
    imported = db.session.execute(select(Question).where(Question.bank_id == bank.id)).scalars().all()
    assert len(imported) == len(questions)
    for question in imported:
        base = f"/questionbank/questions/{question.id}"
        assert_inert(client.get(base), "độc")
        assert_inert(client.get(f"{base}/preview"), "độc")
        assert_inert(client.get(f"{base}/edit"), "độc")
    assert_inert(client.get("/questionbank/questions/", query_string={"bank": bank.id}), "Tiêu đề độc &lt;script&gt;")


def _moodle_with_image(name, content):
    import base64

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="truefalse"><name><text>ANH-1</text></name>
<questiontext format="html"><text><![CDATA[<p>Ảnh <img src="@@PLUGINFILE@@/{name}"></p>]]></text>
<file name="{name}" path="/" encoding="base64">{base64.b64encode(content).decode()}</file></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>""".encode()


def test_an_svg_is_refused_as_a_question_image_uploaded_or_embedded_in_moodle_xml(client, auth, bank):
    auth.login("trainer")
    page = f"/questionbank/banks/{bank.id}"
    uploaded = _upload(auth, f"{page}/images", SVG, "bieu-do.svg", headers={"Accept": "application/json"})
    assert uploaded.status_code == 400
    url = f"{page}/import"
    preview = _upload(auth, url, _moodle_with_image("bieu-do.svg", SVG), "anh.xml", {"module": "IU01"})
    assert preview.status_code == 200 and "/import/" not in re.sub(r'action="[^"]*/import"', "", preview.get_data(as_text=True))
    assert db.session.execute(select(QuestionImage)).scalars().all() == []


def test_a_lesson_svg_picture_is_served_sandboxed_so_its_script_cannot_run(client, auth, demo):
    from notification_support import published_course

    from lms.courses import services as courses

    course = published_course("IU06", lessons=1)
    lesson = course.lessons[0]
    courses.store_image(lesson, "so-do.svg", SVG)
    db.session.commit()
    for username, path in (("learner", f"/learn/lessons/{lesson.id}/images/so-do.svg"),
                           ("trainer", f"/courses/lessons/{lesson.id}/images/so-do.svg")):
        auth.login(username)
        served = client.get(path)
        policy = served.headers["Content-Security-Policy"]
        assert served.status_code == 200 and served.data == SVG
        assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        auth.logout()


def _staff_rows():
    return [[f"Cán bộ độc {index} {payload}"[:200], "12/05/1988", payload[:200], "Nữ", f"0011880{index:05d}", "LB-BODE",
             "Tư pháp – hộ tịch", ""] for index, payload in enumerate(PAYLOADS)]


STAFF_HEADER = ["Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Số CCCD", "Mã đơn vị", "Chức danh", "Email"]


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_an_imported_staff_list_shows_inert_in_the_preview_and_the_staff_pages(client, auth, demo, extension):
    writer = workbook_bytes if extension == "xlsx" else csv_bytes
    auth.login("hr")
    preview = _upload(auth, "/org/import/staff", writer(STAFF_HEADER, _staff_rows()), f"danh-sach.{extension}")
    page = assert_inert(preview, "Cán bộ độc 0 &lt;script&gt;")
    action = re.search(r'action="(/org/import/staff/[^"]+)"', page).group(1)
    assert auth.post(action, token_page="/org/staff/").status_code == 302
    imported = db.session.execute(select(Staff).where(Staff.full_name.like("Cán bộ độc%"))).scalars().all()
    assert len(imported) == len(PAYLOADS)
    assert_inert(client.get("/org/staff/", query_string={"q": "Cán bộ độc"}), "Cán bộ độc 0 &lt;script&gt;")
    for person in imported[:4]:
        assert_inert(client.get(f"/org/staff/{person.id}"), "Cán bộ độc")


def test_an_imported_unit_list_shows_inert_in_the_preview_and_the_unit_tree(client, auth, demo):
    header = ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"]
    rows = [[f"DOC-{index}", f"Đơn vị độc {index} {payload}"[:200], "ward", "LB"] for index, payload in enumerate(PAYLOADS)]
    auth.login("admin")
    preview = _upload(auth, "/org/import/units", workbook_bytes(header, rows), "don-vi.xlsx")
    page = assert_inert(preview, "Đơn vị độc 0 &lt;script&gt;")
    action = re.search(r'action="(/org/import/units/[^"]+)"', page).group(1)
    assert auth.post(action, token_page="/org/units/").status_code == 302
    parent = db.session.execute(select(Unit).where(Unit.code == "LB")).scalar_one()
    assert_inert(client.get("/org/units/"))
    assert_inert(client.get(f"/org/units/{parent.id}"), "Đơn vị độc 0 &lt;script&gt;")
    unit = db.session.execute(select(Unit).where(Unit.code == "DOC-0")).scalar_one()
    assert_inert(client.get(f"/org/units/{unit.id}"), "Đơn vị độc 0 &lt;script&gt;")


def test_row_errors_quoting_hostile_cells_show_them_escaped_in_every_table_import(client, auth, demo):
    """A refused row names the cell's content: the staff, unit, candidate and indicator imports."""
    from exam_support import make_session

    session, _candidate = make_session()
    hostile = PAYLOADS[0]
    uploads = [
        ("hr", "/org/import/staff", {}, workbook_bytes(STAFF_HEADER, [["Cán bộ", hostile, "", "Nữ", hostile, "LB-BODE", hostile, hostile]])),
        ("admin", "/org/import/units", {}, workbook_bytes(["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"], [[hostile, hostile, hostile, hostile]])),
        ("admin", f"/exams/manage/sessions/{session.id}/candidates/import", {},
         workbook_bytes(["Số định danh", "Phòng thi", "Thêm giờ (phút)", "Mô đun đăng ký"], [[hostile, hostile, hostile, hostile]])),
        ("hr", "/indicators/import", {"period": YEAR}, workbook_bytes(["Mã đơn vị", "Tên đơn vị", "online_procedures_pct", "one_stop_shop"],
                                                              [["LB-BODE", hostile, hostile, hostile], [hostile, "", 1, 1]])),
    ]
    for username, url, fields, content in uploads:
        auth.login(username)
        token_page = f"/exams/manage/sessions/{session.id}" if "/candidates/" in url else url
        response = auth.post(url, {"file": (io.BytesIO(content), "tep.xlsx"), **fields}, token_page=token_page,
                             content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 422), (url, response.status_code)
        assert executable_forms(page) == [] and "&lt;script&gt;" in page, url
        auth.logout()


def test_a_loaded_lesson_folder_shows_inert_on_the_lesson_page(client, auth, demo, tmp_path):
    folder = tmp_path / "IU06"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "so-do.svg").write_bytes(SVG)
    (folder / "01-bai-doc.md").write_text(
        "---\ncode: IU06.1.1\nslug: bai-doc\ntitle: 'Bài độc <script>alert(1)</script>'\nminutes: 5\n---\n\n"
        f"## Giải thích {PAYLOADS[1]}\n\n![sơ đồ](images/so-do.svg)\n\nNội dung độc {ALL_PAYLOADS}\n", encoding="utf-8")
    load_course_content(tmp_path, practice_files={})
    db.session.commit()
    lesson = db.session.execute(select(Lesson).join(Course).where(Lesson.slug == "bai-doc")).scalar_one()
    auth.login("learner")
    page = assert_inert(client.get(f"/learn/lessons/{lesson.id}/"), "Nội dung độc", "Bài độc &lt;script&gt;")
    assert 'src="images/so-do.svg"' in page  # shown as a picture (an <img> runs no script), served sandboxed above
