from datetime import date

import pytest

from lms.auth.passwords import hash_password, policy_errors, verify_password
from lms.tabular import fold, parse_date


@pytest.mark.parametrize(
    "password, username, acceptable",
    [
        ("Demo@2017", "admin", True),
        ("Hoc-tin-hoc-2026", "learner", True),
        ("short1!", "", False),
        ("12345678", "", False),
        ("matkhau123", "", False),
        ("P@ssw0rd", "", False),
        ("nguyenvana-2026", "nguyenvana", False),
        ("aaaaaaaaaaaa", "", False),
    ],
)
def test_password_policy(app, password, username, acceptable):
    with app.test_request_context():
        assert (not policy_errors(password, username)) is acceptable


def test_argon2_hash_verifies_nfc_and_nfd_alike():
    stored = hash_password("Mật-khẩu-2026")
    assert stored.startswith("$argon2id$")
    import unicodedata

    assert verify_password(stored, unicodedata.normalize("NFD", "Mật-khẩu-2026"))
    assert not verify_password(stored, "Mat-khau-2026")
    assert not verify_password(None, "anything")


@pytest.mark.parametrize(
    "value, expected",
    [("12/05/1988", date(1988, 5, 12)), ("1988-05-12", date(1988, 5, 12)), ("12.05.1988", date(1988, 5, 12)), ("", None), (date(2000, 1, 2), date(2000, 1, 2))],
)
def test_parse_date_accepts_vietnamese_and_iso(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value, reason",
    [
        ("31/02/1990", "ngày «31/02/1990» không có thật: tháng 2/1990 chỉ có 28 ngày"),
        ("29/02/1900", "ngày «29/02/1900» không có thật: tháng 2/1900 chỉ có 28 ngày"),  # 1900 is not a leap year
        ("31.04.2001", "ngày «31.04.2001» không có thật: tháng 4/2001 chỉ có 30 ngày"),
        ("2001-06-31", "ngày «2001-06-31» không có thật: tháng 6/2001 chỉ có 30 ngày"),
        ("12/13/1990", "ngày «12/13/1990» không có thật: không có tháng 13"),
        ("00/05/1990", "ngày «00/05/1990» không có thật"),
    ],
)
def test_parse_date_names_a_day_that_does_not_exist(value, reason):
    with pytest.raises(ValueError) as refused:
        parse_date(value)
    assert str(refused.value) == reason


@pytest.mark.parametrize("value", ["1990/13/01", "mười hai", "12/05-1988", "12/05/88"])
def test_parse_date_refuses_other_forms_as_a_format_error(value):
    with pytest.raises(ValueError, match="không đúng dạng dd/mm/yyyy"):
        parse_date(value)


def test_parse_date_accepts_the_29th_of_february_of_a_leap_year():
    assert parse_date("29/02/2000") == date(2000, 2, 29) and parse_date("1-5-1988") == date(1988, 5, 1)


def test_fold_matches_headers_without_diacritics():
    assert fold("Họ và tên") == fold("HO VA TEN") == "ho va ten"
    assert fold("Số CCCD/CMND") == "so cccd cmnd"
    assert fold("Đơn vị") == "don vi"
