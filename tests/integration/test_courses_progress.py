"""Lesson progress, resuming, reading time and the learning path read from the title."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Module, Title
from lms.courses import queries, services
from lms.courses.rules import HEARTBEAT_MAX_SECONDS
from lms.org import services as org_services

T0 = datetime(2017, 9, 1, 8, 0, tzinfo=timezone.utc)


def _course(db, code="IU04", lessons=("IU04.1.1", "IU04.2.1", "IU04.3.1"), published=True):
    module = db.session.execute(select(Module).where(Module.code == code)).scalar_one()
    course = services.create_course(module, published=published)
    for number, syllabus_code in enumerate(lessons, start=1):
        services.save_lesson(course, {"syllabus_code": syllabus_code, "slug": f"bai-{number}", "title": f"Bài {number}",
                                      "body": "Nội dung", "minutes": 20, "published": True})
    db.session.flush()
    return course


def test_resume_goes_to_the_first_unfinished_lesson_in_course_order(db, demo):
    learner = find_user("learner")
    course = _course(db)
    first, second, third = queries.ordered_lessons(course, published_only=True)
    assert queries.resume_lesson(learner, course) == first
    services.mark_done(learner, second)
    assert queries.resume_lesson(learner, course) == first
    services.mark_done(learner, first)
    assert queries.resume_lesson(learner, course) == third
    services.mark_done(learner, third)
    assert queries.resume_lesson(learner, course) is None


def test_unpublished_lessons_are_skipped_by_resume_and_not_counted(db, demo):
    learner = find_user("learner")
    course = _course(db)
    first, second, _ = queries.ordered_lessons(course, published_only=True)
    services.set_lesson_published(first, False)
    assert queries.resume_lesson(learner, course) == second
    services.mark_done(learner, second)
    db.session.flush()
    entry = next(e for e in queries.learning_path(learner) if e["module"].code == "IU04")
    assert (entry["done"], entry["total"], entry["percent"]) == (1, 2, 50)


def test_marking_done_twice_keeps_the_first_completion_and_can_be_undone(db, demo):
    learner = find_user("learner")
    lesson = queries.ordered_lessons(_course(db), published_only=True)[0]
    progress = services.mark_done(learner, lesson, now=T0)
    services.mark_done(learner, lesson, now=T0 + timedelta(days=1))
    assert progress.completed_at == T0
    services.mark_done(learner, lesson, done=False)
    assert progress.completed_at is None


def test_reading_time_is_capped_per_heartbeat_and_by_the_server_clock(db, demo):
    learner = find_user("learner")
    lesson = queries.ordered_lessons(_course(db), published_only=True)[0]
    services.open_lesson(learner, lesson, now=T0)
    services.heartbeat(learner, lesson, 30, position=35, now=T0 + timedelta(seconds=30))
    services.heartbeat(learner, lesson, 30, now=T0 + timedelta(seconds=31))  # a burst of beats
    services.heartbeat(learner, lesson, 10_000, now=T0 + timedelta(hours=3))  # a page left open, then a huge claim
    progress = queries.progress_of(learner, lesson)
    assert progress.seconds_spent == 30 + 1 + HEARTBEAT_MAX_SECONDS
    assert progress.last_position == 35
    db.session.flush()
    entry = next(e for e in queries.learning_path(learner) if e["module"].code == "IU04")
    assert entry["minutes_spent"] == (30 + 1 + HEARTBEAT_MAX_SECONDS) // 60


def test_time_away_between_visits_is_not_credited(db, demo):
    learner = find_user("learner")
    lesson = queries.ordered_lessons(_course(db), published_only=True)[0]
    services.open_lesson(learner, lesson, now=T0)
    services.open_lesson(learner, lesson, now=T0 + timedelta(days=2))
    services.heartbeat(learner, lesson, 30, now=T0 + timedelta(days=2, seconds=20))
    assert queries.progress_of(learner, lesson).seconds_spent == 20


def test_the_learning_path_follows_the_title_when_the_title_changes(db, demo):
    learner = find_user("learner")
    _course(db, "IU04")
    _course(db, "IU08", lessons=("IU08.1",))
    title = db.session.get(Title, learner.staff.title_id)
    assert "IU08" not in [e["module"].code for e in queries.learning_path(learner)]
    iu08 = db.session.execute(select(Module).where(Module.code == "IU08")).scalar_one()
    org_services.set_learning_path(title, [link.module_id for link in title.path_modules] + [iu08.id])
    db.session.commit()
    path = queries.learning_path(learner)
    assert "IU08" in [e["module"].code for e in path]
    iu04 = db.session.execute(select(Module).where(Module.code == "IU04")).scalar_one()
    org_services.set_learning_path(title, [iu04.id])
    db.session.commit()
    assert [e["module"].code for e in queries.learning_path(learner)] == ["IU04"]


def test_a_learner_without_a_title_has_an_empty_path(db, demo):
    learner = find_user("learner")
    learner.staff.title_id = None
    db.session.flush()
    assert queries.learning_path(learner) == []


def test_the_best_finished_practice_shows_on_the_path(db, demo):
    from lms.courses.models import PracticeAttempt

    learner = find_user("learner")
    course = _course(db)
    db.session.add_all([
        PracticeAttempt(user_id=learner.id, course_id=course.id, questions=[], question_count=10, score=6.0, finished_at=T0),
        PracticeAttempt(user_id=learner.id, course_id=course.id, questions=[], question_count=10, score=8.5, finished_at=T0),
        PracticeAttempt(user_id=learner.id, course_id=course.id, questions=[], question_count=10, score=10.0),  # unfinished
    ])
    db.session.flush()
    entry = next(e for e in queries.learning_path(learner) if e["module"].code == "IU04")
    assert entry["best_practice"] == 85
