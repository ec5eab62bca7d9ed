"""The running session from the trainer's side: proctor board, extra time, reopen, regrade."""
import re
from datetime import timedelta

import pytest
from exam_support import loaded, make_pool, make_session
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.exams import attempts
from lms.exams.models import AttemptEvent, AttemptGrade, AttemptQuestion, ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.models import Question, QuestionVersion
from tests.conftest import Auth


@pytest.fixture()
def exam(demo):
    make_pool()
    return make_session()


@pytest.fixture()
def learner(app, exam):
    """A second client signed in as the demo learner, with a started attempt."""
    client = app.test_client()
    learner_auth = Auth(client)
    learner_auth.login("learner")
    session, _candidate = exam
    part_id = session.blueprint.parts[0].id
    response = learner_auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page=f"/exams/sessions/{session.id}")
    assert response.status_code == 200  # the start answers with the exam page
    attempt_id = int(re.search(r'data-attempt="(\d+)"', response.get_data(as_text=True)).group(1))
    return client, attempt_id


@pytest.fixture()
def submitted_attempt(learner):
    """The learner's started attempt, submitted straight away: its id."""
    _client, attempt_id = learner
    attempts.submit_attempt(loaded(attempt_id), utcnow())
    db.session.commit()
    return attempt_id


def state(client, attempt_id):
    return client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()


def test_extra_time_extends_the_running_attempt_at_once_and_the_candidate_api_shows_it(exam, learner, auth, client):
    session, candidate = exam
    learner_client, attempt_id = learner
    before = state(learner_client, attempt_id)
    auth.login("trainer")
    proctor = f"/exams/manage/sessions/{session.id}/proctor"
    response = auth.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/extra-time",
                         {"extra_minutes": "15", "extra_multiplier": "1", "reason": "Máy tính bị treo 15 phút"}, token_page=proctor)
    assert response.status_code == 302
    after = state(learner_client, attempt_id)
    from datetime import datetime

    moved = datetime.fromisoformat(after["deadline"]) - datetime.fromisoformat(before["deadline"])
    assert moved == timedelta(minutes=15)
    assert after["remaining_seconds"] >= before["remaining_seconds"] + 14 * 60
    board = client.get(f"/exams/manage/sessions/{session.id}/proctor.json").get_json()
    row = next(r for r in board["rows"] if r["attempt_id"] == attempt_id)
    assert row["deadline_at"] == after["deadline"] and row["extra_minutes"] == 15
    extended = db.session.execute(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "extended")).scalar_one()
    assert extended.detail["reason"] == "Máy tính bị treo 15 phút"
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.extra_time")).scalar_one().actor_name == "trainer"


def test_extra_time_needs_a_reason(exam, learner, auth, client):
    session, candidate = exam
    _client, attempt_id = learner
    deadline = db.session.get(ExamAttempt, attempt_id).deadline_at
    auth.login("trainer")
    auth.post(f"/exams/manage/sessions/{session.id}/candidates/{candidate.id}/extra-time", {"extra_minutes": "15"},
              token_page=f"/exams/manage/sessions/{session.id}/proctor")
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt_id).deadline_at == deadline


def test_the_proctor_board_counts_started_active_submitted_and_late_saves(exam, learner, auth, client):
    session, _candidate = exam
    _client, attempt_id = learner
    first_question = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)).scalars().first()
    attempt = loaded(attempt_id)
    attempts.save_answers(attempt, [{"question": first_question, "seq": 1, "response": {"choice": 1}}], utcnow())
    db.session.commit()
    auth.login("trainer")
    board = client.get(f"/exams/manage/sessions/{session.id}/proctor.json").get_json()
    assert board["summary"] == {"candidates": 1, "started": 1, "active": 1, "submitted": 0, "late_saves": 0}
    # A save inside the grace after the deadline is late and counted.
    late_at = db.session.get(ExamAttempt, attempt_id).deadline_at + timedelta(seconds=5)
    attempt = loaded(attempt_id, late_at)
    attempts.save_answers(attempt, [{"question": first_question, "seq": 2, "response": {"choice": 2}}], late_at)
    attempts.submit_attempt(attempt, late_at + timedelta(seconds=1))
    db.session.commit()
    board = client.get(f"/exams/manage/sessions/{session.id}/proctor.json").get_json()
    assert board["summary"]["late_saves"] == 1 and board["summary"]["submitted"] == 1 and board["summary"]["active"] == 0
    page = client.get(f"/exams/manage/sessions/{session.id}/proctor").get_data(as_text=True)
    assert "js/proctor.js" in page and "<script>" not in page


