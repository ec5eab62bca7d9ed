import json
import random

import pytest

from lms.questionbank.schema import TYPES, Choice, QuestionData
from lms.questionbank.types import PRACTICAL_EXTENSIONS, ResponseError, all_types, get_type, validate_question


def single():
    return QuestionData(key="s", type="single_choice", text="Bộ nhớ nào mất dữ liệu khi tắt máy?", explanation="RAM khả biến",
                        choices=[Choice("RAM", True, feedback="Đúng rồi"), Choice("ROM"), Choice("SSD"), Choice("USB")])


def multi(fractions=None):
    choices = [Choice("A", True), Choice("B", True), Choice("C"), Choice("D"), Choice("E", True)]
    for choice, fraction in zip(choices, fractions or []):
        choice.fraction = fraction
    return QuestionData(key="m", type="multiple_response", text="Chọn các đáp án đúng", choices=choices)


def matching():
    return QuestionData(key="g", type="matching", text="Ghép", pairs=[["1 byte", "8 bit"], ["1 KB", "1024 byte"],
                                                                      ["1 MB", "1024 KB"], ["", "1000 byte"]])


def short(case_sensitive=False):
    return QuestionData(key="a", type="short_answer", text="Thủ đô?", answers=["Hà Nội", "TP Hà Nội"], case_sensitive=case_sensitive)


def numeric(answer=3.5, tolerance=0.5):
    return QuestionData(key="n", type="numeric", text="Bao nhiêu?", answer=answer, tolerance=tolerance)


def true_false():
    return QuestionData(key="t", type="true_false", text="RAM là bộ nhớ khả biến.", answer=True)


def practical():
    return QuestionData(key="p", type="practical", text="Soạn công văn", rubric=[{"criterion": "Thể thức", "points": 2}],
                        extensions=[".docx", ".odt"])


EXAMPLES = {"single_choice": single, "multiple_response": multi, "true_false": true_false, "matching": matching,
            "short_answer": short, "numeric": numeric, "practical": practical}


def test_registry_has_every_type_with_a_vietnamese_label():
    assert [t.name for t in all_types()] == list(TYPES)
    assert all(t.label for t in all_types())
    assert get_type("practical").auto_graded is False
    with pytest.raises(KeyError):
        get_type("essay")


@pytest.mark.parametrize("name", TYPES)
def test_every_example_question_is_valid(name):
    assert validate_question(EXAMPLES[name]()) == []


@pytest.mark.parametrize("q, problem", [
    (QuestionData(key="s", type="single_choice", text="x", choices=[Choice("A", True)]), "ít nhất 2"),
    (QuestionData(key="s", type="single_choice", text="x", choices=[Choice("A", True), Choice("B", True)]), "đúng một"),
    (QuestionData(key="s", type="single_choice", text="x", choices=[Choice("A"), Choice("B")]), "đúng một"),
    (QuestionData(key="s", type="single_choice", text="x", choices=[Choice("A", True), Choice(" a ")]), "trùng"),
    (QuestionData(key="m", type="multiple_response", text="x", choices=[Choice("A", True), Choice("B")]), "ít nhất 2"),
    (QuestionData(key="t", type="true_false", text="x", answer="yes"), "true hoặc false"),
    (QuestionData(key="g", type="matching", text="x", pairs=[["a", "1"], ["b", "2"]]), "ít nhất 3"),
    (QuestionData(key="a", type="short_answer", text="x", answers=[]), "ít nhất một"),
    (QuestionData(key="n", type="numeric", text="x", answer=None), "là một số"),
    (QuestionData(key="n", type="numeric", text="x", answer=1, tolerance=-1), "không âm"),
    (QuestionData(key="p", type="practical", text="x", rubric=[]), "rubric"),
    (QuestionData(key="p", type="practical", text="x", rubric=[{"criterion": "c", "points": 1}], extensions=[".exe"]), ".exe"),
    (QuestionData(key="", type="true_false", text="x", answer=True), "mã câu hỏi"),
    (QuestionData(key="t", type="true_false", text="  ", answer=True), "nội dung"),
    (QuestionData(key="t", type="true_false", text="x", answer=True, difficulty="dễ"), "Mức độ"),
    (QuestionData(key="t", type="true_false", text="x", answer=True, module="IU16"), "mô đun"),
    (QuestionData(key="t", type="true_false", text="x", answer=True, module="IU04", syllabus="IU03.1.1"), "không thuộc"),
    (QuestionData(key="t", type="essay", text="x"), "Loại câu hỏi"),
])
def test_validation_names_the_problem_in_vietnamese(q, problem):
    problems = validate_question(q)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize("response, expected", [
    ({}, 0.0), (None, 0.0), ({"choice": None}, 0.0),
    ({"choice": 0}, 1.0), ({"choice": "0"}, 1.0), ({"choice": 3}, 0.0),
])
def test_single_choice_grading(response, expected):
    assert get_type("single_choice").grade(single(), response) == expected


