"""Aiken: single-choice questions only.

    Thiết bị nào là thiết bị vào?
    A. Bàn phím
    B) Màn hình
    ANSWER: A

The question may span several lines; options are "A." or "A)"; a blank line (optional)
separates questions. Errors name the line.
"""
from __future__ import annotations

import re

from lms.messages import N_
from lms.questionbank.formats.common import FormatError, ParseResult, canonicalize, check_count, content_key, decode_text, finish
from lms.questionbank.schema import Choice, QuestionData

_OPTION = re.compile(r"^\s*([A-Z])\s*[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def parse(content, default_module=None) -> ParseResult:
    text = decode_text(content)
    questions, locations = [], []
    stem, options, first_line = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if options:
                raise FormatError(N_("Thiếu dòng 'ANSWER: …' sau các phương án."), line=number)
            continue
        option = _OPTION.match(line)
        answer = _ANSWER.match(line)
        if answer:
            if not stem:
                raise FormatError(N_("Dòng 'ANSWER:' không thuộc câu hỏi nào."), line=number)
            if len(options) < 2:
                raise FormatError(N_("Câu hỏi cần ít nhất 2 phương án (A., B. …) trước dòng ANSWER."), line=number)
            letter = answer.group(1).upper()
            letters = [option_letter for option_letter, _ in options]
            if letter not in letters:
                raise FormatError(N_("Đáp án %(answer)r không phải một phương án của câu hỏi (%(letters)s)."), answer=answer.group(1),
                                  letters=", ".join(letters), line=number)
            q = QuestionData(key="", type="single_choice", text="\n".join(stem), module=default_module,
                             choices=[Choice(text, option_letter == letter) for option_letter, text in options])
            canonicalize(q)
            q.key = content_key("aiken", q.text, [c.text for c in q.choices], letter)
            questions.append(q)
            locations.append({"line": first_line})
            check_count(len(questions), line=first_line)
            stem, options = [], []
        elif option and stem:
            expected = chr(ord("A") + len(options))
            if option.group(1) != expected:
                raise FormatError(N_("Phương án %(letter)s không đúng thứ tự (cần %(expected)s)."), letter=option.group(1), expected=expected,
                                  line=number)
            options.append((option.group(1), option.group(2)))
        elif options:
            raise FormatError(N_("Sau các phương án chỉ được có phương án tiếp theo hoặc dòng 'ANSWER: …'."), line=number)
        else:
            if not stem:
                first_line = number
            stem.append(line.strip())
    if stem:
        raise FormatError(N_("Câu hỏi cuối tệp thiếu phương án hoặc dòng 'ANSWER: …'."), line=first_line)
    return finish(questions, locations)


def serialize(questions) -> str:
    """Aiken holds single-choice questions only, with at most 26 options and no metadata."""
    blocks = []
    for q in questions:
        if q.type != "single_choice":
            raise ValueError(f"Aiken chỉ chứa câu một lựa chọn đúng; câu {q.key} là {q.type}.")
        lines = [" ".join(q.text.split("\n"))]
        lines += [f"{chr(ord('A') + i)}. {' '.join(c.text.split())}" for i, c in enumerate(q.choices)]
        lines.append("ANSWER: " + next(chr(ord("A") + i) for i, c in enumerate(q.choices) if c.correct))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
