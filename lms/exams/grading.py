"""Grading: objective questions by their type's strategy, practical tasks by people,
the part score out of 10 and the module results. Old grades are kept (regrade).
Writes flush, never commit."""
from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

from lms.catalogue.models import Module
from lms.exams import results
from lms.exams.core import engine
from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptGrade, AttemptQuestion, ExamAttempt
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import ResponseError, get_type


def _paper_rows(attempt: ExamAttempt, against_current=False):
    """(attempt question, question data to grade against, response). A regrade after a
    correction grades against the question's current version, not the one shown."""
    if against_current:
        shown = aliased(QuestionVersion)
        version_join = (QuestionVersion, QuestionVersion.id == Question.current_version_id)
        query = (
            select(AttemptQuestion, QuestionVersion.data, AttemptAnswer.response)
            .join(shown, shown.id == AttemptQuestion.question_version_id)
            .join(Question, Question.id == shown.question_id)
            .join(*version_join)
        )
    else:
        query = select(AttemptQuestion, QuestionVersion.data, AttemptAnswer.response).join(
            QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id
        )
    return db.session.execute(
        query
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()


def _auto_fraction(data, response):
    question = QuestionData.from_dict(data)
    try:
        return get_type(question.type).grade(question, response or {})
    except ResponseError:
        return 0.0  # a stored response that no longer fits a corrected question earns nothing


def record_grade(attempt_question: AttemptQuestion, fraction, source, now, actor=None, reason="", rubric_scores=None):
    """Add a grade; the previous current grade stays, no longer current."""
    db.session.execute(
        update(AttemptGrade)
        .where(AttemptGrade.attempt_question_id == attempt_question.id, AttemptGrade.current.is_(True))
        .values(current=False)
    )
    grade = AttemptGrade(
        attempt_question_id=attempt_question.id,
        fraction=fraction,
        source=source,
        graded_by_id=actor.id if actor is not None else None,
        graded_at=now,
        reason=reason,
        rubric_scores=rubric_scores,
        current=True,
    )
    db.session.add(grade)
    attempt_question.fraction = fraction
    return grade


def grade_objective(attempt: ExamAttempt, now, source="auto", actor=None, reason="", against_current=False) -> int:
    """Grade every auto-graded question of a finished attempt; practical tasks wait for a person.

    A fixed number of statements whatever the paper's length: one SELECT of the paper, one
    UPDATE retiring the previous grades of the questions whose grade changes, one
    executemany INSERT of the new grade rows, one executemany UPDATE of the questions'
    current fraction, then the score (see refresh_score)."""
    changes = []
    rows = _paper_rows(attempt, against_current)
    for attempt_question, data, response in rows:
        fraction = _auto_fraction(data, response)
        if fraction is None:
            continue
        if source != "auto" or attempt_question.fraction is None or attempt_question.fraction != fraction:
            changes.append((attempt_question, fraction))
    regraded = [attempt_question.id for attempt_question, _ in changes if attempt_question.fraction is not None]
    if regraded:
        db.session.execute(
            update(AttemptGrade)
            .where(AttemptGrade.attempt_question_id.in_(regraded), AttemptGrade.current.is_(True))
            .values(current=False)
        )
    if changes:
        db.session.execute(insert(AttemptGrade.__table__), [
            {"attempt_question_id": attempt_question.id, "fraction": fraction, "source": source, "rubric_scores": None,
             "graded_by_id": actor.id if actor is not None else None, "graded_at": now, "reason": reason, "current": True}
            for attempt_question, fraction in changes
        ])
    for attempt_question, fraction in changes:
        attempt_question.fraction = fraction
    db.session.flush()
    refresh_score(attempt, now, actor, reason)
    return len(changes)


def refresh_score(attempt: ExamAttempt, now, actor=None, reason=""):
    """Part score, pass and module results, once every question has a grade; the change of
    result, if any, recorded as a result event (lms.exams.results)."""
    rows = db.session.execute(
        select(AttemptQuestion.fraction, AttemptQuestion.points, Module.code, Module.id)
        .outerjoin(Module, Module.id == AttemptQuestion.module_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).all()
    part = attempt.part
    if not rows or any(row.fraction is None for row in rows):
        attempt.score = attempt.passed = None
        return attempt
    # Module results exist once the attempt was graded (a reopening clears both): none to read
    # at the first grading, which is every submit's.
    existing = {} if attempt.graded_at is None else {
        result.module_id: result for result in db.session.execute(select(ModuleResult).where(ModuleResult.attempt_id == attempt.id)).scalars()}
    module_ids = {row.code: row.id for row in rows if row.code}
    codes = {module_id: code for code, module_id in module_ids.items()}
    before = results.snapshot(attempt, {codes.get(r.module_id, str(r.module_id)): (r.score, r.passed) for r in existing.values()})
    earned = sum(row.fraction * row.points for row in rows)
    possible = sum(row.points for row in rows)
    attempt.earned_points, attempt.possible_points = earned, possible
    attempt.score = engine.scale_score(earned, possible, part.max_score)
    attempt.passed = attempt.score >= part.pass_mark
    attempt.graded_at = now
    if attempt.state in (engine.SUBMITTED, engine.AUTO_SUBMITTED):
        # The engine's `graded` event is the result event recorded below.
        attempt.take(engine.mark_graded(attempt.clock(), now).attempt)
    scores = engine.module_scores((row.code, row.fraction, row.points) for row in rows if row.code)
    new_rows = []
    for code, score in scores.items():
        result = existing.get(module_ids[code])
        if result is None:
            new_rows.append({"attempt_id": attempt.id, "module_id": module_ids[code], "score": score, "passed": score >= part.pass_mark, "updated_at": now})
        else:
            result.score, result.passed, result.updated_at = score, score >= part.pass_mark, now
    if new_rows:
        # The first grading of a paper: its module results in one executemany INSERT.
        db.session.execute(insert(ModuleResult.__table__), new_rows)
    db.session.flush()
    after = results.snapshot(attempt, {code: (score, score >= part.pass_mark) for code, score in scores.items()})
    results.record_change(attempt, results.GRADED if before["score"] is None else results.REGRADED, before, after, now, actor, reason)
    return attempt


def regrade_attempt(attempt: ExamAttempt, now, actor, reason: str):
    """Grade again after a question was corrected: the new grades are added, the old kept, the
    regrade logged on the attempt, and a change of result recorded as a result event.
    Returns (score before, score after)."""
    before = attempt.score
    grade_objective(attempt, now, source="regrade", actor=actor, reason=reason, against_current=True)
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind="regraded", at=now, actor_id=actor.id if actor else None,
                                detail={"reason": reason, "score_before": before, "score_after": attempt.score}))
    return before, attempt.score
