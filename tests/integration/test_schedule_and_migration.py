"""The scheduled command (`flask schedule run`) and the migration that carries graded results
over to result events and staff × module facts."""
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from exam_support import make_pool, make_session
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from lms import create_app
from lms.auth.models import LoginFailure
from lms.catalogue.models import Module
from lms.exams import attempts, starting
from lms.exams.models import AttemptEvent, AttemptQuestion, ExamAttempt, ExamSession
from lms.exams.result_models import ResultEvent, StaffModuleResult
from lms.extensions import db
from lms.models_base import UTCDateTime, utcnow

# --- flask schedule run -----------------------------------------------------------------------


def test_schedule_run_finalises_overdue_attempts_and_forgets_expired_login_failures(app, runner, demo):
    make_pool()
    now = utcnow()
    # An attempt started 40 minutes ago: its 30 minutes and 30 seconds of grace are over.
    session, candidate = make_session(minutes=30, grace_seconds=30)
    overdue, _ = starting.start_attempt(candidate, session.blueprint.parts[0], now - timedelta(minutes=40))
    questions = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == overdue.id)
                                   .order_by(AttemptQuestion.position)).scalars().all()
    attempts.save_answers(overdue, [{"question": q, "seq": 1, "response": {"choice": 1}} for q in questions[:18]],
                          now - timedelta(minutes=35))
    overdue_id, deadline = overdue.id, overdue.deadline_at
    # One started now, in another session: left alone.
    other_session, other_candidate = make_session(minutes=30)
    running, _ = starting.start_attempt(other_candidate, other_session.blueprint.parts[0], now)
    running_id = running.id

    window = timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    db.session.add_all([
        LoginFailure(username="learner", ip_address="10.0.0.1", created_at=now - window - timedelta(minutes=1)),
        LoginFailure(username="learner", ip_address="10.0.0.2", created_at=now - 3 * window),
        LoginFailure(username="learner", ip_address="10.0.0.3", created_at=now - window + timedelta(minutes=2)),
    ])
    db.session.commit()

    result = runner.invoke(args=["schedule", "run"])
    assert result.exit_code == 0, result.output
    assert "Đã nộp tự động 1 bài thi quá hạn" in result.output
    assert "đã xóa 2 lần đăng nhập sai" in result.output

    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, overdue_id)
    # Auto-submitted at its deadline by the command, then graded with its saved answers (18 of 30).
    assert (attempt.state, attempt.finalized_by, attempt.open_slot) == ("graded", "command", None)
    assert attempt.submitted_at == deadline
    assert (attempt.score, attempt.passed) == (6.0, True)
    kinds = db.session.execute(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == overdue_id)).scalars().all()
    assert "auto_submitted" in kinds
    assert db.session.execute(select(ResultEvent.kind).where(ResultEvent.attempt_id == overdue_id)).scalars().all() == ["graded"]
    running = db.session.get(ExamAttempt, running_id)
    assert (running.state, running.open_slot, running.score) == ("in_progress", 1, None)
    assert db.session.execute(select(LoginFailure.ip_address)).scalars().all() == ["10.0.0.3"]

    # Nothing left to do.
    again = runner.invoke(args=["schedule", "run"])
    assert again.exit_code == 0, again.output
    assert "Đã nộp tự động 0 bài thi quá hạn" in again.output and "đã xóa 0 lần đăng nhập sai" in again.output


# --- Migration 076247aa4498 -------------------------------------------------------------------

MOMENT = UTCDateTime()


def _table(name, *columns, moments=(), json=()):
    return sa.table(name, *[sa.column(c) for c in columns], *[sa.column(c, MOMENT) for c in moments],
                    *[sa.column(c, sa.JSON()) for c in json])


UNIT = _table("unit", "id", "code", "name", "kind", "parent_id", "path", "status", moments=["created_at"])
MODULE = _table("module", "id", "code", "name", "name_en", "level", "position")
STAFF = _table("staff", "id", "full_name", "birth_place", "id_number", "unit_id", "email", "phone", "status",
               moments=["created_at", "updated_at"])
BLUEPRINT = _table("exam_blueprint", "id", "name", "kind", "description", "advanced_module_count", moments=["created_at"],
                   json=["offered_modules"])
PART = _table("exam_blueprint_part", "id", "blueprint_id", "position", "kind", "title", "minutes", "max_score", "pass_mark",
              "question_count")
