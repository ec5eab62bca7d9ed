"""What every import/export format shares: the error with a location, the result with
warnings, size and count limits, all-or-nothing validation, and the canonical form of
the values parsers produce (NFC text, floats, fractions only where they say something).

Errors and warnings are Messages (lms.messages): Vietnamese strings that keep their
template, translated by the layer that shows them."""
from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from typing import Optional

from lms.messages import N_, Message, MessageError, joined
from lms.questionbank import graded_answers
from lms.questionbank.schema import Choice, QuestionData, nfc
from lms.questionbank.types import MultipleResponse, validate_question

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 20_000
FRACTION_TOLERANCE = 1e-4
KEY_MAX_LENGTH = 120


class FormatError(MessageError):
    """A file that cannot be imported. The location is always set: line, element or row.

    `message` is a Message built from the template and `params`; str(error) is
    "<location>: <message>" in Vietnamese, `error.translated(gettext)` the same in the
    reader's language."""

    def __init__(self, message: str, *, line: Optional[int] = None, element: Optional[str] = None,
                 row: Optional[int] = None, column: Optional[str] = None, **params):
        self.line, self.element, self.row, self.column = line, element, row, column
        super().__init__(message, **params)

    @property
    def location(self) -> Message:
        return self._location(lower=False)

    def _location(self, lower: bool) -> Message:
        if self.line is not None:
            return Message(N_("dòng %(line)s") if lower else N_("Dòng %(line)s"), line=self.line)
        if self.row is not None:
            if self.column:
                return Message(N_("hàng %(row)s, cột %(column)s") if lower else N_("Hàng %(row)s, cột %(column)s"),
                               row=self.row, column=self.column.lower() if lower else self.column)
            return Message(N_("hàng %(row)s") if lower else N_("Hàng %(row)s"), row=self.row)
        if self.element:
            return Message(N_("phần tử %(element)s") if lower else N_("Phần tử %(element)s"),
                           element=self.element.lower() if lower else self.element)
        return Message(N_("phần tử tệp") if lower else N_("Phần tử tệp"))

    def translated(self, gettext) -> str:
        return f"{self.location.translated(gettext)}: {self.message.translated(gettext)}"


class ParseResult(list):
    """The questions of a file (a list), with what was skipped, the bank name if the file has one,
    and the images it embeds: {question key: {file name: bytes}} (Moodle XML's <file>)."""

    def __init__(self, questions=(), warnings=None, bank: Optional[str] = None, media: Optional[dict] = None):
        super().__init__(questions)
        self.warnings = list(warnings or [])
        self.bank = bank
        self.media = dict(media or {})


