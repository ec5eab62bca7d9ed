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

_EPSILON = 1e-9


def _registry():
    from lms.questionbank import types

    return types


def start_practice(user, course, topic_code=None, rng=None, count=PRACTICE_QUESTION_COUNT, now=None):
    """A new attempt of up to `count` questions drawn at random from the practice pool."""
    from lms.questionbank.models import Question

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
        order = _registry().get_type(data.type).presentation_order(data, rng)
        entries.append({"question_id": question.id, "version_id": question.current_version_id, "order": order})
    attempt = PracticeAttempt(
        user_id=user.id, course_id=course.id, topic_code=topic_code or None, questions=entries,
        question_count=len(entries), answers={}, feedback={}, score=0.0, started_at=now or utcnow(),
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def question_data(attempt, index):
    from lms.questionbank.models import QuestionVersion

    version = db.session.get(QuestionVersion, attempt.questions[index]["version_id"])
    return version.question_data()


def response_from_form(question_type, form):
    """The response shape of lms.questionbank.schema from a posted form (a MultiDict)."""
    if question_type == "single_choice":
        return {"choice": form.get("choice")}
    if question_type == "multiple_response":
        return {"choices": form.getlist("choices")}
    if question_type in ("true_false", "numeric"):
        return {"value": form.get("value")}
    if question_type == "matching":
        return {"pairs": {key[len("pair-"):]: value for key, value in form.items() if key.startswith("pair-")}}
    if question_type == "short_answer":
        return {"text": form.get("text")}
    return {}


def answer(attempt, index, raw_response, now=None):
    """Grade one answer and keep it; answering the same question again changes nothing.
    Returns the feedback entry. Raises CourseError for an empty or malformed answer."""
    key = str(index)
    if key in attempt.feedback:
        return attempt.feedback[key]
    data = question_data(attempt, index)
    kind = _registry().get_type(data.type)
    try:
        response = kind.normalize_response(data, raw_response)
    except _registry().ResponseError as error:
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
    from lms.questionbank import markup

    data = question_data(attempt, index)
    kind = _registry().get_type(data.type)
    view = kind.candidate_view(data, attempt.questions[index]["order"])
    page = {"index": index, "view": view, "feedback": attempt.feedback.get(str(index)), "response": attempt.answers.get(str(index), {})}
    if page["feedback"] is not None:
        page["correct"] = [Markup(item) for item in describe_response(data, kind.correct_response(data))]
        page["explanation"] = Markup(markup.render(data.explanation, data.text_format)) if data.explanation else None
        page["choice_feedback"] = _choice_feedback(data, page["response"])
    return page


def describe_response(data, response):
    """A response as short safe HTML lines (to show the right answer)."""
    from lms.questionbank.markup import render_inline

    def inline(text):
        return render_inline(text, data.text_format)

    if data.type == "single_choice":
        return [inline(data.choices[response["choice"]].text)]
    if data.type == "multiple_response":
        return [inline(data.choices[i].text) for i in response["choices"]]
    if data.type == "true_false":
        return [gettext("Đúng") if response["value"] else gettext("Sai")]
    if data.type == "matching":
        return [f"{inline(data.pairs[int(left)][0])} → {inline(data.pairs[right][1])}" for left, right in response["pairs"].items()]
    if data.type == "short_answer":
        return [inline(text) for text in data.answers]
    if data.type == "numeric":
        value = f"{response['value']:g}".replace(".", ",")
        return [value + (f" (± {data.tolerance:g})".replace(".", ",") if data.tolerance else "")]
    return []


def _choice_feedback(data, response):
    from lms.questionbank.markup import render_inline

    chosen = [response["choice"]] if "choice" in response else response.get("choices", [])
    return [Markup(render_inline(data.choices[i].feedback, data.text_format)) for i in chosen if i < len(data.choices) and data.choices[i].feedback]
