"""Issue and sign N certificates beside the signature alone; the verification page beside a bare endpoint.

    .venv/bin/python -m bench.bench_certificates [--certificates 1000] [--verify-requests 500] [--traced N]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.bench_certificates

A temporary SQLite database (or a private PostgreSQL database created on the server named
by LMS_BENCH_DATABASE_URL and dropped afterwards) gets three released basic sessions by bulk
inserts (not timed): staff with a graded theory attempt and its IU01–IU06 module results,
the shapes lms.certificates.sittings reads; a session of 20 warms up, one of N is timed,
one of --traced (default N) is issued under tracemalloc. The development CA is made under
a temporary SIGNING_DIR. In one process, each figure beside its baseline, wall and CPU
time: the PAdES signature of one issued certificate's PDF alone (half before the batch,
half after), rendering alone, and the batch as lms.certificates.jobs.issue_pending runs it
without mail (pending_in_session, then issue and commit each) with its SQL statements and
the time spent in them. Memory: RSS before, after a fifth and after the batch; the traced
peak over the first fifth and over the rest (the same when nothing accumulates with N).
Last, gunicorn serves the app and a bare Flask endpoint alike, and K sequential GETs of
/verify/<code> (random issued codes) alternate with K GETs of the bare endpoint.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event

from bench.bench_exam_load import free_port, serve

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 20
WORKERS, THREADS = 2, 2
SECRET_KEY = "bench-certificates"


def bare_app():
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/ok", "ok", lambda: "ok")
    return app


def seed(count, tag):
    """A released basic session of `count` staff, each with one graded, passed theory attempt."""
    from sqlalchemy import insert, select

    from lms.catalogue.models import Module
    from lms.exams import design
    from lms.exams.models import ExamAttempt, ExamCandidate
    from lms.exams.result_models import ModuleResult
    from lms.extensions import db
    from lms.models_base import utcnow
    from lms.org.models import Staff, Unit

    now, sat = utcnow(), utcnow() - timedelta(days=10)
    unit = Unit(code=f"BENCH-{tag}", name=f"Đơn vị thử tải {tag}", kind="commune", path="/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    db.session.execute(insert(Staff), [{"full_name": f"Nguyễn Thị Ánh Tuyết {i:05d}", "id_number": f"C{tag}{i:010d}", "unit_id": unit.id,
                                        "birth_date": date(1970, 1, 1) + timedelta(days=37 * i % 12000), "birth_place": "Hà Nội",
                                        "sex": ("male", "female")[i % 2], "status": "active", "email": "", "phone": "", "created_at": now,
                                        "updated_at": now} for i in range(count)])
    staff_ids = db.session.execute(select(Staff.id).where(Staff.unit_id == unit.id).order_by(Staff.id)).scalars().all()
    blueprint = design.default_basic_blueprint(name=f"Cấu trúc thử tải {tag}", with_practical=False)
    session = design.create_session(blueprint, f"Kỳ thi thử tải {tag}", sat, sat + timedelta(hours=2), council="Hội đồng thi thử tải",
                                    status="closed")
    session.results_released_at = now - timedelta(days=1)
    db.session.execute(insert(ExamCandidate), [{"session_id": session.id, "staff_id": staff_id, "extra_minutes": 0, "extra_multiplier": 1.0,
                                                "registered_modules": [], "candidate_number": f"{tag}{n:05d}", "created_at": now}
                                               for n, staff_id in enumerate(staff_ids)])
    candidates = db.session.execute(select(ExamCandidate.id).where(ExamCandidate.session_id == session.id)).scalars().all()
    db.session.execute(insert(ExamAttempt), [{"candidate_id": c, "part_id": blueprint.parts[0].id, "number": 1, "state": "graded", "open_slot": None,
                                              "seed": c, "started_at": sat, "deadline_at": sat + timedelta(minutes=30),
                                              "submitted_at": sat + timedelta(minutes=25), "graded_at": sat + timedelta(minutes=25),
                                              "finalized_by": "candidate", "earned_points": 21.0, "possible_points": 30.0, "score": 7.0,
                                              "passed": True, "version": 1, "start_ip": "127.0.0.1"} for c in candidates])
    attempts = db.session.execute(select(ExamAttempt.id).where(ExamAttempt.candidate_id.in_(candidates))).scalars().all()
    modules = db.session.execute(select(Module.id).where(Module.code.in_([f"IU0{n}" for n in range(1, 7)]))).scalars().all()
    assert len(modules) == 6, "the catalogue lacks IU01–IU06"
    db.session.execute(insert(ModuleResult), [{"attempt_id": a, "module_id": m, "score": 7.0, "passed": True, "updated_at": now}
                                              for a in attempts for m in modules])
    db.session.commit()
    return session


def issue_batch(session, authority, checkpoint=lambda issued: None):
    """As lms.certificates.jobs.issue_pending, without mail: each pending certificate issued and committed."""
    from lms.certificates import issuance
    from lms.extensions import db
    from lms.models_base import utcnow
    from lms.scope import Scope

    issued = 0
    for pending in issuance.pending_in_session(session, Scope.city()):
        issued += issuance.issue(pending, authority, utcnow())[1]
        db.session.commit()
        checkpoint(issued)
    return issued


class Clock:
    """Wall and CPU seconds of this process (CPU time is what a busy machine distorts least)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self, divide=1):
        return (time.perf_counter() - self.wall) / divide, (time.process_time() - self.cpu) / divide


