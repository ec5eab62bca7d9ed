"""Result events and the staff × module facts they keep: graded at submit, regraded after a
key correction or a new mark, reopened, released; written in the transaction of the change."""
import pytest
from exam_support import BASIC, answer, answered, correct_key, loaded, make_pool, make_session, sit
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.exams import attempts, design, grading, proctoring, starting
from lms.exams.manage.marking import mark_practical
from lms.exams.manage.services import release_results
from lms.exams.models import ExamAttempt
from lms.exams.result_models import ModuleResult, ResultEvent, StaffModuleResult
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff

# Part scores of a 30-question theory paper (1 point each), out of 10, truncated to 2 decimals.
PART_SCORE = {14: 4.66, 15: 5.0, 16: 5.33, 19: 6.33, 20: 6.66}


# --- Helpers ----------------------------------------------------------------------------------


def theory(session):
    return session.blueprint.parts[0]


def modules_of(correct):
    """The module results a pattern of `answer` earns: 5 questions a module, 2 points each."""
    return {code: [correct.get(code, 0) * 2.0, correct.get(code, 0) * 2.0 >= 5] for code in BASIC}


def regrade(attempt_id, reason="Đáp án bị sai", actor="trainer"):
    attempt = loaded(attempt_id)
    result = grading.regrade_attempt(attempt, utcnow(), find_user(actor), reason)
    db.session.commit()
    return result


def events(attempt_id=None, kind=None):
    query = select(ResultEvent).order_by(ResultEvent.id)
    if attempt_id is not None:
        query = query.where(ResultEvent.attempt_id == attempt_id)
    if kind is not None:
        query = query.where(ResultEvent.kind == kind)
    return db.session.execute(query).scalars().all()


def facts(staff_id):
    """{module code: (score, attempt id, achieved at)} of the staff member's module facts."""
    rows = db.session.execute(
        select(Module.code, StaffModuleResult.score, StaffModuleResult.attempt_id, StaffModuleResult.achieved_at)
        .join(Module, Module.id == StaffModuleResult.module_id)
        .where(StaffModuleResult.staff_id == staff_id)
    ).all()
    return {code: (score, attempt_id, achieved_at) for code, score, attempt_id, achieved_at in rows}


def fact_scores(staff_id):
    return {code: (score, attempt_id) for code, (score, attempt_id, _at) in facts(staff_id).items()}


def module_rows(attempt_id):
    rows = db.session.execute(
        select(Module.code, ModuleResult.score, ModuleResult.passed).join(Module, Module.id == ModuleResult.module_id)
        .where(ModuleResult.attempt_id == attempt_id)
    ).all()
    return {code: [score, passed] for code, score, passed in rows}


def reread(attempt_id):
    db.session.expire_all()
    return db.session.get(ExamAttempt, attempt_id)


def passed_modules(correct):
    return {code for code, (_score, passed) in modules_of(correct).items() if passed}


# Theory patterns: right answers per module (5 questions each).
PASS_19 = {"IU01": 5, "IU02": 5, "IU03": 4, "IU04": 3, "IU05": 2, "IU06": 0}  # 6.33, IU01–IU04 passed
FAIL_14 = {"IU01": 5, "IU02": 5, "IU03": 4}  # 4.66: three modules passed, the part not


# --- Graded at submit -------------------------------------------------------------------------


def test_a_passing_submit_records_one_graded_event_and_the_facts_of_its_passed_modules(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), PASS_19)
    attempt = reread(attempt_id)
    assert (attempt.state, attempt.score, attempt.passed) == ("graded", 6.33, True)

    [event] = events(attempt_id)
    assert event.kind == "graded" and event.staff_id == candidate.staff_id and event.actor_id is None
    assert event.before["score"] is None and event.before["passed"] is None and event.before["modules"] == {}
    assert event.after == {"state": "graded", "score": 6.33, "passed": True, "modules": modules_of(PASS_19)}
    assert event.after["modules"] == module_rows(attempt_id)  # the snapshot is the module results as stored

    assert facts(candidate.staff_id) == {
        code: (score, attempt_id, attempt.submitted_at) for code, (score, passed) in modules_of(PASS_19).items() if passed
    }
    assert set(facts(candidate.staff_id)) == {"IU01", "IU02", "IU03", "IU04"}

    # A second submit is answered with the first one's result: no second event.
    again, already = attempts.submit_attempt(loaded(attempt_id), utcnow())
    db.session.commit()
    assert already and again.score == 6.33
    assert len(events(attempt_id)) == 1
    assert set(facts(candidate.staff_id)) == {"IU01", "IU02", "IU03", "IU04"}