def test_single_choice_uses_a_partial_weight_when_given():
    q = single()
    q.choices[1].fraction = 0.5
    assert get_type("single_choice").grade(q, {"choice": 1}) == 0.5


@pytest.mark.parametrize("chosen, expected", [
    ([], 0.0),
    ([0, 1, 4], 1.0),
    ([0], pytest.approx(1 / 3)),
    ([0, 1], pytest.approx(2 / 3)),
    ([0, 1, 4, 2], pytest.approx(2 / 3)),  # one wrong subtracts 1/k
    ([0, 2], 0.0),
    ([0, 2, 3], 0.0),  # floored at 0, never negative
    ([2, 3], 0.0),  # all wrong
    ([0, 1, 2, 3, 4], pytest.approx(1 / 3)),  # choosing everything is not full marks
    ([0, 0, "1", 4], 1.0),  # duplicates count once
])
def test_multiple_response_partial_credit(chosen, expected):
    assert get_type("multiple_response").grade(multi(), {"choices": chosen}) == expected


def test_multiple_response_uses_moodle_fractions_when_given():
    q = multi([0.5, 0.25, -1.0, 0.0, 0.25])
    grade = get_type("multiple_response").grade
    assert grade(q, {"choices": [0, 1]}) == pytest.approx(0.75)
    assert grade(q, {"choices": [0, 1, 3]}) == pytest.approx(0.75)
    assert grade(q, {"choices": [0, 2]}) == 0.0
    assert validate_question(q) == []
    q.choices[0].fraction = 0.9
    assert any("100%" in p for p in validate_question(q))


@pytest.mark.parametrize("response, expected", [
    ({"value": True}, 1.0), ({"value": False}, 0.0), ({"value": "true"}, 1.0), ({}, 0.0), ({"value": None}, 0.0),
])
def test_true_false_grading(response, expected):
    assert get_type("true_false").grade(true_false(), response) == expected


@pytest.mark.parametrize("pairs, expected", [
    ({}, 0.0),
    ({"0": 0, "1": 1, "2": 2}, 1.0),
    ({"0": 0, "1": 2, "2": 1}, pytest.approx(1 / 3)),
    ({"0": 3, "1": 0, "2": 1}, 0.0),
    ({"0": 0}, pytest.approx(1 / 3)),
    ({0: "0", "1": "1", "2": ""}, pytest.approx(2 / 3)),
])
def test_matching_share_of_left_items(pairs, expected):
    assert get_type("matching").grade(matching(), {"pairs": pairs}) == expected


def test_matching_accepts_either_copy_of_a_repeated_right_text():
    q = QuestionData(key="g", type="matching", text="x", pairs=[["Word", "Xử lý văn bản"], ["Writer", "Xử lý văn bản"], ["Excel", "Bảng tính"]])
    assert get_type("matching").grade(q, {"pairs": {"0": 1, "1": 0, "2": 2}}) == 1.0
    view = get_type("matching").candidate_view(q, {"lefts": [0, 1, 2], "rights": [1, 2, 0]})
    assert [r["text"] for r in view["rights"]] == ["Bảng tính", "Xử lý văn bản"]


@pytest.mark.parametrize("text, case_sensitive, expected", [
    ("Hà Nội", False, 1.0),
    ("  hà   nội ", False, 1.0),
    ("HÀ NỘI", False, 1.0),
    ("Ha Noi", False, 0.0),  # diacritics always count
    ("Hà Nôi", False, 0.0),
    ("Ha\u0300 No\u0302\u0323i", False, 1.0),  # decomposed input is NFC-normalised
    ("tp hà nội", False, 1.0),
    ("hà nội", True, 0.0),
    ("Hà Nội", True, 1.0),
    ("", False, 0.0),
])
def test_short_answer_grading(text, case_sensitive, expected):
    assert get_type("short_answer").grade(short(case_sensitive), {"text": text}) == expected


@pytest.mark.parametrize("value, expected", [
    (3.5, 1.0), ("3,5", 1.0), ("3.5", 1.0), (" 3,0 ", 1.0), (4, 1.0), ("4,0", 1.0),  # boundaries are inside
    ("4,01", 0.0), (2.99, 0.0), ("", 0.0), (None, 0.0),
])
def test_numeric_tolerance_and_decimal_comma(value, expected):
    assert get_type("numeric").grade(numeric(), {"value": value}) == expected


def test_numeric_exact_answer_survives_float_rounding():
    assert get_type("numeric").grade(numeric(0.3, 0), {"value": 0.1 + 0.2}) == 1.0
    assert get_type("numeric").grade(numeric(1024, 0), {"value": "1024"}) == 1.0
    assert get_type("numeric").grade(numeric(1024, 0), {"value": "1025"}) == 0.0


def test_practical_is_graded_by_a_person():
    kind = get_type("practical")
    assert kind.grade(practical(), {"upload_id": 7}) is None
    with pytest.raises(ResponseError):
        kind.grade(practical(), {"upload_id": "x"})


