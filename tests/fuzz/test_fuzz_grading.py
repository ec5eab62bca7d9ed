"""The grading strategies on random valid questions of every auto-graded type and random
responses, well formed or not: a grade is a fraction in [0, 1] (of the question's points) or
the response is refused with a ResponseError, never another exception; and the grade does not
depend on the order the options are kept in (the response mapped to the new order)."""
import math

import pytest
from fuzz_support import JSON_VALUES
from hypothesis import assume, given
from hypothesis import strategies as st

from lms.questionbank import graded_answers
from lms.questionbank.responses import normalize_text
from lms.questionbank.schema import Choice, QuestionData
from lms.questionbank.types import ResponseError, get_type, validate_question

WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=10)
FRACTIONS = st.floats(0, 1).map(lambda value: round(value, 4))
NUMBERS = st.floats(-1e12, 1e12, allow_nan=False)


def distinct_texts(min_size, max_size):
    return st.lists(WORDS, min_size=min_size, max_size=max_size, unique_by=lambda text: normalize_text(text)).filter(
        lambda texts: all(normalize_text(text) for text in texts))


@st.composite
def single_choice(draw):
    texts = draw(distinct_texts(2, 7))
    right = draw(st.integers(0, len(texts) - 1))
    partial = st.one_of(st.none(), st.floats(-1, 0.99).map(lambda value: round(value, 4)))
    return QuestionData(key="fuzz", type="single_choice", text="Câu hỏi?",
                        choices=[Choice(text, i == right, fraction=None if i == right else draw(partial)) for i, text in enumerate(texts)])


@st.composite
def multiple_response(draw):
    texts = draw(distinct_texts(3, 7))
    correct = draw(st.sets(st.integers(0, len(texts) - 1), min_size=2, max_size=len(texts) - 1))
    choices = [Choice(text, i in correct) for i, text in enumerate(texts)]
    if draw(st.booleans()):  # explicit Moodle weights: the right ones add up to 100 %
        weights = {i: draw(st.integers(1, 5)) for i in correct}
        for i, choice in enumerate(choices):
            choice.fraction = weights[i] / sum(weights.values()) if i in correct else -draw(FRACTIONS)
    return QuestionData(key="fuzz", type="multiple_response", text="Câu hỏi?", choices=choices)


@st.composite
def matching(draw):
    lefts = draw(distinct_texts(3, 6))
    rights = [draw(WORDS.filter(lambda text: normalize_text(text))) for _ in lefts]
    if draw(st.booleans()):
        rights[-1] = rights[0]  # two lefts may share their right side
    pairs = [[left, right] for left, right in zip(lefts, rights)]
    if draw(st.booleans()):
        pairs.append(["", draw(WORDS.filter(lambda text: normalize_text(text)))])  # a distractor on the right
    return QuestionData(key="fuzz", type="matching", text="Ghép cặp.", pairs=pairs)


@st.composite
def short_answer(draw):
    full = draw(st.one_of(WORDS, st.sampled_from(["a\\*", "*", "x*y", "\\**", "C\\*\\*", "50\\% *"])))  # Moodle's wildcards
    further = draw(st.lists(st.tuples(WORDS, FRACTIONS, st.text(max_size=5)), max_size=3))
    answers = [full, *(graded_answers.text_answer(text, fraction, feedback) for text, fraction, feedback in further)]
    return QuestionData(key="fuzz", type="short_answer", text="Trả lời?", answers=answers, case_sensitive=draw(st.booleans()))


@st.composite
def numeric(draw):
    further = draw(st.lists(st.tuples(st.one_of(st.none(), NUMBERS), st.floats(0, 1e6), FRACTIONS), max_size=3))
    return QuestionData(key="fuzz", type="numeric", text="Bao nhiêu?", answer=draw(NUMBERS), tolerance=draw(st.floats(0, 1e6)),
                        answers=[graded_answers.numeric_answer(value, tolerance, fraction) for value, tolerance, fraction in further])


QUESTIONS = {"single_choice": single_choice(), "multiple_response": multiple_response(), "matching": matching(),
             "short_answer": short_answer(), "numeric": numeric(),
             "true_false": st.booleans().map(lambda answer: QuestionData(key="fuzz", type="true_false", text="Đúng không?", answer=answer))}
INDEXES = st.one_of(st.integers(-3, 10), st.integers(0, 6).map(str), st.sampled_from(["", " 1 ", "1.0", "x", "-1", "١"]))