SESSION = _table("exam_session", "id", "blueprint_id", "name", "council", "location", "attempts_allowed", "grace_seconds", "status",
                 "double_marking", "reconcile_threshold", moments=["opens_at", "closes_at", "created_at"],
                 json=["allowed_networks", "review_policy"])
CANDIDATE = _table("exam_candidate", "id", "session_id", "staff_id", "candidate_number", "extra_minutes", "extra_multiplier",
                   moments=["created_at"], json=["registered_modules"])
ATTEMPT = _table("exam_attempt", "id", "candidate_id", "part_id", "number", "state", "open_slot", "seed", "finalized_by",
                 "earned_points", "possible_points", "score", "passed", "version", "start_ip",
                 moments=["started_at", "deadline_at", "submitted_at", "graded_at"])
ROOM = _table("exam_room", "id", "session_id", "name", "capacity", "proctors")
MODULE_RESULT = _table("exam_module_result", "id", "attempt_id", "module_id", "score", "passed", moments=["updated_at"])


def _attempt(id, number, state, score, passed, started, submitted):
    graded = state == "graded"
    return {"id": id, "candidate_id": 1, "part_id": 1, "number": number, "state": state, "open_slot": None, "seed": 1000 + id,
            "finalized_by": "candidate", "earned_points": score * 3 if graded else None, "possible_points": 30.0 if graded else None,
            "score": score, "passed": passed, "version": 3, "start_ip": "", "started_at": started,
            "deadline_at": started + timedelta(minutes=30), "submitted_at": submitted, "graded_at": submitted if graded else None}


def _old_rows(connection, now):
    """Minimal data of the initial schema: a unit tree (its root not the lowest id), three
    modules, a staff member, two sessions (one candidate), attempts and module results."""
    connection.execute(UNIT.insert(), [
        {"id": 5, "code": "HN", "name": "Thành phố Hà Nội", "kind": "city", "parent_id": None, "path": "/5/", "status": "active", "created_at": now},
        {"id": 2, "code": "GL", "name": "Huyện Gia Lâm", "kind": "district", "parent_id": 5, "path": "/5/2/", "status": "active", "created_at": now},
    ])
    connection.execute(MODULE.insert(), [
        {"id": 11, "code": "IU01", "name": "Hiểu biết về CNTT cơ bản", "name_en": "IT basics", "level": "basic", "position": 1},
        {"id": 12, "code": "IU02", "name": "Sử dụng máy tính cơ bản", "name_en": "Using computers", "level": "basic", "position": 2},
        {"id": 13, "code": "IU03", "name": "Xử lý văn bản cơ bản", "name_en": "Word processing", "level": "basic", "position": 3},
    ])
    connection.execute(STAFF.insert(), [{"id": 7, "full_name": "Nguyễn Văn An", "birth_place": "", "id_number": "001090000001",
                                         "unit_id": 2, "email": "", "phone": "", "status": "active", "created_at": now, "updated_at": now}])
    connection.execute(BLUEPRINT.insert(), [{"id": 1, "name": "Đề cơ bản", "kind": "basic", "description": "", "advanced_module_count": 0,
                                             "created_at": now, "offered_modules": []}])
    connection.execute(PART.insert(), [{"id": 1, "blueprint_id": 1, "position": 1, "kind": "theory", "title": "Lý thuyết", "minutes": 30,
                                        "max_score": 10.0, "pass_mark": 5.0, "question_count": 30}])
    connection.execute(SESSION.insert(), [
        {"id": session_id, "blueprint_id": 1, "name": f"Kỳ thi {session_id}", "council": "", "location": "", "attempts_allowed": 3,
         "grace_seconds": 30, "status": "published", "double_marking": False, "reconcile_threshold": 1.0, "opens_at": now - timedelta(days=2),
         "closes_at": now + timedelta(days=2), "created_at": now, "allowed_networks": [], "review_policy": {}}
        for session_id in (1, 2)
    ])
    connection.execute(CANDIDATE.insert(), [{"id": 1, "session_id": 1, "staff_id": 7, "candidate_number": "001", "extra_minutes": 0.0,
                                             "extra_multiplier": 1.0, "created_at": now, "registered_modules": []}])
    passed_at, failed_at = now - timedelta(hours=20), now - timedelta(hours=10)
    connection.execute(ATTEMPT.insert(), [
        _attempt(1, 1, "graded", 6.0, True, passed_at - timedelta(minutes=25), passed_at),
        _attempt(2, 2, "graded", 4.0, False, failed_at - timedelta(minutes=25), failed_at),
        _attempt(3, 3, "submitted", None, None, now - timedelta(minutes=25), now),  # not graded: carried over as nothing
    ])
    connection.execute(MODULE_RESULT.insert(), [
        {"id": 1, "attempt_id": 1, "module_id": 11, "score": 8.0, "passed": True, "updated_at": passed_at},
        {"id": 2, "attempt_id": 1, "module_id": 12, "score": 6.0, "passed": True, "updated_at": passed_at},
        {"id": 3, "attempt_id": 1, "module_id": 13, "score": 4.0, "passed": False, "updated_at": passed_at},
        # A better IU01 in a failed part: it does not count.
        {"id": 4, "attempt_id": 2, "module_id": 11, "score": 10.0, "passed": True, "updated_at": failed_at},
        {"id": 5, "attempt_id": 2, "module_id": 12, "score": 2.0, "passed": False, "updated_at": failed_at},
    ])
    return passed_at


