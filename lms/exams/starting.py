"""Entering an exam: the session's conditions (window, networks, access code) and the start
or resumption of an attempt with its paper; the conditions every later request on the
attempt meets (check_sitting). Writes flush, never commit."""
import ipaddress
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import String, and_, cast, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

from lms.audit.services import record_refusal
from lms.auth import throttling
from lms.auth.passwords import hash_password, verify_password
from lms.exams import papers
from lms.exams.attempts import ExamError, hold, lock_and_clock, log_event
from lms.exams.core import drawing, engine
from lms.exams.models import AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate, ExamSession, PredrawnPaper
from lms.extensions import db

_PAPER_INSERT = insert(AttemptQuestion.__table__).returning(AttemptQuestion.__table__.c.id)


def set_access_code(session: ExamSession, code):
    session.access_code_hash = hash_password(code) if code else None


def check_entry(candidate: ExamCandidate, now, address, access_code=None):
    """Refuse entry outside the window, from outside the allowed networks, or without the code."""
    session = candidate.session
    _check_published(session)
    if now < session.opens_at:
        raise ExamError(_("Kỳ thi chưa mở."), "not_open", 403)
    if now >= session.closes_at:
        raise ExamError(_("Kỳ thi đã đóng."), "closed", 403)
    _check_network(session, address)
    if session.access_code_hash:
        _check_access_code(candidate, now, address, access_code)


def check_sitting(session: ExamSession, address):
    """The conditions every request on a started attempt meets (its page, state, saves, flags,
    submit, uploads; a resumption): the session still published, the request from an allowed
    network. The window holds through the attempt's deadline, capped at the session's close
    when it started, which the clock enforces (only a proctor's reopening goes past it). The
    access code is not asked again: an attempt exists only through check_entry, and only its
    own candidate's requests reach it (lms.exams.take.access.own_attempt)."""
    _check_published(session)
    _check_network(session, address)


def _check_published(session):
    if session.status != "published":
        raise ExamError(_("Kỳ thi chưa được công bố hoặc đã kết thúc."), "not_published", 403)


def _check_network(session, address):
    if session.allowed_networks and not address_allowed(address, session.allowed_networks):
        raise ExamError(_("Máy của bạn không nằm trong mạng được phép dự thi (%(ip)s).", ip=address or "?"), "network", 403)


def _check_access_code(candidate, now, address, access_code):
    """The code, with the sign-in backoff on wrong ones (lms.auth.throttling, its EXAM_CODE
    scope): per candidate of the session and address, per address, per candidate across
    addresses. A throttled try is not checked, so that guessing gains nothing by hurrying."""
    key = access_code_key(candidate.id)
    wait = throttling.retry_after_seconds(key, address, now, scope=throttling.EXAM_CODE)
    if wait:
        raise ExamError(code_throttled_message(wait), "code_throttled", 429, retry_after=wait)
    if not (access_code and verify_password(candidate.session.access_code_hash, access_code.strip())):
        throttling.record_failure(key, address, now, scope=throttling.EXAM_CODE)
        raise ExamError(_("Mã dự thi không đúng."), "access_code", 403)
    throttling.clear_failures(key, address, scope=throttling.EXAM_CODE)


def access_code_key(candidate_id):
    """Under which key a candidate's wrong access codes are counted (lms.auth.throttling,
    EXAM_CODE scope): the candidate's id as text, which also names the session; given the id
    column, the same in SQL (the proctor board counts them)."""
    return str(candidate_id) if isinstance(candidate_id, int) else cast(candidate_id, String)


def code_throttled_message(wait):
    """What a candidate who must wait `wait` seconds before typing the code again reads."""
    if wait < 60:
        text = _("Nhập sai mã dự thi nhiều lần. Vui lòng thử lại sau %(s)d giây.", s=wait)
    else:
        text = _("Nhập sai mã dự thi quá nhiều lần. Vui lòng thử lại sau %(m)d phút.", m=max(1, (wait + 59) // 60))
    return text + " " + _("Nếu không chắc mã dự thi, hãy hỏi cán bộ coi thi.")


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
    return hold(attempt)


@lru_cache(maxsize=None)
def _open_attempt_insert(dialect):
    # One statement object per dialect, values given at execution, so that its compiled
    # form is cached.
    dialect_insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
    return dialect_insert(ExamAttempt.__table__).on_conflict_do_nothing().returning(ExamAttempt.__table__.c.id)


@contextmanager
def _refusals_recorded(candidate, part):
    # Kept although the refusal rolls the request back: proctors see who was turned away
    # and why (a wrong access code tried again and again shows here, as its throttling).
    try:
        yield
    except ExamError as error:
        waited = {"wait_seconds": error.detail["retry_after"]} if "retry_after" in error.detail else {}
        record_refusal("exam.start_refused", target=f"exam_session:{candidate.session_id}", part=part.id, candidate=candidate.id,
                       reason=error.code, **waited)
        raise


def start_attempt(candidate: ExamCandidate, part: BlueprintPart, now, address="", access_code=None, position=None):
    """Resume the open attempt, or start a new one with its paper drawn and stored.

    Resuming needs no access code (a candidate whose sign-in expired mid-exam comes back
    to the same attempt), only check_sitting. A second concurrent start finds the first
    through the database's single-open-attempt constraint. `position` is the candidate's
    position on the part as start_context read it in this transaction; read here when not given.
    """
    session = candidate.session
    if part.blueprint_id != session.blueprint_id:
        raise ExamError(_("Phần thi không thuộc kỳ thi này."), "part", 404)
    used, open_id, predrawn = position if position is not None else _start_position(candidate, part)
    if open_id is not None:
        current, _clock = lock_and_clock(open_id, now)
        if current.open_slot == 1:
            with _refusals_recorded(candidate, part):
                check_sitting(session, address)
            return current, False
    with _refusals_recorded(candidate, part):
        check_entry(candidate, now, address, access_code)
        if used >= session.attempts_allowed:
            raise ExamError(_("Bạn đã dùng hết số lần thi được phép (%(n)d).", n=session.attempts_allowed), "attempts_used")
    if predrawn is not None:
        seed, items = predrawn
    else:
        seed = papers.new_seed()
        try:
            items = papers.draw_items(part, candidate, seed)
        except drawing.PoolShortage as shortage:
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
