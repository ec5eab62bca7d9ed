import re

import pytest
from format_errors import assert_refused_at_line

from lms.questionbank.formats import FormatError, gift
from lms.questionbank.schema import Choice

REALISTIC = """// Ngân hàng câu hỏi IU01 – xuất từ Moodle
$CATEGORY: $course$/top/IU01/Phần cứng

::IU01-001::Bộ nhớ nào **mất dữ liệu** khi tắt máy?{
  =RAM#Đúng: RAM là bộ nhớ khả biến.
  ~ROM#Sai: ROM giữ dữ liệu.
  ~Ổ cứng SSD
  ~%50%Bộ nhớ đệm (cache)#Gần đúng.
####RAM (Random Access Memory) mất dữ liệu khi mất điện.
}

// câu nhiều đáp án, có trọng số âm
::IU01-002:: Những thiết bị nào là thiết bị vào? {
  ~%50%Bàn phím
  ~%50%Máy quét
  ~%-100%Máy in
}

::Đúng sai:: Mật khẩu mạnh nên có chữ hoa, chữ thường, chữ số và ký tự đặc biệt. {T}

::Sai 2:: Phần mềm diệt vi-rút không cần cập nhật. {FALSE}

::TF3:: Đơn vị nhỏ nhất là bit. {TRUE}

::TF4:: Một byte có 10 bit. {F}

::Trả lời ngắn::[plain] Thủ đô của Việt Nam là thành phố nào? {=Hà Nội =Thành phố Hà Nội}

::Số 1:: 1 KB bằng bao nhiêu byte? {#1024}

::Số 2:: Giá trị gần đúng của số π (hai chữ số thập phân)? {#3.14:0.005}

::Số 3:: Chọn một số từ 1 đến 5. {#1..5}

::Ghép::[markdown] Ghép đơn vị với giá trị.
{
  =1 byte -> 8 bit
  =1 KB -> 1024 byte
  =1 MB -> 1024 KB
}

Câu hỏi
nhiều dòng, không tiêu đề:
thiết bị nào là thiết bị ra? {=Màn hình ~Chuột ~Bàn phím}

::html::[html]<p>Phím <b>Ctrl+C</b> dùng để?</p>{=Sao chép ~Dán ~Cắt}
"""


def test_a_realistic_vietnamese_gift_file_parses():
    questions = gift.parse(REALISTIC.encode("utf-8"), default_module="IU01")
    by_key = {q.key: q for q in questions}
    assert len(questions) == 13
    single = by_key["IU01-001"]
    assert single.type == "single_choice" and single.category == "$course$/top/IU01/Phần cứng" and single.module == "IU01"
    assert [c.text for c in single.choices] == ["RAM", "ROM", "Ổ cứng SSD", "Bộ nhớ đệm (cache)"]
    assert single.choices[0] == Choice("RAM", True, "Đúng: RAM là bộ nhớ khả biến.", None)
    assert single.choices[3].fraction == 0.5 and not single.choices[3].correct
    assert single.explanation == "RAM (Random Access Memory) mất dữ liệu khi mất điện."
    multi = by_key["IU01-002"]
    assert multi.type == "multiple_response" and [c.correct for c in multi.choices] == [True, True, False]
    assert [c.fraction for c in multi.choices] == [None, None, -1.0]
    assert [by_key[k].answer for k in ("Đúng sai", "Sai 2", "TF3", "TF4")] == [True, False, True, False]
    short = by_key["Trả lời ngắn"]
    assert short.answers == ["Hà Nội", "Thành phố Hà Nội"] and short.text_format == "plain"
    assert (by_key["Số 1"].answer, by_key["Số 1"].tolerance) == (1024.0, 0.0)
    assert (by_key["Số 2"].answer, by_key["Số 2"].tolerance) == (3.14, 0.005)
    assert (by_key["Số 3"].answer, by_key["Số 3"].tolerance) == (3.0, 2.0)
    assert by_key["Ghép"].pairs == [["1 byte", "8 bit"], ["1 KB", "1024 byte"], ["1 MB", "1024 KB"]]
    untitled = [q for q in questions if q.key.startswith("gift-")]
    assert len(untitled) == 1 and untitled[0].text == "Câu hỏi\nnhiều dòng, không tiêu đề:\nthiết bị nào là thiết bị ra?"
    assert len(untitled[0].key) == len("gift-") + 12
    assert by_key["html"].text_format == "html" and by_key["html"].text == "<p>Phím <b>Ctrl+C</b> dùng để?</p>"


def test_a_question_without_title_keeps_the_same_key_on_reimport():
    first = gift.parse("Thiết bị nào là thiết bị ra? {=Màn hình ~Chuột}")[0].key
    again = gift.parse("// chú thích khác\n\nThiết bị nào là thiết bị ra?   {=Màn hình ~Chuột}\n")[0].key
    other = gift.parse("Thiết bị nào là thiết bị vào? {=Chuột ~Màn hình}")[0].key
    assert first == again != other


@pytest.mark.parametrize("escaped, char", [("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"),
                                           ("\\:", ":"), ("\\\\", "\\"), ("\\n", "\n")])
def test_every_escape_reads_as_the_character(escaped, char):
    [q] = gift.parse(f"::Mã{escaped}1::Câu {escaped} hỏi {{=Đáp {escaped} án#Phản {escaped} hồi ~Sai {escaped} khác}}")
    assert q.key == f"Mã{char}1"
    assert q.text == f"Câu {char} hỏi"
    assert q.choices[0].text == f"Đáp {char} án" and q.choices[0].feedback == f"Phản {char} hồi"
    assert q.choices[1].text == f"Sai {char} khác"


