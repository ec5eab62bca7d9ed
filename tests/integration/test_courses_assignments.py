"""Assignments by unit subtree, by title or both; what a learner sees; the overdue report."""
from datetime import date

import pytest
from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.catalogue.models import Module, Title
from lms.courses import queries, services
from lms.org.models import Staff, Unit
from lms.scope import Scope

TODAY = date(2017, 10, 1)
EVERYONE = Scope((), everything=True)


def _unit(db, code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def _title(db, code):
    return db.session.execute(select(Title).where(Title.code == code)).scalar_one()


def _staff(db, unit_code, title_code):
    return db.session.execute(
        select(Staff).join(Unit, Unit.id == Staff.unit_id).join(Title, Title.id == Staff.title_id)
        .where(Unit.code == unit_code, Title.code == title_code)
    ).scalars().first()


def _account(staff):
    return create_user(f"u{staff.id}", "Hoc-vien@2017", staff.full_name, roles=["learner"], staff=staff, enforce_policy=False)


@pytest.fixture()
def course(db, demo):
    module = db.session.execute(select(Module).where(Module.code == "IU06")).scalar_one()
    course = services.create_course(module, published=True)
    for number, code in enumerate(("IU06.1.1", "IU06.4.1"), start=1):
        services.save_lesson(course, {"syllabus_code": code, "slug": f"bai-{number}", "title": f"Bài {number}", "body": "x",
                                      "minutes": 10, "published": True})
    db.session.commit()
    return course


def _reached(db, course, scope=EVERYONE):
    """Staff ids reached by assignments of the course, via the overdue query (nobody has finished)."""
    return {staff.id for _, staff, _, _, _ in queries.overdue(scope, TODAY, course_id=course.id)}


def test_assignment_to_a_unit_reaches_its_whole_subtree_only(db, course):
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "LB"))
    reached = _reached(db, course)
    in_bode = _staff(db, "LB-BODE", "CC-TUPHAP")
    in_hoan_kiem = _staff(db, "HK-HANGBAC", "CC-TUPHAP")
    teacher_in_lb_school = _staff(db, "LB-TH-BODE", "GV-TIEUHOC")
    assert in_bode.id in reached and teacher_in_lb_school.id in reached
    assert in_hoan_kiem.id not in reached


def test_assignment_to_a_title_reaches_that_title_across_the_city(db, course):
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), title=_title(db, "CC-TUPHAP"))
    reached = _reached(db, course)
    assert _staff(db, "LB-BODE", "CC-TUPHAP").id in reached
    assert _staff(db, "HK-HANGBAC", "CC-TUPHAP").id in reached
    assert _staff(db, "LB-BODE", "CC-VANPHONG").id not in reached


def test_assignment_to_a_unit_and_a_title_reaches_only_both(db, course):
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "LB"), title=_title(db, "CC-TUPHAP"))
    reached = _reached(db, course)
    tuphap_lb = {s.id for s in db.session.execute(
        select(Staff).join(Unit, Unit.id == Staff.unit_id).where(Unit.path.startswith(_unit(db, "LB").path), Staff.title_id == _title(db, "CC-TUPHAP").id)
    ).scalars()}
    assert reached == tuphap_lb and len(reached) == 3  # Bồ Đề, Ngọc Lâm, Việt Hưng


def test_an_assignment_needs_a_unit_or_a_title(db, course):
    with pytest.raises(services.CourseError):
        services.create_assignment(course, date(2017, 9, 30), find_user("trainer"))


def test_a_learner_sees_only_the_assignments_that_reach_them(db, course):
    learner = find_user("learner")  # Tư pháp – hộ tịch, phường Bồ Đề, quận Long Biên
    trainer = find_user("trainer")
    mine = [
        services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "LB"), title=_title(db, "CC-TUPHAP")),
        services.create_assignment(course, date(2017, 12, 31), trainer, unit=_unit(db, "LB-BODE")),
        services.create_assignment(course, date(2017, 11, 30), trainer, title=_title(db, "CC-TUPHAP")),
    ]
    services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "HK"))
    services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "LB"), title=_title(db, "CC-VANPHONG"))
    services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "LB-NGOCLAM"))
    db.session.commit()
    seen = queries.assignments_for(learner, TODAY)
    assert [item["assignment"].id for item in seen] == [mine[0].id, mine[2].id, mine[1].id]  # by deadline
    assert [item["overdue"] for item in seen] == [True, False, False]


