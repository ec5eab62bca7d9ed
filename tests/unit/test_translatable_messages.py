"""Messages of the Flask-free modules: Vietnamese strings that keep their template and values,
translated where they are shown; and every marked string has an English translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from lms.exams.core.blueprint_rules import THEORY, PartRule, QuotaRule, check_structure
from lms.messages import Message, joined, translated
from lms.questionbank.formats import FormatError
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type, validate_question
from lms.tabular import RowError

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

ENGLISH = {
    "Thiếu mã câu hỏi.": "The question code is missing.",
    "Mức độ không hợp lệ: %(value)r (easy, medium, hard).": "Invalid difficulty: %(value)r (easy, medium, hard).",
    "Dòng %(line)s": "Line %(line)s",
    "Hàng %(row)s, cột %(column)s": "Row %(row)s, column %(column)s",
    "%(what)s nằm ngoài phạm vi.": "%(what)s is out of range.",
    "Phương án": "Option",
    "Phần lý thuyết": "Theory part",
    "%(part)s: tiêu chí «%(quota)s» bị lặp.": "%(part)s: criterion «%(quota)s» is repeated.",
    "Dễ": "Easy",
}


def english(text):
    return ENGLISH.get(text, text)


def test_a_problem_is_its_vietnamese_text_and_translates_with_its_values():
    problems = validate_question(QuestionData(key="", type="true_false", text="Đúng hay sai?", difficulty="rất khó", answer=True))
    assert problems == ["Thiếu mã câu hỏi.", "Mức độ không hợp lệ: 'rất khó' (easy, medium, hard)."]
    assert [translated(problem, english) for problem in problems] == [
        "The question code is missing.", "Invalid difficulty: 'rất khó' (easy, medium, hard)."]
    assert translated("văn bản thường", english) == "văn bản thường"


def test_values_that_are_messages_are_translated_too():
    question = QuestionData(key="Q", type="single_choice", text="?", choices=[])
    try:
        get_type("single_choice").normalize_response(question, {"choice": 3})
    except ValueError as error:
        assert str(error) == "Phương án nằm ngoài phạm vi."
        assert error.translated(english) == "Option is out of range."
    else:
        raise AssertionError("an option out of range was accepted")

    quota = QuotaRule(5, "IU01", difficulty="easy")
    errors = check_structure([PartRule(THEORY, THEORY, 30, (quota, quota))])
    assert errors == ["Phần lý thuyết: tiêu chí «IU01 · Dễ» bị lặp."]
    assert translated(errors[0], english) == "Theory part: criterion «IU01 · Easy» is repeated."


def test_a_format_error_keeps_its_location_in_both_languages():
    error = FormatError("Thiếu mã câu hỏi.", row=4, column="Mã câu hỏi")
    assert str(error) == "Hàng 4, cột Mã câu hỏi: Thiếu mã câu hỏi."
    assert error.translated(english) == "Row 4, column Mã câu hỏi: The question code is missing."
    assert FormatError("Thiếu mã câu hỏi.", line=7).translated(english) == "Line 7: The question code is missing."


def test_joined_messages_and_literal_percent_signs():
    items = joined(" · ", [Message("Dễ"), "IU01.2", "100%"])
    assert items == "Dễ · IU01.2 · 100%" and translated(items, english) == "Easy · IU01.2 · 100%"
    assert str(RowError(3, "Ngày sinh", "sai")) == "Dòng 3, cột «Ngày sinh»: sai"


def test_every_marked_string_has_an_english_translation():
    """What `pybabel extract` (see babel.cfg) finds in the code and the templates is in the catalogue."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    marked = {(message if isinstance(message, str) else message[0], context)
              for _file, _line, message, _comments, context in extract_from_dir(ROOT, method_map, options_map, keywords)}
    with PO_FILE.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    known = {(message.id if isinstance(message.id, str) else message.id[0], message.context) for message in catalogue if message.id}
    assert sorted(marked - known) == []
