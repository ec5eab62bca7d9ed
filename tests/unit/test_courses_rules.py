"""Pure rules of the courses area: order by syllabus code, lesson files, reading-time credit."""
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import MultiDict

from lms.courses.rules import (
    HEARTBEAT_MAX_SECONDS,
    LessonFileError,
    clamp_position,
    credit_seconds,
    lesson_headings,
    parse_lesson_file,
    safe_filename,
    slugify,
    syllabus_sort_key,
    topic_of,
    under_topic,
)
from lms.questionbank.types import get_type

T0 = datetime(2017, 9, 1, 8, 0, tzinfo=timezone.utc)

LESSON = """---
code: IU04.3.1
slug: cong-thuc-va-ham
title: Công thức và hàm
minutes: 25
attachments:
  - IU04-bang-luong-thang.xlsx
---

## Giải thích
![Lưới ô](images/dia-chi-o.svg) và ![lại](images/dia-chi-o.svg), ![biểu đồ]( images/bieu-do.svg)
"""


def test_syllabus_codes_sort_by_number_not_by_text():
    codes = ["IU04.3.10", "IU04.3.2", "IU04.10", "IU04.3", "IU04.2.1"]
    assert sorted(codes, key=syllabus_sort_key) == ["IU04.2.1", "IU04.3", "IU04.3.2", "IU04.3.10", "IU04.10"]


def test_topic_of_a_code_and_membership():
    assert topic_of("IU04.3.1") == "IU04.3"
    assert topic_of("IU04.3") == "IU04.3"
    assert under_topic("IU04.3.1", "IU04.3") and under_topic("IU04.3", "IU04.3")
    assert not under_topic("IU04.31.1", "IU04.3")


def test_slugify_drops_vietnamese_diacritics():
    assert slugify("Định dạng văn bản – đoạn, ký tự") == "dinh-dang-van-ban-doan-ky-tu"
    assert slugify("  Hàm IF, AND  ") == "ham-if-and"


@pytest.mark.parametrize("name, expected", [
    ("bieu-do.svg", "bieu-do.svg"),
    ("C:\\Users\\a\\bang_luong.xlsx", "bang_luong.xlsx"),
    ("../../etc/passwd", "passwd"),
    ("có dấu.png", None),
    ("a b.png", None),
    (".htaccess", None),
    ("", None),
])
def test_safe_filename_keeps_plain_names_only(name, expected):
    assert safe_filename(name) == expected


def test_a_heartbeat_never_credits_more_than_a_beat_or_the_time_elapsed():
    assert credit_seconds(T0, T0 + timedelta(seconds=30), 30) == 30
    assert credit_seconds(T0, T0 + timedelta(hours=2), 3600) == HEARTBEAT_MAX_SECONDS
    assert credit_seconds(T0, T0 + timedelta(seconds=5), 30) == 5
    assert credit_seconds(T0, T0 + timedelta(seconds=30), -20) == 0
    assert credit_seconds(T0, T0 + timedelta(seconds=30), "nhiều") == 0
    assert credit_seconds(T0 + timedelta(seconds=30), T0, 30) == 0  # a clock that went backwards


def test_scroll_position_is_clamped_to_a_percentage():
    assert [clamp_position(v) for v in (-5, 40, 250, "abc", None)] == [0, 40, 100, 0, 0]


def test_a_lesson_file_is_parsed_with_its_front_matter_in_nfc():
    decomposed = unicodedata.normalize("NFD", LESSON)
    lesson = parse_lesson_file(decomposed, "IU04/03.md")
    assert (lesson.code, lesson.slug, lesson.minutes) == ("IU04.3.1", "cong-thuc-va-ham", 25)
    assert lesson.title == unicodedata.normalize("NFC", "Công thức và hàm")
    assert lesson.attachments == ["IU04-bang-luong-thang.xlsx"]
    assert lesson.body.startswith("## Giải thích") and unicodedata.is_normalized("NFC", lesson.body)
    assert lesson.image_names == ["dia-chi-o.svg", "bieu-do.svg"]
    assert lesson.source_hash == parse_lesson_file(LESSON).source_hash


@pytest.mark.parametrize("text, message", [
    ("## Không có phần đầu\n", "thiếu phần đầu"),
    ("---\ncode: IU04.3.1\ntitle: A\n---\nx", "thiếu slug"),
    ("---\ncode: IU04.3.1\nslug: Có Dấu\ntitle: A\n---\nx", "slug"),
    ("---\ncode: [IU04\n---\nx", "YAML không hợp lệ"),
    ("---\ncode: IU04.3.1\nslug: a\ntitle: A\nminutes: lâu\n---\nx", "minutes"),
])
def test_a_broken_lesson_file_is_refused_with_its_name(text, message):
    with pytest.raises(LessonFileError) as error:
        parse_lesson_file(text, "IU04/09-loi.md")
    assert "IU04/09-loi.md" in str(error.value) and message in str(error.value)


def test_posted_practice_answers_take_the_question_bank_response_shapes():
    form = MultiDict([("choice", "2"), ("choices", "0"), ("choices", "3"), ("value", "true"), ("text", "Ctrl+S"),
                      ("pair-0", "2"), ("pair-1", "0"), ("csrf_token", "x")])
    assert get_type("single_choice").form_response(form) == {"choice": "2"}
    assert get_type("multiple_response").form_response(form) == {"choices": ["0", "3"]}
    assert get_type("true_false").form_response(form) == {"value": "true"}
    assert get_type("short_answer").form_response(form) == {"text": "Ctrl+S"}
    assert get_type("matching").form_response(form) == {"pairs": {"0": "2", "1": "0"}}
    assert get_type("practical").form_response(form) == {}


def test_lesson_headings_start_at_h3_outside_code_fences():
    source = "# Một\n## Hai\n### Ba\n###### Sáu\n#không phải tiêu đề\n```\n## trong mã\n```\n    ## thụt lề"
    assert lesson_headings(source).split("\n") == [
        "### Một", "### Hai", "#### Ba", "###### Sáu", "#không phải tiêu đề", "```", "## trong mã", "```", "    ## thụt lề",
    ]
