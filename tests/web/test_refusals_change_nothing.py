"""A refused request changes nothing: every 4xx rolls back, a batch save is checked whole before
anything is written, and the refusals that must leave a trace leave it in their own step."""
from datetime import timedelta

import pytest
from exam_support import make_pool, make_session
from flask import Blueprint
from sqlalchemy import func, select
from test_exam_rules import csrf, move_deadline, paper_ids, start

from lms import create_app
from lms.audit.models import AuditEvent
from lms.audit.services import record, record_refusal
from lms.exams import starting
from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptQuestion, ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow
from lms.transactions import refused


@pytest.fixture()
def exam(demo):
    make_pool()
    return make_session()


def answers_of(attempt_id):
    return db.session.execute(
        select(func.count(AttemptAnswer.id)).join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
    ).scalar_one()


def events(kind):
    return db.session.execute(select(func.count(AttemptEvent.id)).where(AttemptEvent.kind == kind)).scalar_one()


@pytest.fixture()
def sitting(exam, auth, client):
    """The demo learner signed in with a started attempt: (attempt id, its first two questions, a CSRF token)."""
    session, _ = exam
    auth.login("learner")
    attempt_id = start(auth, session)
    return attempt_id, paper_ids(attempt_id)[:2], csrf(client, attempt_id)


def post_batch(client, sitting, *entries):
    attempt_id, _questions, token = sitting
    return client.post(f"/exams/api/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token}, json={"answers": list(entries)})


@pytest.mark.parametrize("second, status", [
    ({"choice": "not an option"}, 400),  # a malformed answer
    (None, 404),  # a question of another paper
])
def test_a_batch_with_one_bad_entry_stores_none_of_it(client, sitting, second, status):
    attempt_id, (first, other), _token = sitting
    bad = {"question": other, "seq": 2, "response": second} if second else {"question": 10 ** 6, "seq": 2, "response": {"choice": 1}}
    response = post_batch(client, sitting, {"question": first, "seq": 1, "response": {"choice": 1}}, bad)
    assert response.status_code == status and answers_of(attempt_id) == 0
    if status == 400:
        assert response.get_json()["question"] == other
    # The same batch, well formed, is stored whole.
    response = post_batch(client, sitting, {"question": first, "seq": 1, "response": {"choice": 1}},
                          {"question": other, "seq": 2, "response": {"choice": 2}})
    assert response.status_code == 200 and answers_of(attempt_id) == 2


def test_a_save_after_the_grace_is_refused_but_its_trace_and_the_clock_are_kept(client, sitting):
    attempt_id, (first, _other), _token = sitting
    move_deadline(attempt_id, -120)  # past the deadline and its 30 s grace
    response = post_batch(client, sitting, {"question": first, "seq": 1, "response": {"choice": 1}})
    assert response.status_code == 409 and response.get_json()["error"] == "time_over"
    assert response.get_json()["open"] is False
    db.session.expire_all()
    assert answers_of(attempt_id) == 0
    assert events("save_refused") == 1  # the trace, written after the refusal's rollback
    # What the clock decided is not undone by the refusal: the attempt stays submitted and graded.
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert attempt.state == "graded" and attempt.finalized_by == "clock" and attempt.score == 0.0


def test_a_refused_start_leaves_a_trace_and_no_attempt(demo, auth, client):
    make_pool()
    session, _ = make_session()
    starting.set_access_code(session, "DUTHI-2026")
    db.session.commit()
    auth.login("learner")
    part_id = session.blueprint.parts[0].id
    token = auth.csrf_token(f"/exams/sessions/{session.id}")
    response = client.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 403 and response.get_json()["error"] == "access_code"
    page = auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", {"access_code": "SAI-MA"}, token_page=f"/exams/sessions/{session.id}")
    assert page.status_code == 302  # back to the session page with the message
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 0
    traces = db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.start_refused")).scalars().all()
    assert [trace.details["reason"] for trace in traces] == ["access_code", "access_code"]
    assert all(trace.target == f"exam_session:{session.id}" and trace.actor_name == "learner" for trace in traces)


@pytest.fixture()
def probe_app(database_url, db, tmp_path):
    """An app of its own with routes that write, then answer with a given status."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "probe", "UPLOAD_DIR": str(tmp_path),
                      "WTF_CSRF_ENABLED": False})
    probe = Blueprint("probe", __name__)

    @probe.route("/probe/<int:status>", methods=["POST"])
    def write_then_answer(status):
        record("probe.written", target=str(status))
        record_refusal("probe.trace", target=str(status))
        db.session.flush()
        return "", status

    @probe.route("/probe/redirect-after-refusal", methods=["POST"])
    def redirect_after_refusal():
        record("probe.written", target="302")
        record_refusal("probe.trace", target="302")
        refused()
        return "", 302

    app.register_blueprint(probe)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _audited(action):
    return sorted(db.session.execute(select(AuditEvent.target).where(AuditEvent.action == action)).scalars())


@pytest.mark.parametrize("status, kept", [(200, True), (302, True), (400, False), (403, False), (404, False), (409, False), (422, False), (500, False)])
def test_every_4xx_and_5xx_rolls_back_and_keeps_only_its_trace(probe_app, status, kept):
    probe_app.test_client().post(f"/probe/{status}")
    assert _audited("probe.written") == ([str(status)] if kept else [])
    assert _audited("probe.trace") == [str(status)]


def test_a_refusal_answered_by_a_redirect_keeps_only_its_trace(probe_app):
    probe_app.test_client().post("/probe/redirect-after-refusal")
    assert _audited("probe.written") == [] and _audited("probe.trace") == ["302"]


def test_a_refused_session_form_changes_nothing(exam, auth, client):
    """Swapping the blueprint of a session that has attempts is refused (422): neither the new
    name nor the rooms of the same form are kept."""
    session, candidate = exam
    starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    db.session.commit()
    other = make_session()[0].blueprint
    db.session.commit()
    auth.login("trainer")
    opens = (session.opens_at + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    closes = (session.closes_at + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    response = auth.post(f"/exams/manage/sessions/{session.id}/edit", {
        "name": "Tên mới không được lưu", "blueprint_id": other.id, "organiser_unit_id": session.organiser_unit_id,
        "opens_at": opens, "closes_at": closes, "attempts_allowed": 1, "grace_seconds": 30, "status": "published",
        "review_after_submit": "score", "review_after_close": "correctness", "reconcile_threshold": 1, "rooms": "Phòng 1 | 30",
    })
    assert response.status_code == 422
    db.session.expire_all()
    assert session.name == "Kỳ thi thử" and [room.name for room in session.rooms] == []
