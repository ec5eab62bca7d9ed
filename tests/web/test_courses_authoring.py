"""Trainers author and publish lessons, assign courses; HR assigns within its units; learners stay out."""
import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Module, Title
from lms.courses import services
from lms.courses.models import Assignment, Course, Lesson, LessonAttachment, LessonImage
from lms.org.models import Unit
from lms.tabular import write_xlsx


@pytest.fixture()
def course(db, demo):
    module = db.session.execute(select(Module).where(Module.code == "IU06")).scalar_one()
    course = services.create_course(module, published=True)
    services.save_lesson(course, {"syllabus_code": "IU06.4.1", "slug": "thu-dien-tu", "title": "Thư điện tử", "body": "x",
                                  "minutes": 20, "published": True})
    db.session.commit()
    return course


def _unit(db, code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def _static_urls(app, prefixes):
    return [rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(prefixes) and "GET" in rule.methods and not rule.arguments]


def test_a_learner_cannot_reach_authoring_or_assignment_pages(client, auth, app, db, course):
    lesson = course.lessons[0]
    auth.login("learner")
    urls = _static_urls(app, ("course_admin.", "course_assignments.")) + [
        f"/courses/{course.id}/", f"/courses/lessons/{lesson.id}/", f"/courses/{course.id}/lessons/new",
        f"/courses/assignments/progress/{course.id}",
    ]
    assert len(urls) >= 7
    for url in urls:
        assert client.get(url).status_code == 403, url
    token = auth.csrf_token(f"/learn/lessons/{lesson.id}/")
    assert client.post(f"/courses/lessons/{lesson.id}/publish", data={"csrf_token": token, "published": "0"}).status_code == 403
    assert client.post("/courses/assignments/", data={"csrf_token": token, "course_id": course.id, "unit_id": _unit(db, "LB-BODE").id,
                                                      "title_id": 0, "deadline": "2017-09-30"}).status_code == 403
    assert db.session.get(Lesson, lesson.id).published


def test_hr_cannot_author_lessons(client, auth, course):
    auth.login("hr")
    assert client.get("/courses/").status_code == 403
    assert client.get("/courses/assignments/").status_code == 200


def test_a_trainer_creates_previews_and_publishes_a_lesson_that_the_learner_then_reads(client, auth, db, course):
    auth.login("trainer")
    new_url = f"/courses/{course.id}/lessons/new"
    fields = {"title": "Quản lý hộp thư", "syllabus_code": "IU06.4.3", "slug": "", "minutes": "25",
              "body": "## Thư mục và bộ lọc\nTạo **quy tắc** lọc thư.\n\n<script>alert(1)</script>"}
    preview = auth.post(new_url, dict(fields, action="preview"), token_page=new_url)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<strong>quy tắc</strong>" in text and "alert(1)" not in text.split("Xem trước (chưa lưu)")[1]
    assert db.session.execute(select(Lesson).where(Lesson.slug == "quan-ly-hop-thu")).scalar_one_or_none() is None
    saved = auth.post(new_url, dict(fields, action="save"), token_page=new_url)
    assert saved.status_code == 302
    lesson = db.session.execute(select(Lesson).where(Lesson.slug == "quan-ly-hop-thu")).scalar_one()
    assert not lesson.published and lesson.updated_by_id == find_user("trainer").id
    # after IU06.4.1 by syllabus order
    assert [item.slug for item in sorted(db.session.get(Course, course.id).lessons, key=lambda l: l.position)] == ["thu-dien-tu", "quan-ly-hop-thu"]
    auth.logout()
    auth.login("learner")
    assert client.get(f"/learn/lessons/{lesson.id}/").status_code == 404
    auth.logout()
    auth.login("trainer")
    auth.post(f"/courses/lessons/{lesson.id}/publish", {"published": "1"}, token_page=f"/courses/{course.id}/")
    auth.logout()
    auth.login("learner")
    page = client.get(f"/learn/lessons/{lesson.id}/").get_data(as_text=True)
    assert "Quản lý hộp thư" in page and "<h3>Thư mục và bộ lọc</h3>" in page and "alert(1)" not in page


def test_a_duplicate_slug_is_refused_in_the_form(client, auth, db, course):
    auth.login("trainer")
    url = f"/courses/{course.id}/lessons/new"
    response = auth.post(url, {"title": "Khác", "syllabus_code": "IU06.4.2", "slug": "thu-dien-tu", "minutes": "10", "body": "",
                               "action": "save"}, token_page=url)
    assert response.status_code == 200 and "đã có bài giảng với đường dẫn này" in response.get_data(as_text=True)


def test_reorder_by_hand_and_back_by_syllabus_code(client, auth, db, course):
    services.save_lesson(course, {"syllabus_code": "IU06.1.1", "slug": "internet", "title": "Internet", "body": "x", "minutes": 10, "published": True})
    db.session.commit()
    def order():
        return [l.slug for l in db.session.execute(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)).scalars()]
    assert order() == ["internet", "thu-dien-tu"]
    auth.login("trainer")
    internet = db.session.execute(select(Lesson).where(Lesson.slug == "internet")).scalar_one()
    auth.post(f"/courses/lessons/{internet.id}/move/down", {}, token_page=f"/courses/{course.id}/")
    assert order() == ["thu-dien-tu", "internet"]
    auth.post(f"/courses/{course.id}/order-by-syllabus", {}, token_page=f"/courses/{course.id}/")
    assert order() == ["internet", "thu-dien-tu"]


