import pytest
from format_errors import assert_refused_at_line

from lms.questionbank.formats import aiken

SAMPLE = """Thiết bị nào sau đây là thiết bị vào?
A. Màn hình
B. Bàn phím
C. Máy in
D. Loa
ANSWER: B

Trong Windows 11, tổ hợp phím nào
mở nhanh File Explorer?
A) Windows + E
B) Windows + D
C) Ctrl + Shift + Esc
ANSWER: A
"""


def test_both_option_styles_and_multiline_questions_parse():
    first, second = aiken.parse(SAMPLE.encode("utf-8"), default_module="IU02")
    assert first.type == "single_choice" and first.module == "IU02"
    assert [c.text for c in first.choices] == ["Màn hình", "Bàn phím", "Máy in", "Loa"]
    assert [c.correct for c in first.choices] == [False, True, False, False]
    assert second.text == "Trong Windows 11, tổ hợp phím nào\nmở nhanh File Explorer?"
    assert second.choices[0].text == "Windows + E" and second.choices[0].correct
    assert first.key.startswith("aiken-") and first.key != second.key


def test_the_same_file_gives_the_same_keys():
    assert [q.key for q in aiken.parse(SAMPLE)] == [q.key for q in aiken.parse(SAMPLE.replace("\n\n", "\n\n\n"))]


@pytest.mark.parametrize("content, line, reason", [
    ("Câu 1?\nA. x\nB. y\nANSWER: B\n\nCâu 2?\nA. x\nB. y\nANSWER: E\n", 9, "không phải một phương án"),
    ("Câu 1?\nA. x\nB. y\n\nCâu 2?\nA. x\nB. y\nANSWER: A\n", 4, "Thiếu dòng 'ANSWER"),
    ("Câu 1?\nA. x\nC. y\nANSWER: A\n", 3, "không đúng thứ tự"),
    ("Câu 1?\nA. x\nANSWER: A\n", 3, "ít nhất 2"),
    ("Câu 1?\nA. x\nB. y\ngiữa chừng\nANSWER: A\n", 4, "Sau các phương án"),
    ("ANSWER: A\n", 1, "không thuộc câu hỏi"),
    ("Câu 1?\nA. x\nB. y\nANSWER: A\n\nCâu cuối không có phương án\n", 6, "cuối tệp"),
    ("Câu 1?\nA. x\nB. x\nANSWER: A\n", 1, "trùng"),
])
def test_a_broken_file_names_the_line_and_imports_nothing(content, line, reason):
    assert_refused_at_line(aiken.parse, content, line, reason)


def test_export_writes_aiken_that_parses_back():
    questions = aiken.parse(SAMPLE)
    again = aiken.parse(aiken.serialize(questions))
    assert [(q.text.replace("\n", " "), q.choices) for q in questions] == [(q.text, q.choices) for q in again]
