"""The attempt engine: every transition, the clock at and around each boundary."""
from datetime import datetime, timedelta, timezone

import pytest

from lms.exams.core import drawing, engine
from lms.exams.core.drawing import PoolItem, PoolShortage, Quota
from lms.exams.core.engine import AUTO_SUBMITTED, GRADED, IN_PROGRESS, OVERDUE, SUBMITTED, AttemptClock, EngineError, PartScore

T0 = datetime(2017, 5, 20, 8, 0, tzinfo=timezone.utc)
LIMIT = timedelta(minutes=30)
DEADLINE = T0 + LIMIT
GRACE = timedelta(seconds=30)
S = timedelta(seconds=1)


def attempt(state=IN_PROGRESS, deadline=DEADLINE, submitted_at=None, finalized_by=None):
    return AttemptClock(state=state, started_at=T0, deadline_at=deadline, submitted_at=submitted_at, finalized_by=finalized_by)


# --- compute_deadline ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "extra_minutes, multiplier, close, expected",
    [
        (0, 1.0, None, T0 + LIMIT),
        (10, 1.0, None, T0 + LIMIT + timedelta(minutes=10)),
        (0, 1.5, None, T0 + timedelta(minutes=45)),
        (5, 2.0, None, T0 + timedelta(minutes=65)),
        (0, 0, None, T0 + LIMIT),  # a zero multiplier means "none", never a zero-length exam
        (0, 1.0, T0 + timedelta(minutes=20), T0 + timedelta(minutes=20)),  # the session close caps
        (15, 1.0, T0 + timedelta(minutes=40), T0 + timedelta(minutes=40)),  # extra time capped too
        (0, 1.0, T0 + LIMIT, T0 + LIMIT),  # close exactly at the natural deadline
        (0, 1.0, T0 + LIMIT + S, T0 + LIMIT),  # a later close does not extend
    ],
)
def test_deadline_is_start_plus_limit_and_extra_capped_by_session_close(extra_minutes, multiplier, close, expected):
    assert engine.compute_deadline(T0, LIMIT, extra_minutes, multiplier, close) == expected


# --- apply_clock ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "state, now, expected_state, expected_events",
    [
        (IN_PROGRESS, T0, IN_PROGRESS, []),
        (IN_PROGRESS, DEADLINE - S, IN_PROGRESS, []),
        (IN_PROGRESS, DEADLINE, IN_PROGRESS, []),
        (IN_PROGRESS, DEADLINE + S, OVERDUE, ["overdue"]),
        (IN_PROGRESS, DEADLINE + GRACE - S, OVERDUE, ["overdue"]),
        (IN_PROGRESS, DEADLINE + GRACE, OVERDUE, ["overdue"]),
        (IN_PROGRESS, DEADLINE + GRACE + S, AUTO_SUBMITTED, ["auto_submitted"]),
        (OVERDUE, DEADLINE + S, OVERDUE, []),
        (OVERDUE, DEADLINE + GRACE, OVERDUE, []),
        (OVERDUE, DEADLINE + GRACE + S, AUTO_SUBMITTED, ["auto_submitted"]),
        (OVERDUE, DEADLINE - S, IN_PROGRESS, ["back_in_time"]),  # deadline extended meanwhile
        (SUBMITTED, DEADLINE + timedelta(hours=5), SUBMITTED, []),
        (AUTO_SUBMITTED, DEADLINE + timedelta(hours=5), AUTO_SUBMITTED, []),
        (GRADED, DEADLINE + timedelta(hours=5), GRADED, []),
    ],
)
def test_clock_moves_the_state_at_each_boundary(state, now, expected_state, expected_events):
    result = engine.apply_clock(attempt(state), now, GRACE)
    assert result.attempt.state == expected_state
    assert [event.kind for event in result.events] == expected_events


def test_auto_submit_by_the_clock_is_dated_at_the_deadline_not_at_discovery():
    late_discovery = DEADLINE + timedelta(hours=3)
    result = engine.apply_clock(attempt(), late_discovery, GRACE)
    assert result.attempt.submitted_at == DEADLINE
    assert result.attempt.finalized_by == engine.BY_CLOCK