@pytest.mark.parametrize("name, raw", [
    ("single_choice", {"choice": 4}), ("single_choice", {"choice": -1}), ("single_choice", {"choice": True}),
    ("single_choice", {"choice": 1.5}), ("single_choice", {"choice": "1; drop"}), ("single_choice", [0]),
    ("multiple_response", {"choices": [0, 5]}), ("multiple_response", {"choices": 0}),
    ("true_false", {"value": "có"}), ("true_false", {"value": 1}),
    ("matching", {"pairs": {"0": 4}}), ("matching", {"pairs": {"3": 0}}), ("matching", {"pairs": [0, 1]}),
    ("short_answer", {"text": 5}), ("short_answer", {"text": "x" * 1001}),
    ("numeric", {"value": "ba"}), ("numeric", {"value": "1,2,3"}), ("numeric", {"value": "nan"}), ("numeric", {"value": True}),
    ("practical", {"upload_id": -1}),
])
def test_bad_responses_are_rejected_with_a_vietnamese_message(name, raw):
    with pytest.raises(ResponseError) as error:
        get_type(name).normalize_response(EXAMPLES[name](), raw)
    assert str(error.value)


def test_normalized_responses_have_the_documented_shapes():
    assert get_type("multiple_response").normalize_response(multi(), {"choices": ["4", 0, 0]}) == {"choices": [0, 4]}
    assert get_type("numeric").normalize_response(numeric(), {"value": "3,5"}) == {"value": 3.5}
    assert get_type("matching").normalize_response(matching(), {"pairs": {0: "1"}}) == {"pairs": {"0": 1}}
    assert get_type("short_answer").normalize_response(short(), {"text": "  Hà Nội "}) == {"text": "Hà Nội"}


@pytest.mark.parametrize("name", TYPES)
def test_correct_response_gets_full_marks(name):
    q = EXAMPLES[name]()
    kind = get_type(name)
    if kind.auto_graded:
        assert kind.grade(q, kind.correct_response(q)) == 1.0


@pytest.mark.parametrize("name", TYPES)
def test_candidate_view_never_contains_the_answer_key(name):
    q = EXAMPLES[name]()
    q.explanation = "GIẢI-THÍCH-BÍ-MẬT"
    kind = get_type(name)
    order = kind.presentation_order(q, random.Random(3))
    serialized = json.dumps(kind.candidate_view(q, order), ensure_ascii=False)
    for secret in ("correct", "fraction", "feedback", "answers", "tolerance", "explanation", "GIẢI-THÍCH", "Đúng rồi",
                   "TP Hà Nội", "criterion", "rubric", '"answer"'):
        assert secret not in serialized
    if name == "numeric":
        assert "3.5" not in serialized


def test_candidate_view_shows_choices_in_the_stored_order_with_original_indexes():
    view = get_type("single_choice").candidate_view(single(), {"choices": [2, 0, 3, 1]})
    assert [(c["index"], c["text"]) for c in view["choices"]] == [(2, "SSD"), (0, "RAM"), (3, "USB"), (1, "ROM")]
    with pytest.raises(ValueError):
        get_type("single_choice").candidate_view(single(), {"choices": [0, 0, 1, 2]})


def test_presentation_order_is_a_permutation_and_respects_shuffle():
    q = single()
    orders = {tuple(get_type("single_choice").presentation_order(q, random.Random(seed))["choices"]) for seed in range(30)}
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders) and len(orders) > 1
    q.shuffle = False
    assert get_type("single_choice").presentation_order(q, random.Random(1)) == {"choices": [0, 1, 2, 3]}
    q = matching()
    q.shuffle = False
    order = get_type("matching").presentation_order(q, random.Random(1))
    assert order["lefts"] == [0, 1, 2] and sorted(order["rights"]) == [0, 1, 2, 3]


def test_matching_view_lists_the_distractor_on_the_right_only():
    view = get_type("matching").candidate_view(matching(), {"lefts": [0, 1, 2], "rights": [3, 2, 1, 0]})
    assert [l["text"] for l in view["lefts"]] == ["1 byte", "1 KB", "1 MB"]
    assert [r["index"] for r in view["rights"]] == [3, 2, 1, 0]


def test_practical_view_lists_the_accepted_extensions():
    assert get_type("practical").candidate_view(practical())["extensions"] == [".docx", ".odt"]
    q = practical()
    q.extensions = []
    assert get_type("practical").candidate_view(q)["extensions"] == list(PRACTICAL_EXTENSIONS)


def test_candidate_view_html_is_sanitised():
    q = single()
    q.text = "Chọn <script>alert(1)</script>**một**"
    q.choices[0].text = "<img src=x onerror=alert(1)>RAM"
    view = get_type("single_choice").candidate_view(q)
    assert "<script" not in view["html"] and "<strong>một</strong>" in view["html"]
    assert "onerror" not in view["choices"][0]["html"]
