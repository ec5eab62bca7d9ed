"""Import and export of question banks: native YAML, GIFT, Aiken, Moodle XML, XLSX.

Every format module has `parse(content, default_module=None)` returning a ParseResult
(a list of QuestionData with `.warnings` and `.bank`) or raising FormatError with the
line, element or row — all or nothing — and `serialize(questions)`.
"""
from __future__ import annotations

import importlib
import re
from pathlib import PurePath

from lms.messages import N_
from lms.questionbank.formats.common import MAX_FILE_BYTES, MAX_QUESTIONS, FormatError, ParseResult

__all__ = ["FORMATS", "EXPORT_FORMATS", "FormatError", "ParseResult", "MAX_FILE_BYTES", "MAX_QUESTIONS",
           "detect_format", "get_format", "parse_file", "serialize"]

FORMATS = ("native", "gift", "aiken", "moodlexml", "xlsx")
EXPORT_FORMATS = ("native", "gift", "moodlexml", "xlsx")
EXTENSIONS = {"native": ".yaml", "gift": ".gift", "aiken": ".txt", "moodlexml": ".xml", "xlsx": ".xlsx"}
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Z]\s*$", re.MULTILINE)
_AIKEN_OPTION = re.compile(r"^\s*[A-Z][.)]\s+\S", re.MULTILINE)


def get_format(name: str):
    if name not in FORMATS:
        raise ValueError(f"unknown question format {name!r}")
    return importlib.import_module(f"lms.questionbank.formats.{name}")


def _head(content, size: int = 4096) -> str:
    head = content[:size]
    return head.decode("utf-8", "ignore") if isinstance(head, bytes) else head


def _looks_like_aiken(text: str) -> bool:
    return bool(_AIKEN_ANSWER.search(text)) and bool(_AIKEN_OPTION.search(text)) and "{" not in text


def detect_format(filename: str, content) -> str:
    """By extension, then by content when the extension says little (.txt, or none)."""
    extension = PurePath(filename or "").suffix.lower()
    head = _head(content)
    if extension == ".xlsx" or (isinstance(content, bytes) and content[:2] == b"PK"):
        return "xlsx"
    if extension in (".yaml", ".yml"):
        return "native"
    if extension == ".xml" or head.lstrip("\ufeff \n\r\t").startswith("<?xml") or "<quiz" in head:
        return "moodlexml"
    if extension == ".aiken":
        return "aiken"
    if extension in (".gift", ".txt", ""):
        text = _head(content, MAX_FILE_BYTES)
        if re.match(r"\s*format:\s*lms-question-bank/", head):
            return "native"
        return "aiken" if _looks_like_aiken(text) else "gift"
    raise FormatError(N_("Không nhận ra định dạng của tệp %(filename)r (hỗ trợ .yaml, .gift, .txt, .xml, .xlsx)."), filename=filename,
                      line=1)


def parse_file(filename: str, content, default_module=None) -> ParseResult:
    return get_format(detect_format(filename, content)).parse(content, default_module=default_module)


def serialize(format_name: str, questions, **options):
    if format_name not in EXPORT_FORMATS:
        raise ValueError(f"cannot export to {format_name!r}")
    return get_format(format_name).serialize(questions, **options)
