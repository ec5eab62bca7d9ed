"""Attempts on their way: the loader that owns the exam clock, saving, flags, submit, expiry,
the scheduled finalizer. Writes flush, never commit (the clock excepted: see load_attempt).

`load_attempt` is the one place a request gets an attempt from. It answers with the
attempt locked (for a request that writes) and already clocked: expired, or auto-submitted
and graded, as its deadline says. The services below take that as their precondition and
never lock or clock again; `require_loaded` checks it. The engine's own functions stay
total (each brings a clock up to `now` itself), which on a clocked attempt changes nothing.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import joinedload

from lms.database import commit_keeping_state, restart_as_writer
from lms.exams import grading, papers
from lms.exams.core import engine
from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptQuestion, ExamAttempt, ExamCandidate, ExamSession, PracticalUpload
from lms.extensions import db
from lms.questionbank.models import QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import ResponseError, get_type
from lms.routing import database_id
from lms.transactions import leave_trace

MAX_BATCH = 200
MAX_SEQ = 2**53  # the exam page's counters are JavaScript numbers (milliseconds): exact up to 2^53


class ExamError(Exception):
    """A refusal meant for the candidate: `code` for the page's logic, `status` for HTTP."""

    def __init__(self, message, code="refused", status=409, **detail):
        super().__init__(message)
        self.message, self.code, self.status, self.detail = message, code, status, detail


def grace(session: ExamSession) -> timedelta:
    return timedelta(seconds=session.grace_seconds if session.grace_seconds is not None else 30)


_EVENT_INSERT = insert(AttemptEvent.__table__)


def _event_values(attempt_id, kind, now, actor, detail):
    return {"attempt_id": attempt_id, "kind": kind, "at": now, "actor_id": actor.id if actor is not None else None, "detail": detail}


def log_event(attempt, kind, now, actor=None, **detail):
    # A plain INSERT of a constant statement: an event is never read back in the request,
    # and the unit of work for one new row costs more than the row (this is on every start).
    db.session.execute(_EVENT_INSERT, _event_values(attempt.id, kind, now, actor, detail))


def log_refusal(attempt, kind, now, **detail):
    """An event that the refusal it explains must not roll back (a save after the grace)."""
    leave_trace(AttemptEvent.__table__, _event_values(attempt.id, kind, now, None, detail))


# --- Loading: the one owner of the clock ----------------------------------------------------

_LOCKED = "exams_locked_attempts"


def read_attempt(attempt_id):
    """The attempt with its candidate, session and part, read without a lock (for pages that
    only show it); None when there is no such attempt."""
    return db.session.execute(
        select(ExamAttempt)
        .where(ExamAttempt.id == attempt_id)
        .options(joinedload(ExamAttempt.candidate, innerjoin=True).joinedload(ExamCandidate.session, innerjoin=True),
                 joinedload(ExamAttempt.part, innerjoin=True))
    ).scalar_one_or_none()


