"""Reads of a running session: the proctor board (polled every 15 s by each proctor) and the
practical marking queue. Each is one statement whose aggregates are filtered to the session
before they group, so its cost follows the session, not the tables."""
from sqlalchemy import case, func, select

from lms.auth.models import User
from lms.auth.throttling import EXAM_CODE, counted_failures
from lms.exams.core import engine
from lms.exams.core.blueprint_rules import PRACTICAL
from lms.exams.manage.queries import candidate_in_scope
from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptGrade, AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate
from lms.exams.starting import access_code_key
from lms.extensions import db
from lms.localtime import format_local
from lms.org.models import Staff

FINISHED = engine.FINISHED_STATES
LATE_SAVE_EVENTS = ("late_save",)


def _session_attempt_ids(session_id):
    return select(ExamAttempt.id).join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id).where(ExamCandidate.session_id == session_id)


def proctor_board(session_id, now, scope, active_window_seconds=120):
    """One row per (candidate of the scope, part attempt): state, deadline, last save (also as
    Hanoi time), late saves, and the failed sign-ins and wrong access codes that still delay the candidate.
    Candidates who have not started appear with no attempt."""
    in_session = _session_attempt_ids(session_id)
    last_save = (
        select(AttemptQuestion.attempt_id, func.max(AttemptAnswer.saved_at).label("last_save"), func.count(AttemptAnswer.id).label("answered"))
        .join(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(in_session))
        .group_by(AttemptQuestion.attempt_id)
        .subquery()
    )
    late = (
        select(AttemptEvent.attempt_id, func.count(AttemptEvent.id).label("late_saves"))
        .where(AttemptEvent.kind.in_(LATE_SAVE_EVENTS), AttemptEvent.attempt_id.in_(in_session))
        .group_by(AttemptEvent.attempt_id)
        .subquery()
    )
    # The failed sign-ins still delaying the session's candidates' accounts (lms.auth.throttling).
    failures = counted_failures(select(User.username).join(ExamCandidate, ExamCandidate.user_id == User.id)
                                .where(ExamCandidate.session_id == session_id), now)
    code_key = access_code_key(ExamCandidate.id)
    codes = counted_failures(select(code_key).where(ExamCandidate.session_id == session_id), now, scope=EXAM_CODE)
    rows = db.session.execute(
        select(ExamCandidate, Staff.full_name, ExamAttempt, BlueprintPart.kind, last_save.c.last_save, last_save.c.answered, late.c.late_saves,
               User.username, failures.c.failures, codes.c.failures)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .outerjoin(User, User.id == ExamCandidate.user_id)
        .outerjoin(failures, failures.c.username == User.username)
        .outerjoin(codes, codes.c.username == code_key)
        .outerjoin(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .outerjoin(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .outerjoin(last_save, last_save.c.attempt_id == ExamAttempt.id)
        .outerjoin(late, late.c.attempt_id == ExamAttempt.id)
        .where(ExamCandidate.session_id == session_id, scope.staff_condition(Staff.unit_id))
        .order_by(ExamCandidate.candidate_number, ExamCandidate.id, BlueprintPart.position, ExamAttempt.number)
    ).all()
    return [_board_row(candidate, name, attempt, part_kind, saved, answered, late_saves, now, active_window_seconds, username, failed, codes)
            for candidate, name, attempt, part_kind, saved, answered, late_saves, username, failed, codes in rows]


def _board_row(candidate, name, attempt, part_kind, saved, answered, late_saves, now, active_window_seconds, username, failed, codes):
    active = bool(attempt is not None and attempt.state in engine.OPEN_STATES and saved is not None
                  and (now - saved).total_seconds() <= active_window_seconds)
    return {
        "candidate_id": candidate.id,
        "candidate_number": candidate.candidate_number,
        "name": name,
        "extra_minutes": candidate.extra_minutes,
        "extra_multiplier": candidate.extra_multiplier,
        "attempt_id": attempt.id if attempt else None,
        "part": part_kind,
        "number": attempt.number if attempt else None,
        "state": attempt.state if attempt else "not_started",
        "started_at": attempt.started_at.isoformat() if attempt else None,
        "deadline_at": attempt.deadline_at.isoformat() if attempt else None,
        "remaining_seconds": engine.remaining_seconds(attempt.clock(), now) if attempt else None,
        "last_save_at": saved.isoformat() if saved else None,
        "last_save_local": format_local(saved, "%H:%M:%S"),  # Hanoi time, as the board shows it
        "answered": answered or 0,
        "late_saves": late_saves or 0,
        "active": active,
        "has_account": username is not None,
        "login_failures": failed or 0,
        "code_failures": codes or 0,
    }


def board_summary(board):
    def candidates(condition):
        return len({row["candidate_id"] for row in board if condition(row)})

    return {
        "candidates": candidates(lambda row: True),
        "started": candidates(lambda row: row["attempt_id"]),
        "active": candidates(lambda row: row["active"]),
        "submitted": candidates(lambda row: row["state"] in FINISHED),
        "late_saves": sum(row["late_saves"] for row in board),
    }


def practical_queue(session_id, scope):
    """Finished practical attempts of the session's candidates of the scope, with their marking
    progress, oldest first."""
    in_session = _session_attempt_ids(session_id)
    marked = (
        select(
            AttemptQuestion.attempt_id,
            func.count(func.distinct(AttemptQuestion.id)).label("tasks"),
            func.count(func.distinct(case((AttemptGrade.source == "marker1", AttemptGrade.attempt_question_id)))).label("marker1"),
            func.count(func.distinct(case((AttemptGrade.source == "marker2", AttemptGrade.attempt_question_id)))).label("marker2"),
        )
        .outerjoin(AttemptGrade, AttemptGrade.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(in_session))
        .group_by(AttemptQuestion.attempt_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ExamAttempt, ExamCandidate.candidate_number, Staff.full_name, marked.c.tasks, marked.c.marker1, marked.c.marker2)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .outerjoin(marked, marked.c.attempt_id == ExamAttempt.id)
        .where(ExamCandidate.session_id == session_id, BlueprintPart.kind == PRACTICAL, ExamAttempt.state.in_(FINISHED),
               candidate_in_scope(scope))
        .order_by(ExamAttempt.state == engine.GRADED, ExamAttempt.submitted_at, ExamAttempt.id)
    ).all()
    return [
        {"attempt": a, "number": number, "name": name, "tasks": t or 0, "marker1": m1 or 0, "marker2": m2 or 0}
        for a, number, name, t, m1, m2 in rows
    ]


def grades_by_source(attempt_id):
    """{source: {attempt question id: AttemptGrade}} of the markers' latest grades."""
    rows = db.session.execute(
        select(AttemptGrade)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptGrade.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptGrade.graded_at, AttemptGrade.id)
    ).scalars().all()
    result = {}
    for grade in rows:
        result.setdefault(grade.source, {})[grade.attempt_question_id] = grade
    return result
