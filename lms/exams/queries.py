"""Reads for the candidate's pages and the JSON API. No writes."""
import json
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, select

from lms.exams import engine
from lms.exams.models import (
    AttemptAnswer,
    AttemptQuestion,
    ExamAttempt,
    ExamCandidate,
    ExamSession,
    ModuleResult,
    PracticalUpload,
)
from lms.extensions import db
from lms.org.models import Module
from lms.questionbank.models import QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type

# Finished sessions stay on "my exams" this long, for their results.
RECENT_DAYS = 60


def my_candidacies(user, now):
    """(candidate, session) of the user's published sessions: upcoming, open, or recently closed."""
    return db.session.execute(
        select(ExamCandidate, ExamSession)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .where(
            ExamCandidate.user_id == user.id,
            ExamSession.status.in_(("published", "closed")),
            ExamSession.closes_at > now - timedelta(days=RECENT_DAYS),
        )
        .order_by(ExamSession.opens_at, ExamSession.id)
    ).all()


def candidate_of(user, session_id):
    return db.session.execute(
        select(ExamCandidate).where(ExamCandidate.user_id == user.id, ExamCandidate.session_id == session_id)
    ).scalar_one_or_none()


def attempt_owner(attempt_id):
    """The user id of the attempt's candidate; None when there is no such attempt
    (an attempt whose candidate has no account gives 0: nobody's)."""
    row = db.session.execute(
        select(ExamCandidate.user_id).join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id).where(ExamAttempt.id == attempt_id)
    ).first()
    return None if row is None else (row[0] or 0)


def question_ids(attempt):
    """The attempt question ids in paper order (what the start JSON lists)."""
    return list(db.session.execute(
        select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
    ).scalars())


def attempts_of(candidate):
    """{part_id: [attempts, newest first]}"""
    result = {}
    rows = db.session.execute(
        select(ExamAttempt).where(ExamAttempt.candidate_id == candidate.id).order_by(ExamAttempt.part_id, ExamAttempt.number.desc())
    ).scalars()
    for attempt in rows:
        result.setdefault(attempt.part_id, []).append(attempt)
    return result


def paper(attempt):
    """[(attempt question, question data, answer or None)] in paper order."""
    rows = db.session.execute(
        select(AttemptQuestion, QuestionVersion.data, AttemptAnswer)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    return [(row[0], QuestionData.from_dict(row[1]), row[2]) for row in rows]


def candidate_views(attempt):
    """What the exam page shows: the candidate view of each question (never the key),
    the saved answer and the flag."""
    rows = db.session.execute(
        select(AttemptQuestion.id, AttemptQuestion.position, AttemptQuestion.presentation, AttemptQuestion.flagged,
               AttemptQuestion.question_version_id, QuestionVersion.data, AttemptAnswer.response)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    return [{
        "id": row.id,
        "position": row.position,
        "view": candidate_view(row.question_version_id, row.data, row.presentation or {}),
        "response": row.response or None,
        "flagged": row.flagged,
    } for row in rows]


# The candidate view of a question version in a given option order, rendered once per
# process: markup rendering is most of an exam page's cost (about 0.1 ms a question).
# The key holds the version's whole content as well as its id, so that an entry can
# never answer for other content under a reused id (a restored or recreated database),
# and the order, so that each candidate still sees their own. Values are stored as JSON
# text and parsed on each use: callers get their own objects. Only a cache: nothing in
# it is needed by another worker.
RENDER_CACHE_SIZE = 8192


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _rendered_view(version_id, content, order):
    question = QuestionData.from_dict(json.loads(content))
    return json.dumps(get_type(question.type).candidate_view(question, json.loads(order)), ensure_ascii=False)


def candidate_view(version_id, data, order):
    content = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return json.loads(_rendered_view(version_id, content, json.dumps(order or {}, sort_keys=True)))


def uploads_by_question(attempt):
    rows = db.session.execute(
        select(PracticalUpload)
        .join(AttemptQuestion, AttemptQuestion.id == PracticalUpload.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(PracticalUpload.uploaded_at)
    ).scalars()
    result = {}
    for upload in rows:
        result.setdefault(upload.attempt_question_id, []).append(upload)
    return result


def last_seq(attempt) -> int:
    value = db.session.execute(
        select(func.max(AttemptAnswer.client_seq))
        .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).scalar_one()
    return int(value or 0)


def saved_answers(attempt):
    """{attempt question id: {"response", "seq"}} for the page to merge with its buffer."""
    rows = db.session.execute(
        select(AttemptAnswer.attempt_question_id, AttemptAnswer.response, AttemptAnswer.client_seq)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).all()
    return {str(row[0]): {"response": row[1] or None, "seq": int(row[2])} for row in rows}


def state_payload(attempt, now):
    """The clock as the page needs it: remaining = deadline − server now."""
    return {
        "attempt": attempt.id,
        "state": attempt.state,
        "open": attempt.open_slot == 1,
        "remaining_seconds": engine.remaining_seconds(attempt.clock(), now),
        "deadline": attempt.deadline_at.isoformat(),
        "server_now": now.isoformat(),
        "version": attempt.version,
    }


def review_level(attempt, now):
    session = attempt.candidate.session
    return engine.review_level(session.review_policy or {}, attempt.state in engine.FINISHED_STATES, now, session.closes_at, session.results_released_at)


def module_results(attempt):
    return db.session.execute(
        select(Module.code, Module.name, ModuleResult.score, ModuleResult.passed)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ModuleResult.attempt_id == attempt.id)
        .order_by(Module.code)
    ).all()


def review_items(attempt, level):
    """Per question what the level allows: correctness from "correctness", the key only from "answers"."""
    items = []
    for attempt_question, question, answer in paper(attempt):
        qtype = get_type(question.type)
        item = {
            "position": attempt_question.position,
            "view": qtype.candidate_view(question, attempt_question.presentation or {}),
            "response": answer.response if answer is not None else None,
        }
        if level in ("correctness", "answers"):
            item["fraction"] = attempt_question.fraction
        if level == "answers" and qtype.auto_graded:
            item["key"] = qtype.correct_response(question)
        items.append(item)
    return items
