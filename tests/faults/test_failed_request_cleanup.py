"""A request that fails in the middle of its transaction (an exception after a flush, a flush
that fails, a refusal) leaves the next request on the same worker healthy: it gets the same
database connection back, sees none of the failed request's rows, and meets no "transaction
is inactive" error; on SQLite the writers' queue is free again."""
import fcntl
import os

import pytest
from flask import abort, jsonify
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import CertificateCounter
from lms.extensions import csrf, db

PREFIX = "fault-"


def _add(name):
    db.session.add(CertificateCounter(name=PREFIX + name, value=1))
    db.session.flush()


def raise_after_a_flush():
    _add("half-written")
    raise RuntimeError("a bug after the flush")


def fail_in_the_flush():
    _add("twice")
    _add("twice")  # the unique name: IntegrityError in the flush, the session's transaction is dead
    return jsonify({"unreachable": True})


def swallow_a_failed_flush():
    """A view that catches the flush's error and goes on with the dead transaction."""
    _add("kept")
    try:
        _add("kept")
    except IntegrityError:
        pass
    _add("after")  # "This Session's transaction has been rolled back due to a previous exception during flush"
    return jsonify({"unreachable": True})


def refuse_after_a_flush():
    _add("refused")
    abort(409)


def write_and_count():
    _add("healthy")
    count = db.session.execute(select(func.count(CertificateCounter.id)).where(CertificateCounter.name.like(PREFIX + "%"))).scalar_one()
    return jsonify({"rows": count})


FAILING = {"raise": raise_after_a_flush, "flush": fail_in_the_flush, "swallow": swallow_a_failed_flush, "refuse": refuse_after_a_flush}


@pytest.fixture(scope="module", autouse=True)
def fault_views(app):
    """The failing views, on the module's app before its first request."""
    for name, view in {**FAILING, "healthy": write_and_count}.items():
        app.add_url_rule(f"/faults/{name}", endpoint=f"faults_{name}", view_func=csrf.exempt(view), methods=["POST"])


@pytest.fixture()
def checkouts(db):
    """The driver connections handed to requests from here on, starting from an empty pool."""
    db.session.remove()
    db.engine.dispose()
    taken = []

    def record(dbapi_connection, _record, _proxy):
        taken.append(id(dbapi_connection))

    event.listen(db.engine, "checkout", record)
    yield taken
    event.remove(db.engine, "checkout", record)


def writers_queue_is_free():
    queue = db.engine.lms_writer_queue
    descriptor = os.open(queue.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


@pytest.mark.parametrize("failure", sorted(FAILING))
@pytest.mark.filterwarnings("ignore:Session's state has been changed on a non-active transaction")  # the swallowing view's
def test_the_next_request_after_a_failure_mid_transaction_is_healthy_and_sees_nothing_of_it(db, client, checkouts, failure):
    failed = client.post(f"/faults/{failure}", headers={"Accept": "application/json"})
    assert failed.status_code == (409 if failure == "refuse" else 500)
    assert failed.mimetype == "application/json"  # the error answer itself, not a traceback page
    if db.engine.dialect.name == "sqlite":
        assert writers_queue_is_free()

    healthy = client.post("/faults/healthy", headers={"Accept": "application/json"})
    assert healthy.status_code == 200, healthy.get_data(as_text=True)
    assert healthy.get_json() == {"rows": 1}  # its own row only
    assert len(checkouts) == 2 and checkouts[0] == checkouts[1]  # the failed request's connection, given back clean
    db.session.rollback()
    names = db.session.execute(select(CertificateCounter.name).where(CertificateCounter.name.like(PREFIX + "%"))).scalars().all()
    assert names == [PREFIX + "healthy"]
