"""Issue and sign N certificates beside the signature alone; the verification page beside a bare endpoint.

    .venv/bin/python -m bench.bench_certificates [--certificates 1000] [--verify-requests 500] [--traced N]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.bench_certificates

A temporary SQLite database (or a private PostgreSQL database on the server of LMS_BENCH_DATABASE_URL,
dropped afterwards) gets by bulk inserts three released basic sessions of graded theory attempts with
their IU01–IU06 results (20 to warm up, N timed, --traced under tracemalloc); the signer is the app's,
a development CA under a temporary SIGNING_DIR. Timed in one process, wall and CPU: the warm-up's PDFs
signed alone in turn (half before the batch, half after), rendered alone, and the batch as the issuing job
runs it without mail, split into rendering, signing, SQL and the rest. Memory: RSS through the batch;
the traced peak over the first fifth (holding the N pending sittings) and over the rest. Then gunicorn
serves the app and a bare Flask endpoint alike: K sequential GETs of /verify/<code> alternate with K
of the bare endpoint.
"""
from __future__ import annotations

import argparse
import gc
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

from flask import Flask
from sqlalchemy import event, insert, select

from bench.bench_exam_load import free_port, serve
from lms import create_app
from lms.catalogue.loader import load_catalogues
from lms.catalogue.models import Module
from lms.certificates import authority as authorities
from lms.certificates import document, issuance, signing
from lms.certificates.models import Certificate
from lms.exams import design
from lms.exams.models import ExamAttempt, ExamCandidate
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff, Unit
from lms.scope import Scope

ROOT = Path(__file__).resolve().parent.parent
WARMUP, WORKERS, THREADS = 20, 2, 2
SECRET_KEY = "bench-certificates"


def bare_app():
    app = Flask("bare")
    app.add_url_rule("/ok", "ok", lambda: "ok")
    return app


def seed(count, tag):
    """A released basic session of `count` staff, each with one graded, passed theory attempt."""

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
    issued = 0
    for pending in issuance.pending_in_session(session, Scope.city()):
        issued += issuance.issue(pending, authority, utcnow())[1]
        db.session.commit()
        checkpoint(issued)
    return issued


