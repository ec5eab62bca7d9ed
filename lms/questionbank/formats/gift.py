"""Moodle GIFT: https://docs.moodle.org/en/GIFT_format

Questions are blocks separated by blank lines; `//` starts a comment line. As in Moodle,
a comment of the block may hold `[id:…]` (the question's idnumber: its key) and
`[tag:…]` tags. A comment `// @lms {...}` just before a question carries, as JSON, the
fields GIFT has no place for (module, syllabus, difficulty, pool, points …): Moodle
ignores it, we read it back, so export → import gives identical questions. Modules,
repeated names and essays follow lms.questionbank.formats.moodle.
"""
from __future__ import annotations

import json
import re

from lms.messages import N_, Message, reason
from lms.questionbank import graded_answers as graded
from lms.questionbank.formats import moodle
from lms.questionbank.formats.common import (
    FormatError,
    ParseResult,
    apply_fields,
    canonicalize,
    check_count,
    content_key,
    decode_text,
    encode_fields,
    finish,
    residual_fields,
)
from lms.questionbank.schema import Choice, QuestionData, nfc
from lms.questionbank.types import MultipleResponse

METADATA_PREFIX = "// @lms "
# Escaped characters are swapped for private-use code points while the structure is read.
_ESCAPES = {"\\": "\uf8f0", "~": "\uf8f1", "=": "\uf8f2", "#": "\uf8f3", "{": "\uf8f4", "}": "\uf8f5", ":": "\uf8f6", "n": "\uf8f7"}
_RESTORE = {placeholder: ("\n" if char == "n" else char) for char, placeholder in _ESCAPES.items()}
_ESCAPE_PATTERN = re.compile(r"\\([\\~=#{}:n])")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")


