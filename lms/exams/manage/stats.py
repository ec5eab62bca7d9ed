"""Item statistics from SQL: a session's item analysis, and one question's figures over every
exam that drew it (shown on the question's page). The arithmetic is the pure
lms.exams.core.analysis; what a response counts as (the options chosen) is its question
type's (lms.questionbank.types)."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.exams.core import analysis, engine
from lms.exams.core.blueprint_rules import THEORY
from lms.exams.models import AttemptAnswer, AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate
from lms.extensions import db
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.types import get_type

FINISHED = engine.FINISHED_STATES


def _finished_theory_attempts():
    return (
        select(ExamAttempt.id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .where(BlueprintPart.kind == THEORY, ExamAttempt.state.in_(FINISHED))
    )


def _response(question_id, attempt_id, question_type, fraction, points, response):
    return analysis.ItemResponse(attempt_id, question_id, fraction, points or 1.0, get_type(question_type).option_keys(response or {}))


def session_item_analysis(session_id):
    """[(Question, ItemStats)] for the finished theory attempts of a session, doubtful first."""
    attempts = _finished_theory_attempts().join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id).where(
        ExamCandidate.session_id == session_id)
    rows = db.session.execute(
        select(AttemptQuestion.attempt_id, QuestionVersion.question_id, Question.type, AttemptQuestion.fraction, AttemptQuestion.points,
               AttemptAnswer.response)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(attempts))
    ).all()
    stats = analysis.analyse(_response(question_id, attempt_id, qtype, fraction, points, response)
                             for attempt_id, question_id, qtype, fraction, points, response in rows)
    if not stats:
        return []
    questions = {q.id: q for q in db.session.execute(select(Question).where(Question.id.in_(list(stats))).options(joinedload(Question.module))).scalars()}
    return sorted(((questions[qid], item) for qid, item in stats.items()), key=lambda pair: (not pair[1].doubtful, pair[0].key))


def question_usage_stats(question_id):
    """One question's statistics over every finished theory attempt that drew it, in one
    statement: the whole-paper points of just those attempts are summed in SQL (one row per
    attempt comes back, never every question of every paper). {} before any exam used it."""
    showing = (
        select(AttemptQuestion.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .where(QuestionVersion.question_id == question_id, BlueprintPart.kind == THEORY, ExamAttempt.state.in_(FINISHED))
    )
    totals = (
        select(AttemptQuestion.attempt_id, func.sum(func.coalesce(AttemptQuestion.fraction, 0.0) * AttemptQuestion.points).label("earned"),
               func.sum(AttemptQuestion.points).label("possible"))
        .where(AttemptQuestion.attempt_id.in_(showing))
        .group_by(AttemptQuestion.attempt_id)
        .subquery()
    )
    rows = db.session.execute(
        select(totals.c.attempt_id, totals.c.earned, totals.c.possible, Question.type, AttemptQuestion.fraction, AttemptQuestion.points,
               AttemptAnswer.response)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == totals.c.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(QuestionVersion.question_id == question_id)
    ).all()
    if not rows:
        return {}
    items = [_response(question_id, attempt_id, qtype, fraction, points, response)
             for attempt_id, _earned, _possible, qtype, fraction, points, response in rows]
    earned = {row[0]: float(row[1] or 0.0) for row in rows}
    possible = {row[0]: float(row[2] or 0.0) for row in rows}
    stats = analysis.item_stats(question_id, items, earned, possible)
    return {
        "Số lượt thi": stats.responses,
        "Độ khó (tỉ lệ làm đúng)": stats.facility,
        "Độ phân biệt (point-biserial)": stats.point_biserial,
        "Độ phân biệt (nhóm trên – dưới 27%)": stats.upper_lower,
        "Cảnh báo": ", ".join(stats.flag_labels) or "—",
    }