def test_finalize_overdue_records_the_command_as_finalizer():
    result = engine.finalize_overdue(attempt(), DEADLINE + GRACE + S, GRACE, by=engine.BY_COMMAND)
    assert (result.attempt.state, result.attempt.finalized_by) == (AUTO_SUBMITTED, engine.BY_COMMAND)
    untouched = engine.finalize_overdue(attempt(), DEADLINE, GRACE, by=engine.BY_COMMAND)
    assert untouched.attempt.state == IN_PROGRESS and untouched.attempt.finalized_by is None


# --- saving: the clock, then save_decision ------------------------------------------------------


def can_save(clock, now, grace):
    """What the server decides for an answer arriving at `now`: the loader applies the clock,
    the service asks save_decision."""
    return engine.save_decision(engine.apply_clock(clock, now, grace).attempt)


@pytest.mark.parametrize(
    "state, now, allowed, late, reason",
    [
        (IN_PROGRESS, T0, True, False, "in_time"),
        (IN_PROGRESS, DEADLINE - S, True, False, "in_time"),
        (IN_PROGRESS, DEADLINE, True, False, "in_time"),
        (IN_PROGRESS, DEADLINE + S, True, True, "within_grace"),
        (IN_PROGRESS, DEADLINE + GRACE, True, True, "within_grace"),
        (IN_PROGRESS, DEADLINE + GRACE + S, False, False, "past_grace"),
        (OVERDUE, DEADLINE + GRACE + S, False, False, "past_grace"),
        (SUBMITTED, T0 + S, False, False, "finished"),
        (AUTO_SUBMITTED, T0 + S, False, False, "finished"),
        (GRADED, T0 + S, False, False, "finished"),
    ],
)
def test_save_is_accepted_until_deadline_plus_grace(state, now, allowed, late, reason):
    decision = can_save(attempt(state), now, GRACE)
    assert (decision.allowed, decision.late, decision.reason) == (allowed, late, reason)


def test_grace_is_a_parameter():
    decision = can_save(attempt(), DEADLINE + timedelta(seconds=45), timedelta(seconds=60))
    assert decision.allowed and decision.late
    assert not can_save(attempt(), DEADLINE + S, timedelta(0)).allowed


# --- submit ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "state, now, expected_state, already, submitted_at",
    [
        (IN_PROGRESS, DEADLINE - S, SUBMITTED, False, DEADLINE - S),
        (IN_PROGRESS, DEADLINE, SUBMITTED, False, DEADLINE),
        (IN_PROGRESS, DEADLINE + GRACE, SUBMITTED, False, DEADLINE + GRACE),  # inside the grace: a submit
        (IN_PROGRESS, DEADLINE + GRACE + S, AUTO_SUBMITTED, False, DEADLINE),  # past it: the clock's
        (OVERDUE, DEADLINE + S, SUBMITTED, False, DEADLINE + S),
        (SUBMITTED, DEADLINE + timedelta(hours=1), SUBMITTED, True, T0 + timedelta(minutes=5)),
        (AUTO_SUBMITTED, DEADLINE + timedelta(hours=1), AUTO_SUBMITTED, True, T0 + timedelta(minutes=5)),
        (GRADED, DEADLINE + timedelta(hours=1), GRADED, True, T0 + timedelta(minutes=5)),
    ],
)
def test_submit_finishes_once_and_is_idempotent(state, now, expected_state, already, submitted_at):
    start = attempt(state, submitted_at=T0 + timedelta(minutes=5) if state in engine.FINISHED_STATES else None)
    result = engine.submit(start, now, GRACE)
    assert result.attempt.state == expected_state
    assert result.already_finished is already
    assert result.attempt.submitted_at == submitted_at


def test_second_submit_returns_the_same_attempt_without_events():
    first = engine.submit(attempt(), T0 + timedelta(minutes=10), GRACE)
    second = engine.submit(first.attempt, T0 + timedelta(minutes=11), GRACE)
    assert second.attempt == first.attempt
    assert second.events == () and second.already_finished


