"""Skipping the server's order of an exam: every request on an attempt meets the session's
conditions again (the allowed networks, a session still running), not only its start; nothing
is answered, flagged, submitted or handed in on an attempt one did not start, on somebody
else's, or for a question off one's own paper. Each refusal changes nothing."""
from datetime import timedelta

import pytest
from exam_attack_support import (
    CODE,
    JSON,
    OUTSIDE,
    ROOM,
    ROOM_NETWORK,
    ROOM_TABLET,
    WRITES,
    at,
    attempt_requests,
    events_of,
    holdings,
    post_start,
    said,
    start_with_code,
)
from exam_client import csrf, paper_ids, save, second_learner, start
from exam_support import make_pool, make_session
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.exams import design, starting
from lms.exams.models import ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow


@pytest.fixture()
def room_exam(demo):
    """A theory and a practical part, open to the exam room's network only, with an access code."""
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True, allowed_networks=[ROOM_NETWORK])
    starting.set_access_code(session, CODE)
    db.session.commit()
    return session, candidate


@pytest.fixture()
def sitting_in_the_room(room_exam, auth, client):
    """The demo learner started both parts in the room: (session, theory attempt, practical
    attempt, CSRF token), one answer saved."""
    session, _ = room_exam
    at(client, ROOM)
    auth.login("learner")
    theory = start_with_code(auth, session)
    practical = start_with_code(auth, session, part=session.blueprint.parts[1].id)
    token = csrf(client, theory)
    assert save(client, theory, token, paper_ids(theory)[0], 1, {"choice": 1}).status_code == 200
    return session, theory, practical, token


def test_every_request_from_outside_the_allowed_networks_is_refused_and_changes_nothing(sitting_in_the_room, client):
    _session, theory, practical, token = sitting_in_the_room
    first, second = paper_ids(theory)[:2]
    before = holdings(theory, practical)
    at(client, OUTSIDE)  # the same signed-in candidate, the tablet taken out of the room
    for name, send in attempt_requests(client, token, theory, second, practical, paper_ids(practical)[0]).items():
        response = send()
        assert response.status_code == 403, name
        assert f"không nằm trong mạng được phép dự thi ({OUTSIDE})" in said(response), name
    assert holdings(theory, practical) == before
    refusals = events_of("request_refused", theory, practical)
    assert len(refusals) == len(WRITES)  # every write from outside is on the attempt's record
    assert {(event.detail["reason"], event.detail["ip"]) for event in refusals} == {("network", OUTSIDE)}
    # Back in the room on another machine of its network, the buffered answers go through
    # (the page re-sends its whole buffer, the acknowledged answer too).
    at(client, ROOM_TABLET)
    resent = client.post(f"/exams/api/attempts/{theory}/answers", headers={"X-CSRFToken": token, **JSON},
                         json={"answers": [{"question": first, "seq": 1, "response": {"choice": 1}},
                                           {"question": second, "seq": 2, "response": {"choice": 3}}]})
    assert resent.status_code == 200
    assert [(ack["question"], ack["stored"]) for ack in resent.get_json()["saved"]] == [(first, False), (second, True)]
    assert [row[0] for row in holdings(theory)["answers"]] == sorted([first, second])
    assert client.get(f"/exams/attempts/{theory}").status_code == 200


def test_a_started_attempt_is_not_resumed_from_outside(sitting_in_the_room, auth, client):
    session, theory, _practical, token = sitting_in_the_room
    at(client, OUTSIDE)
    page = post_start(auth, session, CODE, follow_redirects=True).get_data(as_text=True)
    assert "mạng được phép dự thi" in page and 'id="exam"' not in page
    part_id = session.blueprint.parts[0].id
    as_json = client.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", json={}, headers={"X-CSRFToken": token})
    assert as_json.status_code == 403 and as_json.get_json()["error"] == "network" and "questions" not in as_json.get_json()
    reasons = db.session.execute(select(AuditEvent.details).where(AuditEvent.action == "exam.start_refused")).scalars().all()
    assert [details["reason"] for details in reasons] == ["network", "network"]
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 2


