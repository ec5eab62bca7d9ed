"""The demo's finished session (lms.demo.finished_exam): taken, marked and released through the
exam services, so that its results carry their events and facts as a real session's do."""
import pytest
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.demo.finished_exam import COUNCIL, seed_finished_session
from lms.exams import design, starting
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamBlueprint, ExamCandidate, ExamSession, PracticalUpload
from lms.exams.result_models import ResultEvent, StaffModuleResult
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.cli import seed_question_banks

BASIC = {f"IU0{number}" for number in range(1, 7)}


@pytest.fixture()
def finished(demo):
    """The demo's exam step on the demo organisation and the shipped question banks."""
    seed_question_banks()
    lines = design.seed_exam_demo(utcnow()) + seed_finished_session(utcnow())[1]
    db.session.commit()
    session = db.session.execute(select(ExamSession).where(ExamSession.status == "closed")).scalar_one()
    return session, lines


def candidate_attempts(session):
    """{candidate number: {part kind: attempt}}"""
    rows = db.session.execute(
        select(ExamCandidate.candidate_number, ExamAttempt).join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .where(ExamCandidate.session_id == session.id)
    ).all()
    result = {}
    for number, attempt in rows:
        result.setdefault(number, {})[attempt.part.kind] = attempt
    return result


def fact_modules(staff_id):
    return set(db.session.execute(
        select(Module.code).join(StaffModuleResult, StaffModuleResult.module_id == Module.id).where(StaffModuleResult.staff_id == staff_id)
    ).scalars())


def test_the_session_is_closed_graded_and_released_with_an_event_for_each(finished):
    session, lines = finished
    now = utcnow()
    assert session.council == COUNCIL and session.organiser.code == "HN" and "đợt 1/" in session.name
    assert session.results_released_at is not None and session.closes_at < session.results_released_at < now
    attempts = [attempt for parts in candidate_attempts(session).values() for attempt in parts.values()]
    assert 8 <= len(attempts) // 2 <= 12 and all(attempt.state == engine.GRADED for attempt in attempts)
    kinds = db.session.execute(
        select(ResultEvent.attempt_id, ResultEvent.kind, func.count()).where(ResultEvent.attempt_id.in_([a.id for a in attempts]))
        .group_by(ResultEvent.attempt_id, ResultEvent.kind)
    ).all()
    assert {(attempt_id, kind): count for attempt_id, kind, count in kinds} == {
        (attempt.id, kind): 1 for attempt in attempts for kind in ("graded", "released")}
    # Every practical task has its file handed in, stored where the upload stores it.
    practical = [parts["practical"] for parts in candidate_attempts(session).values()]
    handed_in = db.session.execute(select(func.count(PracticalUpload.id))).scalar_one()
    assert handed_in == sum(len(attempt.questions) for attempt in practical) > 0
    assert any("đã kết thúc" in line and "learner đạt cả hai phần" in line for line in lines)


def test_the_learner_passes_both_parts_and_holds_every_basic_module(finished):
    session, _lines = finished
    learner = find_user("learner")
    candidate = db.session.execute(
        select(ExamCandidate).where(ExamCandidate.session_id == session.id, ExamCandidate.user_id == learner.id)
    ).scalar_one()
    parts = candidate_attempts(session)[candidate.candidate_number]
    assert parts["theory"].passed and parts["practical"].passed
    assert parts["theory"].score == 8.66  # 26 of 30 right, whatever paper was drawn
    assert fact_modules(learner.staff_id) == BASIC
    # The open demo session is untouched: the learner still starts it.
    open_session = db.session.execute(select(ExamSession).where(ExamSession.status == "published", ExamSession.organiser.has(code="HN"))).scalar_one()
    open_candidate = db.session.execute(
        select(ExamCandidate).where(ExamCandidate.session_id == open_session.id, ExamCandidate.user_id == learner.id)
    ).scalar_one()
    attempt, created = starting.start_attempt(open_candidate, open_session.blueprint.parts[0], utcnow())
    assert created and len(attempt.questions) == 30


def test_the_failing_candidates_are_not_passed(finished):
    session, _lines = finished
    results = candidate_attempts(session)
    passed = {number for number, parts in results.items() if all(attempt.passed for attempt in parts.values())}
    assert len(passed) == 7 and {"HN008", "HN009", "HN010"}.isdisjoint(passed)
    assert results["HN008"]["theory"].score == 4.33 and results["HN008"]["practical"].passed
    assert results["HN009"]["theory"].passed and results["HN009"]["practical"].passed is False
    assert not results["HN010"]["theory"].passed and not results["HN010"]["practical"].passed
    # A failed part counts for nothing: the theory failer holds only the practical part's modules.
    theory_failer = results["HN008"]["theory"].candidate
    assert fact_modules(theory_failer.staff_id) == {"IU03", "IU04", "IU05"}


def test_without_a_question_pool_nothing_is_seeded(demo):
    session, lines = seed_finished_session(utcnow())
    assert session is None and "ngân hàng chưa đủ" in lines[0]
    assert db.session.execute(select(func.count(ExamBlueprint.id))).scalar_one() == 0


def test_the_demo_seed_includes_the_finished_session_once(runner, db):
    first = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "đã chấm và công bố kết quả" in first.output
    second = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "bỏ qua" in second.output
    (session,) = db.session.execute(select(ExamSession).where(ExamSession.status == "closed")).scalars().all()
    # The step itself, run again, finds its session and adds nothing.
    attempts_before = db.session.execute(select(func.count(ExamAttempt.id))).scalar_one()
    again, lines = seed_finished_session(utcnow())
    assert again.id == session.id and "không tạo lại" in lines[0]
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == attempts_before