@pytest.mark.parametrize(
    "state, now, expected_state",
    [
        (IN_PROGRESS, DEADLINE - S, IN_PROGRESS),  # the client's countdown ran fast: refused
        (IN_PROGRESS, DEADLINE, AUTO_SUBMITTED),
        (IN_PROGRESS, DEADLINE + GRACE, AUTO_SUBMITTED),
        (OVERDUE, DEADLINE + S, AUTO_SUBMITTED),
        (SUBMITTED, DEADLINE + S, SUBMITTED),
    ],
)
def test_expire_finishes_only_when_the_server_clock_agrees(state, now, expected_state):
    result = engine.expire(attempt(state, submitted_at=T0 if state == SUBMITTED else None), now, GRACE)
    assert result.attempt.state == expected_state
    if expected_state == AUTO_SUBMITTED:
        assert result.attempt.submitted_at == DEADLINE and result.attempt.finalized_by == engine.BY_CLOCK


# --- extra time, reopen, grading --------------------------------------------------------------

def test_extra_time_moves_an_open_deadline_and_brings_an_overdue_attempt_back():
    now = DEADLINE + timedelta(seconds=10)
    overdue = engine.apply_clock(attempt(), now, GRACE).attempt
    result = engine.extend_deadline(overdue, DEADLINE + timedelta(minutes=10), now, GRACE)
    assert result.attempt.state == IN_PROGRESS
    assert result.attempt.deadline_at == DEADLINE + timedelta(minutes=10)
    assert [event.kind for event in result.events] == ["extended", "back_in_time"]


def test_extra_time_cannot_revive_an_attempt_past_its_grace():
    with pytest.raises(EngineError):
        engine.extend_deadline(attempt(), DEADLINE + timedelta(minutes=10), DEADLINE + GRACE + S, GRACE)


@pytest.mark.parametrize("state", [SUBMITTED, AUTO_SUBMITTED, GRADED])
def test_reopen_needs_a_reason_and_a_future_deadline(state):
    now = DEADLINE + timedelta(hours=1)
    finished = attempt(state, submitted_at=DEADLINE)
    with pytest.raises(EngineError):
        engine.reopen(finished, now + timedelta(minutes=10), now, "  ")
    with pytest.raises(EngineError):
        engine.reopen(finished, now, now, "mất điện")
    result = engine.reopen(finished, now + timedelta(minutes=10), now, "mất điện phòng thi")
    assert result.attempt.state == IN_PROGRESS and result.attempt.submitted_at is None
    assert result.events[0].detail["reason"] == "mất điện phòng thi"


@pytest.mark.parametrize("state", [IN_PROGRESS, OVERDUE])
def test_only_finished_attempts_can_be_reopened(state):
    with pytest.raises(EngineError):
        engine.reopen(attempt(state), DEADLINE + timedelta(hours=2), DEADLINE + timedelta(hours=1), "lý do")


@pytest.mark.parametrize("state, ok", [(IN_PROGRESS, False), (OVERDUE, False), (SUBMITTED, True), (AUTO_SUBMITTED, True), (GRADED, True)])
def test_grading_follows_a_finished_attempt(state, ok):
    if ok:
        assert engine.mark_graded(attempt(state), DEADLINE).attempt.state == GRADED
    else:
        with pytest.raises(EngineError):
            engine.mark_graded(attempt(state), DEADLINE)


@pytest.mark.parametrize(
    "state, now, expected",
    [(IN_PROGRESS, T0, 1800), (IN_PROGRESS, DEADLINE - S, 1), (IN_PROGRESS, DEADLINE, 0), (OVERDUE, DEADLINE + S, 0), (SUBMITTED, T0, 0)],
)
def test_remaining_seconds_is_deadline_minus_server_now(state, now, expected):
    assert engine.remaining_seconds(attempt(state), now) == expected


