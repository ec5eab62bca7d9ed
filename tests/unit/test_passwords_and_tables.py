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


@pytest.mark.parametrize("value", ["31/02/1990", "1990/13/01", "mười hai"])
def test_parse_date_rejects_impossible_dates(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_fold_matches_headers_without_diacritics():
    assert fold("Họ và tên") == fold("HO VA TEN") == "ho va ten"
    assert fold("Số CCCD/CMND") == "so cccd cmnd"
    assert fold("Đơn vị") == "don vi"