def test_a_trainer_uploads_pictures_and_files_of_accepted_types_only(client, auth, db, course):
    lesson = course.lessons[0]
    auth.login("trainer")
    page = f"/courses/lessons/{lesson.id}/"
    auth.post(f"{page}images", {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "hop-thu.png")}, token_page=page, content_type="multipart/form-data")
    auth.post(f"{page}images", {"file": (io.BytesIO(b"<html>"), "trang.html")}, token_page=page, content_type="multipart/form-data")
    auth.post(f"{page}attachments", {"file": (io.BytesIO(write_xlsx(["Họ và tên"], [])), "bai-tap.xlsx")}, token_page=page, content_type="multipart/form-data")
    auth.post(f"{page}attachments", {"file": (io.BytesIO(b"MZ"), "cai-dat.exe")}, token_page=page, content_type="multipart/form-data")
    assert [i.filename for i in db.session.execute(select(LessonImage)).scalars()] == ["hop-thu.png"]
    assert [a.filename for a in db.session.execute(select(LessonAttachment)).scalars()] == ["bai-tap.xlsx"]
    image = client.get(f"{page}images/hop-thu.png")
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_a_trainer_assigns_a_course_to_a_unit_with_a_deadline_and_the_learner_sees_it(client, auth, db, course):
    auth.login("trainer")
    response = auth.post("/courses/assignments/", {"course_id": course.id, "unit_id": _unit(db, "LB").id,
                                                   "title_id": db.session.execute(select(Title.id).where(Title.code == "CC-TUPHAP")).scalar_one(),
                                                   "deadline": "2017-09-30", "note": "Hoàn thành IU06 trước 30/9"})
    assert response.status_code == 302
    assignment = db.session.execute(select(Assignment)).scalar_one()
    assert assignment.deadline == date(2017, 9, 30) and assignment.created_by_id == find_user("trainer").id
    listing = client.get("/courses/assignments/").get_data(as_text=True)
    assert "0/3 cán bộ" in listing
    overdue = client.get("/courses/assignments/overdue").get_data(as_text=True)
    assert find_user("learner").display_name in overdue
    auth.logout()
    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    assert "Hoàn thành IU06 trước 30/9" in page and "30/09/2017" in page


def test_hr_assigns_within_its_units_only(client, auth, db, course):
    auth.login("hr")  # TCCB quận Long Biên
    inside = auth.post("/courses/assignments/", {"course_id": course.id, "unit_id": _unit(db, "LB-BODE").id, "title_id": 0, "deadline": "2017-09-30"})
    assert inside.status_code == 302
    outside = auth.post("/courses/assignments/", {"course_id": course.id, "unit_id": _unit(db, "HK").id, "title_id": 0, "deadline": "2017-09-30"},
                        token_page="/courses/assignments/")
    assert outside.status_code == 403
    city_wide = auth.post("/courses/assignments/", {"course_id": course.id, "unit_id": 0, "title_id": 0, "deadline": "2017-09-30"},
                          token_page="/courses/assignments/")
    assert city_wide.status_code == 403
    assert [a.unit_id for a in db.session.execute(select(Assignment)).scalars()] == [_unit(db, "LB-BODE").id]


def test_hr_cannot_cancel_an_assignment_outside_its_units(client, auth, db, course):
    outside = services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "HK"))
    inside = services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "LB-BODE"))
    db.session.commit()
    auth.login("hr")
    assert auth.post(f"/courses/assignments/{outside.id}/delete", {}, token_page="/courses/assignments/").status_code == 403
    assert auth.post(f"/courses/assignments/{inside.id}/delete", {}, token_page="/courses/assignments/").status_code == 302
    assert [a.id for a in db.session.execute(select(Assignment)).scalars()] == [outside.id]


def test_progress_per_unit_is_limited_to_the_hr_scope(client, auth, db, course):
    services.mark_done(find_user("learner"), course.lessons[0])
    db.session.commit()
    auth.login("hr")
    page = client.get(f"/courses/assignments/progress/{course.id}?group=unit").get_data(as_text=True)
    assert "Phường Bồ Đề" in page and "Hàng Bạc" not in page
    by_title = client.get(f"/courses/assignments/progress/{course.id}?group=title").get_data(as_text=True)
    assert "Tư pháp – hộ tịch" in by_title


def test_the_trainer_home_links_to_courses(client, auth, course):
    auth.login("trainer")
    assert "/courses/" in client.get("/trainer/").get_data(as_text=True)
    page = client.get("/courses/").get_data(as_text=True)
    assert "IU06" in page and "Tạo khóa học" in page  # modules without a course yet