@pytest.mark.parametrize(
    "now, milliseconds, seconds",
    [(DEADLINE - timedelta(milliseconds=1500), 1500, 2), (DEADLINE - timedelta(milliseconds=1), 1, 1),
     (DEADLINE - timedelta(seconds=90), 90000, 90), (DEADLINE + timedelta(milliseconds=1), 0, 0)],
)
def test_the_countdown_keeps_milliseconds_and_rounds_whole_seconds_up(now, milliseconds, seconds):
    assert engine.remaining_milliseconds(attempt(IN_PROGRESS), now) == milliseconds
    assert engine.remaining_seconds(attempt(IN_PROGRESS), now) == seconds


# --- drawing the paper ----------------------------------------------------------------------

def basic_pool(per_module=8):
    items = []
    for m in range(1, 7):
        for i in range(per_module):
            difficulty = ("easy", "medium", "hard")[i % 3]
            items.append(PoolItem(m * 100 + i, f"IU0{m}", f"IU0{m}.{i % 3 + 1}.1", difficulty))
    return items


BASIC_QUOTAS = [Quota(f"IU0{m}", 5) for m in range(1, 7)]


def test_draw_takes_the_quota_of_each_module_in_order():
    paper = drawing.draw_paper(basic_pool(), BASIC_QUOTAS, seed=42)
    assert len(paper) == 30 and len(set(paper)) == 30
    assert [question_id // 100 for question_id in paper] == [m for m in range(1, 7) for _ in range(5)]


def test_same_seed_same_paper_other_seed_other_paper():
    pool = basic_pool()
    assert drawing.draw_paper(pool, BASIC_QUOTAS, 7) == drawing.draw_paper(list(reversed(pool)), BASIC_QUOTAS, 7)
    assert drawing.draw_paper(pool, BASIC_QUOTAS, 7) != drawing.draw_paper(pool, BASIC_QUOTAS, 8)


def test_pool_shortage_reports_every_missing_count():
    pool = [item for item in basic_pool() if not (item.module == "IU03" and item.question_id % 100 >= 2)]
    pool = [item for item in pool if item.module != "IU05"]
    with pytest.raises(PoolShortage) as raised:
        drawing.draw_paper(pool, BASIC_QUOTAS, 1)
    missing = {s.quota.module: s.missing for s in raised.value.shortages}
    assert missing == {"IU03": 3, "IU05": 5}
    assert "IU03: thiếu 3" in str(raised.value)


def test_syllabus_and_difficulty_quotas_draw_only_matching_questions():
    quotas = [Quota("IU04", 2, syllabus_prefix="IU04.2"), Quota("IU04", 1, difficulty="hard"), Quota("IU04", 2)]
    pool = basic_pool()
    paper = drawing.draw_paper(pool, quotas, 3)
    by_id = {item.question_id: item for item in pool}
    assert all(by_id[q].syllabus.startswith("IU04.2.") for q in paper[:2])
    assert by_id[paper[2]].difficulty == "hard"
    assert len(set(paper)) == 5


def test_syllabus_prefix_matches_whole_codes_only():
    quota = Quota("IU01", 1, syllabus_prefix="IU01.1")
    assert quota.matches(PoolItem(1, "IU01", "IU01.1.2"))
    assert quota.matches(PoolItem(1, "IU01", "IU01.1"))
    assert not quota.matches(PoolItem(1, "IU01", "IU01.10.1"))


def test_narrow_quota_is_served_before_a_broad_one_of_the_same_module():
    # Only 2 hard questions exist; a broad quota drawing first could take them.
    pool = [PoolItem(i, "IU01", "IU01.1", "hard" if i < 2 else "easy") for i in range(5)]
    quotas = [Quota("IU01", 3), Quota("IU01", 2, difficulty="hard")]
    for seed in range(20):
        paper = drawing.draw_paper(pool, quotas, seed)
        assert set(paper[3:]) == {0, 1}


def test_crossing_quotas_that_the_pool_can_serve_are_always_drawn():
    # Questions 0–5 are under IU04.2 and only 0 and 1 are hard: a syllabus quota drawing
    # first at random would often take a hard question the difficulty quota needs.
    pool = [PoolItem(i, "IU04", "IU04.2.1", "hard" if i < 2 else "easy") for i in range(6)] + [PoolItem(9, "IU04", "IU04.1.1", "easy")]
    quotas = [Quota("IU04", 2, syllabus_prefix="IU04.2"), Quota("IU04", 2, difficulty="hard")]
    assert drawing.check_pool(pool, quotas) == ()
    papers = {drawing.draw_paper(pool, quotas, seed) for seed in range(40)}
    for paper in papers:
        assert set(paper[:2]) <= {2, 3, 4, 5} and len(set(paper[:2])) == 2 and set(paper[2:]) == {0, 1}
    assert len({frozenset(paper[:2]) for paper in papers}) > 1  # still drawn at random


def test_crossing_quotas_report_what_no_assignment_can_give():
    pool = [PoolItem(i, "IU04", "IU04.2.1", "hard" if i < 2 else "easy") for i in range(3)]
    quotas = [Quota("IU04", 2, syllabus_prefix="IU04.2"), Quota("IU04", 2, difficulty="hard")]
    shortages = drawing.check_pool(pool, quotas)
    assert sum(shortage.missing for shortage in shortages) == 1
    with pytest.raises(PoolShortage):
        drawing.draw_paper(pool, quotas, 1)


# --- scores ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "earned, possible, expected",
    [(15, 30, 5.0), (30, 30, 10.0), (0, 30, 0.0), (14.99, 30, 4.99), (14.9, 30, 4.96), (20, 30, 6.66), (21, 30, 7.0), (2, 0, 0.0), (-1, 30, 0.0), (40, 30, 10.0)],
)
def test_scale_score_out_of_ten_truncates_so_a_fail_never_rounds_up_to_a_pass(earned, possible, expected):
    assert engine.scale_score(earned, possible) == expected


