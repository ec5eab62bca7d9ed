"""The graded answers of short-answer and numeric questions, as Moodle keeps them: each
answer has a fraction of the mark (0 … 1) and a feedback. Pure Python.

A short answer worth 100 % without feedback stays a plain string, so the questions
written before partial credit existed are unchanged; anything else is a dict
{"text", "fraction", "feedback"}. Numeric's further answers are always dicts
{"value", "tolerance", "fraction", "feedback"}, value None meaning "any other answer"
(Moodle's `*`). The trainers' form writes both as lines "answer | 50% | feedback".
"""
from __future__ import annotations

import math
import re
from typing import Optional

from lms.messages import N_, MessageError
from lms.questionbank.responses import normalize_text
from lms.questionbank.schema import nfc

FULL = 1.0
EPSILON = 1e-9
ANY_OTHER = "*"
_NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?"
_NUMERIC_LINE = re.compile(rf"^({_NUMBER})(?:\s*(?:±|\+-|\+/-)\s*({_NUMBER}))?$")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _float(value):
    return float(value) if _is_number(value) else value  # a bad value stays as it is, for validation to name


def _clean(text):
    return nfc(text).strip() if isinstance(text, str) else text


def is_full(fraction) -> bool:
    return _is_number(fraction) and abs(fraction - FULL) < 1e-6


# -- short answers ------------------------------------------------------------------------
def text_answer(text: str, fraction: float = FULL, feedback: str = ""):
    """The canonical item: a plain string when it is worth 100 % and has no feedback."""
    text, feedback = _clean(text), _clean(feedback or "")
    fraction = round(float(fraction), 7) if _is_number(fraction) else fraction
    if is_full(fraction) and not feedback:
        return text
    return {"text": text, "fraction": FULL if is_full(fraction) else fraction, "feedback": feedback}


def text_parts(item) -> tuple:
    """(text, fraction, feedback) of a short-answer item, whichever form it has."""
    if isinstance(item, dict):
        return item.get("text", ""), item.get("fraction", FULL), item.get("feedback", "")
    return item, FULL, ""


def full_texts(items) -> list:
    """The texts worth 100 %: what a candidate is told the answer was."""
    return [text for text, fraction, _ in map(text_parts, items) if is_full(fraction)]


def _wildcard(pattern: str, case_sensitive: bool):
    """Moodle's short-answer wildcard: `*` matches anything, `\\*` is a literal star."""
    pieces = re.split(r"(\\\*|\*)", normalize_text(pattern, case_sensitive))
    regex = "".join(".*" if piece == "*" else re.escape("*" if piece == "\\*" else piece) for piece in pieces)
    return re.compile(regex, re.DOTALL)


def typed_text(pattern: str) -> str:
    """What a candidate types to match `pattern`: its escaped stars `\\*` as the star itself."""
    return pattern.replace("\\*", "*")


def text_matches(pattern: str, given: str, case_sensitive: bool) -> bool:
    if "*" not in pattern:
        return normalize_text(given, case_sensitive) == normalize_text(pattern, case_sensitive)
    return _wildcard(pattern, case_sensitive).fullmatch(normalize_text(given, case_sensitive)) is not None


def best_text_answer(items, given: str, case_sensitive: bool) -> Optional[tuple]:
    """(fraction, feedback) of the best item the response matches, or None."""
    matched = [(fraction, feedback) for text, fraction, feedback in map(text_parts, items) if text_matches(text, given, case_sensitive)]
    return max(matched, key=lambda found: found[0]) if matched else None


# -- numeric answers ----------------------------------------------------------------------
def numeric_answer(value, tolerance=0.0, fraction=0.0, feedback: str = "") -> dict:
    tolerance = _float(0.0 if tolerance is None else tolerance)
    return {"value": None if value is None else _float(value), "tolerance": abs(tolerance) if _is_number(tolerance) else tolerance,
            "fraction": round(_float(fraction), 7) if _is_number(fraction) else fraction, "feedback": _clean(feedback or "")}


def numeric_matches(item: dict, value: float) -> bool:
    if item.get("value") is None:
        return True
    slack = EPSILON * max(1.0, abs(item["value"]))
    return abs(value - item["value"]) <= item.get("tolerance", 0.0) + slack


# -- validation, shared by both types ---------------------------------------------------------
def fraction_problem(fraction) -> Optional[str]:
    if not _is_number(fraction) or not -EPSILON <= fraction <= FULL + EPSILON:
        return N_("Điểm của mỗi đáp án phải trong khoảng 0 … 100%.")
    return None


# -- the trainers' form: one answer per line, "answer | 50% | feedback" ----------------------
class AnswerLineError(MessageError):
    """A line of the answers box that cannot be read; names the line."""


def _weight(text: str, number: int) -> float:
    cleaned = text.strip().rstrip("%").strip().replace(",", ".")
    if not cleaned:
        return FULL
    try:
        value = float(cleaned) / 100
    except ValueError:
        raise AnswerLineError(N_("Dòng %(number)d: điểm %(value)r phải là phần trăm, ví dụ 50%%."), number=number, value=text.strip()) from None
    if not 0 <= value <= FULL:
        raise AnswerLineError(N_("Dòng %(number)d: điểm phải trong khoảng 0 … 100%%."), number=number)
    return value


def _split_line(line: str) -> tuple:
    answer, _, rest = line.partition("|")
    weight, _, feedback = rest.partition("|")
    return answer.strip(), weight, feedback.strip()


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.4f}".rstrip("0").rstrip(".") + "%"


def parse_text_lines(text: str) -> list:
    """Short-answer items from the form's lines; a line without '|' is an answer worth 100 %."""
    items = []
    for number, line in enumerate((text or "").split("\n"), start=1):
        if not line.strip():
            continue
        answer, weight, feedback = _split_line(line)
        items.append(text_answer(answer, _weight(weight, number), feedback))
    return items


def format_text_lines(items) -> str:
    lines = []
    for text, fraction, feedback in map(text_parts, items):
        if is_full(fraction) and not feedback:
            lines.append(text)
        else:
            lines.append(f"{text} | {_percent(fraction)}" + (f" | {feedback}" if feedback else ""))
    return "\n".join(lines)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_numeric_lines(text: str) -> list:
    """Numeric's further answers: "3 ± 0,5 | 50% | feedback", "* | 0% | feedback" for any other answer."""
    items = []
    for number, line in enumerate((text or "").split("\n"), start=1):
        if not line.strip():
            continue
        answer, weight, feedback = _split_line(line)
        fraction = _weight(weight, number) if weight.strip() else 0.0
        if answer == ANY_OTHER:
            items.append(numeric_answer(None, 0.0, fraction, feedback))
            continue
        match = _NUMERIC_LINE.match(answer.replace(" ", ""))
        if not match:
            raise AnswerLineError(N_("Dòng %(number)d: %(value)r không phải là số (ví dụ 3,5 ± 0,5 | 50%%)."), number=number, value=answer)
        items.append(numeric_answer(_number(match.group(1)), _number(match.group(2) or "0"), fraction, feedback))
    return items


def _number_text(value: float) -> str:
    return (str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))).replace(".", ",")


def format_numeric_lines(items) -> str:
    lines = []
    for item in items:
        value = ANY_OTHER if item.get("value") is None else _number_text(item["value"])
        if item.get("value") is not None and item.get("tolerance"):
            value += f" ± {_number_text(item['tolerance'])}"
        lines.append(f"{value} | {_percent(item.get('fraction', 0.0))}" + (f" | {item['feedback']}" if item.get("feedback") else ""))
    return "\n".join(lines)
