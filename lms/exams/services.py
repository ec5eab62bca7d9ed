"""Attempts: start, save, submit, the clock, extra time, reopen. Writes flush, never commit.

Every operation on an attempt first locks its row (SELECT … FOR UPDATE on PostgreSQL;
on SQLite writing requests already hold the write lock from BEGIN IMMEDIATE), then
applies the clock, then acts. So two submits, or a save racing a submit, are serialized
and see each other's result.
"""
import ipaddress
from datetime import timedelta
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import and_, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, NoResultFound
from sqlalchemy.orm import joinedload, make_transient_to_detached

from lms.audit.services import record
from lms.auth.passwords import hash_password, verify_password
from lms.exams import engine, grading, papers
from lms.exams.models import (
    AttemptAnswer,
    AttemptEvent,
    AttemptQuestion,
    BlueprintPart,
    ExamAttempt,
    ExamCandidate,
    ExamSession,
    PracticalUpload,
    PredrawnPaper,
)
from lms.extensions import db
from lms.questionbank.models import QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import ResponseError, get_type

MAX_BATCH = 200


class ExamError(Exception):
    """A refusal meant for the candidate: `code` for the page's logic, `status` for HTTP."""

    def __init__(self, message, code="refused", status=409, **detail):
        super().__init__(message)
        self.message, self.code, self.status, self.detail = message, code, status, detail


def grace(session: ExamSession) -> timedelta:
    return timedelta(seconds=session.grace_seconds if session.grace_seconds is not None else 30)


def log_event(attempt, kind, now, actor=None, **detail):
    # A plain INSERT of a constant statement: an event is never read back in the request,
    # and the unit of work for one new row costs more than the row (this is on every start).
    db.session.execute(_EVENT_INSERT, {"attempt_id": attempt.id, "kind": kind, "at": now,
                                       "actor_id": actor.id if actor is not None else None, "detail": detail})


_EVENT_INSERT = insert(AttemptEvent.__table__)
_PAPER_INSERT = insert(AttemptQuestion.__table__).returning(AttemptQuestion.__table__.c.id)


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


def clock_changes(attempt: ExamAttempt, now) -> bool:
    """Would applying the clock now change the attempt (expire it, auto-submit it)?"""
    return engine.finalize_overdue(attempt.clock(), now, grace(attempt.candidate.session)).changed


def lock_attempt(attempt_id, required=True):
    """The attempt row, locked for this transaction and re-read from the database, with its
    candidate and session (which apply_clock needs) in the same statement. A missing
    attempt raises, or gives None when not `required`.

    Locking again in the same transaction returns the same object without a new read:
    the row cannot have changed under a lock this transaction holds (FOR UPDATE on
    PostgreSQL, the write lock taken at BEGIN IMMEDIATE on SQLite).
    """
    session = db.session()
    transaction = session.get_transaction()
    locked = session.info.get(_LOCKED)
    if locked is not None and transaction is not None:
        held = locked.get(attempt_id)
        if held is not None and held[0] is transaction and held[1] in session:
            return held[1]
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
    session.info.setdefault(_LOCKED, {})[attempt_id] = (session.get_transaction(), attempt)
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


def apply_clock(attempt: ExamAttempt, now, by=engine.BY_CLOCK):
    """Expire or auto-submit the attempt as its deadline says; grade it if it just finished."""
    session = attempt.candidate.session
    transition = engine.finalize_overdue(attempt.clock(), now, grace(session), by=by)
    _take_transition(attempt, transition, now)
    return transition


# --- Access to a session ----------------------------------------------------------------------


def set_access_code(session: ExamSession, code):
    session.access_code_hash = hash_password(code) if code else None


def check_entry(session: ExamSession, now, address, access_code=None):
    """Refuse entry outside the window, from outside the allowed networks, or without the code."""
    if session.status != "published":
        raise ExamError(_("Kỳ thi chưa được công bố hoặc đã kết thúc."), "not_published", 403)
    if now < session.opens_at:
        raise ExamError(_("Kỳ thi chưa mở."), "not_open", 403)
    if now >= session.closes_at:
        raise ExamError(_("Kỳ thi đã đóng."), "closed", 403)
    if session.allowed_networks and not address_allowed(address, session.allowed_networks):
        raise ExamError(_("Máy của bạn không nằm trong mạng được phép dự thi (%(ip)s).", ip=address or "?"), "network", 403)
    if session.access_code_hash and not (access_code and verify_password(session.access_code_hash, access_code.strip())):
        raise ExamError(_("Mã dự thi không đúng."), "access_code", 403)


