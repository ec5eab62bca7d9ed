"""Guessing an exam's access code: past a few wrong codes, a candidate's further tries from that
address wait longer and longer (up to a cap), with a Vietnamese message saying when to retry;
a throttled try is not even checked. The backoff is the sign-in's (lms.auth.throttling, its own
scope): wrong codes are audited and counted apart from wrong passwords, and they delay neither
the neighbours in the room nor the candidate at another machine."""
import re
from datetime import timedelta

import pytest
from exam_attack_support import CODE, ROOM, ROOM_TABLET, at, post_start, said
from exam_client import attempt_on_page, second_learner
from exam_support import make_pool, make_session
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth import throttling
from lms.auth.models import LoginFailure
from lms.exams import design, starting
from lms.exams.models import ExamAttempt
from lms.extensions import db
from tests.conftest import Auth

WRONG = "HN-2025"
THROTTLED = re.compile(r"Nhập sai mã dự thi (?:nhiều|quá nhiều) lần\. Vui lòng thử lại sau \d+ (?:giây|phút)\.")


@pytest.fixture()
def coded_exam(demo):
    make_pool()
    session, candidate = make_session()
    starting.set_access_code(session, CODE)
    db.session.commit()
    return session, candidate


@pytest.fixture()
def free(app, monkeypatch):
    """How many wrong codes go unpunished; the waits after them made 10 s, 20 s, 40 s … so
    that no slow request outruns one."""
    monkeypatch.setitem(app.config, "LOGIN_BACKOFF_BASE_SECONDS", 10)
    return app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"]


def try_code(auth, session, code):
    """The page the candidate lands on after typing `code` on the session page."""
    return said(post_start(auth, session, code, follow_redirects=True))


def wrong_codes():
    return db.session.execute(select(func.count(LoginFailure.id)).where(LoginFailure.scope == throttling.EXAM_CODE)).scalar_one()


def let_time_pass(seconds):
    """As if `seconds` went by since every wrong code typed so far."""
    for failure in db.session.execute(select(LoginFailure)).scalars():
        failure.created_at -= timedelta(seconds=seconds)
    db.session.commit()


def refusals():
    return db.session.execute(select(AuditEvent.details).where(AuditEvent.action == "exam.start_refused").order_by(AuditEvent.id)).scalars().all()


def attempts():
    return db.session.execute(select(func.count(ExamAttempt.id))).scalar_one()


def test_wrong_codes_past_a_few_wait_longer_each_time_and_the_right_one_is_not_checked_meanwhile(coded_exam, auth, free):
    session, _ = coded_exam
    auth.login("learner")
    for _ in range(free):
        assert "Mã dự thi không đúng." in try_code(auth, session, WRONG)
    for _ in range(6):
        assert "Mã dự thi không đúng." in try_code(auth, session, WRONG)
        # The right code now is refused unchecked: a guesser learns nothing by hurrying.
        page = try_code(auth, session, CODE)
        assert THROTTLED.search(page) and "hỏi cán bộ coi thi" in page and 'id="exam"' not in page
        let_time_pass(refusals()[-1]["wait_seconds"])
    waits = [details["wait_seconds"] for details in refusals() if details["reason"] == "code_throttled"]
    expected = [10, 20, 40, 80, 160, 300]  # doubling, up to the five-minute cap
    assert all(want - 3 <= got <= want for got, want in zip(waits, expected, strict=True)), waits
    # Every wrong code is audited, as a failed sign-in is; a throttled try is no failure.
    assert [details["reason"] for details in refusals()].count("access_code") == free + 6 == wrong_codes()
    assert attempts() == 0
    # Once the wait is over, the right code starts the exam and forgets this machine's mistakes.
    assert attempt_on_page(post_start(auth, session, CODE)) > 0
    assert wrong_codes() == 0


def test_a_throttled_start_answers_json_with_the_wait(coded_exam, auth, client, free):
    session, _ = coded_exam
    auth.login("learner")
    for _ in range(free + 1):
        try_code(auth, session, WRONG)
    token = auth.csrf_token(f"/exams/sessions/{session.id}")
    response = client.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "code_throttled" and 7 <= body["retry_after"] <= 10 and THROTTLED.search(body["message"])


def test_a_guesser_delays_neither_the_neighbours_in_the_room_nor_the_candidate_at_another_machine(coded_exam, app, free):
    session, _ = coded_exam
    neighbour = second_learner()
    design.add_candidate(session, neighbour.staff, neighbour)
    db.session.commit()
    guesser = Auth(app.test_client())  # somebody at the room's address with the learner's account
    at(guesser.client, ROOM)
    guesser.login("learner")
    for _ in range(free + 1):
        try_code(guesser, session, WRONG)
    assert THROTTLED.search(try_code(guesser, session, CODE))
    room_mate = Auth(app.test_client())
    at(room_mate.client, ROOM)
    room_mate.login("learner2")
    assert attempt_on_page(post_start(room_mate, session, CODE)) > 0
    owner = Auth(app.test_client())
    at(owner.client, ROOM_TABLET)
    owner.login("learner")
    assert attempt_on_page(post_start(owner, session, CODE)) > 0
    assert attempts() == 2


def test_wrong_codes_and_wrong_passwords_are_counted_apart(coded_exam, auth, client, free):
    session, _ = coded_exam
    auth.login("learner")
    for _ in range(free + 1):
        try_code(auth, session, WRONG)
    assert THROTTLED.search(try_code(auth, session, CODE))
    # The wrong codes do not delay signing in again, from the same machine.
    assert throttling.retry_after_seconds("learner", "127.0.0.1") == 0
    auth.logout()
    assert auth.login("learner").status_code == 302
    # A room whose address is throttled for sign-ins (password spraying) still enters codes.
    let_time_pass(60)
    for index in range(250):
        throttling.record_failure(f"khong-co-{index}", "127.0.0.1")
    db.session.commit()
    assert throttling.retry_after_seconds("someone-else", "127.0.0.1") > 0
    assert attempt_on_page(post_start(auth, session, CODE)) > 0


def test_a_proctor_of_the_session_sees_the_wrong_codes_on_the_board(coded_exam, auth, client, free):
    session, _ = coded_exam
    auth.login("learner")
    for _ in range(free + 1):
        try_code(auth, session, WRONG)
    auth.logout()
    auth.login("trainer")
    board = f"/exams/manage/sessions/{session.id}/proctor"
    rows = client.get(board + ".json").get_json()["rows"]
    assert [(row["code_failures"], row["login_failures"]) for row in rows] == [(free + 1, 0)]
    assert f"{free + 1} lần nhập sai mã dự thi" in client.get(board).get_data(as_text=True)