# On SQLite the migration's batch ALTER of exam_session recreates the table (copy, DROP TABLE,
# rename) with foreign keys enforced: the DROP cascades to the sessions' candidates and rooms,
# or fails when a candidate has an attempt. migrations/env.py must turn the pragma off while
# migrating. Strict: these markers must go once it does.


@contextmanager
def old_schema(url):
    """An app on a database at the initial schema; the engine disposed at the end."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    with app.app_context():
        try:
            upgrade(revision="3f5d8f01319a")
            columns = {column["name"] for column in inspect(db.engine).get_columns("exam_session")}
            assert "organiser_unit_id" not in columns and "exam_result_event" not in inspect(db.engine).get_table_names()
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def _downgrade_to_base():
    db.session.commit()  # no transaction of ours left open on the tables dropped
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_the_migration_gives_sessions_the_root_organiser_and_carries_graded_results_over(empty_database_url):
    with old_schema(empty_database_url):
        with db.engine.begin() as connection:
            passed_at = _old_rows(connection, utcnow())

        upgrade()

        # The root of the unit tree (parent NULL), not the lowest unit id.
        assert db.session.execute(select(ExamSession.id, ExamSession.organiser_unit_id).order_by(ExamSession.id)).all() == [(1, 5), (2, 5)]
        # One `graded` event per graded attempt (none for the attempt still to be graded).
        result_events = db.session.execute(select(ResultEvent).order_by(ResultEvent.attempt_id)).scalars().all()
        assert [(e.attempt_id, e.staff_id, e.kind, e.actor_id, e.reason) for e in result_events] == [
            (1, 7, "graded", None, ""), (2, 7, "graded", None, "")]
        assert result_events[0].after == {"state": "graded", "score": 6.0, "passed": True,
                                          "modules": {"IU01": [8.0, True], "IU02": [6.0, True], "IU03": [4.0, False]}}
        assert result_events[1].after == {"state": "graded", "score": 4.0, "passed": False,
                                          "modules": {"IU01": [10.0, True], "IU02": [2.0, False]}}
        # Facts for the passed modules of the passed attempt only.
        facts = db.session.execute(
            select(StaffModuleResult.staff_id, Module.code, StaffModuleResult.score, StaffModuleResult.attempt_id, StaffModuleResult.achieved_at)
            .join(Module, Module.id == StaffModuleResult.module_id).order_by(Module.code)
        ).all()
        assert [tuple(row) for row in facts] == [(7, "IU01", 8.0, 1, passed_at), (7, "IU02", 6.0, 1, passed_at)]
        # The candidate and its attempts are all still there.
        assert db.session.execute(select(func.count()).select_from(ExamAttempt)).scalar_one() == 3

        _downgrade_to_base()


def test_the_migration_keeps_the_candidates_and_rooms_of_existing_sessions(empty_database_url):
    with old_schema(empty_database_url):
        with db.engine.begin() as connection:
            _old_rows(connection, utcnow())
            connection.execute(ROOM.insert(), [{"id": 1, "session_id": 1, "name": "Phòng 101", "capacity": 30, "proctors": ""}])
            # Candidates registered, nobody has sat yet.
            connection.execute(MODULE_RESULT.delete())
            connection.execute(ATTEMPT.delete())

        upgrade()

        counts = {name: db.session.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
                  for name in ("exam_session", "exam_candidate", "exam_room")}
        assert counts == {"exam_session": 2, "exam_candidate": 1, "exam_room": 1}
        assert db.session.execute(select(func.count()).select_from(ResultEvent)).scalar_one() == 0

        _downgrade_to_base()
