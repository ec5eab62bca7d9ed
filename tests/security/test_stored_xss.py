"""Stored XSS: the payloads of xss_support, written into questions (text, options, feedback,
explanation, Markdown and HTML), lessons, and unit and staff names, run nothing on any page
that shows them: the trainer's bank pages, the exam and its result, practice, the lesson, the
staff and unit pages, the reports, rankings and the certificate register."""
import html
import io
import re

import pytest
from exam_support import add_question, answer, loaded, make_session
from markdown_it import MarkdownIt
from notification_support import published_course
from openpyxl import load_workbook
from pypdf import PdfReader
from ranking_support import FULL, report
from sqlalchemy import select
from xss_support import ALL_PAYLOADS, PAYLOADS, assert_inert, executable_forms, hostile_question

from lms.auth.services import find_user
from lms.certificates.models import Certificate
from lms.courses import practice
from lms.courses import services as courses
from lms.exams import attempts, starting
from lms.exams.manage.services import release_results
from lms.extensions import db
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.org.models import Unit
from lms.questionbank import services as questionbank
from lms.questionbank.models import Question, QuestionBank, QuestionVersion

BASIC = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
FORMATS = ("markdown", "html")


def test_the_check_finds_every_payload_left_as_written():
    """Without the sanitizer each payload would run: the check below is not vacuous."""
    unsafe_markdown = MarkdownIt("commonmark", {"html": True})
    unsafe_markdown.validateLink = lambda url: True
    for payload in PAYLOADS:
        assert executable_forms(html.unescape(payload)) or executable_forms(unsafe_markdown.render(payload)), payload


def _hostile_bank(pool="exam", per_module=5, modules=BASIC):
    """A bank of approved questions, every one carrying every payload, Markdown and HTML alike."""
    bank = QuestionBank(name=f"Ngân hàng độc {pool}", owner_id=find_user("trainer").id)
    db.session.add(bank)
    db.session.flush()
    for module in modules:
        for index in range(per_module):
            add_question(bank, hostile_question(f"{module}-{pool}-{index}", module, FORMATS[index % 2], pool=pool))
    db.session.commit()
    return bank


def _question_form(text_format, text):
    form = {"key": f"DOC-{text_format}", "module": "IU04", "syllabus": "IU04.2.2", "difficulty": "easy", "pool": "exam",
            "status": "review", "tags": "độc", "title": "", "text_format": text_format, "text": text,
            "points": "1", "explanation": f"Giải thích độc {ALL_PAYLOADS}", "change_note": "Sửa độc <script>alert(1)</script>",
            "correct_feedback": f"Đúng rồi {ALL_PAYLOADS}", "incorrect_feedback": f"Sai rồi {ALL_PAYLOADS}"}
    for index, payload in enumerate(PAYLOADS[:6]):
        form[f"choices-{index}-text"] = f"Phương án độc {payload}"
        form[f"choices-{index}-feedback"] = f"Phản hồi độc {payload}"
    form["choices-0-correct"] = "y"
    return form


def test_a_question_written_in_the_form_shows_inert_on_every_trainer_page(client, auth, demo):
    bank = questionbank.create_bank("IU04 – Bảng tính", find_user("trainer"))
    db.session.commit()
    auth.login("trainer")
    url = f"/questionbank/banks/{bank.id}/questions/new/single_choice"
    for text_format in FORMATS:
        assert auth.post(url, _question_form(text_format, f"Câu độc {ALL_PAYLOADS}"), token_page=url).status_code == 302
    questions = db.session.execute(select(Question).where(Question.bank_id == bank.id)).scalars().all()
    assert len(questions) == 2
    for question in questions:
        base = f"/questionbank/questions/{question.id}"
        # A second version, the payloads in another order: the history shows the difference.
        edited = _question_form(question.question_data().text_format, f"Câu độc đã sửa {' '.join(reversed(PAYLOADS))}")
        assert auth.post(f"{base}/edit", edited, token_page=f"{base}/edit").status_code == 302
        assert_inert(client.get(base), "Câu độc", "Giải thích độc", "Phương án độc")
        assert_inert(client.get(f"{base}/preview"), "Câu độc", "Phương án độc")
        assert_inert(client.get(f"{base}/history"), "<ins>", "<del>")
        assert_inert(client.get(f"{base}/edit"), "Câu độc")
    assert_inert(client.get("/questionbank/questions/", query_string={"bank": bank.id}), "Câu độc")
    assert_inert(client.get(f"/questionbank/banks/{bank.id}"))
    assert_inert(client.get("/questionbank/review/"))
    auth.logout()
    auth.login("admin")
    assert_inert(client.get("/admin/audit/"))


