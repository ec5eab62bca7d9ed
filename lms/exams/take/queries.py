"""Reads for the candidate's pages and the JSON API. No writes."""
import json
from datetime import timedelta
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import Text, cast, func, select

from lms.catalogue.models import Module
from lms.exams.core import engine
from lms.exams.models import AttemptAnswer, AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate, ExamSession, PracticalUpload
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.questionbank.models import QuestionVersion
from lms.questionbank.responses import permutation
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type

# Finished sessions stay on "my exams" this long, for their results.
RECENT_DAYS = 60


def _listed_sessions(now):
    return (ExamSession.status.in_(("published", "closed")), ExamSession.closes_at > now - timedelta(days=RECENT_DAYS))


def my_candidacies(user, now):
    """(candidate, session) of the user's published sessions: upcoming, open, or recently closed."""
    return db.session.execute(
        select(ExamCandidate, ExamSession)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .where(ExamCandidate.user_id == user.id, *_listed_sessions(now))
        .order_by(ExamSession.opens_at, ExamSession.id)
    ).all()


def scored_attempts(user, now):
    """(attempt, part, session) of the user's attempts with a score, in the sessions of
    my_candidacies, in one statement."""
    return db.session.execute(
        select(ExamAttempt, BlueprintPart, ExamSession)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .where(ExamCandidate.user_id == user.id, ExamAttempt.score.is_not(None), *_listed_sessions(now))
        .order_by(ExamSession.opens_at, ExamSession.id, BlueprintPart.position, ExamAttempt.number)
    ).all()


def candidate_of(user, session_id):
    return db.session.execute(
        select(ExamCandidate).where(ExamCandidate.user_id == user.id, ExamCandidate.session_id == session_id)
    ).scalar_one_or_none()


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


def page_items(attempt):
    """What the exam page shows of each question, in paper order, and the highest sequence
    number saved: [{id, position, flagged, type, body, extensions, response, answered, upload_id}].

    `body` is the question's HTML without any answer (never the key); `response` is the
    saved answer as JSON text for the page to apply. Question content, option order
    and answer are read as text, so a cached body costs no JSON parsing.
    """
    rows = db.session.execute(
        select(AttemptQuestion.id, AttemptQuestion.position, AttemptQuestion.flagged, AttemptQuestion.question_version_id,
               cast(QuestionVersion.data, Text), cast(AttemptQuestion.presentation, Text), cast(AttemptAnswer.response, Text),
               AttemptAnswer.client_seq)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    locale = str(get_locale())
    items, last_seq = [], 0
    for question_id, position, flagged, version_id, content, order, response, seq in rows:
        parts = _question_parts(version_id, content, locale)
        answered = response not in (None, "null", "{}")
        items.append({"id": question_id, "position": position, "flagged": flagged, "type": parts.type,
                      "body": parts.body(version_id, content, order or "{}", locale),
                      "extensions": parts.extensions, "answered": answered,
                      "response": json.dumps(_shown(version_id, content, order, json.loads(response))) if answered else None,
                      # which upload of a practical task is the one graded
                      "upload_id": json.loads(response).get("upload_id") if answered and parts.type == "practical" else None})
        last_seq = max(last_seq, seq or 0)
    return items, last_seq


# Rendering question markup and options is most of an exam page's cost, so each version
# is rendered once per process and language, and a choice question's options one by one,
# to be put in each candidate's order (a cache keyed by order would miss for most of a
# large session's first pages). The key holds the version's whole content as well as its
# id, so that an entry can never answer for other content under a reused id (a restored
# or recreated database). Values are immutable. Only a cache: nothing in it is needed by
# another worker.
RENDER_CACHE_SIZE = 4096
CHOICE_TYPES = ("single_choice", "multiple_response")


class QuestionParts(NamedTuple):
    type: str
    extensions: tuple
    head: Markup  # a choice question's text and the opening of its options; any other question whole
    options: tuple  # a choice question's rendered options by index, then by the position shown at; empty for other types

    def body(self, version_id, content, order, locale) -> Markup:
        if self.options:
            chosen = permutation(json.loads(order), "choices", len(self.options))
            return Markup("").join((self.head, *(self.options[index][place] for place, index in enumerate(chosen)), Markup("</div>")))
        if self.type == "matching":  # both columns follow the order: rendered per order
            return _ordered_body(version_id, content, order, locale)
        return self.head


def _macros():
    return current_app.jinja_env.get_template("exams/_question_body.html").module


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _question_parts(version_id, content, locale):
    question = _question_data(version_id, content)
    view = get_type(question.type).candidate_view(question)  # the question's own order
    macros, name = _macros(), f"v{version_id}"
    extensions = tuple(view.get("extensions") or ())
    if view["type"] in CHOICE_TYPES:
        places = range(len(view["choices"]))
        options = tuple(tuple(macros.choice(view, choice, name, place) for place in places) for choice in view["choices"])
        return QuestionParts(view["type"], extensions, macros.choices_head(view), options)
    return QuestionParts(view["type"], extensions, macros.question_body(view, name), ())


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _ordered_body(version_id, content, order, locale):
    question = _question_data(version_id, content)
    return _macros().question_body(get_type(question.type).candidate_view(question, json.loads(order)), f"v{version_id}")


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
    """{attempt question id: {"response", "seq"}} for the page to merge with its buffer,
    options named as the page names them."""
    rows = db.session.execute(
        select(AttemptAnswer.attempt_question_id, AttemptAnswer.response, AttemptAnswer.client_seq,
               AttemptQuestion.question_version_id, cast(QuestionVersion.data, Text), cast(AttemptQuestion.presentation, Text))
        .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).all()
    return {str(question_id): {"response": _shown(version_id, content, order, response) if response else None, "seq": int(seq)}
            for question_id, response, seq, version_id, content, order in rows}


def _shown(version_id, content, order, response):
    """A stored answer as the exam page names its options (QuestionType.stored_to_shown)."""
    question = _question_data(version_id, content)
    return get_type(question.type).stored_to_shown(question, json.loads(order or "{}"), response)


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _question_data(version_id, content):
    return QuestionData.from_dict(json.loads(content))


def state_payload(attempt, now):
    """The clock as the page needs it: remaining = deadline − server now."""
    return {
        "attempt": attempt.id,
        "state": attempt.state,
        "open": attempt.open_slot == 1,
        "remaining_seconds": engine.remaining_seconds(attempt.clock(), now),
        "remaining_ms": engine.remaining_milliseconds(attempt.clock(), now),
        "deadline": attempt.deadline_at.isoformat(),
        "server_now": now.isoformat(),
        "version": attempt.version,
    }


def review_level(attempt, now, session=None):
    """How much of the finished attempt its candidate may see now (engine.review_level)."""
    session = session or attempt.candidate.session
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
            "id": attempt_question.id,
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
