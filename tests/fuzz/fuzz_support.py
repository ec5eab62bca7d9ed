"""What the fuzz tests share: near-valid documents (valid files mutated line by line, in odd
encodings), a scale for the example counts of the slower tests, and the importers' contract:
a file either gives valid questions or is refused with a FormatError that says where."""
from datetime import date, datetime

import table_files
from hypothesis import settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from lms.questionbank.formats import FormatError, ParseResult
from lms.questionbank.types import validate_question
from lms.text import nfc

# What breaks parsers: control characters, BOMs, bidi and combining marks, astral and
# private-use code points, a lone surrogate (invalid UTF-8 once encoded), numbers too big for
# a float, YAML/JSON/XML/GIFT syntax out of place.
ODD_TOKENS = ["\x00", "\ufeff", "\u202e", "\u0301", "\U0001F600", "\uf8f0", "\ud800", "\r", "\t", "\x0b", "\u2028",
              "9" * 400, "1e309", "-1e309", "nan", "-0", "1e-400", "0x1F", "true", "null", "[]", "{}", "~", "=", "#",
              "{", "}", "::", "->", "%", "%200%", "%-5%", "\\", ":", "- ", "&amp;", "<![CDATA[", "<", ">", "&", "]]>",
              "ANSWER:", "ANSWER: Z", "A.", "Z)", "$CATEGORY:", "// @lms {", "// @lms {}", "[id:", "[tag:x]", "*",
              '"', "'", "key:", "questions:", "type: numeric", "!!python/object:os.system", "&anchor", "*anchor", "---", "..."]


def scaled(examples: int) -> int:
    """An example count relative to the profile's (40 in CI): the database tests run fewer."""
    return max(1, examples * settings.default.max_examples // 40)


def tokens():
    return st.one_of(st.sampled_from(ODD_TOKENS), st.text(max_size=12))


@st.composite
def mutated_lines(draw, documents):
    """One of `documents` (text) with a few line-level and character-level mutations."""
    lines = draw(st.sampled_from(documents)).split("\n")
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        operation = draw(st.sampled_from(["drop", "duplicate", "swap", "insert", "replace", "splice", "truncate", "digits"]))
        if operation == "drop" and lines:
            del lines[at]
        elif operation == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif operation == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "insert":
            lines.insert(at, draw(tokens()))
        elif operation == "replace" and lines:
            lines[at] = draw(tokens())
        elif operation == "splice" and lines:
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(tokens()) + line[cut + draw(st.integers(0, 3)):]
        elif operation == "truncate" and lines:
            lines = lines[:at + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif operation == "digits" and lines:
            lines[at] = "".join(draw(st.sampled_from(["9" * 40, "1e309", "-0.0", "1.5", "0"])) if ch.isdigit() else ch for ch in lines[at])
    return "\n".join(lines)


@st.composite
def encoded(draw, text_strategy):
    """Text as an upload's bytes: UTF-8, with a BOM, with CRLF or CR line ends, or an
    encoding the importers do not read (UTF-16, Latin-1); sometimes left as str."""
    text = draw(text_strategy)
    form = draw(st.sampled_from(["utf-8", "bom", "crlf", "cr", "utf-16", "latin-1", "str"]))
    if form == "str":
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if form == "crlf":
        text = text.replace("\n", "\r\n")
    elif form == "cr":
        text = text.replace("\n", "\r")
    elif form == "bom":
        text = "\ufeff" + text
    if form in ("utf-16", "latin-1"):
        return text.encode(form, "replace")
    return text.encode("utf-8", "surrogatepass")


def line_count(content) -> int:
    """The lines of a file as any reader may count them (YAML also breaks lines at U+2028, U+0085 …)."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return len(text.splitlines()) + 1


def parse_or_refusal(parse, content):
    """(questions, None) or (None, the FormatError). Any other exception fails the test. A refusal
    names its line (within the file), row or element, and its message reads in both languages;
    questions returned are all valid, with unique keys."""
    try:
        result = parse(content)
    except FormatError as error:
        assert error.line is not None or error.row is not None or error.element, f"refusal without a location: {error}"
        if error.line is not None:
            assert 1 <= error.line <= line_count(content), f"line {error.line} outside the file: {error}"
        if error.row is not None:
            assert error.row >= 1, str(error)
        assert str(error) and error.translated(lambda message: message)
        return None, error
    assert isinstance(result, ParseResult)
    for question in result:
        assert validate_question(question) == [], (question.key, validate_question(question))
        assert question.key and question.key == nfc(question.key)
    assert len({q.key for q in result}) == len(result), "two questions with one key"
    for warning in result.warnings:
        assert str(warning)
    return list(result), None


# -- the fields a format carries as JSON (GIFT's @lms comment, Moodle's <lms_data>, the Excel column) --
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=8), st.sampled_from(["IU04", "single_choice", "numeric", "practical", "matching", "markdown"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.sampled_from(["text", "correct", "fraction", "feedback",
                                                                                                  "criterion", "points", "value"]),
                                                                                 children, max_size=4)),
    max_leaves=10,
)
FIELD_NAMES = ["key", "type", "text", "module", "syllabus", "difficulty", "pool", "status", "tags", "title", "text_format",
               "explanation", "points", "category", "choices", "shuffle", "answer", "tolerance", "answers", "case_sensitive",
               "pairs", "rubric", "extensions", "correct_feedback", "incorrect_feedback", "unknown_field"]


def field_objects():
    """A JSON object of a few question fields with values of any type, or a JSON value that is no object."""
    return st.one_of(st.dictionaries(st.sampled_from(FIELD_NAMES), JSON_VALUES, min_size=1, max_size=3), JSON_VALUES)


# -- spreadsheets ----------------------------------------------------------------------------
CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 1, 1)), st.dates(min_value=date(1900, 1, 2)),
    st.times(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "  ", "1e309", "31/02/2000", "00/13/1990", "1990-02-29",
                     "Nguyễn Văn " * 25, "0" * 45]),  # past the database's column lengths (PostgreSQL enforces them)
)


def workbook_bytes(header, rows):
    """An .xlsx of one sheet, made in memory; None when openpyxl itself refuses a value."""
    try:
        return table_files.workbook_bytes(header, rows)
    except (IllegalCharacterError, ValueError, TypeError):
        return None


csv_bytes = table_files.csv_bytes
