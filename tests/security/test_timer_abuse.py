"""Abusing the exam clock: the clock is the server's. A save past the deadline and its grace is
refused, a start sent again resumes the same attempt and its clock, a time the client claims
(any timestamp in the JSON) moves nothing, and only a proctor of the session gives extra time
or reopens an attempt."""
from datetime import timedelta

import pytest
from exam_attack_support import JSON, events_of, holdings
from exam_client import csrf, move_deadline, paper_ids, start
from exam_support import make_pool, make_session
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.exams.models import AttemptAnswer, ExamAttempt, ExamCandidate
from lms.extensions import db
from lms.models_base import utcnow


@pytest.fixture()
def exam(demo):
    make_pool()
    return make_session(grace_seconds=30)


@pytest.fixture()
def sitting(exam, auth, client):
    """The demo learner on a just-started attempt: (session, attempt id, CSRF token, its first question)."""
    session, _ = exam
    auth.login("learner")
    attempt_id = start(auth, session)
    return session, attempt_id, csrf(client, attempt_id), paper_ids(attempt_id)[0]


def forged_times(deadline):
    """Every name a client might give a time under, all claiming a moment well before the deadline
    (and a deadline well after it)."""
    early = deadline - timedelta(minutes=20)
    return {"saved_at": early.isoformat(), "client_time": early.isoformat(), "now": early.isoformat(), "at": early.isoformat(),
            "timestamp": int(early.timestamp() * 1000), "started_at": early.isoformat(), "submitted_at": early.isoformat(),
            "deadline": (deadline + timedelta(hours=3)).isoformat(), "deadline_at": (deadline + timedelta(hours=3)).isoformat(),
            "remaining_ms": 3 * 3600 * 1000, "late": False}


def post_answer(client, attempt_id, token, question, seq, extra):
    entry = {"question": question, "seq": seq, "response": {"choice": 1}, **extra}
    return client.post(f"/exams/api/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token, **JSON}, json={"answers": [entry], **extra})


def clock_of(attempt_id):
    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, attempt_id)
    return attempt.state, attempt.started_at, attempt.deadline_at, attempt.submitted_at


def test_a_save_past_the_deadline_and_its_grace_is_refused_whatever_time_the_client_claims(sitting, client):
    _session, attempt_id, token, question = sitting
    move_deadline(attempt_id, -31)  # the grace is 30 s
    deadline = clock_of(attempt_id)[2]
    refused = post_answer(client, attempt_id, token, question, 1, forged_times(deadline))
    assert refused.status_code == 409 and refused.get_json()["error"] == "time_over" and refused.get_json()["open"] is False
    assert holdings(attempt_id)["answers"] == []
    state, _started, after, submitted = clock_of(attempt_id)
    assert (state, after, submitted) == ("graded", deadline, deadline)  # finished by the clock, at its own deadline
    # The offline buffer sent again later is refused the same way.
    again = post_answer(client, attempt_id, token, question, 2, {})
    assert again.status_code == 409 and holdings(attempt_id)["answers"] == []


def test_a_forged_client_time_changes_neither_the_deadline_nor_the_save_time_nor_lateness(sitting, client):
    _session, attempt_id, token, question = sitting
    state, started, deadline, _ = clock_of(attempt_id)
    before = utcnow()
    saved = post_answer(client, attempt_id, token, question, 1, forged_times(deadline - timedelta(hours=2)))
    assert saved.status_code == 200 and saved.get_json()["late"] is False
    assert saved.get_json()["deadline"] == deadline.isoformat() and saved.get_json()["remaining_seconds"] <= 30 * 60
    answer = db.session.execute(select(AttemptAnswer).where(AttemptAnswer.attempt_question_id == question)).scalar_one()
    assert before <= answer.saved_at <= utcnow()  # the server's time, not the one claimed
    # A countdown that "reached zero" on the client (a forged time, or a clock set forward) closes nothing.
    timeout = client.post(f"/exams/api/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token, **JSON},
                          json={"timeout": True, **forged_times(deadline - timedelta(hours=2))})
    assert timeout.status_code == 200 and timeout.get_json()["open"] is True
    state_query = client.get(f"/exams/api/attempts/{attempt_id}/state?now={(deadline + timedelta(hours=1)).isoformat()}", headers=JSON)
    assert state_query.get_json()["deadline"] == deadline.isoformat() and state_query.get_json()["open"] is True
    assert clock_of(attempt_id) == (state, started, deadline, None)
    assert events_of("auto_submitted", attempt_id) == [] and events_of("extended", attempt_id) == []
    # Inside the grace, an answer that claims to be on time is still recorded late.
    move_deadline(attempt_id, -10)
    late = post_answer(client, attempt_id, token, question, 2, forged_times(clock_of(attempt_id)[2]))
    assert late.status_code == 200 and late.get_json()["late"] is True
    db.session.expire_all()
    assert db.session.get(AttemptAnswer, answer.id).late is True