@pytest.mark.parametrize(
    "scores, expected",
    [
        ([5.0, 5.0], True),
        ([4.99, 9.0], False),
        ([9.0, 4.99], False),
        ([7.0, None], None),
        ([3.0, None], False),
        ([], None),
    ],
)
def test_pass_needs_every_part_at_its_pass_mark(scores, expected):
    parts = [PartScore(f"p{index}", score) for index, score in enumerate(scores)]
    assert engine.overall_passed(parts) is expected


def test_pass_mark_per_part_is_configurable():
    assert engine.overall_passed([PartScore("theory", 5.5, pass_mark=6)]) is False
    assert PartScore("theory", 6, pass_mark=6).passed is True


def test_module_scores_weigh_points():
    scores = engine.module_scores([("IU01", 1.0, 1), ("IU01", 0.0, 1), ("IU02", 0.5, 2), ("IU02", 1.0, 2)])
    assert scores == {"IU01": 5.0, "IU02": 7.5}


# --- review policy ----------------------------------------------------------------------------

CLOSE = T0 + timedelta(days=1)
POLICY = {"after_submit": "score", "after_close": "answers"}


@pytest.mark.parametrize(
    "policy, finished, now, released, expected",
    [
        (POLICY, False, CLOSE + S, None, "none"),  # an open attempt shows nothing
        (POLICY, True, CLOSE - S, None, "score"),
        (POLICY, True, CLOSE, None, "answers"),
        (POLICY, True, CLOSE + S, CLOSE + timedelta(days=2), "none"),  # before the release time
        (POLICY, True, CLOSE + timedelta(days=2), CLOSE + timedelta(days=2), "answers"),
        ({"after_submit": "correctness", "after_close": "none"}, True, CLOSE + S, None, "correctness"),
        ({"after_submit": "bogus"}, True, CLOSE - S, None, "none"),
        ({}, True, CLOSE + S, None, "none"),
    ],
)
def test_review_level_follows_policy_close_and_release(policy, finished, now, released, expected):
    assert engine.review_level(policy, finished, now, CLOSE, released) == expected
