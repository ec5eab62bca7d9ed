"""Every question-bank importer (native YAML, GIFT, Aiken, Moodle XML, Excel) on random and
near-valid files: a file either imports (valid questions, unique keys) or is refused with a
FormatError naming its line, row or element; never another exception. Through the service
that writes to the database, a refused file leaves the bank as it was (never a partial import)."""
import io
import json
from xml.sax.saxutils import escape

import pytest
from fuzz_support import CELLS, encoded, field_objects, mutated_lines, parse_or_refusal, scaled, workbook_bytes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from unit.format_errors import assert_refused_at_line
from unit.question_samples import samples

from lms.auth.services import create_user
from lms.questionbank import services, transfer
from lms.questionbank.formats import FormatError, aiken, gift, moodlexml, native, parse_file, xlsx
from lms.questionbank.models import Question, QuestionVersion

QUESTIONS = samples()
SINGLE_CHOICE = [q for q in QUESTIONS if q.type == "single_choice"]
VALID = {
    "native": [native.serialize(QUESTIONS, bank="Ngân hàng thử"), native.serialize(QUESTIONS[:3])],
    "gift": [gift.serialize(QUESTIONS), gift.serialize(QUESTIONS[5:9])],
    "aiken": [aiken.serialize(SINGLE_CHOICE), "Thiết bị nào là thiết bị vào?\nA. Bàn phím\nB) Màn hình\nANSWER: A\n"],
    "moodlexml": [moodlexml.serialize(QUESTIONS), moodlexml.serialize(QUESTIONS[:2])],
}
PARSERS = {"native": native.parse, "gift": gift.parse, "aiken": aiken.parse, "moodlexml": moodlexml.parse}
FILENAMES = {"native": "bank.yaml", "gift": "bank.gift", "aiken": "bank.txt", "moodlexml": "bank.xml"}


def test_the_valid_samples_import():
    """The mutations start from files that import: a broken sample would make every refusal below trivial."""
    for name, documents in VALID.items():
        for document in documents:
            questions, error = parse_or_refusal(PARSERS[name], document.encode("utf-8"))
            assert error is None and questions, (name, error)


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=300)))
def test_random_input_is_parsed_or_refused_with_a_location(name, content):
    parse_or_refusal(PARSERS[name], content)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=scaled(120))
@given(data=st.data())
def test_near_valid_files_are_parsed_or_refused_with_a_location(name, data):
    content = data.draw(encoded(mutated_lines(VALID[name])))
    parse_or_refusal(PARSERS[name], content)


@settings(max_examples=scaled(80))
@given(data=st.data())
def test_any_file_name_and_content_goes_to_a_format_that_parses_or_refuses_it(data):
    name = data.draw(st.sampled_from(sorted(VALID)))
    filename = data.draw(st.sampled_from([*FILENAMES.values(), "bank", "bank.yml", "bank.aiken", "bank.xlsx", "bank.pdf", ""]))
    content = data.draw(encoded(mutated_lines(VALID[name])))
    content = content.encode() if isinstance(content, str) else content  # an upload is bytes
    parse_or_refusal(lambda body: parse_file(filename, body), content)


def _with_fields(name: str, fields_json: str) -> bytes:
    """A one-question file of format `name` carrying `fields_json` where that format keeps extra fields."""
    if name == "gift":
        return f"// @lms {fields_json}\n::IU01-900::Thiết bị nào là thiết bị vào? {{=Bàn phím ~Màn hình}}\n".encode()
    if name == "moodlexml":
        document = moodlexml.serialize(QUESTIONS[:1])
        return document.replace("</question>", f"<lms_data>{escape(fields_json)}</lms_data></question>", 1).encode()
    row = {"Loại": "Một lựa chọn đúng", "Nội dung câu hỏi": "Thiết bị nào là thiết bị vào?", "Phương án A": "Bàn phím",
           "Phương án B": "Màn hình", "Đáp án đúng": "A", "Thuộc tính khác (JSON)": fields_json}
    return workbook_bytes(xlsx.COLUMNS, [[row.get(column) for column in xlsx.COLUMNS]])


@pytest.mark.parametrize("name", ["gift", "moodlexml", "xlsx"])
@settings(max_examples=scaled(80))
@given(values=field_objects())
def test_extra_fields_of_any_type_are_applied_or_refused_with_a_location(name, values):
    """The JSON the formats carry for fields they have no place for sets any field to any value."""
    parse = {"gift": gift.parse, "moodlexml": moodlexml.parse, "xlsx": xlsx.parse}[name]
    parse_or_refusal(parse, _with_fields(name, json.dumps(values, ensure_ascii=False)))


# -- Excel ----------------------------------------------------------------------------------
CELL_VALUES = st.one_of(CELLS, st.sampled_from(["A", "B", "A,C", "Z", "Đúng", "Sai", "3,5 ± 0,5", "SUM -> Tính tổng | x", "tiêu chí: 2",
                                               '{"points": 2}', '{"choices": 1}', '{"nope": 1}', "[", *xlsx.TYPE_LABELS.values(),
                                               *xlsx.TYPE_LABELS]))


@settings(max_examples=scaled(40))
@given(header=st.lists(st.sampled_from(xlsx.COLUMNS), min_size=1, max_size=len(xlsx.COLUMNS)),
       rows=st.lists(st.lists(CELL_VALUES, max_size=len(xlsx.COLUMNS) + 2), max_size=5))
def test_workbooks_of_random_cells_are_parsed_or_refused_at_a_row(header, rows):
    content = workbook_bytes(header, rows)
    assume(content is not None)
    questions, error = parse_or_refusal(xlsx.parse, content)
    if error is not None:
        assert error.row is not None, str(error)


