"""Database engine tuning: SQLite pragmas and BEGIN IMMEDIATE for writing requests.

SQLite in WAL mode lets readers run beside one writer. A transaction that reads and
then writes must take the write lock up front (BEGIN IMMEDIATE); otherwise two such
transactions deadlock on the upgrade and one fails at once, bypassing busy_timeout.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

_begin_immediate = ContextVar("sqlite_begin_immediate", default=False)


def begin_immediate(enabled=True):
    """Make the next SQLite transactions in this context take the write lock at BEGIN."""
    return _begin_immediate.set(enabled)


@contextmanager
def immediate_transactions():
    token = _begin_immediate.set(True)
    try:
        yield
    finally:
        _begin_immediate.reset(token)


def configure_engine(engine: Engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")
