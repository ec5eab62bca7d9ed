"""The fault tests run the app as it is served (TESTING off, errors handled as in production)
with lock waits cut to a second, once on a SQLite file and once more on PostgreSQL when
LMS_TEST_DATABASE_URL is set (a private database). The root fixtures (db, client, auth,
demo) use this `app`; `served_config` configures the servers and worker processes the tests
start."""
import os

import pytest
from private_postgres import private_postgres_database
from request_isolation import IsolatedClient

from lms import create_app
from lms.extensions import db

LOCK_TIMEOUT_SECONDS = 1.0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fault_database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('faults') / 'faults.sqlite3'}"
        return
    base = os.environ.get("LMS_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL: LMS_TEST_DATABASE_URL is not set")
    url, drop = private_postgres_database(base, prefix="lms_faults")
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="module")
def fault_config(fault_database_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("fault-app")
    return {
        "SQLALCHEMY_DATABASE_URI": fault_database_url, "SECRET_KEY": "fault-tests", "SESSION_COOKIE_SECURE": False,
        "UPLOAD_DIR": str(directory / "uploads"), "SIGNING_DIR": str(directory / "signing"), "OUTBOX_DIR": str(directory / "outbox"),
        "JOBS_MODE": "eager", "PUBLIC_URL": "http://lms.test", "DATABASE_LOCK_TIMEOUT_SECONDS": LOCK_TIMEOUT_SECONDS,
    }


@pytest.fixture(scope="module")
def served_config(fault_config):
    """For the servers and worker processes: the production lock wait (concurrent writers wait
    for each other, under a loaded machine too, rather than answer 503)."""
    from lms.config import build_config

    return {**fault_config, "DATABASE_LOCK_TIMEOUT_SECONDS": build_config()["DATABASE_LOCK_TIMEOUT_SECONDS"]}


@pytest.fixture(scope="module")
def app(fault_config):
    app = create_app(fault_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
