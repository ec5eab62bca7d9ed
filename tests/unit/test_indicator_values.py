"""A reported figure checked against its indicator: percents 0–100, yes/no as 1/0 or có/không,
ratios within their range, counts as whole people up to the unit's staff; text with a decimal
comma; anything else (NaN, infinities, text, booleans for numbers) refused with the reason."""
from decimal import Decimal

import pytest

from lms.catalogue.models import Indicator
from lms.messages import MessageError
from lms.rankings.indicators import plain_number, valid_range, validate_value


def indicator(kind, min_value=None, max_value=None, source="reported"):
    return Indicator(code=f"test_{kind}", name=f"Chỉ tiêu {kind}", kind=kind, source=source, min_value=min_value, max_value=max_value,
                     direction="higher", active=True)


PERCENT, BOOLEAN, COUNT = indicator("percent"), indicator("boolean"), indicator("count")
RATIO = indicator("ratio", 0, 5)

ACCEPTED = [
    (PERCENT, "87,5", None, 87.5),
    (PERCENT, "87.5", None, 87.5),
    (PERCENT, " 87,5 ", None, 87.5),
    (PERCENT, "87,5%", None, 87.5),
    (PERCENT, 87.5, None, 87.5),
    (PERCENT, 0, None, 0.0),
    (PERCENT, "-0", None, 0.0),
    (PERCENT, 100, None, 100.0),
    (PERCENT, Decimal("12.25"), None, 12.25),
    (BOOLEAN, "có", None, 1.0),
    (BOOLEAN, "Có", None, 1.0),
    (BOOLEAN, "không", None, 0.0),
    (BOOLEAN, "KHÔNG", None, 0.0),
    (BOOLEAN, 1, None, 1.0),
    (BOOLEAN, "0", None, 0.0),
    (BOOLEAN, 1.0, None, 1.0),
    (BOOLEAN, True, None, 1.0),
    (RATIO, "1,25", None, 1.25),
    (RATIO, 5, None, 5.0),
    (RATIO, "0", None, 0.0),
    (indicator("ratio", None, 10), -3, None, -3.0),
    (COUNT, 12, 20, 12.0),
    (COUNT, "20", 20, 20.0),
    (COUNT, "7,0", 20, 7.0),
    (COUNT, 0, 0, 0.0),
    (COUNT, 1000, None, 1000.0),  # no staff figure given: no upper bound
]

REFUSED = [
    (PERCENT, "100,01", None, "100,01 nằm ngoài khoảng hợp lệ (từ 0 đến 100)"),
    (PERCENT, -1, None, "-1 nằm ngoài khoảng hợp lệ (từ 0 đến 100)"),
    (PERCENT, "abc", None, "«abc» không phải là số"),
    (PERCENT, "1.234,5", None, "«1.234,5» không phải là số"),
    (PERCENT, "1e2", None, "«1e2» không phải là số"),
    (PERCENT, "nan", None, "«nan» không phải là số"),
    (PERCENT, float("nan"), None, "«nan» không phải là số"),
    (PERCENT, float("inf"), None, "«inf» không phải là số"),
    (PERCENT, "inf", None, "«inf» không phải là số"),
    (PERCENT, Decimal("NaN"), None, "«NaN» không phải là số"),
    (PERCENT, 10**400, None, "không phải là số"),
    (PERCENT, True, None, "«True» không phải là số"),
    (PERCENT, "", None, "không được để trống"),
    (PERCENT, None, None, "không được để trống"),
    (BOOLEAN, 0.5, None, "chỉ nhận 1 (có) hoặc 0 (không), không nhận «0.5»"),
    (BOOLEAN, 2, None, "chỉ nhận 1 (có) hoặc 0 (không), không nhận «2»"),
    (BOOLEAN, "x", None, "không nhận «x»"),
    (RATIO, "5,01", None, "5,01 nằm ngoài khoảng hợp lệ (từ 0 đến 5)"),
    (RATIO, -0.1, None, "-0.1 nằm ngoài khoảng hợp lệ (từ 0 đến 5)"),
    (indicator("ratio", 1, None), 0.5, None, "0.5 nằm ngoài khoảng hợp lệ (từ 1 trở lên)"),
    (indicator("ratio", None, 2), 3, None, "3 nằm ngoài khoảng hợp lệ (không quá 2)"),
    (COUNT, 12.5, 20, "số người phải là số nguyên, không nhận 12.5"),
    (COUNT, 21, 20, "21 nhiều hơn số cán bộ đang công tác của đơn vị (20)"),
    (COUNT, -1, 20, "-1 nằm ngoài khoảng hợp lệ (số nguyên từ 0 đến số cán bộ đang công tác của đơn vị)"),
    (indicator("percent", source="learning"), 50, None, "do hệ thống tính từ kết quả học tập, không nhập tay"),
]


@pytest.mark.parametrize("subject, raw, staff, expected", ACCEPTED)
def test_accepted_values(subject, raw, staff, expected):
    value = validate_value(subject, raw, staff)
    assert value == expected and isinstance(value, float)
    assert str(value) != "-0.0"


@pytest.mark.parametrize("subject, raw, staff, reason", REFUSED)
def test_refused_values_say_why(subject, raw, staff, reason):
    with pytest.raises(MessageError) as refusal:
        validate_value(subject, raw, staff)
    assert reason in str(refusal.value)


def test_refusals_translate_with_their_values():
    english = {"%(value)s nằm ngoài khoảng hợp lệ (%(range)s)": "%(value)s is out of the valid range (%(range)s)",
               "từ %(min)s đến %(max)s": "from %(min)s to %(max)s"}
    with pytest.raises(MessageError) as refusal:
        validate_value(RATIO, "7", None)
    assert refusal.value.translated(lambda text: english.get(text, text)) == "7 is out of the valid range (from 0 to 5)"


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_value(indicator("rank"), 1, None)


@pytest.mark.parametrize("subject, expected", [
    (PERCENT, "từ 0 đến 100"), (indicator("percent", 10, None), "từ 10 đến 100"), (BOOLEAN, "1 (có) hoặc 0 (không)"),
    (RATIO, "từ 0 đến 5"), (indicator("ratio", 0.5, None), "từ 0.5 trở lên"), (indicator("ratio"), "số bất kỳ"),
    (COUNT, "số nguyên từ 0 đến số cán bộ đang công tác của đơn vị"),
])
def test_valid_ranges_as_the_form_and_the_file_state_them(subject, expected):
    assert valid_range(subject) == expected


@pytest.mark.parametrize("value", [87.5, 0.1 + 0.2, 1 / 3, 1e-7, 123456789.125, 100.0, 0.0, 5e20])
def test_a_figure_shown_in_a_form_reads_back_as_the_same_float(value):
    text = plain_number(value)
    assert "e" not in text.lower()
    assert validate_value(indicator("ratio"), text, None) == value
    assert validate_value(indicator("ratio"), text.replace(".", ","), None) == value
