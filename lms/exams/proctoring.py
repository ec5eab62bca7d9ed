"""What a proctor may do to attempts: extra time for a candidate (an attempt in progress gets
its new deadline at once) and reopening a finished attempt for a documented reason. Both are
audited. Writes flush, never commit."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.exams import results
from lms.exams.attempts import ExamError, grace, lock_and_clock, log_event, require_loaded
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamCandidate
from lms.extensions import db


def grant_extra_time(candidate: ExamCandidate, now, actor, extra_minutes=None, extra_multiplier=None, reason=""):
    """Change a candidate's extra time; an attempt in progress gets its new deadline at once."""
    open_ids = db.session.execute(
        select(ExamAttempt.id).where(ExamAttempt.candidate_id == candidate.id, ExamAttempt.open_slot == 1)
    ).scalars().all()
    if extra_minutes is not None:
        candidate.extra_minutes = max(0.0, float(extra_minutes))
    if extra_multiplier is not None:
        candidate.extra_multiplier = max(1.0, float(extra_multiplier))
    session = candidate.session
    changed = []
    for attempt_id in open_ids:
        attempt, _clock = lock_and_clock(attempt_id, now)
        if attempt.open_slot != 1:
            continue
        deadline = engine.compute_deadline(attempt.started_at, timedelta(minutes=attempt.part.minutes), candidate.extra_minutes,
                                           candidate.extra_multiplier, session.closes_at)
        transition = engine.extend_deadline(attempt.clock(), deadline, now, grace(session))
        attempt.take(transition.attempt)
        for event in transition.events:
            log_event(attempt, event.kind, now, actor, reason=reason, **dict(event.detail))
        changed.append(attempt)
    record("exam.extra_time", target=f"exam_candidate:{candidate.id}", actor=actor, minutes=candidate.extra_minutes,
           multiplier=candidate.extra_multiplier, reason=reason)
    db.session.flush()
    return changed


def reopen_attempt(attempt: ExamAttempt, now, actor, minutes: float, reason: str):
    """A proctor reopens a finished attempt for `minutes` more, for a documented reason (audited).
    Its result is cleared until it is finished and graded again."""
    require_loaded(attempt)
    before = results.snapshot(attempt)
    try:
        transition = engine.reopen(attempt.clock(), now + timedelta(minutes=minutes), now, reason)
    except engine.EngineError as error:
        raise ExamError(_("Không thể mở lại bài thi: %(e)s", e=error.translated(_)), "reopen") from None
    try:
        with db.session.begin_nested():
            attempt.take(transition.attempt)
            db.session.flush()
    except IntegrityError:
        raise ExamError(_("Thí sinh đang có một bài thi khác đang mở ở phần này."), "reopen") from None
    results.clear_result(attempt, before, now, actor, reason.strip())
    log_event(attempt, "reopened", now, actor, reason=reason.strip(), minutes=minutes)
    record("exam.reopen", target=f"exam_attempt:{attempt.id}", actor=actor, reason=reason.strip(), minutes=minutes)
    db.session.flush()
    return attempt
