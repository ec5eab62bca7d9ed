"""Configuration: embedded defaults, overridden by LMS_* environment variables."""
import os
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DEFAULT_SECRET = "dev-only-secret-change-me"


class ConfigError(RuntimeError):
    """Raised when the app is started in production with an unsafe configuration."""


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def build_config(overrides=None):
    """Return the configuration mapping for create_app."""
    production = os.environ.get("LMS_ENV", "development") == "production"
    config = {
        "LMS_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("LMS_SECRET_KEY", DEFAULT_SECRET),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "LMS_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How long a statement waits for a lock another transaction holds (SQLite's busy
        # timeout, PostgreSQL's lock_timeout) before the request is answered 503, to retry.
        "DATABASE_LOCK_TIMEOUT_SECONDS": float(os.environ.get("LMS_DATABASE_LOCK_TIMEOUT_SECONDS", "15")),
        "UPLOAD_DIR": os.environ.get("LMS_UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto it believes; 0 trusts
        # none, so a client cannot claim another address (network allow-lists, throttling).
        "TRUSTED_PROXIES": int(os.environ.get("LMS_TRUSTED_PROXIES", "0")),
        # Sessions: server-side records (auth.models.UserSession) back the cookie.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("LMS_SESSION_HOURS", "8"))),
        "SESSION_COOKIE_NAME": "lms_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("LMS_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": {"vi": "Tiếng Việt", "en": "English"},
        # Login throttling (see auth.throttling): failures are remembered for the window; past
        # a few free ones each further failure doubles the wait (1 s, 2 s, 4 s …) up to a cap.
        "LOGIN_FAILURE_WINDOW_SECONDS": 60 * 60,
        "LOGIN_BACKOFF_BASE_SECONDS": 1,
        "LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS": 3,
        "LOGIN_MAX_DELAY_ACCOUNT_ADDRESS_SECONDS": 5 * 60,
        # An exam room of 40 shares one address: only password spraying reaches this.
        "LOGIN_FREE_FAILURES_PER_ADDRESS": 200,
        "LOGIN_MAX_DELAY_ADDRESS_SECONDS": 5 * 60,
        # One account from several addresses (a distributed attack): a short cap only, so that
        # an attacker elsewhere never keeps the owner out for long.
        "LOGIN_ACCOUNT_MIN_ADDRESSES": 3,
        "LOGIN_FREE_FAILURES_PER_ACCOUNT": 10,
        "LOGIN_MAX_DELAY_ACCOUNT_SECONDS": 30,
        "IMPORT_MAX_ROWS": 50_000,
        # Accounts of imported staff (lms.auth.provisioning): the username is the ID number, or the
        # e-mail address (falling back to the ID number when it is missing or taken); the one-time
        # activation code lasts two weeks, an e-mailed reset link two hours.
        "USERNAME_FROM": os.environ.get("LMS_USERNAME_FROM", "id_number"),
        "ACTIVATION_CODE_DAYS": int(os.environ.get("LMS_ACTIVATION_CODE_DAYS", "14")),
        "PASSWORD_RESET_HOURS": int(os.environ.get("LMS_PASSWORD_RESET_HOURS", "2")),
        "PROVISION_ON_IMPORT": _bool("LMS_PROVISION_ON_IMPORT", False),
        # Question bank: may an author approve their own question; largest image accepted.
        "QUESTION_SELF_APPROVAL": _bool("LMS_QUESTION_SELF_APPROVAL", False),
        "QUESTION_IMAGE_MAX_BYTES": int(os.environ.get("LMS_QUESTION_IMAGE_MAX_KB", "2048")) * 1024,
        # Certificates: the issuing body as printed, and the keys it signs with. Without
        # LMS_SIGNING_KEY/CERT a development CA is created under instance/signing/.
        "CERT_ISSUING_BODY": os.environ.get("LMS_CERT_ISSUING_BODY", "TRƯỜNG ĐÀO TẠO CÁN BỘ LÊ HỒNG PHONG THÀNH PHỐ HÀ NỘI"),
        "CERT_ISSUE_PLACE": os.environ.get("LMS_CERT_ISSUE_PLACE", "Hà Nội"),
        "CERT_SIGNER_TITLE": os.environ.get("LMS_CERT_SIGNER_TITLE", "HIỆU TRƯỞNG"),
        "CERT_SIGNER_NAME": os.environ.get("LMS_CERT_SIGNER_NAME", "Trần Minh Đức"),
        "SIGNING_KEY": os.environ.get("LMS_SIGNING_KEY", ""),
        "SIGNING_CERT": os.environ.get("LMS_SIGNING_CERT", ""),
        "SIGNING_CHAIN": os.environ.get("LMS_SIGNING_CHAIN", ""),  # PEM paths separated by ':'
        "SIGNING_KEY_PASSPHRASE": os.environ.get("LMS_SIGNING_KEY_PASSPHRASE", ""),
        "SIGNING_TRUST_ROOTS": os.environ.get("LMS_SIGNING_TRUST_ROOTS", ""),  # PEM paths a verifier trusts
        "TSA_URL": os.environ.get("LMS_TSA_URL", ""),
        "CREDENTIAL_KEY": os.environ.get("LMS_CREDENTIAL_KEY", ""),  # Ed25519 PEM for Open Badges credentials
        "SIGNING_DIR": os.environ.get("LMS_SIGNING_DIR", str(INSTANCE_DIR / "signing")),
        # The address printed on certificates and in e-mails (the verification link).
        "PUBLIC_URL": os.environ.get("LMS_PUBLIC_URL", "http://127.0.0.1:5000"),
        "VERIFY_RATE_LIMIT": os.environ.get("LMS_VERIFY_RATE_LIMIT", "30 per minute"),
        "VERIFY_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
        # Rate limits kept in Redis when LMS_REDIS_URL is set, else in this process.
        "RATELIMIT_STORAGE_URI": os.environ.get("LMS_REDIS_URL", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Jobs: "thread" runs them in this process in the background; "eager" at once (tests).
        "JOBS_MODE": os.environ.get("LMS_JOBS_MODE", "thread"),
        # E-mail: SMTP when LMS_SMTP_HOST is set, else .eml files in instance/outbox.
        "SMTP_HOST": os.environ.get("LMS_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("LMS_SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("LMS_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("LMS_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("LMS_SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("LMS_MAIL_FROM", "LMS Hà Nội <no-reply@lms.hanoi.local>"),
        "OUTBOX_DIR": os.environ.get("LMS_OUTBOX_DIR", str(INSTANCE_DIR / "outbox")),
        # Notifications: remind the staff who have not finished a course this many days before its deadline.
        "REMINDER_DAYS": int(os.environ.get("LMS_REMINDER_DAYS", "3")),
    }
    if overrides:
        config.update(overrides)
    if not 0 <= config["REMINDER_DAYS"] <= 60:
        raise ConfigError(f"LMS_REMINDER_DAYS phải từ 0 đến 60 ngày, không phải {config['REMINDER_DAYS']}")
    lock_timeout = config["DATABASE_LOCK_TIMEOUT_SECONDS"]
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": lock_timeout}}
    elif config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "options": f"-c lock_timeout={round(lock_timeout * 1000)}"}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if production and config["SECRET_KEY"] in (None, "", DEFAULT_SECRET):
        raise ConfigError("LMS_ENV=production cần LMS_SECRET_KEY riêng (refusing to start with the default secret)")
    if config["USERNAME_FROM"] not in ("id_number", "email"):
        raise ConfigError(f"LMS_USERNAME_FROM phải là id_number hoặc email, không phải {config['USERNAME_FROM']!r}")
    return config
