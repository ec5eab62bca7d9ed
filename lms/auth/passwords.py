"""Password hashing (argon2id) and the password policy."""
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from lms.text import nfc

MIN_LENGTH = 8
_hasher = PasswordHasher()
# Verified against when the username is unknown, so that timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("không-có-tài-khoản-này")
# The stored hash of an account without a password yet (provisioned, waiting for its owner to
# activate it): no argon2 hash starts with "!", so no password ever matches it.
NO_PASSWORD = "!"


def hash_password(password):
    return _hasher.hash(nfc(password))


def has_usable_password(password_hash):
    return bool(password_hash) and not password_hash.startswith(NO_PASSWORD)


def verify_password(password_hash, password):
    """Whether `password` matches; an unknown account (None) or one without a password does
    the same work and never matches (the dummy hash stands in for it)."""
    usable = has_usable_password(password_hash)
    try:
        matched = _hasher.verify(password_hash if usable else _DUMMY_HASH, nfc(password))
    except (VerificationError, InvalidHashError):
        return False
    return matched and usable


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def common_passwords():
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def policy_errors(password, username=""):
    """Reasons the password is refused (empty when it is acceptable)."""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(_l("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords():
        errors.append(_l("Mật khẩu này quá phổ biến, hãy chọn mật khẩu khác."))
    if username and len(username) >= 3 and username.lower() in lowered:
        errors.append(_l("Mật khẩu không được chứa tên đăng nhập."))
    if len(set(password)) < 4:
        errors.append(_l("Mật khẩu có quá ít ký tự khác nhau."))
    return errors