def clock(divide=1):
    """A stopwatch of this process's wall and CPU seconds (CPU time is what a busy machine distorts least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    return lambda: ((time.perf_counter() - wall) / divide, (time.process_time() - cpu) / divide)


def timed(function, repeat):
    read = clock(repeat)
    for _ in range(repeat):
        function()
    return read()


def clocked(module, name, totals):
    """module.name wrapped to add its wall and CPU seconds to totals[name]; returns the undo."""
    original, totals[name] = getattr(module, name), (0.0, 0.0)

    def wrapper(*args, **kwargs):
        read = clock()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] = tuple(total + part for total, part in zip(totals[name], read()))

    setattr(module, name, wrapper)
    return lambda: setattr(module, name, original)


def rss_mb(peak=False):
    if peak:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def traced_mb(reset=False):
    """(allocated after a collection, peak so far) in MB, the peak then reset."""
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    if reset:
        tracemalloc.reset_peak()
    return current / 2**20, peak / 2**20


def measure_batch(app, n, traced):
    with app.app_context():
        db.create_all()
        load_catalogues()  # the certificate rules too
        read = clock()
        warm, timed_session, traced_session = seed(WARMUP, "W"), seed(n, "T"), seed(traced, "M")
        print(f"Seeded {n} + {traced} + {WARMUP} graded sittings on {db.engine.dialect.name} in {read()[0]:.1f} s", flush=True)
        authority = authorities.current()  # the app's signer: the development CA made under SIGNING_DIR
        assert issue_batch(warm, authority) == WARMUP, "the warm-up session issued nothing: do its sittings qualify?"
        # The warm-up certificates as issuance renders them: baselines cycle through them, as the batch varies.
        documents = [issuance.document_of(certificate, authority) for certificate in db.session.execute(select(Certificate)).scalars()]
        pdfs = [document.render_pdf(doc) for doc in documents]
        db.session.commit()
        repeat, turn = max(n, 200), iter(range(10**9))
        sign_before = timed(lambda: signing.sign_pdf(pdfs[next(turn) % WARMUP], authority.signer), repeat // 2)
        render = timed(lambda: document.render_pdf(documents[next(turn) % WARMUP]), repeat)

        cursor = {"count": 0, "seconds": 0.0}
        event.listen(db.engine, "before_cursor_execute", lambda *args: cursor.update(started=time.perf_counter()))
        event.listen(db.engine, "after_cursor_execute", lambda *args: cursor.update(
            count=cursor["count"] + 1, seconds=cursor["seconds"] + time.perf_counter() - cursor["started"]))
        inside = {}  # rendering and signing as issuance calls them, within the batch
        undo = [clocked(document, "render_pdf", inside), clocked(signing, "sign_pdf", inside)]
        rss, read = [rss_mb(peak=True), rss_mb()], clock()
        issued = issue_batch(timed_session, authority, lambda i: i == max(1, n // 5) and rss.append(rss_mb()))
        seconds, sql = read(), (cursor["count"] / n, cursor["seconds"] / n)
        rss += [rss_mb(), rss_mb(peak=True)]
        for restore in undo:
            restore()
        sign_after = timed(lambda: signing.sign_pdf(pdfs[next(turn) % WARMUP], authority.signer), repeat - repeat // 2)
        print(f"Issued {issued} in {seconds[0]:.1f} s; now {traced} more under tracemalloc", flush=True)

        memory = []
        tracemalloc.start()
        read = clock()
        traced_issued = issue_batch(traced_session, authority, lambda i: i == max(1, traced // 5) and memory.append(traced_mb(reset=True)))
        traced_seconds = read()[0]
        memory.append(traced_mb())
        tracemalloc.stop()
        codes = db.session.execute(select(Certificate.code)).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert (issued, traced_issued) == (n, traced), f"issued {issued} and {traced_issued}"
    return dict(n=n, seconds=seconds, per=(seconds[0] / n, seconds[1] / n), render=render, repeat=repeat, pdf_kb=len(pdfs[0]) / 1024,
                sign=tuple((before + after) / 2 for before, after in zip(sign_before, sign_after)), sign_halves=(sign_before[0], sign_after[0]),
                inside={name: (wall / n, cpu / n) for name, (wall, cpu) in inside.items()}, sql=sql, rss=rss, traced=traced,
                memory=memory, traced_seconds=traced_seconds), codes


def get(port, path):
    """One GET on a fresh loopback connection, as from a scanned QR code: (seconds, status, body)."""
    started, connection = time.perf_counter(), http.client.HTTPConnection("127.0.0.1", port)
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
        rng, verify, bare, errors = random.Random(2017), [], [], 0
        for _ in range(8 * WORKERS * THREADS):  # every worker has served each path
            get(app_port, f"/verify/{rng.choice(codes)}")
            get(bare_port, "/ok")
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
    n, sign, per, (statements, sql), rss, memory = f["n"], f["sign"], f["per"], f["sql"], f["rss"], f["memory"]
    (render_wall, render_cpu), (sign_wall, sign_cpu) = f["inside"]["render_pdf"], f["inside"]["sign_pdf"]

    def row(label, wall, cpu=None, note=""):
        cpu_ms, cpu_ratio = (f"{cpu * 1000:8.1f}", f"{cpu / sign[1]:4.2f}") if cpu is not None else (f"{'—':>8}", "  — ")
        print(f"{label:<38} | {wall * 1000:8.1f} | {cpu_ms} | {wall / sign[0]:5.2f} / {cpu_ratio} | {note}")

    print(f"\nCertificates on {dialect}: {n} issued and signed in {f['seconds'][0]:.1f} s ({f['seconds'][1]:.1f} s CPU in this process)")
    print(f"{'Per certificate':<38} | {'wall ms':>8} | {'CPU ms':>8} | × signature  | note")
    print(f"{'-' * 38}-+-{'-' * 8}-+-{'-' * 8}-+--------------+-{'-' * 30}")
    row("signature alone (sign_pdf)", *sign, note=f"{f['repeat']} times: {f['sign_halves'][0] * 1000:.1f} ms before the batch,"
        f" {f['sign_halves'][1] * 1000:.1f} after")
    row("rendering alone (render_pdf)", *f["render"], note=f"{f['repeat']} times; {f['pdf_kb']:.0f} KB unsigned")
    row("issuance (pending, issue, commit)", *per, note=f"goal ≤ 1.5× the signature: {'met' if per[0] / sign[0] <= 1.5 else 'MISSED'} (wall)")
    row("  rendering, in the batch", render_wall, render_cpu)
    row("  signature, in the batch", sign_wall, sign_cpu)
    row(f"  SQL ({statements:.1f} statements)", sql, note="cursor execute to its return")
    row("  the rest (ORM, Python; CPU: SQL too)", per[0] - render_wall - sign_wall - sql, per[1] - render_cpu - sign_cpu)
    fifth = max(1, f["traced"] // 5)
    print(f"Memory: RSS {rss[1]:.0f} MB before the batch, {rss[2]:.0f} after {max(1, n // 5)}, {rss[3]:.0f} after {n} (max RSS {rss[0]:.0f} →"
          f" {rss[4]:.0f} MB). Traced, {f['traced']} more ({f['traced_seconds']:.0f} s): peak {memory[0][1]:.1f} MB over the first {fifth},"
          f" {memory[1][1]:.1f} MB over the rest; allocated after {fifth} {memory[0][0]:.2f} MB, at the end {memory[1][0]:.2f} MB")
    print(f"\n{f'Verification, {len(verify)} GETs each':<38} | {'p50 ms':>8} | {'p95 ms':>8} | {'mean ms':>8}")
    print(f"{'-' * 38}-+-{'-' * 8}-+-{'-' * 8}-+-{'-' * 8}")
    for label, values in (("/verify/<code> (random issued codes)", verify), ("bare Flask endpoint", bare)):
        print(f"{label:<38} | {quantile(values, 0.5):8.2f} | {quantile(values, 0.95):8.2f} | {statistics.mean(values) * 1000:8.2f}")
    print(f"{'ratio':<38} | {quantile(verify, 0.5) / quantile(bare, 0.5):7.1f}× | {quantile(verify, 0.95) / quantile(bare, 0.95):7.1f}× |"
          f" {statistics.mean(verify) / statistics.mean(bare):7.1f}×")
    print(f"Sequential, alternated, a connection each; both under gunicorn, {WORKERS} workers × {THREADS} threads; errors {errors}."
          f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--verify-requests", type=int, default=500)
    parser.add_argument("--traced", type=int, help="certificates issued under tracemalloc (default: as many; tracing is some 5× slower)")
    args = parser.parse_args()
    args.traced = args.traced or args.certificates
    if min(args.certificates, args.traced) < 5 or args.verify_requests < 1:
        parser.error("at least 5 certificates (and traced) and 1 verify request")
    directory, drop = Path(tempfile.mkdtemp(prefix="lms-bench-")), None
    if os.environ.get("LMS_BENCH_DATABASE_URL"):
        from tests.private_postgres import private_postgres_database

        database_url, drop = private_postgres_database(os.environ["LMS_BENCH_DATABASE_URL"], prefix="lms_bench")
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
