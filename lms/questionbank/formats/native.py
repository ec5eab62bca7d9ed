"""The native format: one YAML file per module, documented in question_banks/README.md.

Read with yaml.SafeLoader only (no Python objects); every question is validated with the
type registry and a problem names the question's key and line.
"""
from __future__ import annotations

import json
import re
from collections import Counter

import yaml

from lms.messages import N_
from lms.questionbank.formats.common import FormatError, ParseResult, check_count, decode_text, finish
from lms.questionbank.schema import Choice, QuestionData, nfc

FORMAT_TAG = "lms-question-bank/1"
QUESTION_FIELDS = {"key", "type", "text", "module", "syllabus", "difficulty", "pool", "status", "tags", "title",
                   "text_format", "explanation", "points", "category", "choices", "shuffle", "answer", "tolerance",
                   "answers", "case_sensitive", "pairs", "rubric", "extensions", "correct_feedback", "incorrect_feedback"}
CHOICE_FIELDS = {"text", "correct", "feedback", "fraction"}
TEXT_FIELDS = ("key", "type", "text", "module", "syllabus", "difficulty", "pool", "status", "title", "text_format",
               "explanation", "category", "correct_feedback", "incorrect_feedback")


def _load(text: str):
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # refuses a control character at once (ReaderError)
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.YAMLError as error:
        raise FormatError(N_("YAML không hợp lệ: %(reason)s."), reason=_yaml_reason(error), line=_yaml_line(error, text)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_line(error, text: str) -> int:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(error, "position", None)  # a ReaderError names a character offset
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _yaml_reason(error) -> str:
    if isinstance(error, yaml.reader.ReaderError):  # PyYAML's own words, as for its other errors
        return f"{error.reason} (#x{error.character:04x})" if isinstance(error.character, int) else error.reason
    return getattr(error, "problem", None) or str(error)


def _text(value, what: str, line: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FormatError(N_("%(what)s phải là văn bản (đặt trong ngoặc kép nếu là yes/no/true/false)."), what=what, line=line)
    return nfc(str(value))


def _text_list(value, what: str, line: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(N_("%(what)s phải là một danh sách."), what=what, line=line)
    return [_text(item, what, line) for item in value]


def _answers(value, line: int) -> list:
    """Accepted texts, or graded answers as mappings (text/value, fraction, feedback): the type checks their fields."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FormatError(N_("%(what)s phải là một danh sách."), what="answers", line=line)
    return [{name: nfc(v) if isinstance(v, str) else v for name, v in item.items()} if isinstance(item, dict) else _text(item, "answers", line)
            for item in value]


def _refuse_repeated_fields(node, index: int) -> None:
    """YAML keeps the last of two equal keys silently; a field written twice is a mistake to show."""
    seen = set()
    for key_node, _ in node.value:
        if key_node.value in seen:
            raise FormatError(N_("Câu hỏi thứ %(index)d: trường %(field)s được ghi hai lần."), index=index, field=key_node.value,
                              line=key_node.start_mark.line + 1)
        seen.add(key_node.value)


def _question(item, node, index: int, default_module) -> QuestionData:
    line = node.start_mark.line + 1
    if not isinstance(item, dict):
        raise FormatError(N_("Câu hỏi thứ %(index)d phải là một bảng các trường (key: value)."), index=index, line=line)
    lines = {key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value}
    _refuse_repeated_fields(node, index)
    unknown = sorted(set(map(str, item)) - QUESTION_FIELDS)
    if unknown:
        raise FormatError(N_("Câu hỏi thứ %(index)d: trường không biết %(fields)s."), index=index, fields=", ".join(unknown),
                          line=lines.get(unknown[0], line))
    values = {name: _text(item[name], name, lines.get(name, line)) for name in TEXT_FIELDS if item.get(name) is not None}
    values.setdefault("type", "")  # a missing type or text is the validation's problem, at the question's line
    values.setdefault("text", "")
    if "module" not in item:
        values["module"] = default_module  # an explicit `module: null` keeps the question outside any module
    if not values.get("key"):
        raise FormatError(N_("Câu hỏi thứ %(index)d thiếu mã (key)."), index=index, line=line)
    values["tags"] = _text_list(item.get("tags"), "tags", lines.get("tags", line))
    values["answers"] = _answers(item.get("answers"), lines.get("answers", line))
    values["extensions"] = _text_list(item.get("extensions"), "extensions", lines.get("extensions", line))
    for name in ("points", "answer", "tolerance", "shuffle", "case_sensitive"):
        if name in item:
            values[name] = item[name]
    pairs = item.get("pairs") or []
    if not isinstance(pairs, list):
        raise FormatError(N_("pairs phải là danh sách các cặp [trái, phải]."), line=lines.get("pairs", line))
    values["pairs"] = [_text_list(pair, "pairs", lines.get("pairs", line)) for pair in pairs]
    choices = []
    for choice in item.get("choices") or []:
        if not isinstance(choice, dict) or set(map(str, choice)) - CHOICE_FIELDS:
            raise FormatError(N_("Mỗi phương án cần dạng 'text: …' (và correct, feedback, fraction nếu cần)."),
                              line=lines.get("choices", line))
        fraction = choice.get("fraction")
        if fraction is not None and (isinstance(fraction, bool) or not isinstance(fraction, (int, float))):
            raise FormatError(N_("fraction của phương án phải là một số (ví dụ 0.5)."), line=lines.get("choices", line))
        choices.append(Choice(text=_text(choice.get("text"), "text", line), correct=choice.get("correct") is True,
                              feedback=_text(choice.get("feedback"), "feedback", line), fraction=fraction))
    values["choices"] = choices
    rubric = item.get("rubric") or []
    if not isinstance(rubric, list) or not all(isinstance(r, dict) for r in rubric):
        raise FormatError(N_("rubric phải là danh sách 'criterion: …, points: …'."), line=lines.get("rubric", line))
    values["rubric"] = [{"criterion": _text(r.get("criterion"), "criterion", line), "points": r.get("points")} for r in rubric]
    return QuestionData(**values)


def parse(content, default_module=None) -> ParseResult:
    node, data = _load(decode_text(content))
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise FormatError(N_("Tệp cần có danh sách 'questions:'."), line=1)
    if data.get("format", FORMAT_TAG) != FORMAT_TAG:
        raise FormatError(N_("Định dạng %(format)r không được hỗ trợ (cần %(tag)s)."), format=data.get("format"), tag=FORMAT_TAG, line=1)
    question_nodes = next(value for key, value in node.value if key.value == "questions").value
    check_count(len(question_nodes), line=question_nodes[-1].start_mark.line + 1 if question_nodes else 1)
    module = _text(data.get("module"), "module", 1) or default_module
    questions, locations = [], []
    for index, (item, item_node) in enumerate(zip(data["questions"], question_nodes), start=1):
        questions.append(_question(item, item_node, index, module))
        locations.append({"line": item_node.start_mark.line + 1})
    return finish(questions, locations, bank=_text(data.get("bank"), "bank", 1) or None)


# -- export -------------------------------------------------------------------------------
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*")
_FLOW_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n,\[\]{}]*")


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def _scalar(value, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    pattern = _FLOW_PLAIN if flow else _PLAIN
    if (pattern.fullmatch(text) and text == text.strip() and ": " not in text and " #" not in text
            and not text.endswith(":") and _reads_back(text)):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _block(name: str, text: str, indent: str) -> list:
    printable = all(ch == "\n" or ch.isprintable() for ch in text)
    if not text or not printable or text[0].isspace():
        return [f"{indent}{name}: {_scalar(text)}"]
    body = [f"{indent}  {line}" if line else "" for line in text.split("\n")]
    return [f"{indent}{name}: |"] + body


def _flow_list(values) -> str:
    return "[" + ", ".join(_scalar(v, flow=True) for v in values) + "]"


def _question_lines(q: QuestionData, file_module) -> list:
    lines = [f"  - key: {_scalar(q.key)}", f"    type: {q.type}"]
    if q.module != file_module:
        lines.append(f"    module: {_scalar(q.module) if q.module else 'null'}")
    for name in ("syllabus",):
        if getattr(q, name):
            lines.append(f"    {name}: {_scalar(getattr(q, name))}")
    lines += [f"    difficulty: {q.difficulty}", f"    pool: {q.pool}", f"    status: {q.status}"]
    if q.tags:
        lines.append(f"    tags: {_flow_list(q.tags)}")
    for name in ("title", "category"):
        if getattr(q, name):
            lines.append(f"    {name}: {_scalar(getattr(q, name))}")
    if q.text_format != "markdown":
        lines.append(f"    text_format: {q.text_format}")
    if q.points != 1:
        lines.append(f"    points: {_scalar(q.points)}")
    lines += _block("text", q.text, "    ")
    if q.choices:
        lines.append("    choices:")
        for choice in q.choices:
            lines.append(f"      - text: {_scalar(choice.text)}")
            if choice.correct:
                lines.append("        correct: true")
            if choice.fraction is not None:
                lines.append(f"        fraction: {_scalar(choice.fraction)}")
            if choice.feedback:
                lines.append(f"        feedback: {_scalar(choice.feedback)}")
    if not q.shuffle:
        lines.append("    shuffle: false")
    if q.type in ("true_false", "numeric") and q.answer is not None:
        lines.append(f"    answer: {_scalar(q.answer)}")
    if q.tolerance:
        lines.append(f"    tolerance: {_scalar(q.tolerance)}")
    if q.answers:
        lines.append("    answers: " + json.dumps(q.answers, ensure_ascii=False))
    if q.case_sensitive:
        lines.append("    case_sensitive: true")
    if q.pairs:
        lines.append("    pairs:")
        lines += ["      - " + json.dumps(list(pair), ensure_ascii=False) for pair in q.pairs]
    if q.rubric:
        lines.append("    rubric:")
        for item in q.rubric:
            lines += [f"      - criterion: {_scalar(item['criterion'])}", f"        points: {_scalar(item['points'])}"]
    if q.extensions:
        lines.append(f"    extensions: {_flow_list(q.extensions)}")
    for name in ("correct_feedback", "incorrect_feedback", "explanation"):
        if getattr(q, name):
            lines += _block(name, getattr(q, name), "    ")
    return lines


def serialize(questions, bank: str = "") -> str:
    modules = Counter(q.module for q in questions)
    file_module = modules.most_common(1)[0][0] if modules else None
    lines = [f"format: {FORMAT_TAG}"]
    if bank:
        lines.append(f"bank: {_scalar(bank)}")
    if file_module:
        lines.append(f"module: {_scalar(file_module)}")
    lines.append("questions:" if questions else "questions: []")
    for number, q in enumerate(questions):
        if number:
            lines.append("")
        lines += _question_lines(q, file_module)
    return "\n".join(lines) + "\n"
