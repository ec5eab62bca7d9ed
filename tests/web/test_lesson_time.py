"""Time spent on lessons (counted by the lesson page's heartbeat) is shown to the learner: on
the lesson, on the course page lesson by lesson and in all, and on the dashboard's path."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.courses import services
from lms.courses.models import Lesson, LessonProgress
from lms.courses.views import study_time


@pytest.fixture()
def course(db, demo):
    module = db.session.execute(select(Module).where(Module.code == "IU01")).scalar_one()  # on every title's path
    course = services.create_course(module, published=True)
    for number in (1, 2, 3):
        services.save_lesson(course, {"syllabus_code": "IU01.1.1", "slug": f"bai-{number}", "title": f"Bài thời gian {number}",
                                      "body": f"Nội dung {number}.", "minutes": 20, "published": True})
    db.session.commit()
    return course


def lessons(db, course):
    return db.session.execute(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)).scalars().all()


def spent(db, lesson, seconds):
    progress = services.open_lesson(find_user("learner"), lesson)
    progress.seconds_spent = seconds
    db.session.commit()


@pytest.mark.parametrize("seconds, shown", [(0, "0 phút"), (None, "0 phút"), (35, "dưới 1 phút"), (125, "2 phút"), (3600, "1 giờ 0 phút"),
                                            (3900 + 59, "1 giờ 5 phút")])
def test_reading_time_is_worded_in_minutes_and_hours(app, seconds, shown):
    with app.test_request_context():
        assert study_time(seconds) == shown


def test_the_course_page_shows_each_lessons_time_and_the_total(client, auth, db, course):
    first, second, _third = lessons(db, course)
    spent(db, first, 125)
    spent(db, second, 3900)
    auth.login("learner")
    page = client.get("/learn/courses/IU01/").get_data(as_text=True)
    assert re.search(r"Thời gian bạn đã học khóa này:\s*<strong>1 giờ 7 phút</strong>", page)
    assert page.count("data-lesson-time") == 2
    assert "đã học 2 phút" in page and "đã học 1 giờ 5 phút" in page


def test_a_course_not_yet_opened_shows_no_time(client, auth, course):
    auth.login("learner")
    page = client.get("/learn/courses/IU01/").get_data(as_text=True)
    assert "Thời gian bạn đã học khóa này" not in page and "data-lesson-time" not in page


def test_the_lesson_shows_the_time_and_the_heartbeat_answers_it_worded(client, auth, db, course):
    lesson = lessons(db, course)[0]
    spent(db, lesson, 61)
    auth.login("learner")
    page = client.get(f"/learn/lessons/{lesson.id}/").get_data(as_text=True)
    assert re.search(r"Bạn đã học:\s*<span data-time-spent>1 phút</span>", page)
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    progress = db.session.execute(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)).scalar_one()
    progress.last_seen_at -= timedelta(seconds=30)  # the previous beat, 30 s ago
    db.session.commit()
    answer = client.post(f"/learn/lessons/{lesson.id}/heartbeat", json={"seconds": 30, "position": 10}, headers={"X-CSRFToken": token}).get_json()
    assert answer["seconds_spent"] == 91 and answer["time_spent"] == "1 phút"


def test_the_dashboard_path_shows_the_time_per_module(client, auth, db, course):
    first, second, _third = lessons(db, course)
    spent(db, first, 1500)
    spent(db, second, 2400)
    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    path = page[page.index('id="lo-trinh"'):page.index('id="nhiem-vu"')]
    row = next(row for row in path.split("<tr>") if '<span class="tag">IU01</span>' in row)
    assert "<td>1 giờ 5 phút</td>" in row
