"""Moodle XML: https://docs.moodle.org/en/Moodle_XML_format

Read with defusedxml: a DOCTYPE, entities (billion laughs) or external references are
refused. Supported: category, multichoice (single and multiple), truefalse, shortanswer,
numerical (partial credit, "*" for any other answer), matching, and essay as a manually
marked practical task; any other type is reported in `warnings` and skipped. Module,
syllabus, difficulty, pool and status travel as tags "lms:<field>=<value>"; the few
fields Moodle has no place for travel as JSON in <lms_data>, which Moodle ignores.
Modules, repeated idnumbers and essays follow lms.questionbank.formats.moodle.
"""
from __future__ import annotations

import base64
import binascii
import html
import json
import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from lms.messages import N_, Message, reason
from lms.questionbank import graded_answers as graded
from lms.questionbank.formats import common, moodle
from lms.questionbank.formats.common import FormatError, canonicalize
from lms.questionbank.schema import Choice, QuestionData, nfc
from lms.questionbank.types import PRACTICAL_EXTENSIONS, MultipleResponse

SUPPORTED = {"multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay"}
# Our export writes a practical task's rubric as graderinfo: <li>criterion: 2 điểm</li>.
_RUBRIC_ITEM = re.compile(r"<li>(.*?): ([0-9]+(?:\.[0-9]+)?) điểm</li>", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_FORMAT_IN = {"html": "html", "moodle_auto_format": "html", "plain_text": "plain", "markdown": "markdown"}
_FORMAT_OUT = {"html": "html", "plain": "plain_text", "markdown": "markdown"}


def _read(content):
    common.check_size(content, element="quiz")
    try:
        return SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FormatError(N_("Tệp XML có khai báo DOCTYPE, thực thể (entity) hoặc tham chiếu ra ngoài; "
                             "bị từ chối vì lý do an toàn."), element="DOCTYPE") from None
    except ET.ParseError as error:
        raise FormatError(N_("XML không hợp lệ (%(error)s)."), error=error.msg if hasattr(error, "msg") else str(error),
                          line=error.position[0]) from None
    except LookupError as error:  # the XML declaration names an encoding Python does not know
        raise FormatError(N_("XML không hợp lệ (%(error)s)."), error=str(error), line=1) from None


def _text(element, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return nfc(found.text or "").strip() if found is not None else ""


def _fraction(answer, where: str) -> float:
    try:
        return float(answer.get("fraction", "0")) / 100
    except ValueError:
        raise FormatError(N_("fraction=%(value)r không phải là số."), value=answer.get("fraction"), element=where) from None


def _number(text: str, what, where: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise FormatError(N_("%(what)s %(value)r không phải là số."), what=what, value=text, element=where) from None


def _feedback(element, tag: str = "feedback") -> str:
    return _text(element.find(tag)) if element is not None else ""


def _combined_feedback(q: QuestionData, element, where: str, warnings: list) -> None:
    q.correct_feedback, q.incorrect_feedback = _feedback(element, "correctfeedback"), _feedback(element, "incorrectfeedback")
    if _feedback(element, "partiallycorrectfeedback"):
        warnings.append(Message(N_("%(where)s: phản hồi khi đúng một phần (partiallycorrectfeedback) không được lưu."), where=where))


def _numerical(q: QuestionData, answers: list, where: str) -> None:
    q.type = "numeric"
    main = None
    for answer in answers:
        fraction, text = _fraction(answer, where), _text(answer)
        value = None if text in ("", graded.ANY_OTHER) else _number(text, Message(N_("Đáp án")), where)
        tolerance = abs(_number(_text(answer, "tolerance") or "0", Message(N_("Sai số")), where))
        if main is None and value is not None and graded.is_full(fraction):
            main = answer
            q.answer, q.tolerance, q.correct_feedback = value, tolerance, _feedback(answer)
        else:
            q.answers.append(graded.numeric_answer(value, tolerance, fraction, _feedback(answer)))
    if main is None:
        raise FormatError(N_("Câu số cần một đáp án 100%."), element=where)


def _extensions(listed: str, where: str, warnings: list) -> list:
    """Moodle's filetypeslist ('.docx, pdf; document') as the extensions a practical task accepts."""
    wanted = [e.strip().lower() for e in re.split(r"[,;\s]+", listed) if e.strip()]
    wanted = [e if e.startswith(".") else f".{e}" for e in wanted]
    unknown = [e for e in wanted if e not in PRACTICAL_EXTENSIONS]
    if unknown:
        warnings.append(Message(N_("%(where)s: loại tệp %(types)s không được nhận nên đã bỏ; bài nộp nhận %(allowed)s."), where=where,
                                types=", ".join(unknown), allowed=", ".join(PRACTICAL_EXTENSIONS)))
    return [e for e in dict.fromkeys(wanted) if e in PRACTICAL_EXTENSIONS]


def _rubric(grader_info: str, points: float) -> list:
    """Our own export's rubric back from its list, else Moodle's grader information as the one criterion."""
    items = _RUBRIC_ITEM.findall(grader_info)
    if items and len(items) == grader_info.count("<li>"):
        return [{"criterion": html.unescape(criterion).strip(), "points": float(value)} for criterion, value in items]
    return moodle.essay_rubric(points, " ".join(html.unescape(_TAGS.sub(" ", grader_info)).split()))


def _fill(q: QuestionData, kind: str, element, where: str, warnings: list) -> None:
    answers = element.findall("answer")
    if kind == "multichoice":
        single = _text(element, "single").lower() in ("true", "1")
        q.type = "single_choice" if single else "multiple_response"
        for answer in answers:
            fraction = _fraction(answer, where)
            correct = fraction >= 0.9999 if single else fraction > 0
            q.choices.append(Choice(_text(answer), correct, _feedback(answer), fraction))
        _combined_feedback(q, element, where, warnings)
    elif kind == "truefalse":
        right = [a for a in answers if _fraction(a, where) >= 0.9999]
        if len(right) != 1 or _text(right[0]).lower() not in ("true", "false"):
            raise FormatError(N_("Câu Đúng/Sai cần đúng một đáp án 100% là 'true' hoặc 'false'."), element=where)
        q.type, q.answer = "true_false", _text(right[0]).lower() == "true"
        q.correct_feedback = _feedback(right[0])
        q.incorrect_feedback = next((_feedback(a) for a in answers if a is not right[0]), "")
    elif kind == "shortanswer":
        q.type, q.case_sensitive = "short_answer", _text(element, "usecase") == "1"
        q.answers = [graded.text_answer(_text(a), _fraction(a, where), _feedback(a)) for a in answers]
    elif kind == "numerical":
        _numerical(q, answers, where)
        if element.find("units/unit") is not None:
            warnings.append(Message(N_("%(where)s: đơn vị (units) không được dùng; thí sinh nhập số thuần."), where=where))
    elif kind == "matching":
        q.type = "matching"
        q.pairs = [[_text(sub), _text(sub.find("answer"))] for sub in element.findall("subquestion")]
        _combined_feedback(q, element, where, warnings)
    elif kind == "essay":
        q.type = "practical"
        q.extensions = _extensions(_text(element, "filetypeslist"), where, warnings)
        q.rubric = _rubric(_text(element.find("graderinfo")), q.points)
    if any(_text(hint) for hint in element.findall("hint")):
        warnings.append(Message(N_("%(where)s: gợi ý (hint) chỉ dùng ở chế độ tương tác của Moodle nên không được lưu."), where=where))


def _files(element, where: str) -> dict:
    """The images a question embeds: <file name="…" encoding="base64">, anywhere inside it."""
    files = {}
    for found in element.iter("file"):
        try:
            files[nfc(found.get("name", "")).strip()] = base64.b64decode("".join((found.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise FormatError(N_("Tệp đính kèm %(name)r không phải base64 hợp lệ."), name=found.get("name"), element=where) from None
    return files


def _question(element, index: int, category: str, warnings: list):
    kind = element.get("type", "")
    name = _text(element.find("name"))
    where = f"question #{index} (name '{name}')" if name else f"question #{index}"
    extra = {}
    if element.find("lms_data") is not None:
        try:
            extra = json.loads(element.find("lms_data").text or "{}")
        except json.JSONDecodeError as error:
            raise FormatError(N_("lms_data không phải JSON hợp lệ (%(error)s)."), error=error.msg, element=where) from None
        if not isinstance(extra, dict):
            raise FormatError(N_("lms_data không hợp lệ: %(error)s."), error=Message(N_("cần một đối tượng JSON gồm các cặp trường: giá trị.")),
                              element=where)
    if kind not in SUPPORTED:
        warnings.append(Message(N_("%(where)s: loại câu hỏi '%(kind)s' không được hỗ trợ nên đã bỏ qua."), where=where, kind=kind))
        return None
    if kind == "essay" and extra.get("type") != "practical":
        warnings.append(moodle.essay_note(where))
    text_element = element.find("questiontext")
    if text_element is None:
        raise FormatError(N_("Thiếu <questiontext>."), element=where)
    q = QuestionData(key=_text(element, "idnumber"), type="", text=_text(text_element), category=category,
                     text_format=_FORMAT_IN.get(text_element.get("format", "html"), "html"),
                     explanation=_text(element.find("generalfeedback")), title=name)
    q.title = "" if q.title == q.key else q.title
    grade = _text(element, "defaultgrade")
    if grade:
        q.points = _number(grade, "defaultgrade", where)
    shuffle = _text(element, "shuffleanswers").lower()
    if shuffle:
        q.shuffle = shuffle in ("true", "1")
    moodle.apply_tags(q, [_text(tag) for tag in element.findall("tags/tag")])
    _fill(q, kind, element, where, warnings)
    try:
        common.apply_fields(q, extra)
    except (TypeError, ValueError) as error:
        raise FormatError(N_("lms_data không hợp lệ: %(error)s."), error=reason(error), element=where) from None
    if not q.key:
        canonicalize(q)
        q.key = common.content_key("xml", q.type, q.text, q.to_dict()["choices"], q.answer, q.tolerance, q.answers, q.pairs)
    return q, where


def parse(content, default_module=None) -> common.ParseResult:
    root = _read(content)
    if root.tag != "quiz":
        raise FormatError(N_("Phần tử gốc phải là <quiz>, không phải <%(tag)s>."), tag=root.tag, element=root.tag)
    questions, locations, warnings, category, files = [], [], [], "", {}
    for index, element in enumerate(root.findall("question"), start=1):
        if element.get("type") == "category":
            category = _text(element.find("category"))
            continue
        parsed = _question(element, index, category, warnings)
        if parsed:
            q, where = parsed
            moodle.resolve_module(q, default_module)
            embedded = _files(element, where)
            if moodle.image_names(q) - set(embedded):
                warnings.append(moodle.missing_images_note(where, moodle.image_names(q) - set(embedded)))
            files[id(q)] = {name: content for name, content in embedded.items() if name in moodle.image_names(q)}
            questions.append(q)
            locations.append({"element": where})
            common.check_count(len(questions), element=where)
    questions, locations = moodle.unique_keys(questions, locations, warnings)
    media = {q.key: files[id(q)] for q in questions if files[id(q)]}  # by the keys the questions end with
    return common.finish(questions, locations, warnings, media=media)


# -- export -------------------------------------------------------------------------------
def _percent(fraction: float) -> str:
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".")


def _add_text(parent, tag: str, text: str, text_format=None):
    element = ET.SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    ET.SubElement(element, "text").text = text
    return element


def _simple(parent, tag: str, text: str):
    ET.SubElement(parent, tag).text = text


def _plain_element(q: QuestionData):
    kind = {"single_choice": "multichoice", "multiple_response": "multichoice", "true_false": "truefalse",
            "short_answer": "shortanswer", "numeric": "numerical", "matching": "matching", "practical": "essay"}[q.type]
    element = ET.Element("question", type=kind)
    text_format = _FORMAT_OUT[q.text_format]
    _add_text(element, "name", q.title or q.key)
    _add_text(element, "questiontext", q.text, text_format)
    _add_text(element, "generalfeedback", q.explanation, text_format)
    _simple(element, "defaultgrade", repr(float(q.points)))
    _simple(element, "penalty", "0")
    _simple(element, "hidden", "0")
    _simple(element, "idnumber", q.key)
    if kind == "multichoice":
        _simple(element, "single", "true" if q.type == "single_choice" else "false")
    if kind in ("multichoice", "matching"):
        _simple(element, "shuffleanswers", "true" if q.shuffle else "false")
    if kind == "multichoice":
        _simple(element, "answernumbering", "abc")
        for choice in q.choices:
            if q.type == "single_choice":
                fraction = choice.fraction if choice.fraction is not None else (1.0 if choice.correct else 0.0)
            else:
                fraction = MultipleResponse.weight(q, choice)
            answer = _add_text(element, "answer", choice.text, text_format)
            answer.set("fraction", _percent(fraction))
            _add_text(answer, "feedback", choice.feedback, text_format)
    elif kind == "truefalse":
        for value in (True, False):
            answer = _add_text(element, "answer", "true" if value else "false")
            answer.set("fraction", "100" if q.answer is value else "0")
            _add_text(answer, "feedback", q.correct_feedback if q.answer is value else q.incorrect_feedback, text_format)
    elif kind == "shortanswer":
        _simple(element, "usecase", "1" if q.case_sensitive else "0")
        for text, fraction, feedback in map(graded.text_parts, q.answers):
            answer = _add_text(element, "answer", text, "moodle_auto_format")
            answer.set("fraction", _percent(fraction))
            _add_text(answer, "feedback", feedback, text_format)
    elif kind == "numerical":
        further = [(item["value"], item["tolerance"], item["fraction"], item["feedback"]) for item in q.answers]
        for value, tolerance, fraction, feedback in [(q.answer, q.tolerance, 1.0, q.correct_feedback)] + further:
            answer = _add_text(element, "answer", graded.ANY_OTHER if value is None else repr(value), "moodle_auto_format")
            answer.set("fraction", _percent(fraction))
            _simple(answer, "tolerance", repr(tolerance))
            _add_text(answer, "feedback", feedback, text_format)
    elif kind == "matching":
        for left, right in q.pairs:
            sub = _add_text(element, "subquestion", left, text_format)
            _add_text(sub, "answer", right)
    elif kind == "essay":
        for tag, value in (("responseformat", "noinline"), ("responserequired", "0"), ("attachments", "1"),
                           ("attachmentsrequired", "1"), ("filetypeslist", ",".join(q.extensions))):
            _simple(element, tag, value)
        rubric = "".join(f"<li>{_escape(r['criterion'])}: {r['points']:g} điểm</li>" for r in q.rubric)
        _add_text(element, "graderinfo", f"<ul>{rubric}</ul>", "html")
    if kind in ("multichoice", "matching"):
        _add_text(element, "correctfeedback", q.correct_feedback, text_format)
        _add_text(element, "incorrectfeedback", q.incorrect_feedback, text_format)
    tags = ET.SubElement(element, "tags")
    for value in moodle.field_tags(q) + list(q.tags):
        _add_text(tags, "tag", value)
    return element


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def serialize(questions) -> str:
    quiz = ET.Element("quiz")
    category = ""  # the category an importer will be in when it reaches the question
    for index, original in enumerate(questions, start=1):
        q = canonicalize(QuestionData.from_dict(original.to_dict()))
        if q.category and q.category != category:
            _add_text(ET.SubElement(quiz, "question", type="category"), "category", q.category)
            category = q.category
        element = _plain_element(q)
        if q.type == "practical":
            # to Moodle it is an essay with a required attachment; this marks it as ours
            _simple(element, "lms_data", common.encode_fields({"type": "practical"}))
        reparsed, _ = _question(element, index, category, [])
        extra = common.residual_fields(q, canonicalize(reparsed))
        if q.type == "practical":
            extra["type"] = "practical"
            element.remove(element.find("lms_data"))
        if extra:
            _simple(element, "lms_data", common.encode_fields(extra))
        quiz.append(element)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
