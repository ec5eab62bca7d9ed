"""The exam page's collect()/apply() (static/js/exam.js) and the type registry agree on every
type's response shape: written once, as each type's `page_response`, and checked here."""
import re
from pathlib import Path

import pytest
from question_samples import samples

from lms.questionbank.types import all_types, get_type

SAMPLES = {question.type: question for question in reversed(samples())}  # the first sample of each type
EXAM_JS = (Path(__file__).resolve().parents[2] / "lms" / "static" / "js" / "exam.js").read_text(encoding="utf-8")


def _function(name):
    start = EXAM_JS.index(f"function {name}(")
    end = EXAM_JS.index("\n  }\n", start)
    return EXAM_JS[start:end]


def _types_named(body):
    return set(re.findall(r'type === "(\w+)"', body))


def test_collect_and_apply_handle_exactly_the_types_the_page_answers():
    answered = {qtype.name for qtype in all_types() if qtype.page_response is not None}
    assert _types_named(_function("collect")) == answered
    assert _types_named(_function("apply")) == answered
    # The one type the page does not answer (files go through their own form) collects nothing.
    assert {qtype.name for qtype in all_types() if qtype.page_response is None} == {"practical"}
    assert "return null; // practical" in _function("collect")


@pytest.mark.parametrize("qtype", [t for t in all_types() if t.page_response is not None], ids=lambda t: t.name)
def test_what_the_page_sends_is_accepted_and_stored_in_the_shape_apply_reads(qtype):
    question = SAMPLES[qtype.name]
    stored = qtype.normalize_response(question, qtype.page_response)
    assert stored and set(stored) == set(qtype.page_response)
    # The keys apply() reads back from a stored response are those collect() sends.
    apply = _function("apply")
    for key in stored:
        assert f"response.{key}" in apply, (qtype.name, key)


def test_every_type_names_its_response_in_forms_item_analysis_and_feedback():
    for qtype in all_types():
        question = SAMPLES[qtype.name]
        if qtype.page_response is None:
            assert qtype.option_keys({}) == ()
            continue
        stored = qtype.normalize_response(question, qtype.page_response)
        assert qtype.option_keys(stored), qtype.name
        assert qtype.option_keys({}) == (), qtype.name
        lines = qtype.describe_response(question, qtype.correct_response(question), lambda text: text, lambda text: text)
        assert lines and all(isinstance(line, str) and line for line in lines), qtype.name
    assert get_type("true_false").option_keys({"value": False}) == ("false",)
    assert get_type("multiple_response").option_keys({"choices": [2, 0]}) == (0, 2)
