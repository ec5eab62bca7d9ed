"""The learner's side through the browser: dashboard, lessons, files, progress, practice."""
import re
from datetime import date

import pytest
from exam_support import docx_bytes
from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Module, Title
from lms.courses import services
from lms.courses.models import Lesson, LessonProgress, PracticeAttempt
from lms.home import dashboard
from lms.org.models import Unit
from lms.questionbank import services as bank_services
from lms.questionbank.schema import Choice, QuestionData

DANGEROUS = """## Bài có mã độc

<script>alert('xss')</script>

<img src="images/hinh.svg" onerror="alert(1)">

[Bấm vào đây](javascript:alert(2)) và [đây](java\tscript:alert(4))

<a href="JaVaScRiPt:alert(3)">liên kết</a>

<iframe src="https://example.com"></iframe>

Đoạn **an toàn**.
"""


@pytest.fixture()
def course(db, demo):
    module = db.session.execute(select(Module).where(Module.code == "IU04")).scalar_one()
    course = services.create_course(module, published=True)
    for number, code in enumerate(("IU04.1.1", "IU04.3.1"), start=1):
        services.save_lesson(course, {"syllabus_code": code, "slug": f"bai-{number}", "title": f"Bài số {number}",
                                      "body": f"## Giải thích {number}\nNội dung bài {number}.", "minutes": 20, "published": True})
    db.session.commit()
    return course


def _lessons(db, course):
    return db.session.execute(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)).scalars().all()


def _token(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_the_dashboard_shows_the_path_with_progress_and_the_assignments(client, auth, db, course):
    learner = find_user("learner")
    first = _lessons(db, course)[0]
    services.mark_done(learner, first)
    lb = db.session.execute(select(Unit).where(Unit.code == "LB")).scalar_one()
    tuphap = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one()
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=lb, title=tuphap, note="Hoàn thành IU04 trước 30/9")
    db.session.commit()
    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    assert "Lộ trình học của bạn" in page and "IU01" in page and "1/2 bài" in page
    assert "Hoàn thành IU04 trước 30/9" in page and "30/09/2017" in page and "Quá hạn" in page
    assert f'/learn/lessons/{_lessons(db, course)[1].id}/' in page  # "Tiếp tục học" points at the unfinished lesson


def test_the_exam_sections_say_so_when_there_is_nothing_to_show(client, auth, course, monkeypatch):
    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    assert "Chưa có kỳ thi" in page
    monkeypatch.setattr(dashboard, "upcoming_exams", lambda user, now: [{"title": "Kỳ thi IU01–IU06 đợt 1", "detail": "15/10/2017"}])
    monkeypatch.setattr(dashboard, "released_results", lambda user, now: [{"title": "Chứng chỉ cơ bản", "detail": "Số hiệu 0001", "url": "/x"}])
    page = client.get("/learn/").get_data(as_text=True)
    assert "Chưa có kỳ thi" not in page and "Kỳ thi IU01–IU06 đợt 1" in page and "Chứng chỉ cơ bản" in page


def test_lesson_content_is_sanitized_like_question_text(client, auth, db, course):
    lesson = _lessons(db, course)[0]
    lesson.body = DANGEROUS
    db.session.commit()
    auth.login("learner")
    page = client.get(f"/learn/lessons/{lesson.id}/").get_data(as_text=True)
    body = page.split('class="lesson-body">', 1)[1].split("</div>", 1)[0]
    assert "<strong>an toàn</strong>" in body and "<h3>Bài có mã độc</h3>" in body
    assert "<script" not in body and "alert('xss')" not in body
    assert "onerror" not in body and "<iframe" not in body
    links = re.findall(r"<a\b[^>]*>", body)
    assert len(links) == 1 and "href" not in links[0]  # the javascript: link lost its target
    assert not re.search(r"(href|src)=\"\s*java", body, re.IGNORECASE)
    assert '<img src="images/hinh.svg"' in body


def test_unpublished_lessons_are_hidden_from_learners_but_previewed_by_trainers(client, auth, db, course):
    lesson = _lessons(db, course)[1]
    services.set_lesson_published(lesson, False)
    db.session.commit()
    auth.login("learner")
    assert client.get(f"/learn/lessons/{lesson.id}/").status_code == 404
    assert f"/learn/lessons/{lesson.id}/" not in client.get("/learn/courses/IU04/").get_data(as_text=True)
    auth.logout()
    auth.login("trainer")
    assert client.get(f"/learn/lessons/{lesson.id}/").status_code == 200