@settings(max_examples=scaled(25))
@given(data=st.data())
def test_the_template_with_cells_changed_is_parsed_or_refused_at_a_row(data):
    """The exported sample questions, a few cells replaced by values of another type."""
    rows = _rows(xlsx.serialize(QUESTIONS))
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(1, len(rows) - 1))
        column = data.draw(st.integers(0, len(xlsx.COLUMNS) - 1))
        rows[row][column] = data.draw(CELL_VALUES)
    content = workbook_bytes(rows[0], rows[1:])
    assume(content is not None)
    parse_or_refusal(xlsx.parse, content)


def _rows(content):
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@given(content=st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(lambda tail: b"PK\x03\x04" + tail)))
def test_random_bytes_as_a_workbook_are_refused_at_a_row(content):
    questions, error = parse_or_refusal(xlsx.parse, content)
    assert error is not None and error.row == 1


# -- never a partial import ----------------------------------------------------------------
@pytest.fixture()
def bank(db):
    author = create_user("tacgia", "Giang-vien@2024", "Giảng viên", roles=["trainer"], enforce_policy=False)
    bank = services.create_bank("IU01 – Kiểm thử", author)
    report = services.import_questions(bank, transfer.parse_upload("bank.yaml", VALID["native"][0].encode())[0], author)
    assert report.ok and report.added == len(QUESTIONS)
    db.session.commit()
    return bank, author


def _counts(db, bank):
    questions = db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id))
    versions = db.session.scalar(select(func.count()).select_from(QuestionVersion).join(Question, Question.id == QuestionVersion.question_id).where(Question.bank_id == bank.id))
    return questions, versions


@settings(max_examples=scaled(25))
@given(data=st.data())
def test_a_refused_file_changes_nothing_in_the_bank(db, bank, data):
    bank, author = bank
    name = data.draw(st.sampled_from(sorted(VALID)))
    content = data.draw(encoded(mutated_lines(VALID[name])))
    before = _counts(db, bank)
    savepoint = db.session.begin_nested()
    try:
        try:
            questions, _warnings, _name, images = transfer.parse_upload(FILENAMES[name], content)
        except FormatError:
            assert _counts(db, bank) == before
            return
        report = services.import_questions(bank, questions, author, images=images)
        after = _counts(db, bank)
        if report.ok:
            assert after[0] == before[0] + report.added
        else:
            assert after == before, report.errors  # all or nothing: not one question or version written
    finally:
        savepoint.rollback()


# -- what the fuzzing found, kept as plain examples ------------------------------------------------
NATIVE_HEAD = "format: lms-question-bank/1\nmodule: IU01\nquestions:\n"
ONE_CHOICE = "    choices:\n      - text: A\n        correct: true\n      - text: B\n"


@pytest.mark.parametrize("content, line, reason", [
    ("\x1f", 1, "YAML không hợp lệ: special characters are not allowed (#x001f)"),  # was yaml's ReaderError
    (NATIVE_HEAD + "  - key: IU01-1\n    text: Hỏi?\n" + ONE_CHOICE, 4, "Loại câu hỏi không hợp lệ"),  # was a TypeError
    (NATIVE_HEAD + "  - key: IU01-1\n    type: single_choice\n    text: Hỏi?\n    text: Hỏi lại?\n" + ONE_CHOICE, 7,
     "trường text được ghi hai lần"),  # YAML kept the last one silently
    (NATIVE_HEAD + "  - key: IU01-1\n    type: single_choice\n    text: Hỏi?\n" + ONE_CHOICE + "        fraction: nửa\n", 7,
     "fraction của phương án phải là một số"),  # was a ValueError in canonicalize
])
def test_native_files_that_crashed_are_refused_at_their_line(content, line, reason):
    assert_refused_at_line(native.parse, content.encode(), line, reason)


@pytest.mark.parametrize("fields", ['{"answers": [[]]}', '{"points": "hai"}', '{"text": 5}', '{"pairs": [[1, 2]]}',
                                    '{"choices": [{"text": "A", "fraction": "x"}]}'])
def test_gift_metadata_of_the_wrong_type_is_refused_at_its_question(fields):
    """Each was an AttributeError, ValueError or TypeError after the @lms comment was applied."""
    content = f"// @lms {fields}\n::IU01-900::Câu hỏi? {{}}\n".encode()
    assert_refused_at_line(gift.parse, content, 2, "sai kiểu")


def test_moodle_xml_with_an_unknown_encoding_or_a_non_object_lms_data_is_refused():
    document = moodlexml.serialize(QUESTIONS[:1])
    assert_refused_at_line(moodlexml.parse, document.replace('encoding="UTF-8"', 'encoding="UTF-99"').encode(), 1, "unknown encoding")
    with pytest.raises(FormatError) as error:
        moodlexml.parse(document.replace("</question>", "<lms_data>[1]</lms_data></question>", 1).encode())
    assert error.value.element.startswith("question #1") and "đối tượng JSON" in str(error.value)


def test_an_excel_json_column_that_is_no_object_is_refused_at_its_cell():
    with pytest.raises(FormatError) as error:
        xlsx.parse(_with_fields("xlsx", "[1, 2]"))
    assert (error.value.row, error.value.column) == (2, "Thuộc tính khác (JSON)")


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_a_nul_byte_in_a_text_format_is_refused_at_its_line(name):
    """It reached PostgreSQL (question keys, search text), which cannot store it; XML itself forbids it."""
    lines = VALID[name][0].split("\n")
    lines[2] = lines[2][:3] + "\x00" + lines[2][3:]
    assert_refused_at_line(PARSERS[name], "\n".join(lines).encode(), 3, "invalid token" if name == "moodlexml" else "ký tự NUL")
