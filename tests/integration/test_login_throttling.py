"""Sign-in throttling on the database (lms.auth.throttling): the backoff per account and
address, per address and per account across addresses, a proctor's release, the purge."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth import throttling
from lms.auth.models import LoginFailure, LoginRelease
from lms.models_base import utcnow

ROOM = "10.20.0.1"  # an exam room behind one NAT address
HOME = "10.1.2.3"
ATTACKER = "203.0.113.9"


@pytest.fixture()
def config(app, db):
    with app.test_request_context():
        yield app.config


def fail(username, address, at, times=1):
    for _ in range(times):
        throttling.record_failure(username, address, at)


def test_the_wait_doubles_past_the_free_failures_up_to_the_cap(config, db):
    now = utcnow()
    free = config["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"]
    waits = []
    for _ in range(free + 12):
        fail("learner", ROOM, now)
        waits.append(throttling.retry_after_seconds("learner", ROOM, now))
    assert waits[:free] == [0] * free
    assert waits[free:free + 5] == [1, 2, 4, 8, 16]
    assert waits[-1] == config["LOGIN_MAX_DELAY_ACCOUNT_ADDRESS_SECONDS"] == 300


def test_the_wait_counts_from_the_newest_failure(config, db):
    start = utcnow()
    fail("learner", ROOM, start, times=5)  # 2 s after the fifth
    newest = start + timedelta(seconds=30)
    fail("learner", ROOM, newest)  # a sixth: 4 s after it
    assert throttling.retry_after_seconds("learner", ROOM, newest + timedelta(seconds=1)) == 3
    assert throttling.retry_after_seconds("learner", ROOM, newest + timedelta(seconds=4)) == 0


def test_failures_older_than_the_window_stop_counting(config, db):
    now = utcnow()
    fail("learner", ROOM, now - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1), times=20)
    assert throttling.retry_after_seconds("learner", ROOM, now) == 0


def test_a_neighbours_mistakes_on_another_account_do_not_delay_a_candidate(config, db):
    now = utcnow()
    fail("nguoi_ben_canh", ROOM, now, times=30)
    assert throttling.retry_after_seconds("nguoi_ben_canh", ROOM, now) > 0
    assert throttling.retry_after_seconds("learner", ROOM, now) == 0


def test_a_storm_from_one_address_never_delays_the_owner_at_another(config, db):
    now = utcnow()
    fail("learner", ATTACKER, now, times=500)
    assert throttling.retry_after_seconds("learner", ATTACKER, now) == 300
    assert throttling.retry_after_seconds("learner", HOME, now) == 0
    assert throttling.retry_after_seconds("learner", ROOM, now) == 0


def test_a_distributed_storm_delays_the_owner_by_the_short_account_cap_only(config, db):
    now = utcnow()
    for host in range(1, 51):  # fifty addresses, three guesses each
        fail("learner", f"198.51.100.{host}", now, times=3)
    cap = config["LOGIN_MAX_DELAY_ACCOUNT_SECONDS"]
    wait = throttling.retry_after_seconds("learner", HOME, now)
    assert 0 < wait <= cap == 30
    assert throttling.retry_after_seconds("learner", HOME, now + timedelta(seconds=cap)) == 0
    # Another account is not touched by it.
    assert throttling.retry_after_seconds("admin", HOME, now) == 0


def test_password_spraying_from_one_address_is_slowed_for_every_account_there(config, db):
    now = utcnow()
    free = config["LOGIN_FREE_FAILURES_PER_ADDRESS"]
    for index in range(free + 4):
        fail(f"tai_khoan_{index}", ATTACKER, now)
    assert throttling.retry_after_seconds("learner", ATTACKER, now) == 8
    assert throttling.retry_after_seconds("learner", HOME, now) == 0


def test_a_release_lets_the_candidate_in_at_once_and_only_them(config, db):
    now = utcnow()
    fail("learner", ROOM, now, times=20)
    fail("nguoi_ben_canh", ROOM, now, times=20)
    assert throttling.retry_after_seconds("learner", ROOM, now) == 300
    lifted = throttling.release("learner", None, now)
    db.session.commit()
    assert lifted == 20
    assert throttling.retry_after_seconds("learner", ROOM, now) == 0
    assert throttling.retry_after_seconds("nguoi_ben_canh", ROOM, now) == 300
    # The rows stay (they still count for the address and the other account) …
    assert db.session.execute(select(func.count(LoginFailure.id))).scalar_one() == 40
    assert throttling.recent_failures(["learner", "nguoi_ben_canh", "khong_co"], now) == {"nguoi_ben_canh": 20}
    # … and new failures after the release count again from zero.
    later = now + timedelta(seconds=1)
    fail("learner", ROOM, later, times=4)
    assert throttling.retry_after_seconds("learner", ROOM, later) == 1
    assert throttling.recent_failures(["LEARNER "], later) == {"learner": 4}


def test_a_release_lifts_the_address_wide_wait_for_that_candidate(config, db):
    now = utcnow()
    for index in range(config["LOGIN_FREE_FAILURES_PER_ADDRESS"] + 10):
        fail(f"tai_khoan_{index}", ROOM, now)
    assert throttling.retry_after_seconds("learner", ROOM, now) > 0
    throttling.release("learner", None, now)
    assert throttling.retry_after_seconds("learner", ROOM, now) == 0
    assert throttling.retry_after_seconds("admin", ROOM, now) > 0


def test_the_purge_forgets_failures_and_releases_past_the_window(config, db):
    now = utcnow()
    old = now - timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"] + 60)
    fail("learner", ROOM, old, times=3)
    fail("learner", ROOM, now)
    throttling.release("learner", None, old)
    throttling.release("admin", None, now)
    assert throttling.purge_old_failures(now) == 3
    assert db.session.execute(select(func.count(LoginFailure.id))).scalar_one() == 1
    assert db.session.execute(select(LoginRelease.username)).scalars().all() == ["admin"]



def test_the_proctor_board_reads_its_candidates_failures_in_its_one_statement(config, db, demo):
    from exam_support import make_pool, make_session
    from sqlalchemy import event

    from lms.exams.manage import board
    from lms.scope import Scope

    make_pool()
    session, _candidate = make_session()
    session_id, now = session.id, utcnow()
    fail("learner", ROOM, now - timedelta(minutes=5), times=4)
    throttling.release("learner", None, now - timedelta(minutes=4))
    fail("learner", ROOM, now - timedelta(minutes=1), times=2)
    fail("admin", ROOM, now, times=9)  # not a candidate of the session
    db.session.commit()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = board.proctor_board(session_id, now, Scope.city())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [(row["has_account"], row["login_failures"]) for row in rows] == [(True, 2)]
