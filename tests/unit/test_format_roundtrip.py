import copy
from pathlib import Path

import pytest
from question_samples import samples

from lms.questionbank import formats
from lms.questionbank.formats import FormatError, detect_format, native, parse_file
from lms.questionbank.formats.common import MAX_QUESTIONS

BANKS = sorted(Path(__file__).resolve().parents[2].joinpath("question_banks").glob("IU*.yaml"))


@pytest.mark.parametrize("name", formats.EXPORT_FORMATS)
def test_export_then_import_gives_identical_questions(name):
    questions = samples()
    exported = formats.serialize(name, copy.deepcopy(questions))
    parsed = formats.get_format(name).parse(exported)
    assert parsed == questions
    assert parsed.warnings == []


@pytest.mark.parametrize("name", formats.EXPORT_FORMATS)
def test_every_shipped_bank_survives_every_format(name):
    assert BANKS, "question_banks/IU*.yaml"
    for path in BANKS:
        questions = native.parse(path.read_bytes())
        assert formats.get_format(name).parse(formats.serialize(name, questions)) == questions, path.name


@pytest.mark.parametrize("name", formats.EXPORT_FORMATS)
def test_reimporting_an_export_is_stable(name):
    once = formats.serialize(name, samples())
    twice = formats.serialize(name, formats.get_format(name).parse(once))
    assert twice == once or name == "xlsx"  # xlsx bytes carry a timestamp
    assert formats.get_format(name).parse(twice) == samples()


@pytest.mark.parametrize("filename, content, expected", [
    ("IU01.yaml", b"format: lms-question-bank/1\n", "native"),
    ("bank.yml", b"questions: []\n", "native"),
    ("bank.gift", b"::a::Q {T}\n", "gift"),
    ("bank.txt", b"::a::Q {T}\n", "gift"),
    ("bank.txt", "Câu hỏi?\nA. Một\nB) Hai\nANSWER: A\n".encode(), "aiken"),
    ("bank.txt", b"format: lms-question-bank/1\nquestions: []\n", "native"),
    ("quiz.xml", b"<quiz/>", "moodlexml"),
    ("export", b"<?xml version='1.0'?><quiz/>", "moodlexml"),
    ("bank.xlsx", b"PK\x03\x04", "xlsx"),
])
def test_format_is_detected_by_extension_and_content(filename, content, expected):
    assert detect_format(filename, content) == expected


def test_unknown_extension_is_refused():
    with pytest.raises(FormatError):
        detect_format("bank.docx", b"...")


def test_parse_file_reads_each_format():
    assert [q.type for q in parse_file("a.txt", "Câu?\nA) x\nB) y\nANSWER: B\n")] == ["single_choice"]
    assert parse_file("a.gift", "Hà Nội là thủ đô. {T}", default_module="IU01")[0].module == "IU01"


@pytest.mark.parametrize("name, location", [("gift", "line"), ("native", "line"), ("aiken", "line"), ("moodlexml", "element"),
                                            ("xlsx", "row")])
def test_too_large_a_file_is_refused_with_a_location(name, location, monkeypatch):
    monkeypatch.setattr("lms.questionbank.formats.common.MAX_FILE_BYTES", 100)
    with pytest.raises(FormatError, match="quá lớn") as error:
        formats.get_format(name).parse(b"x" * 101)
    assert getattr(error.value, location) is not None


def test_too_many_questions_are_refused(monkeypatch):
    monkeypatch.setattr("lms.questionbank.formats.common.MAX_QUESTIONS", 2)
    with pytest.raises(FormatError, match="quá nhiều") as error:
        formats.get_format("gift").parse("A {T}\n\nB {F}\n\nC {T}\n")
    assert error.value.line == 5
    assert MAX_QUESTIONS == 20_000
