"""Activation codes and reset tokens: generated at random, stored only as a keyed hash. Pure Python.

An activation code is typed by hand from a slip or an e-mail: 10 characters of Crockford's
base32 (no I, L, O, U), shown in two groups of five (``K7QX2-M9PZ4``). Typing is forgiving:
case, spaces and dashes are ignored, O reads as 0 and I or L as 1. That is 50 random bits,
far beyond what an online guesser gets through the sign-in throttling during the code's life.

Codes and tokens are hashed with HMAC-SHA256 under the application's secret rather than with
argon2 like passwords: they are random (no dictionary to try) and short-lived, so a slow hash
would protect nothing and would make provisioning 500 people cost minutes instead of
milliseconds; the key means a copy of the database alone cannot check a guess offline.
"""
import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 10
GROUP = 5
# What people type for what they read.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh activation code, ungrouped (``K7QX2M9PZ4``)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """The code as printed and e-mailed: ``K7QX2-M9PZ4``."""
    return "-".join(code[start:start + GROUP] for start in range(0, len(code), GROUP))


def normalised(typed: str) -> str:
    """What was typed, as the code it means: upper case, no separators, look-alikes mapped;
    '' when it cannot be a code (wrong length or a letter outside the alphabet)."""
    text = "".join((typed or "").split()).replace("-", "").upper().translate(_READS_AS)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def new_token() -> str:
    """A reset token for a link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the app's secret, bound to its purpose (a code never
    matches as a reset token): 64 hex characters."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same_hash(stored: str, candidate: str) -> bool:
    return hmac.compare_digest(stored, candidate)
