"""The base of the question types (lms.questionbank.types): what every type answers.

Every class answers the same questions — is this question well formed (`validate`),
is this browser response acceptable (`normalize_response`), how much is it worth
(`grade`, a fraction in [0, 1]; None when a person grades), what may the candidate see
(`candidate_view`, never the key), in which order (`presentation_order`), what the right
answer was (`correct_response`, for review after release), and how its response reads in
a form, the exam page, item analysis and feedback. Nothing outside the types knows a
response's shape. Pure Python: no Flask, no SQLAlchemy.
"""
from __future__ import annotations

import random
import re
from typing import Optional

from lms.messages import N_, Message
from lms.questionbank import markup
from lms.questionbank.responses import ResponseError
from lms.questionbank.schema import DIFFICULTIES, POOLS, STATUSES, TEXT_FORMATS, QuestionData, nfc

MODULE_CODE = re.compile(r"^IU(0[1-9]|1[0-5])$")


class QuestionType:
    name = ""
    label = ""
    auto_graded = True

    # -- authoring -------------------------------------------------------------
    def validate(self, q: QuestionData) -> list:
        problems = []
        if not (q.key or "").strip():
            problems.append(Message(N_("Thiếu mã câu hỏi.")))
        if not nfc(q.text).strip():
            problems.append(Message(N_("Thiếu nội dung câu hỏi.")))
        if q.difficulty not in DIFFICULTIES:
            problems.append(Message(N_("Mức độ không hợp lệ: %(value)r (easy, medium, hard)."), value=q.difficulty))
        if q.pool not in POOLS:
            problems.append(Message(N_("Nơi dùng không hợp lệ: %(value)r (exam, practice)."), value=q.pool))
        if q.status not in STATUSES:
            problems.append(Message(N_("Trạng thái không hợp lệ: %(value)r."), value=q.status))
        if q.text_format not in TEXT_FORMATS:
            problems.append(Message(N_("Định dạng nội dung không hợp lệ: %(value)r."), value=q.text_format))
        if isinstance(q.points, bool) or not isinstance(q.points, (int, float)) or not q.points > 0:
            problems.append(Message(N_("Điểm của câu hỏi phải là số dương.")))
        if q.module and not MODULE_CODE.match(q.module):
            problems.append(Message(N_("Mã mô đun không hợp lệ: %(value)r (IU01 … IU15)."), value=q.module))
        if q.module and q.syllabus and not q.syllabus.startswith(q.module + "."):
            problems.append(Message(N_("Mã nội dung %(code)r không thuộc mô đun %(module)s."), code=q.syllabus, module=q.module))
        return problems + self.validate_specific(q)

    def validate_specific(self, q: QuestionData) -> list:
        return []

    # -- attempts --------------------------------------------------------------
    def presentation_order(self, q: QuestionData, rng: random.Random) -> dict:
        return {}

    def candidate_view(self, q: QuestionData, order: Optional[dict] = None) -> dict:
        return {"type": self.name, "label": self.label, "text": q.text, "text_format": q.text_format,
                "html": markup.render(q.text, q.text_format), "points": q.points}

    def shown_to_stored(self, q: QuestionData, order: Optional[dict], raw):
        """A page's answer in the stored shape. The exam page names options by the position
        this candidate saw them in, never by the question's own indexes, which would be the
        same for every candidate and, for a matching question, would pair each left with
        its right. A value out of range is a ResponseError; a malformed shape is left to
        `normalize_response`."""
        return raw

    def stored_to_shown(self, q: QuestionData, order: Optional[dict], response):
        """A stored answer as the page names it (the inverse of `shown_to_stored`)."""
        return response

    def normalize_response(self, q: QuestionData, raw) -> dict:
        """An empty dict means 'not answered'."""
        if raw is None or raw == {}:
            return {}
        if not isinstance(raw, dict):
            raise ResponseError(N_("Câu trả lời không đúng định dạng."))
        return self.normalize_answer(q, raw)

    def normalize_answer(self, q: QuestionData, raw: dict) -> dict:
        raise ResponseError(N_("Câu trả lời không đúng định dạng."))

    def grade(self, q: QuestionData, response) -> Optional[float]:
        response = self.normalize_response(q, response)
        if not response:
            return 0.0
        return min(1.0, max(0.0, self.score(q, response)))

    def score(self, q: QuestionData, response: dict) -> float:
        return 0.0

    def correct_response(self, q: QuestionData) -> dict:
        return {}

    # -- the response shape, wherever it is read -----------------------------------
    # `page_response`: what the exam page's collect() sends for this type, and what its
    # apply() sets back from a stored response of the same keys (static/js/exam.js);
    # None: the page sends nothing (a practical file goes through its own form).
    page_response: Optional[dict] = None

    def form_response(self, form) -> dict:
        """The raw response from a posted HTML form (a MultiDict), as the practice page posts it."""
        return {}

    def option_keys(self, response: dict) -> tuple:
        """What item analysis counts of a stored response: the options chosen, () for blank."""
        return ("answered",) if response else ()

    def describe_response(self, q: QuestionData, response: dict, inline, gettext) -> list:
        """A stored response as short lines of safe HTML (`inline` renders question text)."""
        return []

    # -- feedback, as Moodle gives it after an answer ------------------------------------
    def answer_feedback(self, q: QuestionData, response: dict) -> list:
        """The feedback of the options or answers a (normalized, non-empty) response matched."""
        return []

    def response_feedback(self, q: QuestionData, response) -> list:
        """The feedback texts (in the question's text format) a response earns: those of the
        answers it matched, then the question's feedback for full marks or for none."""
        response = self.normalize_response(q, response)
        if not response or not self.auto_graded:
            return []
        fraction = self.grade(q, response)
        texts = self.answer_feedback(q, response)
        if fraction >= 1 - 1e-9:
            texts.append(q.correct_feedback)
        elif fraction <= 1e-9:
            texts.append(q.incorrect_feedback)
        return [text for text in texts if text]


def answer_field(raw: dict, key: str, kind: type, message: str):
    """The response's `key` when it is a `kind`; None when it is missing (not answered); a
    ResponseError with `message` (an N_ template) when it is something else."""
    value = raw.get(key)
    if value is not None and not isinstance(value, kind):
        raise ResponseError(message)
    return value