def test_finishing_every_lesson_clears_the_overdue_mark(db, course):
    learner = find_user("learner")
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "LB-BODE"), title=_title(db, "CC-TUPHAP"))
    lessons = queries.ordered_lessons(course, published_only=True)
    services.mark_done(learner, lessons[0])
    db.session.flush()
    assert queries.assignments_for(learner, TODAY)[0]["overdue"] is True
    assert [staff.id for _, staff, _, done, total in queries.overdue(EVERYONE, TODAY)] == [learner.staff_id]
    services.mark_done(learner, lessons[1])
    db.session.flush()
    item = queries.assignments_for(learner, TODAY)[0]
    assert item["finished"] and not item["overdue"]
    assert queries.overdue(EVERYONE, TODAY) == []


def test_overdue_lists_only_passed_deadlines_and_counts_lessons_done(db, course):
    trainer = find_user("trainer")
    services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "LB-BODE"), title=_title(db, "CC-TUPHAP"))
    services.create_assignment(course, date(2017, 10, 1), trainer, unit=_unit(db, "LB-NGOCLAM"))  # due today: not yet overdue
    learner = find_user("learner")
    services.mark_done(learner, queries.ordered_lessons(course, published_only=True)[0])
    db.session.flush()
    rows = queries.overdue(EVERYONE, TODAY)
    assert [(staff.id, done, total) for _, staff, _, done, total in rows] == [(learner.staff_id, 1, 2)]


def test_overdue_is_limited_to_the_scope_of_an_hr_officer(db, course):
    services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), title=_title(db, "CC-TUPHAP"))
    long_bien = Scope([_unit(db, "LB").path])
    rows = queries.overdue(long_bien, TODAY)
    assert rows and all(unit.path.startswith(_unit(db, "LB").path) for _, _, unit, _, _ in rows)
    assert len(rows) < len(queries.overdue(EVERYONE, TODAY))


def test_the_assignment_summary_counts_reached_and_finished_staff(db, course):
    assignment = services.create_assignment(course, date(2017, 9, 30), find_user("trainer"), unit=_unit(db, "LB"), title=_title(db, "CC-TUPHAP"))
    other = _account(_staff(db, "LB-NGOCLAM", "CC-TUPHAP"))
    for lesson in queries.ordered_lessons(course, published_only=True):
        services.mark_done(other, lesson)
    db.session.flush()
    rows = {a.id: (reached, finished) for a, reached, finished in queries.assignments_summary(EVERYONE)}
    assert rows[assignment.id] == (3, 1)


def test_hr_sees_assignments_of_their_units_and_city_wide_ones_only(db, course):
    trainer = find_user("trainer")
    in_lb = services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "LB-BODE"))
    city = services.create_assignment(course, date(2017, 9, 30), trainer, title=_title(db, "CC-TUPHAP"))
    services.create_assignment(course, date(2017, 9, 30), trainer, unit=_unit(db, "HK"))
    db.session.flush()
    visible = {a.id for a, _, _ in queries.assignments_summary(Scope([_unit(db, "LB").path]))}
    assert visible == {in_lb.id, city.id}


def test_progress_per_unit_and_per_title(db, course):
    learner = find_user("learner")
    for lesson in queries.ordered_lessons(course, published_only=True):
        services.mark_done(learner, lesson)
    db.session.flush()
    total, by_unit = queries.course_progress_by(course, Scope([_unit(db, "LB").path]), "unit")
    bode = next(row for row in by_unit if row["name"] == _unit(db, "LB-BODE").name)
    assert total == 2 and bode["finished"] == 1 and bode["started"] == 1 and bode["staff"] > 1
    assert all(row["name"] != _unit(db, "HK-HANGBAC").name for row in by_unit)
    _, by_title = queries.course_progress_by(course, EVERYONE, "title")
    tuphap = next(row for row in by_title if row["id"] == _title(db, "CC-TUPHAP").id)
    assert tuphap["finished"] == 1 and tuphap["staff"] == 10