def lock_attempt(attempt_id, required=True):
    """The attempt row, locked for this transaction and re-read from the database, with its
    candidate and session (which the clock needs) in the same statement. A missing attempt
    raises, or gives None when not `required`.

    Locking again in the same transaction returns the same object without a new read:
    the row cannot have changed under a lock this transaction holds (FOR UPDATE on
    PostgreSQL, the write lock taken at BEGIN IMMEDIATE on SQLite).
    """
    session = db.session()
    held = _held(session, attempt_id)
    if held is not None:
        return held
    attempt = db.session.execute(
        select(ExamAttempt)
        .where(ExamAttempt.id == attempt_id)
        .options(joinedload(ExamAttempt.candidate, innerjoin=True).joinedload(ExamCandidate.session, innerjoin=True))
        .with_for_update(of=ExamAttempt)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if attempt is None:
        if required:
            raise NoResultFound(f"no exam attempt {attempt_id}")
        return None
    return hold(attempt)


def hold(attempt):
    """Record an attempt this transaction has just inserted as held: the insert itself locks the
    row, and a new attempt has nothing for the clock to do."""
    session = db.session()
    session.info.setdefault(_LOCKED, {})[attempt.id] = (session.get_transaction(), attempt)
    return attempt


def _held(session, attempt_id):
    transaction = session.get_transaction()
    held = session.info.get(_LOCKED, {}).get(attempt_id)
    if held is not None and transaction is not None and held[0] is transaction and held[1] in session:
        return held[1]
    return None


def require_loaded(attempt):
    """The services' precondition: the attempt came from load_attempt (or lock_and_clock)
    in this transaction, so it is locked and clocked."""
    if _held(db.session(), attempt.id) is not attempt:
        raise RuntimeError(f"exam attempt {attempt.id} used without load_attempt (not locked and clocked)")
    return attempt


def _apply_clock(attempt: ExamAttempt, now, by=engine.BY_CLOCK):
    transition = engine.finalize_overdue(attempt.clock(), now, grace(attempt.candidate.session), by=by)
    _take_transition(attempt, transition, now)
    return transition


def lock_and_clock(attempt_id, now, by=engine.BY_CLOCK):
    """Lock and clock one attempt inside a service's own transaction (the scheduled finalizer,
    extra time): (attempt, the clock's transition)."""
    attempt = lock_attempt(attempt_id)
    return attempt, _apply_clock(attempt, now, by)


def load_attempt(attempt_id, now, *, writes, check=lambda attempt: None):
    """The attempt a request acts on, clocked, and locked when the request `writes`; None when
    there is no such attempt. `check(attempt)` (the caller's 403 or 404) runs before anything
    is written.

    A request that only reads takes no lock unless the clock has something to write, so that
    a thousand exam pages can open at once. What the clock decides (an expiry, an auto-submit
    and its grading) is committed at once in a transaction of its own: time has passed
    whatever the request goes on to do, and a refusal of the request must not undo it.
    """
    session = db.session()
    if not writes:
        attempt = read_attempt(attempt_id)
        if attempt is None:
            return None
        check(attempt)
        if not engine.finalize_overdue(attempt.clock(), now, grace(attempt.candidate.session)).changed:
            return attempt
        restart_as_writer(session)  # end the read; the write below starts a transaction that holds the lock
    attempt = lock_attempt(attempt_id, required=False)
    if attempt is None:
        return None
    check(attempt)
    if _apply_clock(attempt, now).changed:
        commit_keeping_state(session, then_write=writes)
        if writes:
            attempt = lock_attempt(attempt_id)
    return attempt


def _take_transition(attempt: ExamAttempt, transition, now):
    """Store what the engine decided, log its events, and grade an attempt that just finished."""
    if not transition.changed:
        return
    attempt.take(transition.attempt)
    for event in transition.events:
        log_event(attempt, event.kind, now, **dict(event.detail))
    if transition.attempt.is_finished:
        db.session.flush()
        grading.grade_objective(attempt, now)


# --- Save ---------------------------------------------------------------------------------------


def _refusal(decision):
    if decision.reason == "past_grace":
        return ExamError(_("Đã hết giờ làm bài: câu trả lời này không được lưu. Các câu đã lưu trước đó vẫn được giữ."), "time_over")
    return ExamError(_("Bài thi đã nộp: không thể sửa câu trả lời. Các câu đã lưu trước đó vẫn được giữ."), "finished")


def _bad_request():
    return ExamError(_("Yêu cầu lưu không hợp lệ."), "bad_request", 400)


def _parse_entries(entries):
    """[(question id, seq, raw response)], or a 400 for a malformed batch."""
    if not isinstance(entries, list) or not entries or len(entries) > MAX_BATCH:
        raise _bad_request()
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise _bad_request()
        question_id, seq = database_id(entry.get("question")), entry.get("seq")
        if question_id is None or isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
            raise _bad_request()
        parsed.append((question_id, seq, entry.get("response")))
    return parsed


def save_answers(attempt: ExamAttempt, entries, now, as_shown=False):
    """Store answers [{question, response, seq}] for questions of this attempt's paper;
    `as_shown` when they name options by the positions the candidate saw (the exam page's
    API: lms.questionbank.type_base.QuestionType.shown_to_stored), else by the question's own indexes.

    The whole batch is checked before anything is written: a question not on the paper is a
    404, a malformed answer a 400, and either refuses every entry. An older sequence number
    than the stored one is acknowledged without overwriting (a re-sent buffer never undoes a
    newer answer). Returns the acknowledged [{question, seq, stored}] and whether they were late.
    """
    require_loaded(attempt)
    parsed = _parse_entries(entries)
    rows = db.session.execute(
        select(AttemptQuestion, QuestionVersion.data, AttemptAnswer)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.id.in_({q for q, _s, _r in parsed}))
    ).all()
    by_id = {row[0].id: row for row in rows}
    if any(question_id not in by_id for question_id, _s, _r in parsed):
        raise ExamError(_("Câu hỏi không thuộc đề thi của bạn."), "not_on_paper", 404)
    decision = engine.save_decision(attempt.clock())
    if not decision.allowed:
        for question_id, seq, _r in parsed:
            log_refusal(attempt, "save_refused", now, question=question_id, seq=seq, reason=decision.reason)
        raise _refusal(decision)
    normalized = [(question_id, seq, _normalized(attempt, by_id[question_id], raw, as_shown)) for question_id, seq, raw in parsed]
    late = decision.late
    answers = {question_id: row[2] for question_id, row in by_id.items()}
    acknowledged = []
    for question_id, seq, response in normalized:
        answer = answers.get(question_id)
        if answer is None:
            answer = answers[question_id] = AttemptAnswer(attempt_question_id=question_id, client_seq=-1)
            db.session.add(answer)
        stored = seq > answer.client_seq
        if stored:
            answer.response, answer.client_seq, answer.saved_at, answer.late = response, seq, now, late
            if late:
                late_by = (now - attempt.deadline_at).total_seconds()
                log_event(attempt, "late_save", now, question=question_id, seq=seq, seconds_after_deadline=round(late_by, 3))
        acknowledged.append({"question": question_id, "seq": seq, "stored": stored})
    attempt.last_seen_at = now
    db.session.flush()
    return acknowledged, late


