"""Item statistics from SQL: a session's item analysis, and one question's figures over every
exam that drew it (shown on the question's page). The arithmetic is the pure
lms.exams.core.analysis; what a response counts as (the options chosen) is its question
type's (lms.questionbank.types); options are named by letter and text, as the version the
session showed last has them."""
import html
import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.exams.core import analysis, engine
from lms.exams.core.blueprint_rules import THEORY
from lms.exams.manage.queries import candidate_in_scope
from lms.exams.models import AttemptAnswer, AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate
from lms.extensions import db
from lms.questionbank.markup import render_inline
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.schema import QuestionData
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


OPTION_TEXT_LENGTH = 80
_TAG = re.compile(r"<[^>]+>")


def _plain(text, text_format):
    """An option's text as one short line of plain text (its markup rendered, then dropped)."""
    plain = " ".join(html.unescape(_TAG.sub("", render_inline(text or "", text_format))).split())
    return plain if len(plain) <= OPTION_TEXT_LENGTH else plain[:OPTION_TEXT_LENGTH - 1].rstrip() + "…"


def question_options(data):
    """[(key, label, text, correct)] of a question version's options as item analysis counts
    them (the keys of the type's option_keys)."""
    question = QuestionData.from_dict(data)
    if question.type in ("single_choice", "multiple_response"):
        return [(index, analysis.option_letter(index), _plain(choice.text, question.text_format) or _("(hình ảnh)"), bool(choice.correct))
                for index, choice in enumerate(question.choices)]
    if question.type == "true_false":
        return [("true", _("Đúng"), "", question.answer is True), ("false", _("Sai"), "", question.answer is False)]
    return [("answered", _("Đã trả lời"), "", False)]


def session_item_analysis(session_id, scope):
    """[(Question, ItemStats, [OptionRow])] for the finished theory attempts of a session's
    candidates in the reader's `scope` (a few candidates' option counts would tell their
    answers), doubtful first."""
    attempts = _finished_theory_attempts().join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id).where(
        ExamCandidate.session_id == session_id, candidate_in_scope(scope))
    rows = db.session.execute(
        select(AttemptQuestion.attempt_id, QuestionVersion.question_id, Question.type, AttemptQuestion.fraction, AttemptQuestion.points,
               AttemptAnswer.response, QuestionVersion.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id.in_(attempts))
    ).all()
    stats = analysis.analyse(_response(question_id, attempt_id, qtype, fraction, points, response)
                             for attempt_id, question_id, qtype, fraction, points, response, _version in rows)
    if not stats:
        return []
    latest = {}
    for _attempt, question_id, *_rest, version_id in rows:
        latest[question_id] = max(version_id, latest.get(question_id, 0))
    versions = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.data).where(QuestionVersion.id.in_(set(latest.values())))).all())
    questions = {q.id: q for q in db.session.execute(select(Question).where(Question.id.in_(list(stats))).options(joinedload(Question.module))).scalars()}
    items = [(questions[qid], item, analysis.option_rows(item, question_options(versions[latest[qid]]))) for qid, item in stats.items()]
    return sorted(items, key=lambda entry: (not entry[1].doubtful, entry[0].key))


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