def timed(function, repeat):
    clock = Clock()
    for _ in range(repeat):
        function()
    return clock.read(repeat)


def rss_mb(peak=False):
    if peak:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_batch(app, n, traced):
    from sqlalchemy import select

    from lms.catalogue.loader import load_catalogues
    from lms.certificates import authority as authorities
    from lms.certificates import document, issuance, signing
    from lms.certificates.models import Certificate
    from lms.extensions import db

    with app.app_context():
        db.create_all()
        load_catalogues()  # the certificate rules too
        clock = Clock()
        warm, timed_session, traced_session = seed(WARMUP, "W"), seed(n, "T"), seed(traced, "M")
        print(f"Seeded {n} + {traced} + {WARMUP} graded sittings on {db.engine.dialect.name} in {clock.read()[0]:.1f} s", flush=True)
        authority = authorities.current()  # the app's signer: the development CA made under SIGNING_DIR
        assert issue_batch(warm, authority) == WARMUP, "the warm-up session issued nothing: do its sittings qualify?"
        first = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().first()
        pdf = document.render_pdf(issuance.document_of(first, authority))
        repeat = max(n, 200)
        sign_before = timed(lambda: signing.sign_pdf(pdf, authority.signer), repeat // 2)
        render = timed(lambda: document.render_pdf(issuance.document_of(first, authority)), repeat)
        db.session.commit()

        statements = {"count": 0, "seconds": 0.0}
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.update(started=time.perf_counter()))
        event.listen(db.engine, "after_cursor_execute", lambda *args: statements.update(
            count=statements["count"] + 1, seconds=statements["seconds"] + time.perf_counter() - statements["started"]))
        rss = [rss_mb(peak=True), rss_mb()]
        clock = Clock()
        issued = issue_batch(timed_session, authority, lambda i: i == max(1, n // 5) and rss.append(rss_mb()))
        seconds = clock.read()
        sql = statements["count"] / n, statements["seconds"] / n
        rss += [rss_mb(), rss_mb(peak=True)]
        sign_after = timed(lambda: signing.sign_pdf(pdf, authority.signer), repeat - repeat // 2)
        print(f"Issued {issued} in {seconds[0]:.1f} s; now {traced} more under tracemalloc", flush=True)

        peaks = []

        def checkpoint(i):
            if i == max(1, traced // 5):
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.reset_peak()

        tracemalloc.start()
        clock = Clock()
        traced_issued = issue_batch(traced_session, authority, checkpoint)
        traced_seconds = clock.read()[0]
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        codes = db.session.execute(select(Certificate.code)).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert (issued, traced_issued) == (n, traced), f"issued {issued} and {traced_issued}"
    return dict(n=n, seconds=seconds, per=(seconds[0] / n, seconds[1] / n), render=render, repeat=repeat, pdf_kb=len(pdf) / 1024,
                sign=tuple((before + after) / 2 for before, after in zip(sign_before, sign_after)), sign_halves=(sign_before[0], sign_after[0]),
                sql=sql, rss=rss, traced=traced, peaks=peaks, traced_seconds=traced_seconds), codes


def get(port, path):
    """One GET on a fresh loopback connection, as a visitor who scanned the QR code: (seconds, status, body)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return time.perf_counter() - started, response.status, body


def measure_verify(database_url, directory, codes, requests):
    env = dict(os.environ, LMS_DATABASE_URL=database_url, LMS_SECRET_KEY=SECRET_KEY, LMS_ENV="development", LMS_COOKIE_SECURE="0",
               LMS_SIGNING_DIR=str(directory / "signing"), LMS_UPLOAD_DIR=str(directory / "uploads"), LMS_OUTBOX_DIR=str(directory / "outbox"),
               LMS_VERIFY_RATE_LIMIT="1000000 per minute", PYTHONPATH=str(ROOT))
    app_port, bare_port = free_port(), free_port()
    processes = [serve("wsgi:app", app_port, WORKERS, THREADS, env), serve(f"{__spec__.name}:bare_app()", bare_port, WORKERS, THREADS, env)]
    try:
        rng = random.Random(2017)
        for _ in range(8 * WORKERS * THREADS):  # every worker has served each path
            get(app_port, f"/verify/{rng.choice(codes)}")
            get(bare_port, "/ok")
        verify, bare, errors = [], [], 0
        for _ in range(requests):  # alternated, so that a noisy moment falls on both
            code = rng.choice(codes)
            seconds, status, body = get(app_port, f"/verify/{code}")
            verify.append(seconds)
            errors += status != 200 or code.encode() not in body
            seconds, status, _body = get(bare_port, "/ok")
            bare.append(seconds)
            errors += status != 200
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
    return verify, bare, errors


def quantile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000


def report(f, dialect, verify, bare, errors):
    n, sign, per, render, (statements, sql), rss = f["n"], f["sign"], f["per"], f["render"], f["sql"], f["rss"]

    def row(label, wall, cpu=None, note=""):
        cpu_ms, cpu_ratio = (f"{cpu * 1000:8.1f}", f"{cpu / sign[1]:4.2f}") if cpu is not None else (f"{'—':>8}", "  — ")
        print(f"{label:<38} | {wall * 1000:8.1f} | {cpu_ms} | {wall / sign[0]:5.2f} / {cpu_ratio} | {note}")

    print(f"\nCertificates on {dialect}: {n} issued and signed in {f['seconds'][0]:.1f} s ({f['seconds'][1]:.1f} s CPU in this process)")
    print(f"{'Per certificate':<38} | {'wall ms':>8} | {'CPU ms':>8} | × signature  | note")
    print(f"{'-' * 38}-+-{'-' * 8}-+-{'-' * 8}-+--------------+-{'-' * 30}")
    row("signature alone (sign_pdf)", *sign, note=f"{f['repeat']} times: {f['sign_halves'][0] * 1000:.1f} ms before the batch,"
        f" {f['sign_halves'][1] * 1000:.1f} after")
    row("rendering alone (render_pdf)", *render, note=f"{f['repeat']} times; {f['pdf_kb']:.0f} KB unsigned")
    row("issuance (pending, issue, commit)", *per, note=f"goal ≤ 1.5× the signature: {'met' if per[0] / sign[0] <= 1.5 else 'MISSED'} (wall)")
    row("  render + signature (alone)", render[0] + sign[0], render[1] + sign[1])
    row(f"  SQL ({statements:.1f} statements)", sql, note="cursor execute to its return")
    row("  the rest (ORM, Python; CPU: SQL too)", per[0] - render[0] - sign[0] - sql, per[1] - render[1] - sign[1])
    print(f"Memory of the batch: RSS {rss[1]:.0f} MB before, {rss[2]:.0f} after {max(1, n // 5)}, {rss[3]:.0f} after {n}"
          f" (max RSS {rss[0]:.0f} → {rss[4]:.0f} MB); tracemalloc peak, {f['traced']} more issued traced ({f['traced_seconds']:.0f} s):"
          f" {f['peaks'][0]:.1f} MB over the first {max(1, f['traced'] // 5)}, {f['peaks'][1]:.1f} MB over the rest")
    print(f"\n{f'Verification, {len(verify)} GETs each':<38} | {'p50 ms':>8} | {'p95 ms':>8} | {'mean ms':>8}")
    print(f"{'-' * 38}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 8}")
    for label, values in (("/verify/<code> (random issued codes)", verify), ("bare Flask endpoint", bare)):
        print(f"{label:<38} | {quantile(values, 0.5):8.2f} | {quantile(values, 0.95):8.2f} | {statistics.mean(values) * 1000:8.2f}")
    print(f"{'ratio':<38} | {quantile(verify, 0.5) / quantile(bare, 0.5):7.1f}× | {quantile(verify, 0.95) / quantile(bare, 0.95):7.1f}× |"
          f" {statistics.mean(verify) / statistics.mean(bare):7.1f}×")
    print(f"Sequential, alternated, a connection each; both served by gunicorn, {WORKERS} workers × {THREADS} threads; errors {errors}."
          f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--verify-requests", type=int, default=500)
    parser.add_argument("--traced", type=int, help="certificates issued under tracemalloc for the peak (default: as many; some 5× slower)")
    args = parser.parse_args()
    args.traced = args.traced or args.certificates
    if not 5 <= min(args.certificates, args.traced) <= max(args.certificates, args.traced) <= 20000 or not 1 <= args.verify_requests <= 100000:
        parser.error("bounds: 5–20000 certificates (and traced), 1–100000 verify requests")
    from lms import create_app

    directory = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    drop = None
    base = os.environ.get("LMS_BENCH_DATABASE_URL")
    if base:
        from tests.private_postgres import private_postgres_database

        database_url, drop = private_postgres_database(base, prefix="lms_bench")
    else:
        database_url = f"sqlite:///{directory / 'bench.sqlite3'}"
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY, "SIGNING_DIR": str(directory / "signing"),
                          "UPLOAD_DIR": str(directory / "uploads"), "OUTBOX_DIR": str(directory / "outbox"), "JOBS_MODE": "eager",
                          "VERIFY_RATE_LIMIT": "1000000 per minute", "SESSION_COOKIE_SECURE": False})
        figures, codes = measure_batch(app, args.certificates, args.traced)
        verify, bare, errors = measure_verify(database_url, directory, codes, args.verify_requests)
        report(figures, database_url.split(":", 1)[0], verify, bare, errors)
    finally:
        if drop:
            drop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