def address_allowed(address, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


# --- Start --------------------------------------------------------------------------------------


def open_attempt(candidate: ExamCandidate, part: BlueprintPart):
    return db.session.execute(
        select(ExamAttempt).where(ExamAttempt.candidate_id == candidate.id, ExamAttempt.part_id == part.id, ExamAttempt.open_slot == 1)
    ).scalar_one_or_none()


def _position_columns(candidate_id, part_id):
    """Where a candidate stands on a part, as SQL: attempts used, the open attempt's id
    (the database allows one), and the condition joining the next attempt's pre-drawn
    paper. The ids may be values or columns of the enclosing query."""
    mine = (ExamAttempt.candidate_id == candidate_id, ExamAttempt.part_id == part_id)
    used = select(func.count(ExamAttempt.id)).where(*mine).scalar_subquery()
    open_id = select(ExamAttempt.id).where(*mine, ExamAttempt.open_slot == 1).scalar_subquery()
    next_paper = and_(PredrawnPaper.candidate_id == candidate_id, PredrawnPaper.part_id == part_id, PredrawnPaper.number == used + 1)
    return used, open_id, next_paper


def _position(used, open_id, seed, items):
    return used, open_id, (seed, items) if seed is not None else None


def _start_position(candidate: ExamCandidate, part: BlueprintPart):
    """(attempts used, id of the open one or None, the pre-drawn paper for the next attempt
    as (seed, items) or None), in one statement."""
    used, open_id, next_paper = _position_columns(ExamCandidate.id, part.id)
    return _position(*db.session.execute(
        select(used, open_id, PredrawnPaper.seed, PredrawnPaper.items)
        .select_from(ExamCandidate).outerjoin(PredrawnPaper, next_paper).where(ExamCandidate.id == candidate.id)
    ).one())


def start_context(user_id, session_id, part_id):
    """What a start needs, in one statement: (candidate, session, part, position) where
    position is what _start_position gives. None when the session or the part does not
    exist or the user is not a candidate (the caller then tells which); whether the part
    belongs to the session's blueprint is start_attempt's check."""
    used, open_id, next_paper = _position_columns(ExamCandidate.id, BlueprintPart.id)
    row = db.session.execute(
        select(ExamCandidate, ExamSession, BlueprintPart, used, open_id, PredrawnPaper.seed, PredrawnPaper.items)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .join(BlueprintPart, BlueprintPart.id == part_id)
        .outerjoin(PredrawnPaper, next_paper)
        .where(ExamCandidate.user_id == user_id, ExamCandidate.session_id == session_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2], _position(*row[3:]))


def _insert_open_attempt(values):
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new attempt, or None when the
    database already holds an open attempt (or this number) for the candidate and part: a
    concurrent start won. No savepoint needed: the transaction stays usable."""
    attempt_id = db.session.execute(_open_attempt_insert(db.session.get_bind().dialect.name), values).scalar_one_or_none()
    if attempt_id is None:
        return None
    # The row is exactly `values` and its id: join it to the session as loaded, without a SELECT.
    attempt = ExamAttempt(id=attempt_id, **values)
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    return attempt


@lru_cache(maxsize=None)
def _open_attempt_insert(dialect):
    # One statement object per dialect, values given at execution, so that its compiled
    # form is cached.
    dialect_insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
    return dialect_insert(ExamAttempt.__table__).on_conflict_do_nothing().returning(ExamAttempt.__table__.c.id)


def start_attempt(candidate: ExamCandidate, part: BlueprintPart, now, address="", access_code=None, position=None):
    """Resume the open attempt, or start a new one with its paper drawn and stored.

    Resuming needs no access code: a candidate whose sign-in expired mid-exam comes back
    to the same attempt. A second concurrent start finds the first through the database's
    single-open-attempt constraint. `position` is the candidate's position on the part as
    start_context read it in this transaction; read here when not given.
    """
    session = candidate.session
    if part.blueprint_id != session.blueprint_id:
        raise ExamError(_("Phần thi không thuộc kỳ thi này."), "part", 404)
    used, open_id, predrawn = position if position is not None else _start_position(candidate, part)
    if open_id is not None:
        current = lock_attempt(open_id)
        apply_clock(current, now)
        if current.open_slot == 1:
            return current, False
    check_entry(session, now, address, access_code)
    if used >= session.attempts_allowed:
        raise ExamError(_("Bạn đã dùng hết số lần thi được phép (%(n)d).", n=session.attempts_allowed), "attempts_used")
    if predrawn is not None:
        seed, items = predrawn
    else:
        seed = papers.new_seed()
        try:
            items = papers.draw_items(part, candidate, seed)
        except engine.PoolShortage as shortage:
            raise ExamError(_("Ngân hàng câu hỏi chưa đủ để tạo đề: %(detail)s.", detail=shortage.translated(_) or "—"), "pool_shortage",
                            shortages=[{"quota": s.quota.label(), "missing": s.missing} for s in shortage.shortages]) from None
    deadline = engine.compute_deadline(now, timedelta(minutes=part.minutes), candidate.extra_minutes, candidate.extra_multiplier, session.closes_at)
    attempt = _insert_open_attempt(dict(candidate_id=candidate.id, part_id=part.id, number=used + 1, state=engine.IN_PROGRESS, open_slot=1,
                                        seed=seed, started_at=now, deadline_at=deadline, start_ip=(address or "")[:64], last_seen_at=now,
                                        version=1, submitted_at=None, finalized_by=None, earned_points=None, possible_points=None,
                                        score=None, passed=None, graded_at=None))
    if attempt is None:
        # Another request started it a moment ago: resume that one.
        current = open_attempt(candidate, part)
        if current is None:
            raise ExamError(_("Không thể bắt đầu bài thi, vui lòng thử lại."), "conflict")
        return current, False
    # The paper in one INSERT … VALUES (…), (…) of a cached compiled statement: with
    # RETURNING, SQLAlchemy batches an executemany into multi-row statements; without it,
    # psycopg would send one INSERT per question (the ORM unit of work, one per row too).
    db.session.execute(_PAPER_INSERT, [
        {"attempt_id": attempt.id, "position": index, "question_version_id": item["version_id"], "module_id": item.get("module_id"),
         "presentation": item.get("order") or {}, "points": item.get("points", 1.0), "flagged": False, "fraction": None}
        for index, item in enumerate(items, start=1)
    ])
    log_event(attempt, "started", now, ip=address or "", predrawn=predrawn is not None, deadline=deadline.isoformat())
    db.session.flush()
    return attempt, True


# --- Save ---------------------------------------------------------------------------------------


def _refusal(attempt, decision):
    if decision.reason == "past_grace" or attempt.finalized_by in (engine.BY_CLOCK, engine.BY_COMMAND):
        return ExamError(_("Đã hết giờ làm bài: câu trả lời này không được lưu. Các câu đã lưu trước đó vẫn được giữ."), "time_over")
    return ExamError(_("Bài thi đã nộp: không thể sửa câu trả lời. Các câu đã lưu trước đó vẫn được giữ."), "finished")


def save_answers(attempt: ExamAttempt, entries, now):
    """Store answers [{question, response, seq}] for questions of this attempt's paper.

    A question not on the paper is a 404; an older sequence number than the stored one
    is acknowledged without overwriting (a re-sent buffer never undoes a newer answer).
    Returns the acknowledged [{question, seq, stored}] and whether they were late.
    """
    if not isinstance(entries, list) or not entries or len(entries) > MAX_BATCH:
        raise ExamError(_("Yêu cầu lưu không hợp lệ."), "bad_request", 400)
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ExamError(_("Yêu cầu lưu không hợp lệ."), "bad_request", 400)
        question_id, seq = entry.get("question"), entry.get("seq")
        if isinstance(question_id, bool) or not isinstance(question_id, int) or isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise ExamError(_("Yêu cầu lưu không hợp lệ."), "bad_request", 400)
        parsed.append((question_id, seq, entry.get("response")))
    attempt = lock_attempt(attempt.id)
    session = attempt.candidate.session
    apply_clock(attempt, now)
    decision = engine.can_save(attempt.clock(), now, grace(session))
    rows = db.session.execute(
        select(AttemptQuestion, QuestionVersion.data, AttemptAnswer)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.id.in_({q for q, _s, _r in parsed}))
    ).all()
    by_id = {row[0].id: row for row in rows}
    if any(question_id not in by_id for question_id, _s, _r in parsed):
        raise ExamError(_("Câu hỏi không thuộc đề thi của bạn."), "not_on_paper", 404)
    if not decision.allowed:
        for question_id, seq, _r in parsed:
            log_event(attempt, "save_refused", now, question=question_id, seq=seq, reason=decision.reason)
        raise _refusal(attempt, decision)
    acknowledged = []
    for question_id, seq, raw in parsed:
        attempt_question, data, answer = by_id[question_id]
        question = QuestionData.from_dict(data)
        try:
            response = get_type(question.type).normalize_response(question, raw)
        except ResponseError as error:
            raise ExamError(error.translated(_), "bad_response", 400, question=question_id) from None
        if question.type == papers.PRACTICAL_TYPE and response and not _own_upload(attempt_question, response["upload_id"]):
            raise ExamError(_("Tệp nộp không thuộc câu hỏi này."), "bad_response", 400, question=question_id)
        if answer is None:
            answer = AttemptAnswer(attempt_question_id=attempt_question.id, client_seq=-1)
            db.session.add(answer)
            by_id[question_id] = (attempt_question, data, answer)
        stored = seq > answer.client_seq
        if stored:
            answer.response, answer.client_seq, answer.saved_at, answer.late = response, seq, now, decision.late
            if decision.late:
                late_by = (now - attempt.deadline_at).total_seconds()
                log_event(attempt, "late_save", now, question=question_id, seq=seq, seconds_after_deadline=round(late_by, 3))
        acknowledged.append({"question": question_id, "seq": seq, "stored": stored})
    attempt.last_seen_at = now
    db.session.flush()
    return acknowledged, decision.late


def _own_upload(attempt_question, upload_id):
    upload = db.session.get(PracticalUpload, upload_id)
    return upload is not None and upload.attempt_question_id == attempt_question.id


def set_flag(attempt: ExamAttempt, attempt_question: AttemptQuestion, flagged: bool, now):
    attempt = lock_attempt(attempt.id)
    apply_clock(attempt, now)
    if attempt.open_slot == 1:
        attempt_question.flagged = bool(flagged)
    return attempt


# --- Submit, clock, extra time, reopen ----------------------------------------------------------------


def submit_attempt(attempt: ExamAttempt, now, by=engine.BY_CANDIDATE):
    """Finish and grade. Idempotent: a second submit returns the first one's result."""
    attempt = lock_attempt(attempt.id)
    session = attempt.candidate.session
    transition = engine.submit(attempt.clock(), now, grace(session), by=by)
    _take_transition(attempt, transition, now)
    return attempt, transition.already_finished


def expire_attempt(attempt: ExamAttempt, now):
    """The page's countdown reached zero: finish by the clock if the server agrees."""
    attempt = lock_attempt(attempt.id)
    transition = engine.expire(attempt.clock(), now, grace(attempt.candidate.session))
    _take_transition(attempt, transition, now)
    return attempt


def close_overdue(now) -> int:
    """Finalize every open attempt whose deadline + grace has passed, with its saved answers."""
    candidates = db.session.execute(
        select(ExamAttempt.id).where(ExamAttempt.open_slot == 1, ExamAttempt.deadline_at < now).order_by(ExamAttempt.id)
    ).scalars().all()
    finalized = 0
    for attempt_id in candidates:
        attempt = lock_attempt(attempt_id)
        transition = apply_clock(attempt, now, by=engine.BY_COMMAND)
        if transition.attempt.is_finished and transition.changed:
            finalized += 1
    return finalized


def grant_extra_time(candidate: ExamCandidate, now, actor, extra_minutes=None, extra_multiplier=None, reason=""):
    """Change a candidate's extra time; an attempt in progress gets its new deadline at once."""
    if extra_minutes is not None:
        candidate.extra_minutes = max(0.0, float(extra_minutes))
    if extra_multiplier is not None:
        candidate.extra_multiplier = max(1.0, float(extra_multiplier))
    session = candidate.session
    changed = []
    open_ids = db.session.execute(
        select(ExamAttempt.id).where(ExamAttempt.candidate_id == candidate.id, ExamAttempt.open_slot == 1)
    ).scalars().all()
    for attempt_id in open_ids:
        attempt = lock_attempt(attempt_id)
        apply_clock(attempt, now)
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
    """A proctor reopens a finished attempt for `minutes` more, for a documented reason (audited)."""
    attempt = lock_attempt(attempt.id)
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
    attempt.score = attempt.passed = attempt.graded_at = None
    log_event(attempt, "reopened", now, actor, reason=reason.strip(), minutes=minutes)
    record("exam.reopen", target=f"exam_attempt:{attempt.id}", actor=actor, reason=reason.strip(), minutes=minutes)
    db.session.flush()
    return attempt
