"""SQLite writers queue on a lock file from BEGIN IMMEDIATE to the end of their transaction."""
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from lms.database import configure_engine, immediate_transactions


@pytest.fixture()
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    configure_engine(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def _increment(engine, pause=0.0):
    with immediate_transactions(), engine.connect() as connection:
        with connection.begin():
            value = connection.execute(text("SELECT n FROM counter")).scalar_one()
            time.sleep(pause)  # a read, then a write: safe only because BEGIN took the lock
            connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})


def test_concurrent_read_then_write_transactions_never_lose_an_update(engine):
    threads = [threading.Thread(target=_increment, args=(engine, 0.002)) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 16


@pytest.mark.parametrize("ending", ["commit", "rollback", "error", "close"])
def test_the_queue_is_released_however_the_transaction_ends(engine, ending):
    queue = engine.lms_writer_queue
    with immediate_transactions():
        connection = engine.connect()
        transaction = connection.begin()
        assert queue.holds(connection.connection)
        if ending == "commit":
            transaction.commit()
        elif ending == "rollback":
            transaction.rollback()
        elif ending == "error":
            with pytest.raises(Exception):
                connection.execute(text("INSERT INTO missing_table VALUES (1)"))
            transaction.rollback()
        held_after = queue.holds(connection.connection)
        connection.close()
    assert not held_after or ending == "close"
    assert queue._held == {}
    _increment(engine)  # the next writer is not blocked


def test_reads_do_not_queue(engine):
    queue = engine.lms_writer_queue
    with engine.connect() as connection:
        with connection.begin():
            connection.execute(text("SELECT n FROM counter"))
            assert not queue.holds(connection.connection)