def _start(session, candidate):
    attempt, created = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    assert created
    db.session.commit()
    return attempt


def test_exam_questions_show_inert_to_the_candidate_and_in_the_result_and_the_analysis(client, auth, demo):
    _hostile_bank()
    session, candidate = make_session(review_policy={"after_submit": "answers", "after_close": "answers"})
    attempt = _start(session, candidate)
    auth.login("learner")
    assert_inert(client.get(f"/exams/attempts/{attempt.id}"), "Câu độc", "Phương án độc")
    attempt = loaded(attempt.id)
    answer(attempt, {code: 2 for code in BASIC})
    attempts.submit_attempt(attempt, utcnow())
    release_results(session, utcnow(), find_user("admin"))
    db.session.commit()
    assert_inert(client.get(f"/exams/attempts/{attempt.id}/result"), "Câu độc", "Phương án độc")
    auth.logout()
    auth.login("admin")
    manage = f"/exams/manage/sessions/{session.id}"
    shown = db.session.get(QuestionVersion, attempt.questions[0].question_version_id).question_id
    for path in (manage, f"{manage}/results", f"{manage}/analysis", f"{manage}/grading", f"{manage}/questions/{shown}/regrade"):
        assert_inert(client.get(path))


def test_practice_questions_and_their_feedback_show_inert(client, auth, demo):
    _hostile_bank(pool="practice", per_module=3, modules=("IU06",))
    course = published_course("IU06")
    db.session.commit()
    attempt = practice.start_practice(find_user("learner"), course, count=3)
    db.session.commit()
    auth.login("learner")
    page = f"/learn/practice/{attempt.id}/0"
    assert_inert(client.get(page), "Câu độc", "Phương án độc")
    chosen = auth.post(page, {"choice": "0"}, token_page=page)
    assert chosen.status_code == 302
    assert_inert(client.get(page), "Câu độc", "Giải thích độc", "Phản hồi độc")
    assert_inert(client.get(f"/learn/practice/{attempt.id}/"))


def test_lesson_content_and_title_show_inert_to_the_learner_and_the_trainer(client, auth, demo):
    course = published_course("IU06", lessons=1)
    lesson = courses.save_lesson(course, {"syllabus_code": "IU06.1.2", "slug": "bai-doc", "title": f"Bài độc {PAYLOADS[0]}",
                                          "body": f"## Tiêu đề {PAYLOADS[1]}\n\nNội dung độc {ALL_PAYLOADS}", "minutes": 5,
                                          "published": True})
    db.session.commit()
    auth.login("learner")
    for path in (f"/learn/lessons/{lesson.id}/", f"/learn/courses/{course.module.code}/", "/learn/courses/", "/learn/"):
        assert_inert(client.get(path))
    assert "Nội dung độc" in client.get(f"/learn/lessons/{lesson.id}/").get_data(as_text=True)
    auth.logout()
    auth.login("trainer")
    assert_inert(client.get(f"/courses/lessons/{lesson.id}/"), "Nội dung độc")
    assert_inert(client.get(f"/courses/{course.id}/"), "Bài độc")
    assert_inert(client.get("/courses/"))


# --- Names: a unit and the people of the demo renamed with the payloads -------------------------

# Within the 200 characters of a name field: HTML payloads and ReportLab's own markup (the
# reports' PDFs are written with Paragraphs, which read <font>, <a href> and <img>).
NAME = 'Tên độc <font size="40" color="red">' + PAYLOADS[0] + PAYLOADS[1] + PAYLOADS[5] + "</font> &amp; <br/>"
YEAR = str(local_today().year)


@pytest.fixture()
def hostile_names(demo):
    """Phường Bồ Đề and the demo learner named with payloads; the learner sat and passed a basic
    exam; Bồ Đề reported its indicators (the ranking shows it)."""
    from certificate_support import ALL_RIGHT, issue_all, released_session

    bo_de = db.session.execute(select(Unit).where(Unit.code == "LB-BODE")).scalar_one()
    bo_de.name = NAME
    learner = find_user("learner").staff
    learner.full_name = NAME
    db.session.commit()
    session, _candidates, _attempts = released_session([ALL_RIGHT])
    issue_all(session)
    report("LB-BODE", YEAR, FULL)
    report("LB-GIATHUY", YEAR, FULL)
    db.session.commit()
    return bo_de, learner, session


ESCAPED_NAME = "Tên độc &lt;font size=&#34;40&#34;"


