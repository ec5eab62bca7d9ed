"""What the two Moodle formats (GIFT, Moodle XML) share beyond parsing: the module a
question belongs to, keys for the names Moodle repeats, tags that carry our fields, and
Moodle's essay as a manually marked practical task.

- Module: a question's own (`@lms` comment, `lms:module=` tag), else the deepest category
  segment naming one (`$course$/top/IU01/Phần cứng`), else its key or name (`IU01-007`),
  else the default the importer was given; the import falls back on the bank's module.
- Keys: Moodle does not make names unique, so real exports repeat them. A key (a GIFT
  name, a Moodle idnumber) that repeats in a file becomes `name-<8 hex>`, a hash of the
  question's category, type and text (of its whole content when two such questions share
  their text): the same file always gives the same keys, whatever its order. Questions
  identical in every field are imported once. A key longer than the database's 120
  characters is shortened the same way.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Optional
from urllib.parse import unquote

from lms.messages import N_, Message
from lms.questionbank.formats.common import KEY_MAX_LENGTH, FormatError

TAG_PREFIX = "lms:"
TAG_FIELDS = ("module", "syllabus", "difficulty", "pool", "status")
_MODULE = re.compile(r"(?<![0-9A-Za-z])IU(0[1-9]|1[0-5])(?![0-9A-Za-z])", re.IGNORECASE)
_MODULE_PREFIX = re.compile(r"^\s*IU(0[1-9]|1[0-5])(?![0-9A-Za-z])", re.IGNORECASE)
HASH_LENGTH = 8
# The one criterion of an essay imported as a practical task; content, like the question text.
ESSAY_CRITERION = "Bài làm đáp ứng yêu cầu của đề bài"


# -- module -----------------------------------------------------------------------------------
def category_segments(path: str) -> list:
    """A Moodle category path split on '/', where '//' is a slash inside a name."""
    return [segment.replace("\0", "/").strip() for segment in (path or "").replace("//", "\0").split("/")]


def module_named(text: str) -> Optional[str]:
    """The module a text names (`IU01 – Hiểu biết…`, `Mô đun iu04`), when it names exactly one."""
    found = {f"IU{match.group(1)}" for match in _MODULE.finditer(text or "")}
    return found.pop() if len(found) == 1 else None


def module_from_category(path: str) -> Optional[str]:
    """The module named by the deepest segment that names exactly one."""
    return next(filter(None, (module_named(segment) for segment in reversed(category_segments(path)))), None)


def module_from_name(name: str) -> Optional[str]:
    match = _MODULE_PREFIX.match(name or "")
    return f"IU{match.group(1)}" if match else None


def resolve_module(q, default_module=None) -> None:
    """Fill in `q.module` when the question did not say it (see the module docstring)."""
    if q.module:
        q.module = q.module.upper()
        return
    q.module = (module_from_category(q.category) or module_from_name(q.key) or module_from_name(q.title)
                or (default_module.upper() if default_module else None))


# -- tags -------------------------------------------------------------------------------------
def apply_tags(q, tags) -> None:
    """Moodle tags: `lms:<field>=<value>` sets one of our fields, any other is a tag."""
    for value in tags:
        field, _, setting = value[len(TAG_PREFIX):].partition("=")
        if value.startswith(TAG_PREFIX) and field in TAG_FIELDS:
            setattr(q, field, setting or None)
        elif value and value not in q.tags:
            q.tags.append(value)


def field_tags(q) -> list:
    return [f"{TAG_PREFIX}{name}={getattr(q, name)}" for name in TAG_FIELDS if getattr(q, name)]


# -- essays -----------------------------------------------------------------------------------
def essay_rubric(points: float, grader_info: str = "") -> list:
    return [{"criterion": grader_info.strip() or ESSAY_CRITERION, "points": float(points)}]


def essay_note(where) -> Message:
    return Message(N_("%(where)s: câu tự luận (essay) được nhập thành bài thực hành chấm tay: thí sinh nộp bài làm dạng tệp, "
                      "người chấm cho điểm theo thang chấm."), where=where)


# -- images -----------------------------------------------------------------------------------
# Moodle writes an image of the question as @@PLUGINFILE@@/<name>; XML embeds the file, GIFT never does.
PLUGINFILE = "@@PLUGINFILE@@/"
_PLUGINFILE_URL = re.compile(re.escape(PLUGINFILE) + r"([^\"'\s)<>?#]+)")


def _map_texts(q, change) -> None:
    """Apply `change` to every text of the question a person reads (text, options, answers, feedback)."""
    q.text, q.explanation = change(q.text), change(q.explanation)
    q.correct_feedback, q.incorrect_feedback = change(q.correct_feedback), change(q.incorrect_feedback)
    for choice in q.choices:
        choice.text, choice.feedback = change(choice.text), change(choice.feedback)
    q.answers = [change(a) if isinstance(a, str) else {**a, **{k: change(a[k]) for k in ("text", "feedback") if isinstance(a.get(k), str)}}
                 for a in q.answers]
    q.pairs = [[change(left), change(right)] for left, right in q.pairs]


def _texts(q):
    yield from (q.text, q.explanation, q.correct_feedback, q.incorrect_feedback)
    for choice in q.choices:
        yield from (choice.text, choice.feedback)
    for answer in q.answers:
        yield from ([answer] if isinstance(answer, str) else [answer.get("text"), answer.get("feedback")])
    for pair in q.pairs:
        yield from pair


def image_names(q) -> set:
    """The file names of the @@PLUGINFILE@@ images a question shows (URL-decoded)."""
    return {unquote(name) for text in _texts(q) if isinstance(text, str) and PLUGINFILE in text for name in _PLUGINFILE_URL.findall(text)}


def link_images(q, urls: dict) -> None:
    """@@PLUGINFILE@@/<name> → the stored image's URL, for the names in `urls`."""
    _map_texts(q, lambda text: _PLUGINFILE_URL.sub(lambda m: urls.get(unquote(m.group(1)), m.group(0)), text))


