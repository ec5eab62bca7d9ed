"""The typed-answer types, short answer and numeric: a candidate types a text or a number,
graded against a list of answers each worth a fraction of the mark, as in Moodle (see
lms.questionbank.graded_answers). The best answer the response matches counts. Pure
Python, registered by lms.questionbank.types.
"""
from __future__ import annotations

import math

from lms.messages import N_, Message
from lms.questionbank import graded_answers as graded
from lms.questionbank.responses import MAX_TEXT_RESPONSE, ResponseError, normalize_text, parse_number
from lms.questionbank.schema import nfc
from lms.questionbank.type_base import QuestionType, answer_field

_EPSILON = 1e-9


class ShortAnswer(QuestionType):
    name = "short_answer"
    label = N_("Trả lời ngắn")
    page_response = {"text": "Ctrl+S"}

    def validate_specific(self, q):
        items = [graded.text_parts(a) if isinstance(a, (str, dict)) else (a, None, "") for a in q.answers]
        if not [text for text, _, _ in items if isinstance(text, str) and normalize_text(text)]:
            return [Message(N_("Câu trả lời ngắn cần ít nhất một đáp án được chấp nhận."))]
        if any(not isinstance(text, str) or not normalize_text(text) for text, _, _ in items):
            return [Message(N_("Có đáp án được chấp nhận để trống."))]
        problems = [Message(problem) for problem in {graded.fraction_problem(fraction) for _, fraction, _ in items} if problem]
        if any(not isinstance(feedback, str) for _, _, feedback in items):
            problems.append(Message(N_("Phản hồi của đáp án phải là văn bản.")))
        if not problems and not graded.full_texts(q.answers):
            problems.append(Message(N_("Cần ít nhất một đáp án được 100% điểm.")))
        return problems

    def normalize_answer(self, q, raw):
        text = answer_field(raw, "text", str, N_("Câu trả lời phải là văn bản."))
        if text is None:
            return {}
        if len(text) > MAX_TEXT_RESPONSE:
            raise ResponseError(N_("Câu trả lời dài quá %(max)d ký tự."), max=MAX_TEXT_RESPONSE)
        text = nfc(text).strip()
        return {"text": text} if text else {}

    def score(self, q, response):
        best = graded.best_text_answer(q.answers, response["text"], q.case_sensitive)
        return best[0] if best else 0.0

    def correct_response(self, q):
        return {"text": graded.typed_text(graded.full_texts(q.answers)[0])}

    def form_response(self, form):
        return {"text": form.get("text")}

    def describe_response(self, q, response, inline, gettext):
        return [inline(text) for text in graded.full_texts(q.answers)]

    def answer_feedback(self, q, response):
        best = graded.best_text_answer(q.answers, response["text"], q.case_sensitive)
        return [best[1]] if best else []


class Numeric(QuestionType):
    name = "numeric"
    label = N_("Số")
    page_response = {"value": "12,5"}

    def validate_specific(self, q):
        problems = []
        if isinstance(q.answer, bool) or not isinstance(q.answer, (int, float)) or not math.isfinite(q.answer):
            problems.append(Message(N_("Câu trả lời số cần đáp án là một số.")))
        if isinstance(q.tolerance, bool) or not isinstance(q.tolerance, (int, float)) or not q.tolerance >= 0:
            problems.append(Message(N_("Sai số cho phép phải là số không âm.")))
        for number, item in enumerate(q.answers, start=1):
            problem = self._further_problem(item)
            if problem:
                problems.append(Message(problem, number=number))
        return problems

    @staticmethod
    def _further_problem(item):
        if not isinstance(item, dict) or set(item) - {"value", "tolerance", "fraction", "feedback"}:
            return N_("Đáp án thêm %(number)d cần dạng {value, tolerance, fraction, feedback}.")
        value, tolerance = item.get("value"), item.get("tolerance", 0.0)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            return N_("Đáp án thêm %(number)d: giá trị phải là một số.")
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
            return N_("Đáp án thêm %(number)d: sai số phải là số không âm.")
        if graded.fraction_problem(item.get("fraction", 0.0)):
            return N_("Đáp án thêm %(number)d: điểm phải trong khoảng 0 … 100%%.")
        if not isinstance(item.get("feedback", ""), str):
            return N_("Đáp án thêm %(number)d: phản hồi phải là văn bản.")
        return None

    def normalize_answer(self, q, raw):
        value = raw.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            return {}
        return {"value": parse_number(value)}

    def _main_matches(self, q, value) -> bool:
        slack = _EPSILON * max(1.0, abs(q.answer))  # 0.1 + 0.2 must still equal 0.3
        return abs(value - q.answer) <= q.tolerance + slack

    def _best_further(self, q, value):
        matched = [item for item in q.answers if graded.numeric_matches(item, value)]
        return max(matched, key=lambda item: item.get("fraction", 0.0)) if matched else None

    def score(self, q, response):
        if self._main_matches(q, response["value"]):
            return 1.0
        best = self._best_further(q, response["value"])
        return best.get("fraction", 0.0) if best else 0.0

    def correct_response(self, q):
        return {"value": q.answer}

    def form_response(self, form):
        return {"value": form.get("value")}

    def describe_response(self, q, response, inline, gettext):
        value = f"{response['value']:g}".replace(".", ",")
        return [value + (f" (± {q.tolerance:g})".replace(".", ",") if q.tolerance else "")]

    def answer_feedback(self, q, response):
        if self._main_matches(q, response["value"]):
            return []  # the main answer's feedback is the question's correct_feedback
        best = self._best_further(q, response["value"])
        return [best.get("feedback", "")] if best else []
