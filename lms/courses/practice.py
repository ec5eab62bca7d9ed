"""Practice quizzes: untimed, drawn only from approved practice-pool questions, graded one
question at a time with immediate feedback. Writes flush, never commit."""
import random

from flask_babel import gettext
from markupsafe import Markup

from lms.courses import queries
from lms.courses.models import PracticeAttempt
from lms.courses.rules import PRACTICE_QUESTION_COUNT
from lms.courses.services import CourseError
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.markup import render, render_inline
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.types import ResponseError, get_type

_EPSILON = 1e-9


def start_practice(user, course, topic_code=None, rng=None, count=PRACTICE_QUESTION_COUNT, now=None):
    """A new attempt of up to `count` questions drawn at random from the practice pool."""
    rng = rng or random.SystemRandom()
    ids = queries.practice_question_ids(course.module_id, topic_code)
    if not ids:
        raise CourseError(gettext("Chưa có câu hỏi luyện tập đã duyệt cho phần này."))
    chosen = rng.sample(ids, min(count, len(ids)))
    questions = {q.id: q for q in db.session.query(Question).filter(Question.id.in_(chosen))}
    entries = []
    for question_id in chosen:
        question = questions[question_id]
        data = question.question_data()
        order = get_type(data.type).presentation_order(data, rng)
        entries.append({"question_id": question.id, "version_id": question.current_version_id, "order": order})
    attempt = PracticeAttempt(
        user_id=user.id, course_id=course.id, topic_code=topic_code or None, questions=entries,
        question_count=len(entries), answers={}, feedback={}, score=0.0, started_at=now or utcnow(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def question_data(attempt, index):
    version = db.session.get(QuestionVersion, attempt.questions[index]["version_id"])
    return version.question_data()


def answer(attempt, index, raw_response, now=None, as_shown=False):
    """Grade one answer and keep it; answering the same question again changes nothing.
    Returns the feedback entry. Raises CourseError for an empty or malformed answer.
    `as_shown` when the answer names options by the positions shown (the practice form)."""
    key = str(index)
    if key in attempt.feedback:
        return attempt.feedback[key]
    data = question_data(attempt, index)
    kind = get_type(data.type)
    try:
        if as_shown:
            raw_response = kind.shown_to_stored(data, attempt.questions[index]["order"], raw_response)
        response = kind.normalize_response(data, raw_response)
    except ResponseError as error:
        raise CourseError(error.translated(gettext)) from None
    if not response:
        raise CourseError(gettext("Hãy chọn hoặc nhập câu trả lời trước khi kiểm tra."))
    fraction = float(kind.grade(data, response) or 0.0)
    entry = {"fraction": fraction, "correct": fraction >= 1 - _EPSILON}
    # New dicts, so that the JSON columns are seen as changed.
    attempt.answers = {**attempt.answers, key: response}
    attempt.feedback = {**attempt.feedback, key: entry}
    attempt.score = sum(item["fraction"] for item in attempt.feedback.values())
    if len(attempt.feedback) >= attempt.question_count and attempt.finished_at is None:
        attempt.finished_at = now or utcnow()
    return entry


def first_unanswered(attempt):
    return next((i for i in range(attempt.question_count) if str(i) not in attempt.feedback), None)


def question_page(attempt, index):
    """What the practice page shows for one question: the candidate view, and once answered,
    the learner's answer, the verdict, the right answer and the explanation."""
    data = question_data(attempt, index)
    kind = get_type(data.type)
    order = attempt.questions[index]["order"]
    response = attempt.answers.get(str(index), {})
    # The form names options by the position shown, as the exam page does (QuestionType.shown_to_stored).
    page = {"index": index, "view": kind.candidate_view(data, order), "feedback": attempt.feedback.get(str(index)), "response": response,
            "shown": kind.stored_to_shown(data, order, response)}
    if page["feedback"] is not None:
        page["correct"] = [Markup(item) for item in kind.describe_response(data, kind.correct_response(data), _inline(data), gettext)]  # nosec B704 describe_response returns HTML made by render_inline (nh3 allow-list) or fixed words
        page["explanation"] = Markup(render(data.explanation, data.text_format)) if data.explanation else None  # nosec B704 render() sanitises with nh3
        page["choice_feedback"] = _choice_feedback(data, page["response"])
    return page


def _inline(data):
    return lambda text: render_inline(text, data.text_format)


def _choice_feedback(data, response):
    chosen = [response["choice"]] if "choice" in response else response.get("choices", [])
    return [Markup(render_inline(data.choices[i].feedback, data.text_format)) for i in chosen if i < len(data.choices) and data.choices[i].feedback]  # nosec B704 render_inline() sanitises with nh3
