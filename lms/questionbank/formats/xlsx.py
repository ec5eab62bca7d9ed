"""Excel: one row per question, the layout a trainer fills in by hand (see
question_banks/README.md and `template_bytes()`). Codes may be written in Vietnamese
("Dễ", "Ôn luyện", "Đã duyệt") or as in the native format ("easy", "practice").
A last, optional column carries as JSON what the other columns cannot (choice feedback,
more than six options …), so export → import gives identical questions.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lms.archives import ArchiveError, open_workbook, sheet_rows
from lms.messages import N_, reason
from lms.questionbank import graded_answers
from lms.questionbank.formats import common
from lms.questionbank.formats.common import FormatError, canonicalize
from lms.questionbank.formats.xlsx_template import GUIDE, TEMPLATE_QUESTIONS
from lms.questionbank.schema import Choice, QuestionData, nfc
from lms.questionbank.types import all_types

LETTERS = "ABCDEF"
COLUMNS = (["Mã câu hỏi", "Mô đun", "Mã nội dung", "Loại", "Mức độ", "Dùng cho", "Trạng thái", "Thẻ", "Nội dung câu hỏi"]
           + [f"Phương án {letter}" for letter in LETTERS] + ["Đáp án đúng", "Giải thích", "Thuộc tính khác (JSON)"])
REQUIRED = ("Loại", "Nội dung câu hỏi", "Đáp án đúng")
TYPE_LABELS = {t.name: t.label for t in all_types()}
DIFFICULTY_LABELS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}
POOL_LABELS = {"exam": "Thi", "practice": "Ôn luyện"}
STATUS_LABELS = {"draft": "Nháp", "review": "Chờ duyệt", "approved": "Đã duyệt", "retired": "Ngừng dùng"}
TRUE_WORDS, FALSE_WORDS = {"đúng", "true", "t", "đ"}, {"sai", "false", "f", "s"}


def _code(labels: dict, value: str, column: str, row: int, default: str) -> str:
    if not value:
        return default
    lookup = {code.casefold(): code for code in labels}
    lookup.update({label.casefold(): code for code, label in labels.items()})
    try:
        return lookup[value.casefold()]
    except KeyError:
        allowed = ", ".join(labels.values())
        raise FormatError(N_("Giá trị %(value)r không hợp lệ; dùng một trong: %(allowed)s."), value=value, allowed=allowed, row=row,
                          column=column) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _number(text: str, row: int) -> float:
    try:
        return float(text.replace(" ", "").replace(",", "."))
    except ValueError:
        raise FormatError(N_("%(value)r không phải là số."), value=text, row=row, column="Đáp án đúng") from None


def _answer(q: QuestionData, answer: str, options: list, row: int) -> None:
    column = "Đáp án đúng"
    if q.type in ("single_choice", "multiple_response"):
        letters = [part.strip().upper() for part in re.split(r"[,;\s]+", answer) if part.strip()]
        if not options:
            raise FormatError(N_("Cần ít nhất hai phương án (cột Phương án A, B …)."), row=row, column="Phương án A")
        for letter in letters:
            if len(letter) != 1 or letter not in LETTERS[: len(options)]:
                raise FormatError(N_("Đáp án %(letter)r không ứng với phương án nào (A … %(last)s)."), letter=letter,
                                  last=LETTERS[len(options) - 1], row=row, column=column)
        q.choices = [Choice(text, LETTERS[i] in letters) for i, text in enumerate(options)]
    elif q.type == "true_false":
        word = answer.casefold()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise FormatError(N_("Câu Đúng/Sai cần đáp án 'Đúng' hoặc 'Sai'."), row=row, column=column)
        q.answer = word in TRUE_WORDS
    elif q.type == "short_answer":
        q.answers = [part.strip() for part in answer.split("|") if part.strip()]
    elif q.type == "numeric":
        value, _, tolerance = answer.replace("+-", "±").replace("+/-", "±").partition("±")
        q.answer, q.tolerance = _number(value, row), abs(_number(tolerance, row)) if tolerance.strip() else 0.0
    elif q.type == "matching":
        for part in (p for p in answer.split("|") if p.strip()):
            if "->" not in part:
                raise FormatError(N_("Cặp %(pair)r cần dạng 'trái -> phải'."), pair=part.strip(), row=row, column=column)
            left, right = part.split("->", 1)
            q.pairs.append([left.strip(), right.strip()])
    elif q.type == "practical":
        for part in (p for p in answer.split("|") if p.strip()):
            criterion, _, points = part.rpartition(":")
            if not criterion.strip():
                raise FormatError(N_("Tiêu chí %(criterion)r cần dạng 'tiêu chí: điểm'."), criterion=part.strip(), row=row, column=column)
            q.rubric.append({"criterion": criterion.strip(), "points": _number(points, row)})


def _row_question(values: dict, row: int, default_module) -> QuestionData:
    kind = _code(TYPE_LABELS, values.get("Loại", ""), "Loại", row, "")
    if not kind:
        raise FormatError(N_("Thiếu loại câu hỏi."), row=row, column="Loại")
    q = QuestionData(key=values.get("Mã câu hỏi", ""), type=kind, text=values.get("Nội dung câu hỏi", ""),
                     module=values.get("Mô đun") or default_module, syllabus=values.get("Mã nội dung") or None,
                     difficulty=_code(DIFFICULTY_LABELS, values.get("Mức độ", ""), "Mức độ", row, "medium"),
                     pool=_code(POOL_LABELS, values.get("Dùng cho", ""), "Dùng cho", row, "exam"),
                     status=_code(STATUS_LABELS, values.get("Trạng thái", ""), "Trạng thái", row, "approved"),
                     tags=[t.strip() for t in values.get("Thẻ", "").split(",") if t.strip()],
                     explanation=values.get("Giải thích", ""))
    options = [values.get(f"Phương án {letter}", "") for letter in LETTERS]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        raise FormatError(N_("Phương án để trống giữa các phương án khác."), row=row, column=f"Phương án {LETTERS[options.index('')]}")
    extra = values.get("Thuộc tính khác (JSON)", "")
    if values.get("Đáp án đúng") or options or not extra:  # an export may hold the whole answer in the JSON column
        _answer(q, values.get("Đáp án đúng", ""), options, row)
    if extra:
        try:
            common.apply_fields(q, json.loads(extra))
        except (ValueError, TypeError) as error:
            raise FormatError(N_("JSON không hợp lệ: %(error)s."), error=reason(error), row=row, column="Thuộc tính khác (JSON)") from None
    if not q.key:
        canonicalize(q)
        q.key = common.content_key("xlsx", q.type, q.text, q.to_dict()["choices"], q.answer, q.tolerance, q.answers, q.pairs)
    return q


def _sheet_rows(workbook):
    """The first sheet's rows (blank ones at most as many as the questions allowed); a sheet
    that cannot be read is a FormatError at the row where reading stopped."""
    try:
        yield from sheet_rows(workbook.worksheets[0], 2 * common.MAX_QUESTIONS + 1)
    except ArchiveError as error:
        raise FormatError(N_("Không đọc được tệp Excel (.xlsx): %(error)s."), error=error.message, row=error.row) from None


def parse(content, default_module=None) -> common.ParseResult:
    """Cells are read as written: text starting with '=' (a formula to Excel) is taken as text, not computed."""
    common.check_size(content, row=1)
    try:
        workbook = open_workbook(content, data_only=False)  # a zip bomb is refused before openpyxl reads it
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FormatError(N_("Không đọc được tệp Excel (.xlsx): %(error)s."), error=reason(error), row=1) from None
    rows = _sheet_rows(workbook)
    header = [_cell_text(value) for value in next(rows, ())]
    positions = {name.casefold(): index for index, name in enumerate(header) if name}
    missing = [name for name in REQUIRED if name.casefold() not in positions]
    if missing:
        raise FormatError(N_("Thiếu cột %(columns)s ở hàng tiêu đề (tải mẫu để xem bố cục)."), columns=", ".join(missing), row=1,
                          column=missing[0])
    columns = {name: positions[name.casefold()] for name in COLUMNS if name.casefold() in positions}
    questions, locations = [], []
    for row_number, row in enumerate(rows, start=2):
        cells = [_cell_text(value) for value in row]
        values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
        if not any(values.values()):
            continue
        questions.append(_row_question(values, row_number, default_module))
        locations.append({"row": row_number})
        common.check_count(len(questions), row=row_number)
    workbook.close()
    return common.finish(questions, locations)


# -- export -------------------------------------------------------------------------------
def _number_text(value: float) -> str:
    return (str(int(value)) if float(value).is_integer() else repr(float(value))).replace(".", ",")


def _row_values(q: QuestionData) -> dict:
    values = {"Mã câu hỏi": q.key, "Mô đun": q.module or "", "Mã nội dung": q.syllabus or "", "Loại": TYPE_LABELS[q.type],
              "Mức độ": DIFFICULTY_LABELS.get(q.difficulty, q.difficulty), "Dùng cho": POOL_LABELS.get(q.pool, q.pool),
              "Trạng thái": STATUS_LABELS.get(q.status, q.status), "Thẻ": ", ".join(q.tags),
              "Nội dung câu hỏi": q.text, "Giải thích": q.explanation}
    if q.type in ("single_choice", "multiple_response") and len(q.choices) <= len(LETTERS):
        for letter, choice in zip(LETTERS, q.choices):
            values[f"Phương án {letter}"] = choice.text
        values["Đáp án đúng"] = ",".join(LETTERS[i] for i, c in enumerate(q.choices) if c.correct)
    elif q.type == "true_false":
        values["Đáp án đúng"] = "Đúng" if q.answer else "Sai"
    elif q.type == "short_answer":
        values["Đáp án đúng"] = " | ".join(graded_answers.full_texts(q.answers))  # partial credit: in the JSON column
    elif q.type == "numeric" and isinstance(q.answer, (int, float)):
        values["Đáp án đúng"] = _number_text(q.answer) + (f" ± {_number_text(q.tolerance)}" if q.tolerance else "")
    elif q.type == "matching":
        values["Đáp án đúng"] = " | ".join(f"{left} -> {right}" for left, right in q.pairs)
    elif q.type == "practical":
        values["Đáp án đúng"] = " | ".join(f"{r['criterion']}: {_number_text(r['points'])}" for r in q.rubric)
    return values


def _sheet(workbook, rows: list):
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for values in rows:
        sheet.append([values.get(name, "") for name in COLUMNS])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # text such as "=A1*$B$1" is content, never a formula Excel would run
    for index, name in enumerate(COLUMNS, start=1):
        width = 60 if name == "Nội dung câu hỏi" else 30 if name.startswith(("Phương án", "Đáp án", "Giải thích")) else 14
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    return sheet


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def serialize(questions) -> bytes:
    rows = []
    for number, original in enumerate(questions, start=2):
        q = canonicalize(QuestionData.from_dict(original.to_dict()))
        values = _row_values(q)
        plain = {name: _cell_text(value) for name, value in values.items()}
        try:
            reparsed = canonicalize(_row_question(plain, number, None))
            extra = common.residual_fields(q, reparsed)
        except FormatError:
            extra = {k: v for k, v in q.to_dict().items() if k != "key"}  # e.g. more than six options
        if extra:
            values["Thuộc tính khác (JSON)"] = common.encode_fields(extra)
        rows.append(values)
    workbook = Workbook()
    _sheet(workbook, rows)
    return _save(workbook)


def template_bytes() -> bytes:
    """A workbook to fill in: the header, one example row per common type, and a sheet 'Hướng dẫn'."""
    workbook = Workbook()
    _sheet(workbook, [_row_values(q) for q in TEMPLATE_QUESTIONS])
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in GUIDE:
        guide.append(list(row))
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return _save(workbook)
