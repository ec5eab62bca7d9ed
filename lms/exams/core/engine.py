"""The attempt engine: pure Python, no Flask and no SQLAlchemy.

An attempt is a frozen `AttemptClock`; every function takes the time (`now`) and,
where chance is involved, the random seed as arguments and returns a new value plus
the events that happened. The services persist what comes out.

States: in_progress → overdue (past the deadline, still inside the network grace)
→ submitted (by the candidate) | auto_submitted (by the clock) → graded.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Optional

from lms.messages import N_, MessageError

IN_PROGRESS = "in_progress"
OVERDUE = "overdue"
SUBMITTED = "submitted"
AUTO_SUBMITTED = "auto_submitted"
GRADED = "graded"
STATES = (IN_PROGRESS, OVERDUE, SUBMITTED, AUTO_SUBMITTED, GRADED)
OPEN_STATES = (IN_PROGRESS, OVERDUE)
FINISHED_STATES = (SUBMITTED, AUTO_SUBMITTED, GRADED)

# Who finalized an attempt.
BY_CANDIDATE = "candidate"
BY_CLOCK = "clock"
BY_COMMAND = "command"

DEFAULT_GRACE = timedelta(seconds=30)
DEFAULT_MAX_SCORE = 10.0
DEFAULT_PASS_MARK = 5.0


class EngineError(MessageError):
    """A transition that the rules do not allow (e.g. reopening an attempt still open);
    its text is a Message, translated where it is shown."""


@dataclass(frozen=True)
class AttemptClock:
    """The part of an attempt the rules act on."""

    state: str
    started_at: datetime
    deadline_at: datetime
    submitted_at: Optional[datetime] = None
    finalized_by: Optional[str] = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


@dataclass(frozen=True)
class Event:
    kind: str  # overdue, back_in_time, auto_submitted, submitted, extended, reopened, graded
    at: datetime
    detail: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    attempt: AttemptClock
    events: tuple = ()
    # True when a submit found the attempt already finished (idempotent answer).
    already_finished: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.events)


@dataclass(frozen=True)
class SaveDecision:
    allowed: bool
    late: bool = False
    reason: str = ""  # in_time, within_grace, finished, past_grace


def compute_deadline(
    started_at: datetime,
    limit: timedelta,
    extra_minutes: float = 0,
    extra_multiplier: float = 1.0,
    session_close: Optional[datetime] = None,
) -> datetime:
    """min(start + limit × multiplier + extra minutes, session close)."""
    multiplier = extra_multiplier if extra_multiplier and extra_multiplier > 0 else 1.0
    deadline = started_at + limit * multiplier + timedelta(minutes=extra_minutes or 0)
    if session_close is not None and session_close < deadline:
        return session_close
    return deadline


def remaining_milliseconds(attempt: AttemptClock, now: datetime) -> int:
    """Deadline − server now in milliseconds, never negative; 0 once finished.

    The page counts down from this exact figure: whole seconds would lose up to one
    second at every load, and a reload could then show more time than before it.
    """
    if not attempt.is_open:
        return 0
    return max(0, (attempt.deadline_at - now) // timedelta(milliseconds=1))


def remaining_seconds(attempt: AttemptClock, now: datetime) -> int:
    """What a countdown shows: the remaining time in whole seconds, rounded up, so that
    it reads 0:00 only once the deadline is reached."""
    return -(-remaining_milliseconds(attempt, now) // 1000)


def apply_clock(attempt: AttemptClock, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Transition:
    """Bring the attempt's state up to `now`. Finished attempts are left unchanged.

    At the deadline itself the attempt is still in time; past it, within the grace,
    it is overdue (saves still accepted, marked late); past the grace it is
    auto-submitted with the deadline as its submission time.
    """
    if not attempt.is_open:
        return Transition(attempt)
    if now > attempt.deadline_at + grace:
        finished = replace(attempt, state=AUTO_SUBMITTED, submitted_at=attempt.deadline_at, finalized_by=BY_CLOCK)
        return Transition(finished, (Event("auto_submitted", now, {"deadline": attempt.deadline_at.isoformat()}),))
    if now > attempt.deadline_at:
        if attempt.state == OVERDUE:
            return Transition(attempt)
        return Transition(replace(attempt, state=OVERDUE), (Event("overdue", now),))
    if attempt.state == OVERDUE:  # the deadline was extended past now
        return Transition(replace(attempt, state=IN_PROGRESS), (Event("back_in_time", now),))
    return Transition(attempt)


def finalize_overdue(attempt: AttemptClock, now: datetime, grace: timedelta = DEFAULT_GRACE, by: str = BY_CLOCK) -> Transition:
    """apply_clock, recording who finalized (the clock on access, or the scheduled command)."""
    transition = apply_clock(attempt, now, grace)
    if transition.attempt.state == AUTO_SUBMITTED and attempt.is_open:
        return Transition(replace(transition.attempt, finalized_by=by), transition.events)
    return transition


def save_decision(attempt: AttemptClock) -> SaveDecision:
    """May an answer be stored on an attempt whose clock is already applied (see apply_clock)?
    Late while overdue (inside the grace); refused once finished, `past_grace` when the clock
    finished it."""
    if attempt.is_finished:
        reason = "past_grace" if attempt.finalized_by in (BY_CLOCK, BY_COMMAND) else "finished"
        return SaveDecision(False, reason=reason)
    if attempt.state == OVERDUE:
        return SaveDecision(True, late=True, reason="within_grace")
    return SaveDecision(True, reason="in_time")


def submit(attempt: AttemptClock, now: datetime, grace: timedelta = DEFAULT_GRACE, by: str = BY_CANDIDATE) -> Transition:
    """Finish the attempt. Idempotent: a finished attempt comes back unchanged.

    A submit arriving past deadline + grace finds the attempt auto-submitted by the
    clock (at the deadline), not submitted late.
    """
    transition = apply_clock(attempt, now, grace)
    current = transition.attempt
    if current.is_finished:
        return Transition(current, transition.events, already_finished=not transition.events)
    finished = replace(current, state=SUBMITTED, submitted_at=now, finalized_by=by)
    return Transition(finished, transition.events + (Event("submitted", now, {"by": by}),))


def expire(attempt: AttemptClock, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Transition:
    """The page reports that its countdown reached zero and has sent its last answers:
    finish the attempt by the clock now rather than at the end of the grace. Refused
    (nothing changes) while the server's clock says time remains."""
    transition = apply_clock(attempt, now, grace)
    current = transition.attempt
    if not current.is_open or now < current.deadline_at:
        return transition
    finished = replace(current, state=AUTO_SUBMITTED, submitted_at=current.deadline_at, finalized_by=BY_CLOCK)
    return Transition(finished, transition.events + (Event("auto_submitted", now, {"deadline": current.deadline_at.isoformat()}),))


