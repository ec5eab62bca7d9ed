"""Short-answer and numeric questions graded as Moodle grades them: the best matching answer's
fraction, its feedback, the question's feedback for full marks or none; the trainers' answer lines."""
import pytest

from lms.questionbank import graded_answers as graded
from lms.questionbank.schema import Choice, QuestionData
from lms.questionbank.types import get_type, validate_question

CAPITAL = QuestionData(key="SA", type="short_answer", text="Thủ đô?", answers=[
    "Hà Nội", {"text": "Ha Noi", "fraction": 0.5, "feedback": "Thiếu dấu."}, {"text": "*", "fraction": 0.0, "feedback": "Chưa đúng."}],
    correct_feedback="Chính xác.", incorrect_feedback="Xem lại bài 1.")
PORT = QuestionData(key="N", type="numeric", text="Cổng HTTPS?", answer=443.0, correct_feedback="Đúng.", answers=[
    graded.numeric_answer(80, 0, 0.5, "Đó là HTTP."), graded.numeric_answer(None, 0, 0.0, "Xem lại.")])


@pytest.mark.parametrize("given, fraction, feedback", [
    ("hà nội", 1.0, ["Chính xác."]),
    ("  Ha   Noi ", 0.5, ["Thiếu dấu."]),
    ("Huế", 0.0, ["Chưa đúng.", "Xem lại bài 1."]),
])
def test_a_short_answer_earns_its_best_matching_answer(given, fraction, feedback):
    qtype = get_type("short_answer")
    assert qtype.grade(CAPITAL, {"text": given}) == fraction
    assert qtype.response_feedback(CAPITAL, {"text": given}) == feedback
    assert qtype.correct_response(CAPITAL) == {"text": "Hà Nội"}
    assert qtype.describe_response(CAPITAL, {"text": given}, str, str) == ["Hà Nội"]


@pytest.mark.parametrize("pattern, given, matches", [
    ("Ctrl*C", "Ctrl+C", True), ("Ctrl*C", "ctrl + c", True), ("Ctrl*C", "Ctrl+V", False),
    ("a\\*b", "a*b", True), ("a\\*b", "axb", False), ("Hà*", "Ha Noi", False), ("*", "", True),
])
def test_moodle_wildcards_in_short_answers(pattern, given, matches):
    assert graded.text_matches(pattern, given, case_sensitive=False) is matches


def test_a_plain_short_answer_without_a_star_is_still_compared_exactly():
    question = QuestionData(key="S", type="short_answer", text="?", answers=["Telex"])
    assert get_type("short_answer").grade(question, {"text": "telex"}) == 1.0
    assert get_type("short_answer").grade(question, {"text": "Telex 2"}) == 0.0


@pytest.mark.parametrize("value, fraction, feedback", [
    (443, 1.0, ["Đúng."]),
    ("80", 0.5, ["Đó là HTTP."]),
    (21, 0.0, ["Xem lại."]),
])
def test_a_numeric_answer_earns_the_main_or_the_best_further_answer(value, fraction, feedback):
    qtype = get_type("numeric")
    assert qtype.grade(PORT, {"value": value}) == fraction
    assert qtype.response_feedback(PORT, {"value": value}) == feedback


def test_choice_and_true_false_feedback():
    choice = QuestionData(key="C", type="single_choice", text="?", choices=[Choice("A", True, "Vì A."), Choice("B", False, "Không phải B.")],
                          incorrect_feedback="Đọc lại.")
    assert get_type("single_choice").response_feedback(choice, {"choice": 1}) == ["Không phải B.", "Đọc lại."]
    truth = QuestionData(key="T", type="true_false", text="?", answer=True, correct_feedback="Đúng vậy.", incorrect_feedback="Sai.")
    assert get_type("true_false").response_feedback(truth, {"value": False}) == ["Sai."]
    assert get_type("true_false").response_feedback(truth, {}) == []  # nothing answered, nothing said


@pytest.mark.parametrize("answers, problem", [
    ([{"text": "Ha Noi", "fraction": 0.5, "feedback": ""}], "100%"),
    (["Hà Nội", {"text": "Ha Noi", "fraction": 1.5, "feedback": ""}], "0 … 100%"),
    (["Hà Nội", {"text": "", "fraction": 0.5, "feedback": ""}], "để trống"),
])
def test_short_answer_lists_are_validated(answers, problem):
    problems = validate_question(QuestionData(key="S", type="short_answer", text="?", answers=answers))
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize("item, problem", [
    ({"value": "ba", "tolerance": 0, "fraction": 0.5, "feedback": ""}, "giá trị"),
    ({"value": 3, "tolerance": -1, "fraction": 0.5, "feedback": ""}, "sai số"),
    ({"value": 3, "tolerance": 0, "fraction": -0.5, "feedback": ""}, "điểm"),
    ("3", "cần dạng"),
])
def test_numeric_further_answers_are_validated(item, problem):
    problems = validate_question(QuestionData(key="N", type="numeric", text="?", answer=1.0, answers=[item]))
    assert any(problem in p for p in problems), problems


def test_answer_lines_read_and_write_back_the_same():
    text = "Hà Nội\nHa Noi | 50% | Thiếu dấu\n* | 0% | Chưa đúng"
    items = graded.parse_text_lines(text)
    assert items == ["Hà Nội", {"text": "Ha Noi", "fraction": 0.5, "feedback": "Thiếu dấu"}, {"text": "*", "fraction": 0.0, "feedback": "Chưa đúng"}]
    assert graded.format_text_lines(items) == text
    numbers = graded.parse_numeric_lines("80 | 50% | Đó là HTTP\n3,5 ± 0,5 | 25%\n* | | Xem lại")
    assert numbers == [graded.numeric_answer(80, 0, 0.5, "Đó là HTTP"), graded.numeric_answer(3.5, 0.5, 0.25), graded.numeric_answer(None, 0, 0, "Xem lại")]
    assert graded.parse_numeric_lines(graded.format_numeric_lines(numbers)) == numbers


@pytest.mark.parametrize("parse, line, reason", [
    (graded.parse_text_lines, "Hà Nội\nHa Noi | năm mươi", "Dòng 2"),
    (graded.parse_text_lines, "Ha Noi | 150%", "0 … 100%"),
    (graded.parse_numeric_lines, "ba | 50%", "không phải là số"),
])
def test_an_unreadable_answer_line_is_named(parse, line, reason):
    with pytest.raises(graded.AnswerLineError, match=reason):
        parse(line)