def test_a_failed_part_is_graded_but_counts_for_no_module(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), FAIL_14)
    [event] = events(attempt_id)
    assert event.kind == "graded"
    assert event.after == {"state": "graded", "score": 4.66, "passed": False, "modules": modules_of(FAIL_14)}
    assert event.after["modules"]["IU01"] == [10.0, True]  # a passed module, in a failed part
    assert facts(candidate.staff_id) == {}
    assert db.session.execute(select(func.count()).select_from(StaffModuleResult)).scalar_one() == 0


# --- Regraded ---------------------------------------------------------------------------------


def test_a_regrade_that_changes_the_score_records_before_after_actor_and_reason_once(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), PASS_19)
    assert "IU05" not in facts(candidate.staff_id)  # 2 of 5: 4.0

    # The key of an IU05 question answered with option A was wrong: A is right.
    correct_key(answered(attempt_id, "IU05", 0)[0], right=0)
    assert regrade(attempt_id, reason="Đáp án câu IU05 bị sai") == (6.33, 6.66)

    graded, regraded = events(attempt_id)
    assert graded.kind == "graded" and regraded.kind == "regraded"
    assert regraded.actor_id == find_user("trainer").id and regraded.reason == "Đáp án câu IU05 bị sai"
    assert regraded.staff_id == candidate.staff_id
    assert regraded.before == graded.after
    expected = dict(modules_of(PASS_19), IU05=[6.0, True])
    assert regraded.after == {"state": "graded", "score": 6.66, "passed": True, "modules": expected}
    assert module_rows(attempt_id) == expected
    # The module that came to a pass now counts.
    assert fact_scores(candidate.staff_id) == {code: (score, attempt_id) for code, (score, passed) in expected.items() if passed}

    # Nothing changed: grades are added to the history, but no result event.
    assert regrade(attempt_id, reason="Kiểm tra lại") == (6.66, 6.66)
    assert [event.kind for event in events(attempt_id)] == ["graded", "regraded"]


def test_a_regrade_below_the_pass_mark_removes_the_facts_of_the_module_then_of_the_part(demo):
    make_pool()
    session, candidate = make_session()
    correct = {"IU01": 5, "IU02": 5, "IU03": 3, "IU04": 3}  # 16: 5.33; IU01–IU04 passed
    attempt_id = sit(candidate, theory(session), correct)
    assert set(facts(candidate.staff_id)) == {"IU01", "IU02", "IU03", "IU04"}

    # An IU03 question answered with B: B was not the right option, D was.
    correct_key(answered(attempt_id, "IU03", 1)[0], right=3)
    assert regrade(attempt_id) == (5.33, 5.0)
    regraded = events(attempt_id, kind="regraded")[-1]
    assert regraded.before["modules"]["IU03"] == [6.0, True] and regraded.after["modules"]["IU03"] == [4.0, False]
    assert (regraded.after["score"], regraded.after["passed"]) == (5.0, True)
    assert set(facts(candidate.staff_id)) == {"IU01", "IU02", "IU04"}  # the part still passes

    # An IU04 question too: the part falls below the pass mark, and no module counts.
    correct_key(answered(attempt_id, "IU04", 1)[0], right=3)
    assert regrade(attempt_id) == (5.0, 4.66)
    regraded = events(attempt_id, kind="regraded")[-1]
    assert (regraded.before["passed"], regraded.after["passed"]) == (True, False)
    assert regraded.after["modules"]["IU01"] == [10.0, True]
    assert facts(candidate.staff_id) == {}
    assert [event.kind for event in events(attempt_id)] == ["graded", "regraded", "regraded"]


def test_a_regrade_that_raises_a_failed_part_to_a_pass_creates_the_facts(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), FAIL_14)
    assert facts(candidate.staff_id) == {}

    correct_key(answered(attempt_id, "IU04", 0)[0], right=0)
    assert regrade(attempt_id) == (4.66, 5.0)
    regraded = events(attempt_id, kind="regraded")[-1]
    assert (regraded.before["score"], regraded.before["passed"]) == (4.66, False)
    assert (regraded.after["score"], regraded.after["passed"]) == (5.0, True)
    assert regraded.after["modules"]["IU04"] == [2.0, False]
    submitted_at = reread(attempt_id).submitted_at
    assert facts(candidate.staff_id) == {
        "IU01": (10.0, attempt_id, submitted_at), "IU02": (10.0, attempt_id, submitted_at), "IU03": (8.0, attempt_id, submitted_at)}