def _normalized(attempt, row, raw, as_shown):
    """The answer in its type's stored shape, or a 400 naming the question."""
    attempt_question, data, _answer = row
    question = QuestionData.from_dict(data)
    kind = get_type(question.type)
    try:
        if as_shown:
            raw = kind.shown_to_stored(question, attempt_question.presentation, raw)
        response = kind.normalize_response(question, raw)
    except ResponseError as error:
        raise ExamError(error.translated(_), "bad_response", 400, question=attempt_question.id) from None
    if question.type == papers.PRACTICAL_TYPE and response and not _own_upload(attempt_question, response["upload_id"]):
        raise ExamError(_("Tệp nộp không thuộc câu hỏi này."), "bad_response", 400, question=attempt_question.id)
    return response


def _own_upload(attempt_question, upload_id):
    upload = db.session.get(PracticalUpload, upload_id) if database_id(upload_id) else None
    return upload is not None and upload.attempt_question_id == attempt_question.id


def set_flag(attempt: ExamAttempt, attempt_question: AttemptQuestion, flagged: bool):
    require_loaded(attempt)
    if attempt.open_slot == 1:
        attempt_question.flagged = bool(flagged)
    return attempt


# --- Submit, expiry, the scheduled finalizer ----------------------------------------------------


def submit_attempt(attempt: ExamAttempt, now, by=engine.BY_CANDIDATE):
    """Finish and grade. Idempotent: a second submit returns the first one's result."""
    require_loaded(attempt)
    transition = engine.submit(attempt.clock(), now, grace(attempt.candidate.session), by=by)
    _take_transition(attempt, transition, now)
    return attempt, transition.already_finished


def expire_attempt(attempt: ExamAttempt, now):
    """The page's countdown reached zero: finish by the clock if the server agrees."""
    require_loaded(attempt)
    _take_transition(attempt, engine.expire(attempt.clock(), now, grace(attempt.candidate.session)), now)
    return attempt


def close_overdue(now) -> int:
    """Finalize every open attempt whose deadline + grace has passed, with its saved answers."""
    overdue = db.session.execute(
        select(ExamAttempt.id).where(ExamAttempt.open_slot == 1, ExamAttempt.deadline_at < now).order_by(ExamAttempt.id)
    ).scalars().all()
    finalized = 0
    for attempt_id in overdue:
        attempt, transition = lock_and_clock(attempt_id, now, by=engine.BY_COMMAND)
        if transition.attempt.is_finished and transition.changed:
            finalized += 1
    return finalized
