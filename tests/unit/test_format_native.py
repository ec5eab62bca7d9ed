import unicodedata
from pathlib import Path

import pytest
from format_errors import assert_refused_at_line

from lms.questionbank.formats import FormatError, native
from lms.questionbank.schema import TYPES

BANKS = sorted(Path(__file__).resolve().parents[2].joinpath("question_banks").glob("IU*.yaml"))

HEADER = "format: lms-question-bank/1\nbank: \"IU02 – Sử dụng máy tính cơ bản\"\nmodule: IU02\nquestions:\n"


def test_the_shipped_banks_parse_with_their_module_and_bank_name():
    assert BANKS
    for path in BANKS:
        questions = native.parse(path.read_bytes())
        assert questions and questions.bank.startswith(path.stem)
        assert {q.module for q in questions} == {path.stem}
        assert len({q.key for q in questions}) == len(questions)
        assert {q.type for q in questions} <= set(TYPES)


def test_text_is_normalised_to_nfc_and_defaults_apply():
    decomposed = unicodedata.normalize("NFD", "Kiểu gõ")
    content = HEADER + f"""  - key: IU02-001
    type: short_answer
    text: |
      {decomposed} nào gõ â bằng aa?
    answers: [Telex]
"""
    [q] = native.parse(content.encode("utf-8"))
    assert q.text == "Kiểu gõ nào gõ â bằng aa?" and unicodedata.is_normalized("NFC", q.text)
    assert q.module == "IU02" and q.difficulty == "medium" and q.pool == "exam" and q.status == "approved"


@pytest.mark.parametrize("body, line, reason", [
    ("  - key: A\n    type: single_choice\n    text: Câu?\n    choices:\n      - text: x\n        correct: true\n      - text: y\n        correct: true\n",
     5, "đúng một phương án đúng"),
    ("  - key: A\n    type: true_false\n    text: Câu?\n    answer: true\n\n  - key: A\n    type: true_false\n    text: Câu 2?\n    answer: false\n",
     10, "bị trùng"),
    ("  - key: A\n    type: true_false\n    text: Câu?\n    answer: true\n    anwser: false\n", 9, "trường không biết anwser"),
    ("  - type: true_false\n    text: Câu?\n    answer: true\n", 5, "thiếu mã"),
    ("  - key: A\n    type: short_answer\n    text: Câu?\n    answers: [yes]\n", 8, "ngoặc kép"),
    ("  - key: A\n    type: essay\n    text: Câu?\n", 5, "Loại câu hỏi không hợp lệ"),
    ("  - key: A\n    type: true_false\n    text: [Câu\n", 8, "YAML không hợp lệ"),
])
def test_a_broken_bank_names_the_line_and_imports_nothing(body, line, reason):
    error = assert_refused_at_line(native.parse, (HEADER + body).encode("utf-8"), line, reason)
    assert str(error).startswith(f"Dòng {line}: ")


def test_yaml_tags_that_build_python_objects_are_refused():
    with pytest.raises(FormatError):
        native.parse(HEADER + "  - !!python/object/apply:os.system ['echo hi']\n")


def test_an_unknown_format_version_is_refused():
    with pytest.raises(FormatError, match="không được hỗ trợ"):
        native.parse("format: lms-question-bank/9\nquestions: []\n")


def test_text_that_is_not_utf8_names_its_line():
    with pytest.raises(FormatError, match="UTF-8") as error:
        native.parse(HEADER.encode() + b"  - key: A\n    text: \xe0\xe1 \n")
    assert error.value.line == 6


def test_export_keeps_the_readable_layout():
    questions = native.parse(BANKS[0].read_bytes())
    text = native.serialize(questions, bank=questions.bank)
    assert text.startswith(f"format: lms-question-bank/1\nbank: {questions.bank}\nmodule: {BANKS[0].stem}\nquestions:\n  - key: ")
    assert "    text: |\n      " in text and "\n\n  - key: " in text
    assert native.parse(text).bank == questions.bank
