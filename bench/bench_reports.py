"""HR competency reports at city scale, each beside the bare SQL it rests on.

    .venv/bin/python -m bench.bench_reports [--staff 120000] [--attempts 1000000] [--repeat 5]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.bench_reports

The population comes from `demo generate` (the same code as the command) into a database kept
between runs, since filling it takes minutes: instance/bench/reports-<staff>-<attempts>.sqlite3,
or the PostgreSQL database lms_bench_reports_<staff>_<attempts> on the server of
LMS_BENCH_DATABASE_URL (--fresh drops it first). The generator is resumable, so a run that was
stopped completes it.

Timed, median of --repeat runs in one process: the city-wide unit report as the page builds it
(rows, module passes, totals, the direct row) beside the very statements it sent replayed on the
driver's cursor (the bare SQL, no SQLAlchemy, no row mapping); a district's drill-down; the first
page of a district's gaps; one official's profile; the XLSX export of every person in the city
(the units export's last sheet, streamed). Then the process's peak RSS.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.extensions import db
from lms.messages import vietnamese
from lms.org.models import Staff, Unit
from lms.reports import gaps, queries, tables
from lms.reports.exports import write_report
from lms.reports.filters import parse_filters
from lms.reports.profile import competency_profile
from lms.scope import Scope

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"city": 1.0, "city_ratio": 1.5, "district": 0.2, "xlsx": 15.0, "rss_mb": 500}


def database_url(args):
    name = f"reports-{args.staff}-{args.attempts}"
    base = os.environ.get("LMS_BENCH_DATABASE_URL")
    if not base:
        directory = ROOT / "instance" / "bench"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.sqlite3"
        if args.fresh and path.exists():
            path.unlink()
        return f"sqlite:///{path}"
    url = make_url(base)
    database = f"lms_bench_{name.replace('-', '_')}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if args.fresh:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).first():
            connection.execute(text(f'CREATE DATABASE "{database}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def fill(app, args):
    from flask_migrate import upgrade

    from lms.database import immediate_transactions
    from lms.demo.generate import generate

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        have = db.session.execute(select(func.count(Staff.id))).scalar_one()
        if have >= args.staff:
            print(f"population: {have} staff already there")
            return
        started = time.perf_counter()
        with immediate_transactions():
            line = generate(args.staff, args.attempts, 2017, 5000,
                            lambda done, _added: print(f"  generated {done}/{args.staff} staff", flush=True))
        print(line)
        print(f"population generated in {time.perf_counter() - started:.0f} s")


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
        db.session.rollback()  # nothing cached in the session between runs
    return statistics.median(times)


class StatementLog:
    """The statements (and their parameters, as sent to the driver) a piece of code executes."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._keep)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._keep)

    def _keep(self, _conn, _cursor, statement, parameters, _context, _many):
        self.statements.append((statement, parameters))


def bare_sql(engine, statements):
    """The statements replayed on the driver's own cursor, every row fetched."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
    finally:
        raw.close()


def city_report(context):
    """What the units page computes (its charts read the same rows)."""
    return tables.units_table(context)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=120_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop the kept database and generate again")
    args = parser.parse_args()
    url = database_url(args)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-reports", "JOBS_MODE": "eager",
                      "OUTBOX_DIR": tempfile.mkdtemp(prefix="bench-outbox-")})
    fill(app, args)
    with app.app_context():
        engine = db.engine
        print(f"database: {engine.dialect.name}; staff {db.session.execute(select(func.count(Staff.id))).scalar_one()}")
        city = Scope.city()
        city_context = queries.build_context(city, parse_filters("units", {}))
        city_report(city_context)  # warm the caches the database keeps, as a served page would find them
        with StatementLog(engine) as log:
            city_report(city_context)
        db.session.rollback()
        page = timed(lambda: city_report(queries.build_context(city, parse_filters("units", {}))), args.repeat)
        bare = timed(lambda: bare_sql(engine, log.statements), args.repeat)
        district = db.session.execute(
            select(Unit.code).where(Unit.kind.in_(("urban_district", "rural_district", "town")))
            .order_by(Unit.code)).scalars().first()
        drill = timed(lambda: city_report(queries.build_context(city, parse_filters("units", {"unit": district}))), args.repeat)
        gap = timed(lambda: gaps.gap_page(queries.build_context(city, parse_filters("gaps", {"unit": district}))), args.repeat)
        someone = db.session.execute(select(Staff.id).where(Staff.status == "active").order_by(Staff.id).offset(args.staff // 2)).scalar()
        profile = timed(lambda: competency_profile(city, someone), args.repeat)
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            write_report(tables.staff_table(city_context), "xlsx", out, vietnamese)
            size = out.tell()
        xlsx = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ncity-wide unit report: {page * 1000:.0f} ms; its {len(log.statements)} statements on the bare driver: "
          f"{bare * 1000:.0f} ms; ratio {page / bare:.2f} (targets < {TARGETS['city']:.0f} s, ≤ {TARGETS['city_ratio']}×)")
    print(f"district drill-down ({district}): {drill * 1000:.0f} ms (target < {TARGETS['district'] * 1000:.0f} ms)")
    print(f"gaps of {district}, first page with its count: {gap * 1000:.0f} ms")
    print(f"one official's profile: {profile * 1000:.1f} ms")
    print(f"XLSX of every person ({args.staff} staff generated): {xlsx:.1f} s, {size / 1e6:.1f} MB (target < {TARGETS['xlsx']:.0f} s)")
    print(f"peak RSS of the process: {rss_mb:.0f} MB (target < {TARGETS['rss_mb']} MB)")


if __name__ == "__main__":
    main()
