"""Numbers handed out in order, without a gap or a duplicate even when many certificates are
issued at the same moment: one row per counter, incremented by a single UPDATE … RETURNING
inside the issuing transaction. The UPDATE takes the row's lock, so concurrent issuers wait
for each other; a rollback returns the number."""
import secrets
from base64 import b32encode

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from lms.certificates.models import CertificateCounter
from lms.extensions import db

CODE_BYTES = 15  # 120 random bits, 24 characters of base32


def next_value(name: str) -> int:
    increment = (update(CertificateCounter).where(CertificateCounter.name == name).values(value=CertificateCounter.value + 1)
                 .returning(CertificateCounter.value))
    value = db.session.execute(increment).scalar_one_or_none()
    if value is None:  # the counter's first use (a new year): create it, then take its first number
        _ensure_counter(name)
        value = db.session.execute(increment).scalar_one()
    return value


def _ensure_counter(name):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(CertificateCounter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))


def register_counter(year: int) -> str:
    return f"register:{year}"


STATUS_LIST_COUNTER = "status-list"


def verification_code() -> str:
    """A random code for /verify/<code>: 120 bits, never derived from an id or an ID number."""
    return b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
