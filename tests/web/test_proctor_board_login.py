"""The proctor board: a proctor of the session lifts a candidate's sign-in throttling (audited,
within the exam scope), and every time on the board is Hanoi time."""
from datetime import timedelta

import pytest
from exam_support import make_pool, make_session
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth import throttling
from lms.auth.models import LoginRelease
from lms.auth.services import create_user
from lms.exams import attempts, design, starting
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff
from tests.conftest import DEMO_PASSWORD, Auth

ROOM = {"REMOTE_ADDR": "10.20.0.1"}  # the exam room's one address


@pytest.fixture()
def exam(demo):
    make_pool()
    create_user("proctor_city", DEMO_PASSWORD, "Cán bộ coi thi thành phố", ["proctor"], enforce_policy=False)
    session, candidate = make_session()
    return session, candidate


def room_login(client, username, password):
    token = Auth(client).csrf_token("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, environ_base=ROOM)


def locked_out_learner(app):
    """The demo learner's client in the exam room, after a neighbour typed the learner's
    name with wrong passwords, over minutes, until each wait is five minutes long."""
    client = app.test_client()
    assert room_login(client, "learner", "Sai-mat-khau").status_code == 200
    for _ in range(19):
        throttling.record_failure("learner", ROOM["REMOTE_ADDR"])
    db.session.commit()
    response = room_login(client, "learner", DEMO_PASSWORD)
    assert response.status_code == 429 and "báo cán bộ coi thi" in response.get_data(as_text=True)
    return client


def test_a_proctor_of_the_session_lifts_the_candidates_throttling_from_the_board(app, exam, client, auth):
    session, candidate = exam
    learner_client = locked_out_learner(app)
    auth.login("proctor_city")
    board = f"/exams/manage/sessions/{session.id}/proctor"
    page = client.get(board).get_data(as_text=True)
    assert "Mở khóa đăng nhập" in page and "lần đăng nhập sai" in page
    data = client.get(board + ".json").get_json()
    assert data["rows"][0]["login_failures"] == 20 and data["rows"][0]["has_account"] is True
    response = auth.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/login-release", token_page=board)
    assert response.status_code == 302 and response.headers["Location"].endswith(board)
    assert "Đã mở khóa đăng nhập" in client.get(board).get_data(as_text=True)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "login.release")).scalar_one()
    assert (event.target, event.actor_name, event.details["session"], event.details["candidate"]) == ("learner", "proctor_city", session.id,
                                                                                                       candidate.id)
    assert event.details["failures"] == 20
    assert client.get(board + ".json").get_json()["rows"][0]["login_failures"] == 0
    # The candidate signs in at once, from the same room.
    assert room_login(learner_client, "learner", DEMO_PASSWORD).status_code == 302


def test_a_proctor_outside_the_sessions_scope_cannot_lift_it(app, exam, client, auth):
    session, candidate = exam
    locked_out_learner(app)
    auth.login("proctor_gl")  # Gia Lâm's proctor; the session is the city's
    response = auth.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/login-release", token_page="/exams/manage/")
    assert response.status_code in (403, 404)
    assert db.session.execute(select(func.count(LoginRelease.id))).scalar_one() == 0
    assert room_login(app.test_client(), "learner", DEMO_PASSWORD).status_code == 429


def test_a_learner_cannot_lift_anyones_throttling(exam, client, auth):
    session, candidate = exam
    auth.login("learner")
    response = auth.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/login-release", token_page="/learn/")
    assert response.status_code == 403
    assert db.session.execute(select(func.count(LoginRelease.id))).scalar_one() == 0


def test_the_release_needs_the_csrf_token(exam, client, auth):
    session, candidate = exam
    auth.login("proctor_city")
    response = client.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/login-release")
    assert response.status_code == 400
    assert db.session.execute(select(func.count(LoginRelease.id))).scalar_one() == 0


def test_a_candidate_without_an_account_has_no_button_and_nothing_is_released(exam, client, auth):
    session, candidate = exam
    official = db.session.execute(select(Staff).where(Staff.id != candidate.staff_id).order_by(Staff.id)).scalars().first()
    no_account = design.add_candidate(session, official, candidate_number="TS999")
    db.session.commit()
    auth.login("proctor_city")
    board = f"/exams/manage/sessions/{session.id}/proctor"
    page = client.get(board).get_data(as_text=True)
    assert page.count("Mở khóa đăng nhập</button>") == 1  # the learner's row only
    response = auth.post(f"/exams/manage/sessions/{session.id}/candidates/{no_account.id}/login-release", token_page=board)
    assert response.status_code == 302
    assert "chưa có tài khoản đăng nhập" in client.get(board).get_data(as_text=True)
    assert db.session.execute(select(func.count(LoginRelease.id))).scalar_one() == 0


def test_the_last_save_shows_in_hanoi_time_on_the_page_and_in_the_json(exam, client, auth):
    session, candidate = exam
    now = utcnow()
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], now)
    saved_at = now - timedelta(seconds=5)
    attempts.save_answers(attempt, [{"question": attempt.questions[0].id, "seq": 1, "response": {"choice": 1}}], saved_at)
    db.session.commit()
    hanoi = (saved_at + timedelta(hours=7)).strftime("%H:%M:%S")
    utc = saved_at.strftime("%H:%M:%S")
    auth.login("trainer")
    board = f"/exams/manage/sessions/{session.id}/proctor"
    page = client.get(board).get_data(as_text=True)
    assert f'<td data-field="last_save">{hanoi}</td>' in page
    assert f'<td data-field="last_save">{utc}</td>' not in page
    data = client.get(board + ".json").get_json()
    row = next(r for r in data["rows"] if r["attempt_id"] == attempt.id)
    assert row["last_save_local"] == hanoi
    assert len(data["server_time_local"]) == 8 and data["server_time_local"].count(":") == 2
