"""Bulk writes for the generated population: ids handed out in Python (so that rows can point at
each other before any is inserted), executemany INSERTs in chunks, and the certificate
register's counters advanced by a whole batch at once. Flushes nothing through the ORM."""
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.certificates.models import CertificateCounter
from lms.extensions import db

CHUNK = 5000  # rows per INSERT statement: large enough to be fast, small enough for any driver


class GenerationError(Exception):
    """Arguments the generator cannot honour, or a database it cannot continue; shown as is."""


class IdAllocator:
    """Primary keys for rows about to be inserted, valid for the current transaction.

    PostgreSQL: taken from the table's own sequence (so that later ORM inserts never collide),
    a thousand at a time. SQLite: counted on from max(id), which is what SQLite itself would
    give; the writing transaction holds the database's write lock, so nobody else takes them."""

    def __init__(self):
        self.postgres = db.session.get_bind().dialect.name == "postgresql"
        self._next = {}  # SQLite: table name -> next id
        self._spare = {}  # PostgreSQL: table name -> ids fetched, not yet handed out

    def take(self, table, count):
        if count <= 0:
            return []
        if self.postgres:
            spare = self._spare.setdefault(table.name, [])
            if len(spare) < count:
                wanted = max(count - len(spare), 1000)
                spare.extend(db.session.execute(
                    text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                    {"table": table.name, "count": wanted}).scalars())
            taken, self._spare[table.name] = spare[:count], spare[count:]
            return taken
        start = self._next.get(table.name)
        if start is None:
            start = db.session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
        self._next[table.name] = start + count
        return list(range(start, start + count))

    def one(self, table):
        return self.take(table, 1)[0]


def insert_rows(table, rows):
    """executemany INSERT of `rows` (dicts with the same keys) in chunks; how many."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])
    return len(rows)


def reserve_numbers(name, count):
    """`count` consecutive values of a certificate counter (lms.certificates.numbering), as
    next_value would hand them out one by one: the counter row is locked by the UPDATE until
    the batch commits, and a rollback gives the numbers back."""
    if count <= 0:
        return []
    dialect = db.session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(make_insert(CertificateCounter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    last = db.session.execute(update(CertificateCounter).where(CertificateCounter.name == name)
                              .values(value=CertificateCounter.value + count).returning(CertificateCounter.value)).scalar_one()
    return list(range(last - count + 1, last + 1))
