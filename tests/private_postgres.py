"""A PostgreSQL database of one's own on a shared server: for a test run (conftest.py) or a benchmark run (bench/)."""
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def private_postgres_database(base_url, prefix):
    """Creates an empty database, `prefix` and a random suffix, on the server of `base_url`: (its URL, a function that drops it)."""
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()

    def drop():
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop
