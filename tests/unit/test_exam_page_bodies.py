"""The exam page's question bodies: every question type rendered from the shared cache in
a candidate's own order, with the inputs exam.js reads and nothing of the key."""
import json
import random
import re

from question_samples import samples

from lms.exams.take import queries
from lms.questionbank.types import get_type

INPUTS = {
    "single_choice": r'<input type="radio" name="v(\d+)" value="(\d+)">',
    "multiple_response": r'<input type="checkbox" name="v(\d+)" value="(\d+)">',
    "true_false": r'<input type="radio" name="v(\d+)" value="(true|false)">',
    "matching": r'<select data-left="(\d+)">',
    "short_answer": r'class="(text-answer)"',
    "numeric": r'inputmode="(decimal)" class="text-answer"',
    "practical": r"(\.docx, \.odt)",
}


def test_every_type_renders_its_inputs_in_the_candidates_order_without_the_key(app):
    with app.test_request_context("/"):
        for version_id, question in enumerate(samples(), start=900):
            qtype = get_type(question.type)
            order = qtype.presentation_order(question, random.Random(version_id)) or {}
            content = json.dumps(question.to_dict(), ensure_ascii=False)
            parts = queries._question_parts(version_id, content, "vi")
            html = parts.body(version_id, content, json.dumps(order), "vi")
            assert parts.type == question.type
            found = re.findall(INPUTS[question.type], html)
            assert found, (question.type, html)
            if question.type in queries.CHOICE_TYPES:
                # in the candidate's order, each valued by the position it is shown at
                shown = order.get("choices", list(range(len(question.choices))))
                assert [int(value) for _, value in found] == list(range(len(shown)))
                assert in_order(html, [f'value="{place}"> <span class="letter"></span> <span>{choice["html"]}</span>'
                                       for place, choice in enumerate(qtype.candidate_view(question, order)["choices"])])
                assert {name for name, _ in found} == {str(version_id)}
            if question.type == "matching":
                lefts = order.get("lefts", [0, 1, 2])
                assert [int(left) for left in found] == list(range(len(lefts)))
                assert in_order(html, [f'<span>{left["html"]}</span>\n    <select data-left="{place}">'
                                       for place, left in enumerate(qtype.candidate_view(question, order)["lefts"])])
                rights = re.findall(r'<option value="(\d+)">', html)
                per_select = len(rights) // len(lefts)
                assert rights == [str(place) for place in range(per_select)] * len(lefts)
            for secret in filter(None, [getattr(question, "explanation", ""), *(c.feedback for c in question.choices if c.feedback)]):
                assert secret not in html
            assert "checked" not in html and "selected" not in html


def in_order(html, texts):
    places = [html.find(text) for text in texts]
    return -1 not in places and places == sorted(places)
