"""Practice quizzes draw only approved practice-pool questions and grade each answer at once."""
import random

import pytest
from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.courses import practice, services
from lms.courses.models import PracticeAttempt
from lms.questionbank import services as bank_services
from lms.questionbank.models import Question
from lms.questionbank.schema import Choice, QuestionData


def _question(key, pool="practice", status="approved", module="IU04", syllabus="IU04.3.1", **extra):
    values = dict(key=key, type="single_choice", text=f"Câu {key}: hàm nào tính tổng?", module=module, syllabus=syllabus,
                  pool=pool, status=status, explanation="SUM cộng các giá trị của vùng.",
                  choices=[Choice("SUM", True), Choice("COUNT"), Choice("MAX"), Choice("ROUND")])
    values.update(extra)
    return QuestionData(**values)


@pytest.fixture()
def course(db, demo):
    module = db.session.execute(select(Module).where(Module.code == "IU04")).scalar_one()
    course = services.create_course(module, published=True)
    bank = bank_services.create_bank("IU04 – luyện tập", find_user("trainer"))
    questions = (
        [_question(f"P{i}") for i in range(3)]
        + [_question("P-topic2", syllabus="IU04.2.1")]
        + [_question(f"E{i}", pool="exam") for i in range(20)]
        + [_question("P-draft", status="draft"), _question("P-review", status="review"), _question("P-retired", status="retired")]
        + [_question("P-other-module", module="IU03", syllabus="IU03.3.1")]
        + [_question("P-practical", type="practical", choices=[], rubric=[{"criterion": "Lưu tệp", "points": 1}], extensions=[".xlsx"])]
    )
    report = bank_services.import_questions(bank, questions, find_user("trainer"))
    assert not report.errors, report.errors
    db.session.commit()
    return course


def _ids(db, *keys):
    return {db.session.execute(select(Question.id).where(Question.key == key)).scalar_one() for key in keys}


def test_practice_never_draws_exam_pool_or_unapproved_questions_even_when_the_pool_is_small(db, course):
    allowed = _ids(db, "P0", "P1", "P2", "P-topic2")
    learner = find_user("learner")
    for seed in range(25):
        attempt = practice.start_practice(learner, course, rng=random.Random(seed))
        drawn = {entry["question_id"] for entry in attempt.questions}
        assert drawn == allowed  # all four, and nothing else, though 10 were asked for
        assert attempt.question_count == 4


def test_practice_by_topic_draws_only_that_topic(db, course):
    attempt = practice.start_practice(find_user("learner"), course, topic_code="IU04.3", rng=random.Random(1))
    assert {entry["question_id"] for entry in attempt.questions} == _ids(db, "P0", "P1", "P2")


def test_practice_draws_at_most_ten_questions(db, course):
    bank = bank_services.create_bank("IU04 – thêm", find_user("trainer"))
    bank_services.import_questions(bank, [_question(f"X{i}") for i in range(15)], find_user("trainer"))
    attempt = practice.start_practice(find_user("learner"), course, rng=random.Random(3))
    assert attempt.question_count == 10 and len({e["question_id"] for e in attempt.questions}) == 10


def test_no_practice_questions_is_a_clear_refusal(db, course):
    with pytest.raises(services.CourseError):
        practice.start_practice(find_user("learner"), course, topic_code="IU04.6")


def test_each_answer_is_graded_at_once_with_the_explanation_and_kept(db, course):
    attempt = practice.start_practice(find_user("learner"), course, topic_code="IU04.3", rng=random.Random(2))
    right = practice.answer(attempt, 0, {"choice": "0"})  # choice indexes refer to the original order: SUM
    assert right == {"fraction": 1.0, "correct": True}
    wrong = practice.answer(attempt, 1, {"choice": 1})
    assert wrong["correct"] is False and attempt.score == 1.0 and attempt.finished_at is None
    page = practice.question_page(attempt, 1)
    assert "SUM" in "".join(page["correct"]) and "cộng các giá trị" in page["explanation"]
    again = practice.answer(attempt, 1, {"choice": 0})  # a second try at the same question changes nothing
    assert again["correct"] is False and attempt.score == 1.0
    practice.answer(attempt, 2, {"choice": 0})
    db.session.commit()
    stored = db.session.get(PracticeAttempt, attempt.id)
    assert stored.finished_at is not None and stored.score == 2.0 and stored.percent == 67
    assert stored.answers == {"0": {"choice": 0}, "1": {"choice": 1}, "2": {"choice": 0}}


def test_an_empty_or_malformed_answer_is_refused_without_grading(db, course):
    attempt = practice.start_practice(find_user("learner"), course, topic_code="IU04.3", rng=random.Random(2))
    with pytest.raises(services.CourseError):
        practice.answer(attempt, 0, {"choice": ""})
    with pytest.raises(services.CourseError):
        practice.answer(attempt, 0, {"choice": "9"})
    assert attempt.feedback == {} and practice.first_unanswered(attempt) == 0


def test_the_candidate_view_keeps_the_key_on_the_server_until_answered(db, course):
    attempt = practice.start_practice(find_user("learner"), course, topic_code="IU04.3", rng=random.Random(5))
    page = practice.question_page(attempt, 0)
    assert "correct" not in page and "explanation" not in page
    assert all("correct" not in choice for choice in page["view"]["choices"])
