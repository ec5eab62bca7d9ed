"""Pure rules of the courses area: ordering by syllabus code, lesson files, time credit.

No Flask, no SQLAlchemy: unit-tested on their own. Errors carry Messages (lms.messages),
translated by the layer that shows them.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import yaml

from lms.messages import N_, MessageError
from lms.text import nfc

# A heartbeat is sent every 30 s while the page is visible; a little slack for slow networks.
HEARTBEAT_MAX_SECONDS = 45
PRACTICE_QUESTION_COUNT = 10
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
ATTACHMENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_IMAGE_REFERENCE = re.compile(r"\]\(\s*images/([^)\s]+)")
_SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def syllabus_sort_key(code: str) -> tuple:
    """IU04.3.10 sorts after IU04.3.2: each part by number where it is one."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.]", code or ""))


def topic_of(code: str) -> str:
    """The topic (IUxx.t) a syllabus code belongs to."""
    return ".".join((code or "").split(".")[:2])


def under_topic(code: str, topic: str) -> bool:
    return code == topic or code.startswith(topic + ".")


def lesson_headings(markdown: str) -> str:
    """Lesson sections are written `## Giải thích`; the page's own title is the h1 and the
    shared sanitizer keeps headings from h3 down, so every heading starts at h3 (## → ###).
    Fenced code is left as written."""
    lines, fence = [], None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0]
        elif fence is not None and opening and opening.group(1)[0] == fence:
            fence = None
        elif fence is None:
            line = _ATX_HEADING.sub(lambda m: m.group(1) + "#" * min(6, max(3, len(m.group(2)) + 1)), line)
        lines.append(line)
    return "\n".join(lines)


def slugify(text: str) -> str:
    """A URL key from a Vietnamese title: "Định dạng văn bản" → "dinh-dang-van-ban"."""
    text = unicodedata.normalize("NFD", nfc(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:120]


def safe_filename(name: str) -> str | None:
    """The last path part of an uploaded name if it is plain ASCII without surprises, else None."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if _SAFE_FILENAME.match(name) and ".." not in name else None


def extension(filename: str) -> str:
    return ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""


def credit_seconds(last_seen_at: datetime, now: datetime, claimed: int) -> int:
    """Seconds of reading to credit for a heartbeat.

    The server owns time: never more than elapsed since the previous beat, never more
    than one beat's worth, never negative, whatever the page claims.
    """
    elapsed = int((now - last_seen_at).total_seconds())
    try:
        claimed = int(claimed)
    except (TypeError, ValueError):
        claimed = 0
    return max(0, min(claimed, elapsed, HEARTBEAT_MAX_SECONDS))


def clamp_position(value) -> int:
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0


class LessonFileError(MessageError):
    """A shipped lesson file that cannot be loaded; the message names the file."""


@dataclass
class LessonFile:
    code: str
    slug: str
    title: str
    minutes: int
    body: str
    attachments: list = field(default_factory=list)
    source_hash: str = ""

    @property
    def image_names(self) -> list:
        """Pictures the body references as images/<name>, in order, once each."""
        return list(dict.fromkeys(_IMAGE_REFERENCE.findall(self.body)))


def parse_lesson_file(text: str, name: str = "") -> LessonFile:
    """A lesson Markdown file with its YAML front matter (see course_content/README.md)."""
    text = nfc(text).lstrip("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise LessonFileError(N_("%(name)s: thiếu phần đầu YAML (---)."), name=name)
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise LessonFileError(N_("%(name)s: phần đầu YAML không hợp lệ: %(error)s"), name=name, error=str(error)) from None
    if not isinstance(meta, dict):
        raise LessonFileError(N_("%(name)s: phần đầu YAML phải là các cặp khóa: giá trị."), name=name)
    missing = [key for key in ("code", "slug", "title") if not meta.get(key)]
    if missing:
        raise LessonFileError(N_("%(name)s: thiếu %(fields)s."), name=name, fields=", ".join(missing))
    slug = str(meta["slug"]).strip()
    if slugify(slug) != slug:
        raise LessonFileError(N_("%(name)s: slug '%(slug)s' chỉ gồm chữ thường không dấu, số và dấu gạch ngang."), name=name, slug=slug)
    attachments = meta.get("attachments") or []
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        raise LessonFileError(N_("%(name)s: attachments phải là danh sách tên tệp."), name=name)
    try:
        minutes = int(meta.get("minutes") or 15)
    except (TypeError, ValueError):
        raise LessonFileError(N_("%(name)s: minutes phải là số phút."), name=name) from None
    return LessonFile(
        code=str(meta["code"]).strip(),
        slug=slug,
        title=str(meta["title"]).strip(),
        minutes=minutes,
        body=text[match.end():].strip() + "\n",
        attachments=attachments,
        source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