def check_size(content, **location) -> None:
    if len(content) > MAX_FILE_BYTES:
        raise FormatError(N_("Tệp quá lớn (%(size).1f MB); giới hạn là %(limit)d MB."), size=len(content) / 1024 / 1024,
                          limit=MAX_FILE_BYTES // 1024 // 1024, **location)


def check_count(count: int, **location) -> None:
    if count > MAX_QUESTIONS:
        raise FormatError(N_("Tệp có quá nhiều câu hỏi; giới hạn là %(limit)s câu."), limit=f"{MAX_QUESTIONS:,}".replace(",", "."),
                          **location)


def decode_text(content) -> str:
    """Bytes as UTF-8 (a BOM is allowed); an undecodable byte is reported on its line."""
    check_size(content.encode("utf-8") if isinstance(content, str) else content, line=1)
    if isinstance(content, str):
        text = content
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise FormatError(N_("Tệp không phải văn bản UTF-8 (hãy lưu lại với bảng mã Unicode UTF-8)."), line=line) from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:  # never in a text file, and PostgreSQL cannot store it
        raise FormatError(N_("Tệp có ký tự NUL (mã 0) nên không phải văn bản."), line=text.count("\n", 0, text.index("\x00")) + 1)
    return nfc(text)


def content_key(prefix: str, *parts) -> str:
    """A stable key from a question's normalized content: re-importing the same file changes nothing."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:12]}"


def canonicalize(q: QuestionData) -> QuestionData:
    """Give equal questions equal values whatever the format they came from."""
    q.text, q.explanation, q.title = nfc(q.text).strip(), nfc(q.explanation).strip(), nfc(q.title).strip()
    q.correct_feedback, q.incorrect_feedback = nfc(q.correct_feedback or "").strip(), nfc(q.incorrect_feedback or "").strip()
    q.tags = [nfc(str(t)).strip() for t in q.tags if nfc(str(t)).strip()]
    q.points = float(q.points) if isinstance(q.points, (int, float)) and not isinstance(q.points, bool) else q.points
    if q.type in ("single_choice", "multiple_response"):
        for choice in q.choices:
            choice.text, choice.feedback = nfc(choice.text).strip(), nfc(choice.feedback).strip()
            if _is_number(choice.fraction):
                choice.fraction = round(float(choice.fraction), 7)
                if abs(choice.fraction - _derived_fraction(q, choice)) < FRACTION_TOLERANCE:
                    choice.fraction = None  # says nothing beyond `correct`
    if q.type == "numeric":
        for name in ("answer", "tolerance"):
            value = getattr(q, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(q, name, float(value))
    q.answers = [_canonical_answer(q.type, a) for a in q.answers]
    q.pairs = [[nfc(p[0]).strip(), nfc(p[1]).strip()] if isinstance(p, (list, tuple)) and len(p) == 2 else p for p in q.pairs]
    return q


def _canonical_answer(qtype: str, item):
    if qtype == "numeric" and isinstance(item, dict):
        return graded_answers.numeric_answer(item.get("value"), item.get("tolerance"), item.get("fraction", 0.0), item.get("feedback", ""))
    if isinstance(item, dict) and isinstance(item.get("text"), str) and set(item) <= {"text", "fraction", "feedback"}:
        return graded_answers.text_answer(item["text"], item.get("fraction", graded_answers.FULL), item.get("feedback", ""))
    return nfc(item).strip() if isinstance(item, str) else item


def _derived_fraction(q: QuestionData, choice: Choice) -> float:
    if q.type == "single_choice":
        return 1.0 if choice.correct else 0.0
    return MultipleResponse.weight(q, Choice(choice.text, choice.correct))


def finish(questions: list, locations: list, warnings=None, bank=None, media=None) -> ParseResult:
    """Canonicalize and validate everything; the first problem aborts the whole file."""
    seen = {}
    for q, location in zip(questions, locations):
        canonicalize(q)
        problems = validate_question(q)
        if problems:
            raise FormatError(N_("Câu hỏi %(key)s: %(problems)s"), key=q.key or Message(N_("(chưa có mã)")),
                              problems=joined(" ", problems), **location)
        if q.key in seen:
            raise FormatError(N_("Mã câu hỏi %(key)s bị trùng (đã dùng ở %(where)s)."), key=q.key, where=seen[q.key], **location)
        seen[q.key] = FormatError("", **location)._location(lower=True)
    return ParseResult(questions, warnings, bank, media)


# -- fields a format cannot carry natively travel as a small JSON object ------------------
def residual_fields(original: QuestionData, reparsed: QuestionData) -> dict:
    """The fields of `original` that its plain export would not bring back."""
    wanted, got = original.to_dict(), reparsed.to_dict()
    return {name: value for name, value in wanted.items() if got.get(name) != value}


# The JSON a format carries (GIFT's @lms comment, Moodle's <lms_data>, the Excel column) gets
# the types the parsers would give, so that canonicalize and the validation read it safely;
# whether a value makes sense (a known type, a positive number) is the validation's to say.
_TEXTS = {"key", "type", "text", "difficulty", "pool", "status", "title", "text_format", "explanation", "category",
          "correct_feedback", "incorrect_feedback"}
_OPTIONAL_TEXTS = {"module", "syllabus"}
_FLAGS = {"shuffle", "case_sensitive"}
_NUMBERS = {"points", "tolerance"}
_TEXT_LISTS = {"tags", "extensions"}
_CHOICE_TYPES = {"text": str, "correct": bool, "feedback": str}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _well_typed(name: str, value) -> bool:
    if name in _TEXTS or (name in _OPTIONAL_TEXTS and value is not None):
        return isinstance(value, str)
    if name in _FLAGS:
        return isinstance(value, bool)
    if name in _NUMBERS:
        return _is_number(value)
    if name in _TEXT_LISTS:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if name == "pairs":
        return isinstance(value, list) and all(isinstance(p, list) and all(isinstance(side, str) for side in p) for p in value)
    if name == "choices":
        return isinstance(value, list) and all(isinstance(c, dict) and set(c) <= {*_CHOICE_TYPES, "fraction"}
                                               and all(isinstance(c[k], t) for k, t in _CHOICE_TYPES.items() if k in c)
                                               and (c.get("fraction") is None or _is_number(c["fraction"])) for c in value)
    if name == "answers":
        return isinstance(value, list) and all(isinstance(item, (str, dict)) for item in value)
    if name == "rubric":
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return True  # answer: a bool or a number, as the type says


def apply_fields(q: QuestionData, values: dict) -> None:
    if not isinstance(values, dict):
        raise MessageError(N_("cần một đối tượng JSON gồm các cặp trường: giá trị."))
    known = {f.name for f in fields(QuestionData)}
    for name, value in values.items():
        if name not in known:
            raise MessageError(N_("trường không biết: %(name)s"), name=name)
        if not _well_typed(name, value):
            raise MessageError(N_("trường %(name)s có giá trị sai kiểu."), name=name)
        if name == "choices":
            value = [Choice(**c) for c in value]
        setattr(q, name, value)


def encode_fields(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
