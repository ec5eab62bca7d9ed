import pytest
from sqlalchemy import select, text

from lms.auth.models import User
from lms.config import ConfigError, build_config


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        build_config()
    monkeypatch.setenv("LMS_SECRET_KEY", "a-real-secret-from-the-vault")
    config = build_config()
    assert config["SESSION_COOKIE_SECURE"] is True


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql+psycopg://lms@db.internal/lms")
    assert build_config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://lms@db.internal/lms"


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_create_admin_applies_the_password_policy(runner, db):
    weak = runner.invoke(args=["users", "create-admin", "--username", "quantri", "--password", "12345678"])
    assert weak.exit_code != 0 and "phổ biến" in weak.output
    ok = runner.invoke(args=["users", "create-admin", "--username", "quantri", "--password", "Quan-tri-Ha-Noi-2026"])
    assert ok.exit_code == 0, ok.output
    user = db.session.execute(select(User).where(User.username == "quantri")).scalar_one()
    assert user.has_role("admin") and user.password_hash.startswith("$argon2id$")


def test_no_account_exists_without_demo_data(db):
    assert db.session.execute(select(User)).first() is None


def test_demo_seed_if_empty_is_idempotent(runner, db):
    first = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "admin, hr" in first.output
    second = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "bỏ qua" in second.output
