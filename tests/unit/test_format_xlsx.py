import io

import pytest
from openpyxl import Workbook, load_workbook

from lms.questionbank.formats import FormatError, xlsx

HEADER = xlsx.COLUMNS[:-1]  # a trainer's sheet need not have the JSON column


def workbook_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROWS = [
    {"Mã câu hỏi": "IU04-101", "Mô đun": "IU04", "Mã nội dung": "IU04.3.2", "Loại": "Một lựa chọn đúng", "Mức độ": "Dễ",
     "Dùng cho": "Ôn luyện", "Trạng thái": "Chờ duyệt", "Thẻ": "hàm, SUM", "Nội dung câu hỏi": "Hàm nào tính **tổng**?",
     "Phương án A": "AVERAGE", "Phương án B": "SUM", "Phương án C": "COUNT", "Đáp án đúng": "B", "Giải thích": "SUM cộng các ô."},
    {"Loại": "multiple_response", "Mức độ": "hard", "Nội dung câu hỏi": "Hàm nào trả về một số?",
     "Phương án A": "SUM", "Phương án B": "MAX", "Phương án C": "IF", "Phương án D": "CONCAT", "Đáp án đúng": "A, B"},
    {"Loại": "Đúng/Sai", "Nội dung câu hỏi": "Địa chỉ $A$1 là địa chỉ tuyệt đối.", "Đáp án đúng": "Đúng"},
    {"Loại": "Trả lời ngắn", "Nội dung câu hỏi": "Phím tắt lưu tệp?", "Đáp án đúng": "Ctrl+S | Ctrl + S"},
    {"Loại": "Số", "Nội dung câu hỏi": "=ROUND(2,345;1) cho kết quả?", "Đáp án đúng": "2,3 ± 0,01"},
    {"Loại": "Số", "Nội dung câu hỏi": "Excel có bao nhiêu cột (XFD)?", "Đáp án đúng": 16384},
    {"Loại": "Ghép cặp", "Nội dung câu hỏi": "Ghép hàm với công dụng", "Đáp án đúng": "SUM -> Tổng | MAX -> Lớn nhất | MIN -> Nhỏ nhất"},
    {"Loại": "Thực hành (nộp tệp)", "Nội dung câu hỏi": "Lập bảng lương", "Đáp án đúng": "Công thức đúng: 3 | Định dạng: 2"},
]


def test_a_sheet_filled_in_by_hand_parses():
    questions = xlsx.parse(workbook_bytes([ROWS[0], {}, *ROWS[1:]]), default_module="IU04")
    assert len(questions) == 8
    first = questions[0]
    assert (first.key, first.type, first.difficulty, first.pool, first.status) == ("IU04-101", "single_choice", "easy", "practice", "review")
    assert first.tags == ["hàm", "SUM"] and first.syllabus == "IU04.3.2" and first.explanation == "SUM cộng các ô."
    assert [c.correct for c in first.choices] == [False, True, False]
    assert [c.correct for c in questions[1].choices] == [True, True, False, False]
    assert questions[2].answer is True
    assert questions[3].answers == ["Ctrl+S", "Ctrl + S"]
    assert (questions[4].answer, questions[4].tolerance) == (2.3, 0.01)
    assert questions[4].text == "=ROUND(2,345;1) cho kết quả?"
    assert questions[5].answer == 16384.0
    assert questions[6].pairs == [["SUM", "Tổng"], ["MAX", "Lớn nhất"], ["MIN", "Nhỏ nhất"]]
    assert questions[7].rubric == [{"criterion": "Công thức đúng", "points": 3.0}, {"criterion": "Định dạng", "points": 2.0}]
    assert all(q.module == "IU04" for q in questions)
    assert questions[1].key.startswith("xlsx-") and questions[1].key == xlsx.parse(workbook_bytes(ROWS))[1].key


@pytest.mark.parametrize("change, row, column, reason", [
    ({"Loại": "Tự luận"}, 3, "Loại", "không hợp lệ"),
    ({"Mức độ": "Rất khó"}, 3, "Mức độ", "không hợp lệ"),
    ({"Đáp án đúng": "E"}, 3, "Đáp án đúng", "không ứng với phương án"),
    ({"Phương án B": ""}, 3, "Phương án B", "để trống"),
    ({"Loại": "Số", "Đáp án đúng": "ba phẩy năm"}, 3, "Đáp án đúng", "không phải là số"),
    ({"Loại": "Ghép cặp", "Đáp án đúng": "SUM = Tổng"}, 3, "Đáp án đúng", "trái -> phải"),
    ({"Đáp án đúng": "A"}, 3, None, "ít nhất 2 phương án đúng"),
])
def test_a_broken_row_names_the_row_and_column_and_imports_nothing(change, row, column, reason):
    rows = [ROWS[0], dict(ROWS[1], **change), ROWS[2]]
    with pytest.raises(FormatError) as error:
        xlsx.parse(workbook_bytes(rows))
    assert error.value.row == row and error.value.column == column, str(error.value)
    assert reason in str(error.value)


def test_a_missing_column_names_the_header_row():
    with pytest.raises(FormatError, match="Thiếu cột Đáp án đúng") as error:
        xlsx.parse(workbook_bytes([ROWS[0]], header=[h for h in HEADER if h != "Đáp án đúng"]))
    assert error.value.row == 1


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(FormatError, match="Không đọc được") as error:
        xlsx.parse(b"PK\x03\x04 not really a zip")
    assert error.value.row == 1


def test_the_template_has_examples_that_import_and_a_guide():
    content = xlsx.template_bytes()
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    assert [c.value for c in workbook["Câu hỏi"][1]] == list(xlsx.COLUMNS)
    guide = {row[0].value for row in workbook["Hướng dẫn"].iter_rows(min_row=2)}
    assert {"Mã câu hỏi", "Loại", "Đáp án đúng", "Phương án A … F"} <= guide
    types = {q.type for q in xlsx.parse(content)}
    assert {"single_choice", "multiple_response", "true_false", "short_answer", "numeric", "matching"} <= types


def test_text_that_looks_like_a_formula_is_exported_as_text():
    questions = xlsx.parse(workbook_bytes([ROWS[4]]))
    sheet = load_workbook(io.BytesIO(xlsx.serialize(questions))).active
    cell = sheet.cell(2, xlsx.COLUMNS.index("Nội dung câu hỏi") + 1)
    assert cell.value == "=ROUND(2,345;1) cho kết quả?" and cell.data_type == "s"