def test_nothing_new_starts_once_the_session_has_closed(demo, auth, client):
    make_pool()
    session, _ = make_session()
    session.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    auth.login("learner")
    page = post_start(auth, session, follow_redirects=True).get_data(as_text=True)
    assert "Kỳ thi đã đóng." in page and 'id="exam"' not in page
    token = auth.csrf_token(f"/exams/sessions/{session.id}")
    as_json = client.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start", json={}, headers={"X-CSRFToken": token})
    assert as_json.status_code == 403 and as_json.get_json()["error"] == "closed"
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 0


def test_a_session_withdrawn_during_the_exam_takes_no_more_answers(demo, auth, client):
    make_pool(practical=("IU03",))
    session, _ = make_session(practical=True)
    auth.login("learner")
    theory, practical = start(auth, session), start(auth, session, part=session.blueprint.parts[1].id)
    token = csrf(client, theory)
    session.status = "cancelled"
    db.session.commit()
    before = holdings(theory, practical)
    for name, send in attempt_requests(client, token, theory, paper_ids(theory)[0], practical, paper_ids(practical)[0]).items():
        response = send()
        assert response.status_code == 403 and "chưa được công bố hoặc đã kết thúc" in said(response), name
    assert holdings(theory, practical) == before
    # The result page is not part of the sitting: it stays the candidate's to read.
    assert client.get(f"/exams/attempts/{theory}/result").status_code == 302


@pytest.fixture()
def two_candidates(demo):
    """A session with a theory and a practical part, and learner2 as a second candidate."""
    make_pool(practical=("IU03",))
    session, _ = make_session(practical=True)
    other = second_learner()
    design.add_candidate(session, other.staff, other)
    db.session.commit()
    return session


def test_no_request_reaches_an_attempt_one_did_not_start(two_candidates, auth, client):
    session = two_candidates
    auth.login("learner2")
    theirs = start(auth, session), start(auth, session, part=session.blueprint.parts[1].id)
    auth.logout()
    auth.login("learner")
    token = auth.csrf_token(f"/exams/sessions/{session.id}")
    before = holdings(*theirs)
    copied = attempt_requests(client, token, theirs[0], paper_ids(theirs[0])[0], theirs[1], paper_ids(theirs[1])[0])
    for name, send in copied.items():
        assert send().status_code == 403, name
    guessed = attempt_requests(client, token, 10 ** 6, paper_ids(theirs[0])[0], 10 ** 6 + 1, paper_ids(theirs[1])[0])
    for name, send in guessed.items():
        assert send().status_code == 404, name
    assert holdings(*theirs) == before
    # Nothing was started on the learner's behalf either.
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 2


def test_questions_of_another_paper_are_not_saved_flagged_or_handed_in_through_ones_own_attempt(two_candidates, auth, client):
    session = two_candidates
    auth.login("learner2")
    theirs = start(auth, session), start(auth, session, part=session.blueprint.parts[1].id)
    auth.logout()
    auth.login("learner")
    mine = start(auth, session), start(auth, session, part=session.blueprint.parts[1].id)
    token = csrf(client, mine[0])
    before = holdings(*theirs, *mine)
    crossed = attempt_requests(client, token, mine[0], paper_ids(theirs[0])[0], mine[1], paper_ids(theirs[1])[0])
    for name in ("save", "flag", "upload"):
        response = crossed[name]()
        assert response.status_code == 404 and "không thuộc đề thi của bạn" in said(response), name
    # A question of one's own other part is not on this paper either.
    assert save(client, mine[0], token, paper_ids(mine[1])[0], 1, {"choice": 1}).status_code == 404
    assert holdings(*theirs, *mine) == before