def extend_deadline(attempt: AttemptClock, new_deadline: datetime, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Transition:
    """Extra time granted during the exam: the open attempt's deadline moves at once."""
    current = apply_clock(attempt, now, grace)
    if not current.attempt.is_open:
        raise EngineError(N_("Bài thi đã kết thúc."))
    moved = replace(current.attempt, deadline_at=new_deadline)
    event = Event("extended", now, {"from": attempt.deadline_at.isoformat(), "to": new_deadline.isoformat()})
    after = apply_clock(moved, now, grace)
    return Transition(after.attempt, current.events + (event,) + after.events)


def reopen(attempt: AttemptClock, new_deadline: datetime, now: datetime, reason: str) -> Transition:
    """A proctor reopens a finished attempt (a power cut, a crashed machine) for a documented
    reason; an objective part is graded at submit, so graded attempts may be reopened too."""
    if not reason or not reason.strip():
        raise EngineError(N_("Cần ghi lý do."))
    if attempt.state not in FINISHED_STATES:
        raise EngineError(N_("Chỉ mở lại được bài thi đã kết thúc."))
    if new_deadline <= now:
        raise EngineError(N_("Hạn nộp mới phải sau thời điểm hiện tại."))
    reopened = replace(attempt, state=IN_PROGRESS, deadline_at=new_deadline, submitted_at=None, finalized_by=None)
    return Transition(reopened, (Event("reopened", now, {"reason": reason.strip(), "deadline": new_deadline.isoformat()}),))


def mark_graded(attempt: AttemptClock, now: datetime) -> Transition:
    if attempt.state == GRADED:
        return Transition(attempt)
    if attempt.state not in (SUBMITTED, AUTO_SUBMITTED):
        raise EngineError(N_("Chỉ chấm được bài thi đã nộp."))
    return Transition(replace(attempt, state=GRADED), (Event("graded", now),))


# --- Scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartScore:
    key: str
    score: Optional[float]  # None while a person has not graded it
    pass_mark: float = DEFAULT_PASS_MARK
    max_score: float = DEFAULT_MAX_SCORE

    @property
    def passed(self) -> Optional[bool]:
        return None if self.score is None else self.score >= self.pass_mark


def scale_score(earned: float, possible: float, max_score: float = DEFAULT_MAX_SCORE) -> float:
    """Points earned, on the part's scale (out of 10), truncated to two decimals.

    Truncated, not rounded: 4.996 must not become a pass mark of 5.00. The epsilon
    absorbs binary noise (15/30 × 10 computed as 4.9999999).
    """
    if possible <= 0:
        return 0.0
    exact = max_score * max(0.0, min(earned, possible)) / possible
    return math.floor(exact * 100 + 1e-6) / 100


def overall_passed(parts: Sequence[PartScore]) -> Optional[bool]:
    """Passed only if every part reaches its pass mark; None while any part is ungraded."""
    if not parts:
        return None
    results = [part.passed for part in parts]
    if any(result is False for result in results):
        return False
    if any(result is None for result in results):
        return None
    return True


def module_scores(items: Iterable[tuple]) -> dict:
    """{module: score out of 10} from (module, fraction, points) of each graded question."""
    earned: dict = {}
    possible: dict = {}
    for module, fraction, points in items:
        earned[module] = earned.get(module, 0.0) + (fraction or 0.0) * points
        possible[module] = possible.get(module, 0.0) + points
    return {module: scale_score(earned[module], possible[module]) for module in possible}


# --- What a candidate may see -----------------------------------------------------------------

REVIEW_LEVELS = ("none", "score", "correctness", "answers")


def review_level(policy: Mapping, finished: bool, now: datetime, closes_at: datetime, released_at: Optional[datetime]) -> str:
    """How much of a finished attempt its candidate may see at `now`.

    Nothing before the release time (when one is set); `after_submit` while the session
    runs; after the close, the more generous of `after_close` and `after_submit`.
    """
    if not finished:
        return "none"
    if released_at is not None and now < released_at:
        return "none"

    def level(key):
        value = (policy or {}).get(key, "none")
        return REVIEW_LEVELS.index(value) if value in REVIEW_LEVELS else 0

    rank = level("after_submit")
    if now >= closes_at:
        rank = max(rank, level("after_close"))
    return REVIEW_LEVELS[rank]
