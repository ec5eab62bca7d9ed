"""Side-by-side comparison of two versions of a question, field by field.

Each version is flattened into labelled plain-text fields; changed fields get a word
diff (difflib) marked with <del>/<ins>. Everything is escaped: question text is shown
as its source here, never rendered, so the comparison cannot run markup.
"""
import difflib
import re

from markupsafe import Markup, escape

from lms.questionbank import graded_answers
from lms.questionbank.models import DIFFICULTIES, POOLS

_WORDS = re.compile(r"\s+|[^\s]+")


def _number(value):
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def fields(data):
    """[(label, text)] describing a version, in a stable order."""
    rows = [
        ("Mô đun", data.module or ""),
        ("Mã nội dung", data.syllabus or ""),
        ("Mức độ", DIFFICULTIES.get(data.difficulty, data.difficulty)),
        ("Dùng cho", POOLS.get(data.pool, data.pool)),
        ("Thẻ", ", ".join(data.tags or [])),
        ("Tiêu đề", data.title),
        ("Điểm", _number(data.points)),
        ("Định dạng", data.text_format),
        ("Nội dung", data.text),
    ]
    if data.type in ("single_choice", "multiple_response", "matching"):
        rows.append(("Đảo thứ tự", "có" if data.shuffle else "không"))
    for number, choice in enumerate(data.choices, start=1):
        marks = ["ĐÚNG" if choice.correct else "sai"]
        if choice.fraction is not None:
            marks.append(f"{_number(round(choice.fraction * 100, 4))}%")
        text = f"[{', '.join(marks)}] {choice.text}"
        if choice.feedback:
            text += f"\nPhản hồi: {choice.feedback}"
        rows.append((f"Phương án {chr(64 + number) if number <= 26 else number}", text))
    if data.type == "true_false":
        rows.append(("Đáp án", "Đúng" if data.answer else "Sai"))
    if data.type == "numeric":
        rows.append(("Đáp án", _number(data.answer)))
        rows.append(("Sai số", _number(data.tolerance)))
        if data.answers:
            rows.append(("Đáp án khác", graded_answers.format_numeric_lines(data.answers)))
    if data.type == "short_answer":
        rows.append(("Đáp án chấp nhận", graded_answers.format_text_lines(data.answers)))
        rows.append(("Phân biệt hoa/thường", "có" if data.case_sensitive else "không"))
    for label, text in (("Phản hồi khi đúng", data.correct_feedback), ("Phản hồi khi sai", data.incorrect_feedback)):
        if text:
            rows.append((label, text))
    for number, (left, right) in enumerate(data.pairs, start=1):
        rows.append((f"Cặp {number}", f"{left} → {right}"))
    for number, item in enumerate(data.rubric, start=1):
        rows.append((f"Tiêu chí {number}", f"{item.get('criterion', '')} ({_number(item.get('points'))} điểm)"))
    if data.extensions:
        rows.append(("Loại tệp nộp", ", ".join(data.extensions)))
    rows.append(("Giải thích", data.explanation))
    return rows


def _marked(old, new):
    """Word diff of two texts: (old with <del>, new with <ins>), escaped."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(Markup("<del>%s</del>") % removed)
        if added:
            right.append(Markup("<ins>%s</ins>") % added)
    return Markup("").join(left), Markup("").join(right)


def compare(old, new):
    """Rows {label, old, new, changed} for every field present in either version."""
    old_fields, new_fields = dict(fields(old)), dict(fields(new))
    labels = list(old_fields) + [label for label in new_fields if label not in old_fields]
    rows = []
    for label in labels:
        before, after = old_fields.get(label, ""), new_fields.get(label, "")
        changed = before != after
        left, right = _marked(before, after) if changed else (escape(before), escape(after))
        rows.append({"label": label, "old": left, "new": right, "changed": changed})
    return rows


def render_field(text, text_format="markdown"):
    """Rendered question text for trainers' pages (the same sanitiser as the candidate's)."""
    from lms.questionbank.markup import render

    return Markup(render(text or "", text_format))  # nosec B704 render() sanitises with nh3
