"""Every change of an attempt's result becomes a ResultEvent with its before and after, in the
transaction of the change, and keeps the staff × module fact (StaffModuleResult) true.
Writes flush, never commit.

The four changes: graded (a score appears), regraded (a score changes), reopened (the
score is cleared while the candidate works again), released (the candidates may now see
it). Grading, regrading and marking all end in grading.refresh_score, which reports here.
"""
from sqlalchemy import delete, func, insert, literal, select

from lms.catalogue.models import Module
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamCandidate
from lms.exams.result_models import ModuleResult, ResultEvent, ResultEventCursor, StaffModuleResult
from lms.extensions import db
from lms.models_base import UTCDateTime
from lms.org.models import Staff

GRADED, REGRADED, REOPENED, RELEASED = "graded", "regraded", "reopened", "released"
# The attempts whose result was regraded or reopened in the current transaction, for whatever
# must react before it commits (certificates resting on them are put under review).
CHANGED_IN_TRANSACTION = "results_changed"


def snapshot(attempt: ExamAttempt, modules=None) -> dict:
    """The result as an event stores it; `modules` {code: (score, passed)} when the caller has
    them at hand, else read from the attempt's module results."""
    if modules is None:
        modules = module_results(attempt.id)
    return {
        "state": attempt.state,
        "score": attempt.score,
        "passed": attempt.passed,
        "modules": {code: [score, passed] for code, (score, passed) in sorted(modules.items())},
    }


def module_results(attempt_id) -> dict:
    rows = db.session.execute(
        select(Module.code, ModuleResult.score, ModuleResult.passed)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ModuleResult.attempt_id == attempt_id)
    ).all()
    return {code: (score, passed) for code, score, passed in rows}


def record_change(attempt: ExamAttempt, kind, before: dict, after: dict, now, actor=None, reason=""):
    """Persist one change (nothing when a regrade left the result as it was) and bring the
    attempt's staff member's module facts up to date. Returns the event or None."""
    if kind in (GRADED, REGRADED) and before == after:
        return None
    staff_id = attempt.candidate.staff_id
    event = ResultEvent(attempt_id=attempt.id, staff_id=staff_id, kind=kind, at=now, actor_id=actor.id if actor is not None else None,
                        reason=reason or "", before=before, after=after)
    db.session.add(event)
    if kind in (REGRADED, REOPENED):
        db.session.info.setdefault(CHANGED_IN_TRANSACTION, set()).add(attempt.id)
    codes = _counted_modules(before) | _counted_modules(after)
    if codes:
        refresh_staff_modules(staff_id, codes, now)
    db.session.flush()
    return event


def _counted_modules(result: dict) -> set:
    """The modules a result counts towards in the facts: passed, in a graded, passed part."""
    if result.get("state") != engine.GRADED or not result.get("passed"):
        return set()
    return {code for code, (_score, passed) in result.get("modules", {}).items() if passed}


def refresh_staff_modules(staff_id, module_codes, now):
    """Recompute a staff member's facts for these modules from their module results: the best
    passing score of a graded attempt whose part was passed (earliest on a tie), or no row.

    The staff row is locked first, so that two results of one person graded at once (the
    theory part submitted while a marker grades the practical) do not race on the fact."""
    db.session.execute(select(Staff.id).where(Staff.id == staff_id).with_for_update())
    module_ids = select(Module.id).where(Module.code.in_(sorted(module_codes)))
    db.session.execute(delete(StaffModuleResult).where(StaffModuleResult.staff_id == staff_id, StaffModuleResult.module_id.in_(module_ids)))
    rank = func.row_number().over(
        partition_by=ModuleResult.module_id,
        order_by=(ModuleResult.score.desc(), ExamAttempt.submitted_at, ExamAttempt.id),
    ).label("rank")
    ranked = (
        select(ModuleResult.module_id, ModuleResult.score, ExamAttempt.submitted_at, ExamAttempt.id.label("attempt_id"), rank)
        .join(ExamAttempt, ExamAttempt.id == ModuleResult.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ExamCandidate.staff_id == staff_id, ModuleResult.module_id.in_(module_ids), ModuleResult.passed.is_(True),
               ExamAttempt.passed.is_(True), ExamAttempt.state == engine.GRADED)
        .subquery()
    )
    best = select(literal(staff_id), ranked.c.module_id, ranked.c.score, ranked.c.submitted_at, ranked.c.attempt_id,
                  literal(now, UTCDateTime())).where(ranked.c.rank == 1)
    db.session.execute(insert(StaffModuleResult).from_select(
        ["staff_id", "module_id", "score", "achieved_at", "attempt_id", "updated_at"], best))


def clear_result(attempt: ExamAttempt, before: dict, now, actor=None, reason=""):
    """A reopened attempt has no result until it is finished and graded again: its score and
    module results are cleared (the grades stay in their history) and the change from
    `before` (its snapshot before the reopening) recorded."""
    attempt.score = attempt.passed = attempt.graded_at = None
    db.session.execute(delete(ModuleResult).where(ModuleResult.attempt_id == attempt.id))
    db.session.flush()
    return record_change(attempt, REOPENED, before, snapshot(attempt, modules={}), now, actor, reason)


def record_release(session_id, now, actor=None):
    """A `released` event for every graded attempt of the session, in three statements."""
    attempts = db.session.execute(
        select(ExamAttempt, ExamCandidate.staff_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ExamCandidate.session_id == session_id, ExamAttempt.state == engine.GRADED)
    ).all()
    if not attempts:
        return 0
    modules = _module_results_of([attempt.id for attempt, _staff in attempts])
    rows = []
    for attempt, staff_id in attempts:
        state = snapshot(attempt, modules.get(attempt.id, {}))
        rows.append({"attempt_id": attempt.id, "staff_id": staff_id, "kind": RELEASED, "at": now,
                     "actor_id": actor.id if actor is not None else None, "reason": "", "before": state, "after": state})
    db.session.execute(insert(ResultEvent.__table__), rows)
    return len(rows)


def _module_results_of(attempt_ids):
    rows = db.session.execute(
        select(ModuleResult.attempt_id, Module.code, ModuleResult.score, ModuleResult.passed)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ModuleResult.attempt_id.in_(attempt_ids))
    ).all()
    result = {}
    for attempt_id, code, score, passed in rows:
        result.setdefault(attempt_id, {})[code] = (score, passed)
    return result


def unread_events(consumer, limit=1000):
    """The consumer's next result events in id order, its cursor row locked until the
    transaction ends; `mark_read(cursor, events)` advances it in the same transaction."""
    cursor = db.session.execute(select(ResultEventCursor).where(ResultEventCursor.consumer == consumer).with_for_update()).scalar_one_or_none()
    if cursor is None:
        cursor = ResultEventCursor(consumer=consumer, last_event_id=0)
        db.session.add(cursor)
        db.session.flush()
    events = db.session.execute(
        select(ResultEvent).where(ResultEvent.id > cursor.last_event_id).order_by(ResultEvent.id).limit(limit)
    ).scalars().all()
    return cursor, events


def mark_read(cursor, events):
    if events:
        cursor.last_event_id = events[-1].id
