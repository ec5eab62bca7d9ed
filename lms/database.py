"""Database engine tuning: SQLite pragmas, BEGIN IMMEDIATE for writing requests, and a
fair queue for SQLite writers.

SQLite in WAL mode lets readers run beside one writer. A transaction that reads and
then writes must take the write lock up front (BEGIN IMMEDIATE); otherwise two such
transactions deadlock on the upgrade and one fails at once, bypassing busy_timeout.

SQLite's own busy handler makes a waiting writer sleep (up to 100 ms a try) even when the
lock has just been freed, so under a burst of writes from several worker processes most
of the time is spent asleep. Writers therefore queue on an flock() of a side file first:
the kernel wakes the next one the moment the current one commits or rolls back.
"""
import fcntl
import os
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


class WriterQueue:
    """An exclusive flock() per writing transaction, held from BEGIN to COMMIT/ROLLBACK.

    Keyed by the driver connection, so that every way a transaction can end (commit,
    rollback, the pool's reset on return, invalidation, close) releases it.
    """

    def __init__(self, path):
        self.path = path
        self._held = {}

    @staticmethod
    def _key(connection):
        return id(getattr(connection, "dbapi_connection", None) or connection)

    def acquire(self, connection):
        key = self._key(connection)
        if key in self._held:
            return
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except BaseException:
            os.close(descriptor)
            raise
        self._held[key] = descriptor

    def release(self, connection):
        descriptor = self._held.pop(self._key(connection), None)
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)

    def holds(self, connection):
        return self._key(connection) in self._held


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_engine(engine: Engine, lock_timeout_seconds=15):
    if engine.dialect.name != "sqlite":
        return
    file_backed = engine.url.database not in (None, "", ":memory:") and not engine.url.database.startswith("file::memory:")
    queue = WriterQueue(engine.url.database + "-writers.lock") if file_backed else None
    engine.lms_writer_queue = queue

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only, so ilike (lower(x) LIKE lower(y)) would not match
        # "đỗ" with "ĐỖ"; Python's folds every Vietnamese letter, as PostgreSQL's does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout_seconds * 1000)}")
        if file_backed:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _begin_immediate.get():
            connection.exec_driver_sql("BEGIN")
            return
        if queue is not None:
            queue.acquire(connection.connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queue is not None:
                queue.release(connection.connection)
            raise

    if queue is None:
        return
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection):
        try:
            commit(dbapi_connection)
        finally:
            queue.release(dbapi_connection)

    def do_rollback(dbapi_connection):
        try:
            rollback(dbapi_connection)
        finally:
            queue.release(dbapi_connection)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_connection, _record, _exception):
        queue.release(dbapi_connection)

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection, _record):
        queue.release(dbapi_connection)


# --- Moving between reading and writing inside a request ------------------------------------
# The areas call these instead of handling SQLite's write lock themselves.


def restart_as_writer(session):
    """End the current transaction (a read) and make the next ones writers: on SQLite the
    next BEGIN takes the write lock, so a read-then-write cannot deadlock on the upgrade."""
    session.rollback()
    begin_immediate(True)


def commit_keeping_state(session, then_write):
    """Commit now without expiring what was loaded (it is what was just committed), and let
    the next transaction of the request write (`then_write`) or only read: a page that
    goes on rendering must not hold SQLite's write lock or PostgreSQL's row locks."""
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    begin_immediate(then_write)