def _restore(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text


class _Block:
    """One question's lines, with a way back from a character offset to a file line."""

    def __init__(self, numbered_lines: list, metadata: dict, comments=()):
        self.comments = "\n".join(comments)
        self.first_line = numbered_lines[0][0]
        self.line_numbers = [number for number, _ in numbered_lines]
        self.text = _ESCAPE_PATTERN.sub(lambda m: _ESCAPES[m.group(1)], "\n".join(text for _, text in numbered_lines))
        self.metadata = metadata

    def line_at(self, offset: int) -> int:
        return self.line_numbers[min(self.text.count("\n", 0, max(offset, 0)), len(self.line_numbers) - 1)]

    def error(self, message: str, offset: int = 0, **params) -> FormatError:
        return FormatError(message, line=self.line_at(offset), **params)


def _blocks(text: str):
    """Yield ('category', line, path) and ('question', _Block) items in file order."""
    current, comments, metadata, metadata_line = [], [], None, 0
    for number, line in enumerate(text.split("\n") + [""], start=1):
        stripped = line.strip()
        if stripped.startswith(METADATA_PREFIX.strip()) and stripped[len(METADATA_PREFIX.strip()):].strip().startswith("{"):
            try:
                metadata = json.loads(stripped[len(METADATA_PREFIX.strip()):])
            except json.JSONDecodeError as error:
                raise FormatError(N_("Chú thích @lms không phải JSON hợp lệ (%(error)s)."), error=error.msg, line=number) from None
            metadata_line = number
            continue
        if stripped.startswith("//"):
            comments.append(stripped)
            continue
        if stripped:
            current.append((number, line))
            continue
        if current:
            first = current[0][1].strip()
            if first.upper().startswith("$CATEGORY:"):
                yield "category", current[0][0], nfc(first[len("$CATEGORY:"):]).strip()
                current = current[1:]
            if current:
                yield "question", _Block(current, metadata or {}, comments)
                metadata = None
            current = []
        elif metadata is not None:
            raise FormatError(N_("Chú thích @lms phải đứng ngay trước câu hỏi."), line=metadata_line)
        comments = []  # a block of comments alone (a file header) belongs to no question


def _split_answers(body: str, block: _Block, offset: int) -> list:
    """'=a#fb ~%50%b' → [('=', 'a', 'fb', None), ('~', 'b', '', 0.5)] with each answer's offset."""
    body_stripped = body.lstrip()
    if body_stripped and body_stripped[0] not in "~=":
        raise block.error(N_("Mỗi đáp án phải bắt đầu bằng '=' (đúng) hoặc '~' (sai)."), offset)
    answers = []
    for match in re.finditer(r"([~=])([^~=]*)", body):
        marker, raw = match.group(1), match.group(2)
        weight = None
        raw_stripped = raw.strip()
        weight_match = _WEIGHT.match(raw_stripped)
        if weight_match:
            weight = float(weight_match.group(1)) / 100
            if not -1 <= weight <= 1:
                raise block.error(N_("Trọng số phải trong khoảng -100% … 100%."), offset + match.start())
            raw_stripped = raw_stripped[weight_match.end():]
        text, _, feedback = raw_stripped.partition("#")
        answers.append((marker, _restore(text).strip(), _restore(feedback).strip(), weight, offset + match.start()))
    return answers


def _number_range(text: str, block: _Block, offset: int):
    """(value, tolerance) of 'a', 'a:t' or 'low..high'; value None for Moodle's '*' (any answer)."""
    if text == graded.ANY_OTHER:
        return None, 0.0
    range_match = re.fullmatch(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})", text)
    value_match = re.fullmatch(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?", text)
    if range_match:
        low, high = float(range_match.group(1)), float(range_match.group(2))
        if low > high:
            raise block.error(N_("Khoảng số phải viết từ nhỏ đến lớn (ví dụ {#1..5})."), offset)
        return (low + high) / 2, (high - low) / 2
    if value_match:
        return float(value_match.group(1)), abs(float(value_match.group(2) or 0))
    raise block.error(N_("Đáp án số không hợp lệ: %(answer)r (ví dụ {#3.5:0.5} hoặc {#1..5})."), offset, answer=text)


def _numeric(body: str, q: QuestionData, block: _Block, offset: int) -> None:
    """'{#3:2}', '{#1..5}', '{#=2:0#fb =%50%3:1}', '{#3:2 ~#feedback for any other answer}' (Moodle's reading)."""
    body, offset = body[1:], offset + 1
    body, tilde, any_other = body.partition("~")  # as in Moodle: what follows '~' is the feedback for any other answer
    if body.strip().startswith("="):
        answers = [a for a in _split_answers(body, block, offset) if a[1] or a[2]]
    else:
        text, _, feedback = body.partition("#")
        answers = [("=", _restore(text).strip(), _restore(feedback).strip(), None, offset)]
    if tilde:
        answers.append(("~", graded.ANY_OTHER, _restore(any_other.partition("#")[2]).strip(), 0.0, offset + len(body)))
    has_main = False
    for marker, text, feedback, weight, at in answers:
        fraction = 1.0 if weight is None and marker == "=" else (weight or 0.0)
        value, tolerance = _number_range(text, block, at)
        if not has_main and value is not None and graded.is_full(fraction):
            has_main = True  # the first answer worth 100 %; its feedback is shown for a correct response
            q.answer, q.tolerance, q.correct_feedback = value, tolerance, feedback
        else:
            q.answers.append(graded.numeric_answer(value, tolerance, fraction, feedback))
    if not has_main:
        raise block.error(N_("Câu số cần một đáp án 100%."), offset)


def _true_false(stripped: str, q: QuestionData) -> None:
    """'{TRUE#feedback when wrong#feedback when right}', as Moodle reads it."""
    answer, *feedback = [_restore(part).strip() for part in stripped.split("#", 2)]
    q.type, q.answer = "true_false", _TRUE_FALSE[answer.upper()]
    q.incorrect_feedback = feedback[0] if feedback else ""
    q.correct_feedback = feedback[1] if len(feedback) > 1 else ""


def _names(block: _Block, title: str) -> tuple:
    """(key, title): Moodle's idnumber from a `[id:…]` comment is the key, the name its title."""
    found = _ID.search(block.comments)
    if not found:
        return title, ""
    idnumber = found.group(1).replace("\\]", "]").strip()
    return idnumber, "" if title == idnumber else title


def _question(block: _Block, category: str, warnings: list):
    text, title = block.text.strip(), ""
    start = len(block.text) - len(block.text.lstrip())
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise block.error(N_("Tiêu đề mở bằng '::' nhưng không có '::' đóng."), start)
        title, text, start = _restore(text[2:end]).strip(), text[end + 2:], start + end + 2
    open_at = text.find("{")
    if open_at < 0:
        if "}" in text:
            raise block.error(N_("Có '}' mà không có '{' mở phần đáp án."), start + text.find("}"))
        warnings.append(Message(N_("Dòng %(line)s: đoạn không có phần đáp án {…} (mô tả) đã được bỏ qua."), line=block.first_line))
        return None
    close_at = text.find("}", open_at)
    if close_at < 0:
        raise block.error(N_("Phần đáp án mở bằng '{' nhưng không có '}' đóng."), start + open_at)
    if "{" in text[open_at + 1:close_at] or "{" in text[close_at + 1:]:
        raise block.error(N_("Mỗi câu hỏi chỉ có một phần đáp án {…}; hãy viết \\{ nếu là ký tự trong nội dung."),
                          start + text.find("{", open_at + 1))
    question_text, after = text[:open_at], text[close_at + 1:].strip()
    if "}" in question_text or "}" in after:
        raise block.error(N_("Có '}' thừa; hãy viết \\} nếu là ký tự trong nội dung."), start + text.find("}"))
    text_format = "markdown"
    format_match = _FORMAT.match(question_text)
    if format_match:
        text_format = {"moodle": "html"}.get(format_match.group(1).lower(), format_match.group(1).lower())
        question_text = question_text[format_match.end():]
    question_text = _restore(question_text).strip() + (" _____ " + _restore(after) if after else "")
    body, offset = text[open_at + 1:close_at], start + open_at + 1
    body, separator, general = body.rpartition("####")
    if not separator:
        body, general = general, ""
    key, title = _names(block, title)
    q = QuestionData(key=key, type="", text=question_text, text_format=text_format, category=category, title=title,
                     explanation=_restore(general).strip())
    moodle.apply_tags(q, [tag.replace("\\]", "]").strip() for tag in _TAG.findall(block.comments)])
    stripped = body.strip()
    if not stripped:
        q.type = "practical"
        if block.metadata.get("type") != "practical":
            warnings.append(moodle.essay_note(Message(N_("Dòng %(line)s"), line=block.first_line)))
    elif stripped.startswith("#"):
        q.type = "numeric"
        _numeric(stripped, q, block, offset + body.find("#"))
    elif stripped.split("#")[0].strip().upper() in _TRUE_FALSE:
        _true_false(stripped, q)
    else:
        _choices(q, _split_answers(body, block, offset), block)
    return q


def _choices(q: QuestionData, answers: list, block: _Block) -> None:
    markers = {a[0] for a in answers}
    arrows = [a for a in answers if "->" in a[1]]
    if arrows:
        if markers != {"="} or len(arrows) != len(answers):
            raise block.error(N_("Câu ghép cặp: mọi dòng phải có dạng '=trái -> phải'."), arrows[0][4])
        q.type = "matching"
        q.pairs = [[part.strip() for part in a[1].split("->", 1)] for a in answers]
    elif markers == {"="}:
        q.type = "short_answer"
        q.answers = [graded.text_answer(text, 1.0 if weight is None else weight, feedback) for _, text, feedback, weight, _ in answers]
    else:
        q.type = "single_choice" if "=" in markers else "multiple_response"
        for marker, text, feedback, weight, _ in answers:
            if q.type == "single_choice":
                fraction = 1.0 if marker == "=" else (weight if weight is not None else 0.0)
                q.choices.append(Choice(text, fraction >= 1.0, feedback, fraction))
            else:
                fraction = weight if weight is not None else 0.0
                q.choices.append(Choice(text, fraction > 0, feedback, fraction))


def parse(content, default_module=None) -> ParseResult:
    text = decode_text(content)
    questions, locations, warnings, category = [], [], [], ""
    for item in _blocks(text):
        if item[0] == "category":
            category = item[2]
            continue
        block = item[1]
        q = _question(block, category, warnings)
        if q is None:
            continue
        if block.metadata:
            try:
                apply_fields(q, block.metadata)
            except (TypeError, ValueError) as error:
                raise block.error(N_("Chú thích @lms không hợp lệ: %(error)s."), error=reason(error)) from None
        if q.type == "practical" and not q.rubric:
            q.rubric = moodle.essay_rubric(q.points)
        if not q.key:
            canonicalize(q)
            q.key = content_key("gift", q.type, q.text, q.to_dict()["choices"], q.answer, q.tolerance, q.answers, q.pairs)
        moodle.resolve_module(q, default_module)
        if moodle.image_names(q):
            warnings.append(moodle.missing_images_note(Message(N_("Dòng %(line)s"), line=block.first_line), moodle.image_names(q)))
        questions.append(q)
        locations.append({"line": block.first_line})
        check_count(len(questions), line=block.first_line)
    questions, locations = moodle.unique_keys(questions, locations, warnings)
    return finish(questions, locations, warnings)


# -- export -------------------------------------------------------------------------------
def escape(text: str) -> str:
    text = nfc(text).replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _number(value) -> str:
    return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _weight(fraction: float) -> str:
    return "%" + f"{fraction * 100:.5f}".rstrip("0").rstrip(".") + "%"


def _feedback(text: str) -> str:
    return "#" + escape(text) if text else ""


def _number_answer(value, tolerance) -> str:
    return graded.ANY_OTHER if value is None else _number(value) + (f":{_number(tolerance)}" if tolerance else "")


def _numeric_answers(q: QuestionData) -> str:
    if not q.answers and not q.correct_feedback:
        return "#" + _number_answer(q.answer, q.tolerance)
    lines = ["=" + _number_answer(q.answer, q.tolerance) + _feedback(q.correct_feedback)]
    for number, item in enumerate(q.answers, start=1):
        if item["value"] is None and not item["fraction"] and number == len(q.answers):
            lines.append("~#" + escape(item["feedback"]))  # Moodle's "any other answer": last, after '~'
        else:
            lines.append("=" + _weight(item["fraction"]) + _number_answer(item["value"], item["tolerance"]) + _feedback(item["feedback"]))
    return "#\n" + "".join(f"\t{line}\n" for line in lines)


def _answers(q: QuestionData) -> str:
    if q.type == "true_false":
        feedback = (f"#{escape(q.incorrect_feedback)}" if q.incorrect_feedback or q.correct_feedback else "") + _feedback(q.correct_feedback)
        return ("TRUE" if q.answer else "FALSE") + feedback
    if q.type == "numeric":
        return _numeric_answers(q)
    if q.type == "short_answer":
        return " ".join("=" + ("" if graded.is_full(fraction) else _weight(fraction)) + escape(text) + _feedback(feedback)
                        for text, fraction, feedback in map(graded.text_parts, q.answers))
    if q.type == "matching":
        return " ".join(f"={escape(left)} -> {escape(right)}" for left, right in q.pairs)
    if q.type == "practical":
        return ""
    parts = []
    for choice in q.choices:
        fraction = choice.fraction
        if q.type == "single_choice":
            marker = "=" if choice.correct else "~" + (_weight(fraction) if fraction else "")
        else:
            marker = "~" + _weight(MultipleResponse.weight(q, choice))
        parts.append(marker + escape(choice.text) + _feedback(choice.feedback))
    return "\n".join("\t" + part for part in parts) + "\n"


def _plain_gift(q: QuestionData) -> str:
    body = _answers(q)
    general = f"####{escape(q.explanation)}" if q.explanation else ""
    if "\n" in body and not body.startswith("#"):
        body = "\n" + body
    return f"::{escape(q.key)}::[{q.text_format}]{escape(q.text)} {{{body}{general}}}"


def _no_arrow(text):
    return text.replace("->", "→") if isinstance(text, str) else text


def _gift_safe(q: QuestionData) -> QuestionData:
    """GIFT cannot escape '->' outside a matching right side: write '→' there, the JSON comment keeps the truth."""
    safe = QuestionData.from_dict(q.to_dict())
    for choice in safe.choices:
        choice.text, choice.feedback = _no_arrow(choice.text), _no_arrow(choice.feedback)
    if safe.type == "short_answer":
        safe.answers = [_no_arrow(a) if isinstance(a, str) else {**a, "text": _no_arrow(a["text"])} for a in safe.answers]
    safe.pairs = [[_no_arrow(left), right] for left, right in safe.pairs]
    return safe


def serialize(questions) -> str:
    out, category = [], ""
    for original in questions:
        q = canonicalize(QuestionData.from_dict(original.to_dict()))
        if q.category != category:
            out.append(f"$CATEGORY: {q.category}\n")
            category = q.category
        plain = _plain_gift(_gift_safe(q))
        reparsed = _question(_Block(list(enumerate(plain.split("\n"), start=1)), {"type": q.type}), category, [])
        extra = residual_fields(q, canonicalize(reparsed))
        if q.type == "practical":
            extra["type"] = "practical"  # an empty {} is an essay to Moodle; this makes it a practical task
        out.append((METADATA_PREFIX + encode_fields(extra) + "\n" if extra else "") + plain + "\n")
    return "\n".join(out)