def test_pictures_and_attachments_are_served_with_their_types(client, auth, db, course):
    lesson = _lessons(db, course)[0]
    services.store_image(lesson, "hinh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    upload = services.store_attachment(lesson, "mau.docx", content=docx_bytes())
    practice_file = services.store_attachment(lesson, "IU04-bang-luong-thang.xlsx", builder="IU04-bang-luong-thang.xlsx")
    db.session.commit()
    auth.login("learner")
    image = client.get(f"/learn/lessons/{lesson.id}/images/hinh.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert "sandbox" in image.headers["Content-Security-Policy"] and "script-src" not in image.headers["Content-Security-Policy"]
    document = client.get(f"/learn/lessons/{lesson.id}/files/{upload.id}")
    assert document.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.headers["Content-Disposition"] == 'attachment; filename="mau.docx"' and document.data == docx_bytes()
    built = client.get(f"/learn/lessons/{lesson.id}/files/{practice_file.id}")
    assert built.status_code == 200 and built.data[:2] == b"PK" and "spreadsheetml" in built.mimetype
    other = _lessons(db, course)[1]
    assert client.get(f"/learn/lessons/{other.id}/files/{upload.id}").status_code == 404
    assert client.get(f"/learn/lessons/{lesson.id}/images/khong-co.svg").status_code == 404


def test_marking_done_moves_on_and_updates_the_dashboard(client, auth, db, course):
    first, second = _lessons(db, course)
    auth.login("learner")
    response = auth.post(f"/learn/lessons/{first.id}/done", {"done": "1"}, token_page=f"/learn/lessons/{first.id}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/lessons/{second.id}/")
    assert "1/2 bài" in client.get("/learn/").get_data(as_text=True)
    response = client.get("/learn/courses/IU04/resume")
    assert response.headers["Location"].endswith(f"/learn/lessons/{second.id}/")


def test_the_heartbeat_needs_the_csrf_header_and_counts_capped_time(client, auth, db, course):
    lesson = _lessons(db, course)[0]
    auth.login("learner")
    page = client.get(f"/learn/lessons/{lesson.id}/").get_data(as_text=True)
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    assert 'src="/static/js/courses-lesson.js"' in page and "<script>" not in page
    url = f"/learn/lessons/{lesson.id}/heartbeat"
    assert client.post(url, json={"seconds": 30}).status_code == 400
    response = client.post(url, json={"seconds": 99999, "position": 60}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["seconds_spent"] <= 45
    progress = db.session.execute(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)).scalar_one()
    assert progress.last_position == 60 and progress.seconds_spent <= 45


def test_a_practice_quiz_gives_feedback_with_the_explanation(client, auth, db, course):
    trainer = find_user("trainer")
    bank = bank_services.create_bank("IU04 – luyện tập web", trainer)
    questions = [QuestionData(key=f"P{i}", type="single_choice", text=f"Hàm nào tính tổng ({i})?", module="IU04", syllabus="IU04.3.2",
                              pool="practice", explanation="Hàm SUM cộng các ô của vùng.",
                              choices=[Choice("SUM", True), Choice("COUNT"), Choice("MAX")]) for i in range(2)]
    questions.append(QuestionData(key="EXAM", type="single_choice", text="Câu thi không được lộ", module="IU04", syllabus="IU04.3.2",
                                  pool="exam", choices=[Choice("A", True), Choice("B")]))
    bank_services.import_questions(bank, questions, trainer)
    db.session.commit()
    auth.login("learner")
    response = auth.post("/learn/courses/IU04/practice", {"topic": ""}, token_page="/learn/courses/IU04/")
    assert response.status_code == 302
    question_url = response.headers["Location"]
    page = client.get(question_url).get_data(as_text=True)
    assert "Hàm nào tính tổng" in page and "Câu thi không được lộ" not in page and "Giải thích" not in page
    wrong = re.search(r'name="choice" value="(\d+)"[^>]*>\s*<span>COUNT', page).group(1)
    auth.post(question_url, {"choice": wrong}, token_page=question_url)
    page = client.get(question_url).get_data(as_text=True)
    assert "Chưa đúng" in page and "Hàm SUM cộng các ô của vùng." in page and "SUM" in page.split("Đáp án đúng", 1)[1]
    # Values are the positions shown (as on the exam page): the learner's answer is marked where they chose it.
    assert re.findall(r'name="choice" value="(\d+)"', page) == ["0", "1", "2"]
    assert re.search(rf'name="choice" value="{wrong}" checked disabled> <span>COUNT', page)
    attempt = db.session.execute(select(PracticeAttempt)).scalar_one()
    assert attempt.answered == 1 and attempt.score == 0


def test_a_learner_cannot_open_someone_elses_practice(client, auth, db, course):
    trainer = find_user("trainer")
    attempt = PracticeAttempt(user_id=trainer.id, course_id=course.id, questions=[{"question_id": 1, "version_id": 1, "order": {}}], question_count=1)
    db.session.add(attempt)
    db.session.commit()
    auth.login("learner")
    assert client.get(f"/learn/practice/{attempt.id}/").status_code == 403
    assert client.get(f"/learn/practice/{attempt.id}/0").status_code == 403
    assert client.get("/learn/practice/99999/").status_code == 404