def test_unit_and_staff_names_show_escaped_on_the_org_pages(client, auth, hostile_names):
    bo_de, learner, _session = hostile_names
    auth.login("hr")
    for path in ("/org/units/", f"/org/units/{bo_de.id}", f"/org/staff/{learner.id}",
                 f"/org/staff/{learner.id}/edit", f"/org/accounts/units/{bo_de.id}", "/hr/"):
        assert_inert(client.get(path))
    assert_inert(client.get("/org/staff/", query_string={"q": "Tên độc"}), ESCAPED_NAME)
    assert ESCAPED_NAME in client.get(f"/org/units/{bo_de.id}").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert_inert(client.get(f"/org/units/{bo_de.id}/edit"), ESCAPED_NAME)
    assert_inert(client.get("/admin/accounts/"))


def test_names_show_escaped_in_reports_rankings_results_and_the_register(client, auth, hostile_names):
    bo_de, learner, session = hostile_names
    auth.login("admin")
    for path in ("/reports/units", "/reports/titles", "/reports/modules", "/reports/periods", "/reports/gaps",
                 f"/reports/staff/{learner.id}", f"/exams/manage/sessions/{session.id}/results", "/certificates/",
                 f"/exams/manage/sessions/{session.id}", f"/certificates/sessions/{session.id}", "/indicators/",
                 f"/indicators/unit/{bo_de.id}"):
        assert_inert(client.get(path))
    assert_inert(client.get("/reports/units", query_string={"unit": "LB"}), ESCAPED_NAME)
    assert_inert(client.get("/reports/units", query_string={"unit": "LB-BODE"}), ESCAPED_NAME)
    assert ESCAPED_NAME in client.get(f"/exams/manage/sessions/{session.id}/results").get_data(as_text=True)
    ranking = assert_inert(client.get("/rankings/", query_string={"period": YEAR, "bloc": "KHOI-PHUONG"}), ESCAPED_NAME)
    assert "<script>" not in re.sub(r"<script src=[^>]*></script>", "", ranking)  # the chart's labels too
    assert_inert(client.get(f"/rankings/unit/{bo_de.id}", query_string={"period": YEAR}))
    certificate = db.session.execute(select(Certificate).where(Certificate.staff_id == learner.id)).scalar_one()
    assert_inert(client.get(f"/certificates/{certificate.code}"), ESCAPED_NAME)
    auth.logout()
    assert_inert(client.get(f"/verify/{certificate.code}"), ESCAPED_NAME)


# --- Documents: the certificate PDF, the reports' PDF and XLSX ---------------------------------


def _squeezed(text):
    return "".join(text.split())


def _pdf_text_and_actions(data):
    """The text a reader extracts, and every action or link the PDF holds."""
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    actions = [key for key in ("/OpenAction", "/AA", "/Names") if key in reader.trailer["/Root"]]
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                actions.append(dict(action.get_object()))
    return text, actions


def test_a_name_with_markup_is_printed_literally_on_the_certificate_and_adds_no_action(client, auth, hostile_names):
    _bo_de, learner, _session = hostile_names
    certificate = db.session.execute(select(Certificate).where(Certificate.staff_id == learner.id)).scalar_one()
    auth.login("learner")
    pdf = client.get(f"/certificates/{certificate.code}.pdf")
    assert pdf.status_code == 200
    text, actions = _pdf_text_and_actions(pdf.data)
    assert _squeezed(NAME) in _squeezed(text)
    assert actions == []


def test_names_are_printed_literally_in_the_pdf_reports_and_are_text_in_the_xlsx(client, auth, hostile_names):
    _bo_de, learner, _session = hostile_names
    auth.login("admin")
    for path, query in (("/reports/units.pdf", {"unit": "LB"}), (f"/reports/staff/{learner.id}.pdf", {}),
                        ("/rankings/export.pdf", {"period": YEAR, "bloc": "KHOI-PHUONG"})):
        response = client.get(path, query_string=query)
        assert response.status_code == 200 and response.mimetype == "application/pdf", path
        text, actions = _pdf_text_and_actions(response.data)
        assert _squeezed(NAME) in _squeezed(text), path
        assert not [action for action in actions if "/JavaScript" in str(action) or "javascript" in str(action).lower()], path
    for path, query in (("/reports/units.xlsx", {"unit": "LB"}), ("/rankings/export.xlsx", {"period": YEAR, "bloc": "KHOI-PHUONG"})):
        response = client.get(path, query_string=query)
        cells = [cell for sheet in load_workbook(io.BytesIO(response.data)).worksheets for row in sheet.iter_rows() for cell in row
                 if cell.value == NAME]
        assert cells and all(cell.data_type == "s" for cell in cells), path