def test_export_escapes_every_special_character_in_vietnamese_text():
    text = "Hà Nội ~ = # { } : \\ và dòng mới\nở đây"
    [q] = gift.parse("Câu {=A ~B}")
    q.text = q.choices[0].text = q.explanation = text
    exported = gift.serialize([q])
    assert "Hà Nội \\~ \\= \\# \\{ \\} \\: \\\\ và dòng mới\\nở đây" in exported
    assert gift.parse(exported) == [q]


@pytest.mark.parametrize("content, line, reason", [
    ("::A:: Câu 1 {T}\n\n::B:: Câu 2 {=A ~B\n\n::C:: Câu 3 {F}\n", 3, "không có '}' đóng"),
    ("::A:: Câu 1 {T}\n\n::B:: Câu 2\nvẫn câu 2 } {=A}\n", 4, "Có '}' thừa"),
    ("::A:: Câu 1 {T}\n\n::B Câu 2 {T}\n", 3, "không có '::' đóng"),
    ("::A:: Câu 1 {T}\n\n::B:: Câu 2 {\n  =A\n  ~B\n  ~%150%C\n}\n", 6, "Trọng số"),
    ("::A:: Câu 1 {T}\n\n// ghi chú\n::B:: Câu 2 {=A ~B =C}\n", 4, "đúng một phương án đúng"),
    ("::A:: Câu 1 {T}\n// chú thích không tách câu\n::B:: Câu 2 {F}\n", 3, "một phần đáp án"),
    ("\n\n::A:: Câu 1 {#ba}\n", 3, "Đáp án số"),
    ("::A:: Câu {#5..1}\n", 1, "từ nhỏ đến lớn"),
    ("::A:: Câu {=a -> 1 =b -> 2 ~c}\n", 1, "ghép cặp"),
    ("::A:: Câu {xyz}\n", 1, "bắt đầu bằng"),
    ("::A:: Câu {=a} và {=b}\n", 1, "một phần đáp án"),
    ("::A:: Câu {T}\n\n// @lms {\"module\": \n::B:: Câu {F}\n", 3, "JSON"),
])
def test_a_broken_file_names_the_line_and_imports_nothing(content, line, reason):
    assert_refused_at_line(gift.parse, content.encode("utf-8"), line, reason)


def test_unsupported_questions_are_reported_not_silently_dropped():
    """An essay is kept as a manually marked practical task, and said so; a description is reported and skipped;
    true/false feedback is kept (Moodle: {T#when wrong#when right})."""
    result = gift.parse("::E:: Viết một đoạn văn. {}\n\nChỉ là mô tả, không có đáp án.\n\n::T:: Câu {T#sai#đúng}\n")
    assert [q.key for q in result] == ["E", "T"]
    assert result[0].type == "practical" and result[0].rubric == [{"criterion": "Bài làm đáp ứng yêu cầu của đề bài", "points": 1.0}]
    assert any("essay" in w and "Dòng 1" in w for w in result.warnings)
    assert any("mô tả" in w and "Dòng 3" in w for w in result.warnings)
    assert (result[1].incorrect_feedback, result[1].correct_feedback) == ("sai", "đúng")
    assert not any("phản hồi" in w for w in result.warnings)


def test_partial_credit_short_answers_are_kept():
    result = gift.parse("::S:: Thủ đô? {=Hà Nội =%50%Ha Noi#Thiếu dấu}")
    assert result[0].answers == ["Hà Nội", {"text": "Ha Noi", "fraction": 0.5, "feedback": "Thiếu dấu"}] and result.warnings == []


def test_repeated_names_get_keys_from_name_and_content_and_reimport_the_same():
    content = ("::Câu 1:: Thủ đô của Việt Nam? {=Hà Nội ~Huế}\n\n::Câu 1:: 1 KB bằng bao nhiêu byte? {#1024}\n\n"
               "::Câu 2:: Đúng hay sai? {T}\n\n::Câu 2:: Đúng hay sai? {T}\n")
    first = gift.parse(content)
    keys = [q.key for q in first]
    assert len(keys) == 3 and keys[2] == "Câu 2"  # identical copies import once, under their name
    assert all(re.fullmatch(r"Câu 1-[0-9a-f]{8}", key) for key in keys[:2]) and keys[0] != keys[1]
    assert [q.title for q in first[:2]] == ["Câu 1", "Câu 1"]
    assert any("Câu 1" in w and keys[0] in w for w in first.warnings)
    assert any("Dòng 7" in w and "dòng 5" in w for w in first.warnings)
    reordered = "\n\n".join(reversed(content.strip().split("\n\n"))) + "\n"
    assert sorted(q.key for q in gift.parse(reordered)) == sorted(keys)  # position-independent
def test_metadata_comment_carries_what_gift_cannot():
    [q] = gift.parse('// @lms {"module": "IU04", "difficulty": "hard", "pool": "practice", "tags": ["hàm"]}\n'
                     "::IU04-009::[markdown]Hàm nào tính tổng? {=SUM ~MAX}\n")
    assert (q.module, q.difficulty, q.pool, q.tags) == ("IU04", "hard", "practice", ["hàm"])
    with pytest.raises(FormatError, match="ngay trước") as error:
        gift.parse('// @lms {"module": "IU04"}\n\n::A:: Câu {T}\n')
    assert error.value.line == 1
