"""Flask extensions, created unbound and attached in create_app with init_app."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so that migrations can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every table has an integer surrogate key `id`, declared here once."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _client_address():
    from flask import request

    return request.remote_addr or "unknown"


# Rate limits on public endpoints (certificate verification); storage from
# RATELIMIT_STORAGE_URI: Redis when LMS_REDIS_URL is set, else this process's memory.
limiter = Limiter(key_func=_client_address, default_limits=[])