def test_reopening_an_attempt_needs_a_reason_and_is_audited(exam, submitted_attempt, auth, client):
    session, _candidate = exam
    attempt_id = submitted_attempt
    auth.login("trainer")
    proctor = f"/exams/manage/sessions/{session.id}/proctor"
    auth.post(f"/exams/manage/sessions/{session.id}/attempts/{attempt_id}/reopen", {"minutes": "10", "reason": ""}, token_page=proctor)
    db.session.expire_all()
    assert db.session.get(ExamAttempt, attempt_id).open_slot is None
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.reopen")).first() is None
    response = auth.post(f"/exams/manage/sessions/{session.id}/attempts/{attempt_id}/reopen",
                         {"minutes": "10", "reason": "Mất điện phòng thi P301 lúc 9h05"}, token_page=proctor)
    assert response.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert attempt.state == "in_progress" and attempt.open_slot == 1
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.reopen")).scalar_one()
    assert audit.details["reason"] == "Mất điện phòng thi P301 lúc 9h05" and audit.actor_name == "trainer"


def test_an_attempt_of_another_session_is_404_on_the_proctor_actions(exam, learner, auth, client, db):
    session, _candidate = exam
    _client, attempt_id = learner
    from lms.exams import design

    now = utcnow()
    elsewhere = design.create_session(session.blueprint, "Kỳ thi khác", now, now + timedelta(hours=1))
    db.session.commit()
    auth.login("trainer")
    response = auth.post(f"/exams/manage/sessions/{elsewhere.id}/attempts/{attempt_id}/reopen", {"minutes": "10", "reason": "Thử ngoài kỳ thi"},
                         token_page=f"/exams/manage/sessions/{session.id}/proctor")
    assert response.status_code == 404
    response = auth.post(f"/exams/manage/sessions/{elsewhere.id}/candidates/{_candidate.id}/extra-time",
                         {"extra_minutes": "5", "reason": "Thử ngoài kỳ thi"}, token_page=f"/exams/manage/sessions/{session.id}/proctor")
    assert response.status_code == 404


def test_regrade_after_a_key_correction_keeps_old_and_new_scores(exam, learner, auth, client):
    session, _candidate = exam
    _client, attempt_id = learner
    attempt = loaded(attempt_id)
    first = attempt.questions[0]
    # The candidate picks A, which the key says is wrong.
    attempts.save_answers(attempt, [{"question": first.id, "seq": 1, "response": {"choice": 0}}], utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    old_score = db.session.get(ExamAttempt, attempt_id).score
    question = db.session.get(QuestionVersion, first.question_version_id).question
    # A trainer finds the key wrong: A is right. The correction is a new version.
    data = dict(db.session.get(QuestionVersion, first.question_version_id).data)
    data["choices"] = [dict(choice, correct=(index == 0)) for index, choice in enumerate(data["choices"])]
    corrected = QuestionVersion(question_id=question.id, number=2, data=data, change_note="Sửa đáp án")
    db.session.add(corrected)
    db.session.flush()
    question.current_version_id = corrected.id
    db.session.commit()

    auth.login("trainer")
    path = f"/exams/manage/sessions/{session.id}/questions/{question.id}/regrade"
    page = client.get(path).get_data(as_text=True)
    assert "1 bài của kỳ thi có câu hỏi này; 1 lượt đã hiển thị phiên bản cũ hơn" in page
    response = auth.post(path, {"reason": "Đáp án A mới đúng theo giáo trình"}, token_page=path)
    assert response.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert attempt.score == pytest.approx(old_score + 10 / 30, abs=0.01)
    grades = db.session.execute(select(AttemptGrade).where(AttemptGrade.attempt_question_id == first.id).order_by(AttemptGrade.id)).scalars().all()
    assert [(g.source, g.fraction, g.current) for g in grades] == [("auto", 0.0, False), ("regrade", 1.0, True)]
    event = db.session.execute(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "regraded")).scalar_one()
    assert (event.detail["score_before"], event.detail["score_after"]) == (old_score, attempt.score)
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.regrade")).scalar_one()
    assert audit.details["changes"] == [{"attempt": attempt_id, "before": old_score, "after": attempt.score}]
    changes = client.get(f"/exams/manage/sessions/{session.id}/score-changes").get_data(as_text=True)
    assert "Đáp án A mới đúng theo giáo trình" in changes and str(attempt.score) in changes


def test_a_regrade_needs_a_reason_and_a_question_of_the_session(exam, submitted_attempt, auth, client):
    session, _candidate = exam
    auth.login("trainer")
    unused = db.session.execute(select(Question.id).where(Question.id.not_in(
        select(QuestionVersion.question_id).join(AttemptQuestion, AttemptQuestion.question_version_id == QuestionVersion.id)))).scalars().first()
    assert client.get(f"/exams/manage/sessions/{session.id}/questions/{unused}/regrade").status_code == 404
    used = db.session.execute(select(QuestionVersion.question_id).join(AttemptQuestion, AttemptQuestion.question_version_id == QuestionVersion.id)).scalars().first()
    path = f"/exams/manage/sessions/{session.id}/questions/{used}/regrade"
    assert auth.post(path, {"reason": ""}, token_page=path).status_code == 200
    assert db.session.execute(select(AttemptEvent).where(AttemptEvent.kind == "regraded")).first() is None
