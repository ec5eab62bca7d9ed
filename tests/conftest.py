"""Shared fixtures. The suite runs on SQLite by default, on PostgreSQL when
LMS_TEST_DATABASE_URL is set; on PostgreSQL each run gets a database of its own,
so that several runs may share one server."""
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from private_postgres import private_postgres_database
from request_isolation import IsolatedClient
from sqlalchemy import text

from lms import create_app
from lms.extensions import db as _db

DEMO_PASSWORD = "Demo@2017"


@contextmanager
def _own_database(sqlite_path):
    """A private database on PostgreSQL when LMS_TEST_DATABASE_URL is set, else a SQLite file."""
    base = os.environ.get("LMS_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_path}"
        return
    url, drop = private_postgres_database(base, prefix="lms_test")
    try:
        yield url
    finally:
        drop()


@pytest.fixture()
def empty_database_url(tmp_path):
    """A database of its own, empty, on the same kind of server as the suite's."""
    with _own_database(tmp_path / "empty.sqlite3") as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with _own_database(tmp_path_factory.mktemp("db") / "test.sqlite3") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "SESSION_COOKIE_SECURE": False,
            # One development CA for the whole run; jobs at once; mail to a folder of the run.
            "SIGNING_DIR": str(tmp_path_factory.mktemp("signing")),
            "OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
            "JOBS_MODE": "eager",
            "VERIFY_RATE_LIMIT": "10000 per minute",
            "PUBLIC_URL": "http://lms.test",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _clear_tables():
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(scope="session")
def clear_tables():
    """Empties every table: for fixtures that seed once per module (tests/report_support.py);
    a fixture, since `from conftest import` finds tests/browser/conftest.py in a whole run."""
    return _clear_tables


@pytest.fixture()
def db(app):
    """An app context over empty tables holding the shipped catalogues."""
    from lms.catalogue.loader import load_catalogues

    with app.app_context():
        _clear_tables()
        load_catalogues()
        _db.session.commit()
        yield _db
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def demo(db):
    """The demo data: Hanoi 2016 units, staff, and the four demo accounts."""
    from lms.demo import seed

    seed.seed_units_staff_accounts()
    _db.session.commit()
    return seed


class Auth:
    def __init__(self, client):
        self.client = client

    def csrf_token(self, path="/login"):
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username, password=DEMO_PASSWORD):
        token = self.csrf_token("/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = self.csrf_token("/account/password")
        return self.client.post("/logout", data={"csrf_token": token})

    def switch_language(self, code, page="/login"):
        """Choose the interface language with the switch on `page`, which it returns to."""
        token = self.csrf_token(page)
        return self.client.post(f"/language/{code}", data={"csrf_token": token, "next": page})

    def post(self, path, data=None, token_page=None, **kwargs):
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(token_page or path)
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture()
def auth(client):
    return Auth(client)


@pytest.fixture()
def compiled():
    """Skips a test of the English interface when the catalogue is not compiled
    (`make translations`, which `make test` runs first)."""
    if not (Path(__file__).resolve().parents[1] / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.mo").exists():
        pytest.skip("run `make translations` first")


@pytest.fixture(autouse=True)
def _sqlite_reads_by_default():
    """A test that drives the exam loader directly (not through a request) may leave SQLite's
    next transactions set to take the write lock; each test starts with reads that do not."""
    yield
    from lms.database import begin_immediate

    begin_immediate(False)