# --- The best result wins ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["regrade", "reopen"])
def test_the_fact_keeps_the_best_passing_result_and_falls_back_when_it_goes(demo, how):
    make_pool()
    session, candidate = make_session(attempts_allowed=2)
    part = theory(session)
    first = sit(candidate, part, {"IU01": 3, "IU02": 5, "IU03": 5, "IU04": 3})  # 16: 5.33
    assert fact_scores(candidate.staff_id) == {"IU01": (6.0, first), "IU02": (10.0, first), "IU03": (10.0, first), "IU04": (6.0, first)}
    second = sit(candidate, part, {"IU01": 5, "IU02": 4, "IU03": 3, "IU04": 3})  # 15: 5.0, just passed
    assert reread(second).passed is True
    # IU01 is better in the second attempt; IU02 and IU03 in the first; IU04 ties: the earlier attempt keeps it.
    assert fact_scores(candidate.staff_id) == {"IU01": (10.0, second), "IU02": (10.0, first), "IU03": (10.0, first), "IU04": (6.0, first)}
    assert facts(candidate.staff_id)["IU01"][2] == reread(second).submitted_at

    if how == "regrade":
        # One right answer of the second attempt turns out wrong: it falls below the pass mark.
        correct_key(answered(second, "IU02", 1)[0], right=2)
        assert regrade(second) == (5.0, 4.66)
    else:
        proctoring.reopen_attempt(loaded(second), utcnow(), find_user("trainer"), 10, "Mất điện")
        db.session.commit()
    assert fact_scores(candidate.staff_id) == {"IU01": (6.0, first), "IU02": (10.0, first), "IU03": (10.0, first), "IU04": (6.0, first)}
    assert facts(candidate.staff_id)["IU01"][2] == reread(first).submitted_at


# --- Reopened ---------------------------------------------------------------------------------


def test_a_reopening_clears_the_result_and_its_facts_and_a_new_submit_restores_them(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), PASS_19)
    first_submit = reread(attempt_id).submitted_at
    [graded] = events(attempt_id)
    assert set(facts(candidate.staff_id)) == {"IU01", "IU02", "IU03", "IU04"}

    trainer = find_user("trainer")
    proctoring.reopen_attempt(loaded(attempt_id), utcnow(), trainer, 10, "  Mất điện  ")
    db.session.commit()
    reopened = events(attempt_id)[-1]
    assert [event.kind for event in events(attempt_id)] == ["graded", "reopened"]
    assert reopened.actor_id == trainer.id and reopened.reason == "Mất điện" and reopened.staff_id == candidate.staff_id
    assert reopened.before == {"state": "graded", "score": 6.33, "passed": True, "modules": modules_of(PASS_19)}
    assert reopened.before == graded.after
    assert reopened.after == {"state": "in_progress", "score": None, "passed": None, "modules": {}}
    attempt = reread(attempt_id)
    assert (attempt.state, attempt.score, attempt.passed, attempt.graded_at) == ("in_progress", None, None, None)
    assert module_rows(attempt_id) == {}
    assert facts(candidate.staff_id) == {}

    # Finished again (with the same answers): graded anew, and the facts come back.
    attempts.submit_attempt(loaded(attempt_id), utcnow())
    db.session.commit()
    assert [event.kind for event in events(attempt_id)] == ["graded", "reopened", "graded"]
    regraded = events(attempt_id)[-1]
    assert regraded.before["score"] is None and regraded.before["modules"] == {}
    assert regraded.after == graded.after
    attempt = reread(attempt_id)
    assert attempt.submitted_at > first_submit
    assert facts(candidate.staff_id) == {
        code: (score, attempt_id, attempt.submitted_at) for code, (score, passed) in modules_of(PASS_19).items() if passed}


# --- Released ---------------------------------------------------------------------------------


def test_release_records_a_released_event_for_each_graded_attempt_only(demo):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    graded_id = sit(candidate, theory(session), PASS_19)
    practical, _ = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    attempts.submit_attempt(practical, utcnow())  # waits for a marker: not graded
    db.session.commit()
    practical_id = practical.id
    assert reread(practical_id).state == "submitted"
    # Another candidate, still working.
    other = db.session.execute(select(Staff).where(Staff.id != candidate.staff_id).order_by(Staff.id)).scalars().first()
    other_candidate = design.add_candidate(session, other)
    starting.start_attempt(other_candidate, theory(session), utcnow())
    db.session.commit()
    [graded] = events(graded_id)

    admin = find_user("admin")
    release_results(session, utcnow(), admin)
    db.session.commit()
    released = events(kind="released")
    assert len(released) == 1
    [event] = released
    assert event.attempt_id == graded_id and event.staff_id == candidate.staff_id and event.actor_id == admin.id
    assert event.before == event.after == graded.after
    assert events(practical_id) == []
    assert session.results_released_at is not None
    # The facts are as they were.
    assert set(facts(candidate.staff_id)) == passed_modules(PASS_19)


# --- Practical marking ------------------------------------------------------------------------


def submitted_practical(**options):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True, **options)
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    return candidate, attempt.id