def missing_images_note(where, names) -> Message:
    return Message(N_("%(where)s: ảnh %(images)s không có trong tệp nên sẽ không hiện; hãy xuất lại từ Moodle bằng định dạng Moodle XML "
                      "(mang theo ảnh)."), where=where, images=", ".join(PLUGINFILE + name for name in sorted(names)))


# -- keys ---------------------------------------------------------------------------------------
def _digest(*parts) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def _with_hash(base: str, digest: str) -> str:
    return f"{base[: KEY_MAX_LENGTH - HASH_LENGTH - 1]}-{digest}"


def _content(q) -> dict:
    return {name: value for name, value in q.to_dict().items() if name not in ("key", "title", "status")}


def _where(location: dict, lower: bool = False):
    return FormatError("", **location)._location(lower=lower)


def unique_keys(questions: list, locations: list, warnings: list):
    """(questions, locations) with every key unique (see the module docstring); a warning
    names each repeated key and the keys given, and each identical copy left out."""
    groups = defaultdict(list)
    for index, q in enumerate(questions):
        if len(q.key) > KEY_MAX_LENGTH:
            q.title, q.key = q.title or q.key, _with_hash(q.key, _digest(q.key))
        groups[q.key].append(index)
    dropped = set()
    for base, indexes in groups.items():
        if len(indexes) < 2:
            continue
        by_text = defaultdict(list)
        for index in indexes:
            q = questions[index]
            by_text[_digest(q.category, q.type, q.text)].append(index)
        keys, first_with = {}, {}
        for digest, same_text in by_text.items():
            for index in same_text:
                key = _with_hash(base, digest if len(same_text) == 1 else _digest(_content(questions[index])))
                if key in first_with:
                    dropped.add(index)
                    warnings.append(Message(N_("%(where)s: câu hỏi «%(name)s» giống hệt câu ở %(first)s nên chỉ được nhập một lần."),
                                            where=_where(locations[index]), name=base, first=_where(locations[first_with[key]], lower=True)))
                else:
                    first_with[key], keys[index] = index, key
        if len(keys) < 2:
            continue  # only identical copies: the one kept keeps its name as key
        for index, key in keys.items():
            questions[index].title, questions[index].key = questions[index].title or base, key
        warnings.append(Message(N_("Tên câu hỏi «%(name)s» lặp lại trong tệp; mỗi câu được nhập với mã riêng: %(keys)s."),
                                name=base, keys=", ".join(keys[index] for index in sorted(keys))))
    kept = [index for index in range(len(questions)) if index not in dropped]
    return [questions[index] for index in kept], [locations[index] for index in kept]