def test_starting_again_resumes_the_same_attempt_and_never_starts_a_second_clock(sitting, auth, client):
    session, attempt_id, token, _question = sitting
    attempt = db.session.get(ExamAttempt, attempt_id)
    # Ten minutes have gone by on the server's clock.
    attempt.started_at -= timedelta(minutes=10)
    attempt.deadline_at -= timedelta(minutes=10)
    db.session.commit()
    _state, started, deadline, _ = clock_of(attempt_id)
    paper = paper_ids(attempt_id)
    assert start(auth, session) == attempt_id
    part_id = session.blueprint.parts[0].id
    resumed = client.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", headers={"X-CSRFToken": token},
                          json=forged_times(deadline) | {"started_at": utcnow().isoformat()})
    assert resumed.status_code == 200 and resumed.get_json()["attempt"] == attempt_id
    assert resumed.get_json()["remaining_seconds"] <= 20 * 60
    assert clock_of(attempt_id)[1:3] == (started, deadline) and paper_ids(attempt_id) == paper
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 1
    assert len(events_of("started", attempt_id)) == 1
    # Once submitted, the one attempt allowed is used: no new start, no new clock.
    assert client.post(f"/exams/api/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token}, json={}).status_code == 200
    refused = client.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", headers={"X-CSRFToken": token}, json={})
    assert refused.status_code == 409 and refused.get_json()["error"] == "attempts_used"
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 1


@pytest.fixture()
def finished_and_open(demo, auth):
    """The demo learner submitted the theory part and is working on the practical one:
    (session, candidate id, the theory attempt, the practical attempt)."""
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    auth.login("learner")
    theory = start(auth, session)
    token = csrf(auth.client, theory)
    assert auth.client.post(f"/exams/api/attempts/{theory}/submit", headers={"X-CSRFToken": token}, json={}).status_code == 200
    practical = start(auth, session, part=session.blueprint.parts[1].id)
    auth.logout()
    return session, candidate.id, theory, practical


def proctor_actions(auth, session, candidate_id, theory):
    manage = f"/exams/manage/sessions/{session.id}"
    return (auth.post(f"{manage}/candidates/{candidate_id}/extra-time", {"extra_minutes": 30, "extra_multiplier": 2, "reason": "Tự cộng giờ"},
                      token_page="/account/password"),
            auth.post(f"{manage}/attempts/{theory}/reopen", {"minutes": 60, "reason": "Tự mở lại bài thi"}, token_page="/account/password"))


@pytest.mark.parametrize("username", ["learner", "hr", "proctor_gl"])  # the candidate, no exam role, a proctor of another district
def test_extra_time_and_reopening_are_refused_without_the_proctor_role_and_change_nothing(finished_and_open, auth, username):
    session, candidate_id, theory, practical = finished_and_open
    before = holdings(theory, practical)
    auth.login(username)
    assert [response.status_code for response in proctor_actions(auth, session, candidate_id, theory)] == [403, 403]
    assert holdings(theory, practical) == before
    candidate = db.session.get(ExamCandidate, candidate_id)
    assert (candidate.extra_minutes or 0, candidate.extra_multiplier or 1) == (0, 1)
    assert events_of("extended", theory, practical) == [] and events_of("reopened", theory, practical) == []
    audited = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.in_(("exam.extra_time", "exam.reopen")))).scalars().all()
    assert audited == []
    # The same requests from a proctor of the session go through: the refusal was the role's.
    auth.logout()
    auth.login("trainer")
    assert [response.status_code for response in proctor_actions(auth, session, candidate_id, theory)] == [302, 302]
    after = holdings(theory, practical)["clocks"]
    assert after[0].open_slot == 1 and after[1].deadline_at > before["clocks"][1].deadline_at