def test_single_marking_records_graded_when_the_tasks_are_marked_and_regraded_on_a_new_mark(demo):
    candidate, attempt_id = submitted_practical()
    assert events(attempt_id) == []  # submitted, waiting for the marker
    trainer = find_user("trainer")

    attempt = loaded(attempt_id)
    [task] = attempt.questions
    assert mark_practical(attempt, {task.id: [7.0]}, utcnow(), trainer, note="Đúng định dạng") == "marker1"
    db.session.commit()
    [graded] = events(attempt_id)
    assert graded.kind == "graded" and graded.actor_id == trainer.id and graded.reason == "Đúng định dạng"
    assert graded.before["score"] is None
    assert graded.after == {"state": "graded", "score": 7.0, "passed": True, "modules": {"IU03": [7.0, True]}}
    submitted_at = reread(attempt_id).submitted_at
    assert facts(candidate.staff_id) == {"IU03": (7.0, attempt_id, submitted_at)}

    # Marked again, below the pass mark: regraded, and the fact goes.
    attempt = loaded(attempt_id)
    mark_practical(attempt, {attempt.questions[0].id: [4.0]}, utcnow(), trainer, note="Chấm lại")
    db.session.commit()
    assert [event.kind for event in events(attempt_id)] == ["graded", "regraded"]
    regraded = events(attempt_id)[-1]
    assert regraded.before == graded.after
    assert regraded.after == {"state": "graded", "score": 4.0, "passed": False, "modules": {"IU03": [4.0, False]}}
    assert facts(candidate.staff_id) == {}


def test_double_marking_records_graded_only_once_both_marks_count(demo):
    candidate, attempt_id = submitted_practical(double_marking=True)
    attempt = loaded(attempt_id)
    task_id = attempt.questions[0].id
    assert mark_practical(attempt, {task_id: [7.0]}, utcnow(), find_user("trainer")) == "marker1"
    db.session.commit()
    assert events(attempt_id) == [] and facts(candidate.staff_id) == {}  # a blind mark alone is no result

    assert mark_practical(loaded(attempt_id), {task_id: [7.5]}, utcnow(), find_user("admin")) == "reconciled"
    db.session.commit()
    [graded] = events(attempt_id)
    assert graded.kind == "graded"
    assert graded.after == {"state": "graded", "score": 7.25, "passed": True, "modules": {"IU03": [7.25, True]}}
    assert fact_scores(candidate.staff_id) == {"IU03": (7.25, attempt_id)}


# --- In the transaction of the change ---------------------------------------------------------


def test_a_rolled_back_submit_leaves_neither_event_nor_fact(demo):
    make_pool()
    session, candidate = make_session()
    attempt, _ = starting.start_attempt(candidate, theory(session), utcnow())
    answer(attempt, PASS_19)
    db.session.commit()
    attempt_id = attempt.id

    attempts.submit_attempt(loaded(attempt_id), utcnow())
    # Written (flushed) with the grading itself...
    assert [event.kind for event in events(attempt_id)] == ["graded"]
    assert set(facts(candidate.staff_id)) == passed_modules(PASS_19)
    db.session.rollback()
    # ...and gone with it.
    assert events() == []
    assert db.session.execute(select(func.count()).select_from(StaffModuleResult)).scalar_one() == 0
    assert module_rows(attempt_id) == {}
    assert reread(attempt_id).state == "in_progress"


def test_a_rolled_back_reopening_keeps_the_result_and_its_facts(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), PASS_19)
    before = facts(candidate.staff_id)

    proctoring.reopen_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), 10, "Mất điện")
    assert [event.kind for event in events(attempt_id)] == ["graded", "reopened"]
    assert facts(candidate.staff_id) == {}
    db.session.rollback()
    assert [event.kind for event in events(attempt_id)] == ["graded"]
    assert facts(candidate.staff_id) == before
    assert module_rows(attempt_id) == modules_of(PASS_19)
    assert reread(attempt_id).state == "graded"


def test_a_rolled_back_regrade_leaves_no_event_and_the_old_facts(demo):
    make_pool()
    session, candidate = make_session()
    attempt_id = sit(candidate, theory(session), PASS_19)
    correct_key(answered(attempt_id, "IU05", 0)[0], right=0)
    db.session.commit()

    grading.regrade_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), "Đáp án bị sai")
    assert "IU05" in facts(candidate.staff_id)
    db.session.rollback()
    assert [event.kind for event in events(attempt_id)] == ["graded"]
    assert set(facts(candidate.staff_id)) == passed_modules(PASS_19)


def test_releasing_twice_keeps_the_first_release_and_its_events(demo):
    make_pool()
    session, candidate = make_session()
    sit(candidate, session.blueprint.parts[0], {"IU01": 5, "IU02": 5, "IU03": 5, "IU04": 5})
    first = utcnow()
    release_results(session, first, find_user("admin"))
    db.session.commit()
    release_results(session, utcnow(), find_user("admin"))
    db.session.commit()
    assert session.results_released_at == first
    assert len(events(kind="released")) == 1