def responses(question: QuestionData):
    """Responses of the type's shape (indexes in and out of range, odd texts and numbers) and of any shape."""
    shaped = {
        "single_choice": lambda: st.fixed_dictionaries({"choice": st.one_of(INDEXES, JSON_VALUES)}),
        "multiple_response": lambda: st.fixed_dictionaries({"choices": st.one_of(st.lists(INDEXES, max_size=6), JSON_VALUES)}),
        "matching": lambda: st.fixed_dictionaries({"pairs": st.one_of(st.dictionaries(INDEXES.map(str), INDEXES, max_size=6), JSON_VALUES)}),
        "short_answer": lambda: st.fixed_dictionaries({"text": st.one_of(st.text(max_size=20), st.sampled_from(graded_answers.full_texts(question.answers)),
                                                                         JSON_VALUES)}),
        "numeric": lambda: st.fixed_dictionaries({"value": st.one_of(NUMBERS, NUMBERS.map(lambda v: f"{v}".replace(".", ",")),
                                                                     st.sampled_from(["1e309", "nan", "inf", " ", "3,5", "1,2,3"]), JSON_VALUES)}),
        "true_false": lambda: st.fixed_dictionaries({"value": st.one_of(st.booleans(), st.sampled_from(["true", " FALSE ", "yes"]), JSON_VALUES)}),
    }[question.type]()
    return st.one_of(shaped, JSON_VALUES)


def grade_or_refusal(question, response):
    """The fraction, or None when the type refused the response; any other exception fails."""
    kind = get_type(question.type)
    try:
        fraction = kind.grade(question, response)
    except ResponseError as error:
        assert str(error)
        return None
    assert isinstance(fraction, float) and math.isfinite(fraction) and 0.0 <= fraction <= 1.0, fraction
    assert all(isinstance(text, str) for text in kind.response_feedback(question, response))
    return fraction


@pytest.mark.parametrize("qtype", sorted(QUESTIONS))
@given(data=st.data())
def test_a_grade_is_a_fraction_of_the_mark_or_the_response_is_refused(qtype, data):
    question = data.draw(QUESTIONS[qtype])
    assume(validate_question(question) == [])
    grade_or_refusal(question, data.draw(responses(question)))
    correct = get_type(qtype).correct_response(question)
    assert grade_or_refusal(question, correct) == pytest.approx(1.0), "the right answer earns full marks"


def _reordered(question: QuestionData, order: list) -> QuestionData:
    """The question with its options (or pairs) kept in `order`: new position p holds old item order[p]."""
    copy = QuestionData.from_dict(question.to_dict())
    if question.type == "matching":
        copy.pairs = [list(question.pairs[old]) for old in order]
    else:
        copy.choices = [Choice(**vars(question.choices[old])) for old in order]
    return copy


def _mapped(response, position: dict):
    """A response naming old indexes, naming the same items by their new positions."""
    if "choice" in response:
        return {"choice": position[response["choice"]]}
    if "choices" in response:
        return {"choices": [position[i] for i in response["choices"]]}
    return {"pairs": {str(position[int(left)]): position[right] for left, right in response["pairs"].items()}}


@pytest.mark.parametrize("qtype", ["single_choice", "multiple_response", "matching"])
@given(data=st.data())
def test_the_grade_does_not_depend_on_the_order_of_the_options(qtype, data):
    question = data.draw(QUESTIONS[qtype])
    assume(validate_question(question) == [])
    size = len(question.pairs if qtype == "matching" else question.choices)
    order = data.draw(st.permutations(range(size)))
    lefts = [i for i, (left, _) in enumerate(question.pairs) if left.strip()]
    response = data.draw({
        "single_choice": st.builds(lambda i: {"choice": i}, st.integers(0, size - 1)),
        "multiple_response": st.builds(lambda chosen: {"choices": sorted(chosen)}, st.sets(st.integers(0, size - 1), min_size=1)),
        "matching": st.builds(lambda chosen: {"pairs": {str(left): right for left, right in chosen.items()}},
                              st.dictionaries(st.sampled_from(lefts or [0]), st.integers(0, size - 1), min_size=1)),
    }[qtype])
    position = {old: new for new, old in enumerate(order)}
    before = get_type(qtype).grade(question, response)
    after = get_type(qtype).grade(_reordered(question, order), _mapped(response, position))
    assert after == pytest.approx(before, abs=1e-9)


@pytest.mark.parametrize("pattern, typed", [("a\\*", "a*"), ("C\\*\\*", "C**"), ("x*y", "x*y"), ("*", "*")])
def test_the_right_answer_of_a_wildcard_pattern_is_what_earns_full_marks(pattern, typed):
    """Found by the fuzzing: the key of `a\\*` (Moodle's literal star) was the pattern itself, which earns nothing."""
    question = QuestionData(key="fuzz", type="short_answer", text="Phím tắt?", answers=[pattern])
    assert get_type("short_answer").correct_response(question) == {"text": typed}
    assert get_type("short_answer").grade(question, {"text": typed}) == 1.0
