"""Issuing and signing certificates, against signing alone; the verification page against a
bare endpoint; the batch's peak memory.

    .venv/bin/python -m bench.bench_certificates [--certificates 1000] [--verify-requests 300]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.bench_certificates

N staff sat a released basic session (graded attempts and module results inserted in bulk:
the shapes lms.certificates.sittings reads). Then, in one process: the PAdES signature of one
rendered certificate, timed alone; rendering alone; the batch as the issuing job runs it
(each certificate numbered, rendered, signed, stored and committed), per certificate and
as a ratio to the signature alone; the batch's peak traced memory at N and at N/5, which
must not grow with N; and sequential GETs of /verify/<code> next to a bare Flask endpoint,
both served by a threaded werkzeug server on loopback.
"""
import argparse
import http.client
import logging
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_app(database_url, directory):
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "SIGNING_DIR": str(directory / "signing"),
                       "OUTBOX_DIR": str(directory / "outbox"), "UPLOAD_DIR": str(directory / "uploads"), "JOBS_MODE": "eager",
                       "VERIFY_RATE_LIMIT": "1000000 per minute", "SESSION_COOKIE_SECURE": False})


def seed(count, tag):
    """A released basic session of `count` candidates, each with a graded theory attempt."""
    from sqlalchemy import insert, select

    from lms.catalogue.loader import load_catalogues
    from lms.catalogue.models import Module
    from lms.exams import design
    from lms.exams.models import ExamAttempt, ExamCandidate
    from lms.exams.result_models import ModuleResult
    from lms.extensions import db
    from lms.models_base import utcnow
    from lms.org.models import Staff, Unit

    load_catalogues()
    unit = Unit(code=f"BENCH-{tag}", name="Đơn vị thử tải", kind="commune", path="/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    now = utcnow()
    db.session.execute(insert(Staff), [{"full_name": f"Nguyễn Thị Ánh Tuyết {i:05d}", "id_number": f"C{tag}{i:08d}", "unit_id": unit.id,
                                        "status": "active", "birth_place": "Hà Nội", "email": "", "phone": "", "created_at": now,
                                        "updated_at": now} for i in range(count)])
    staff_ids = db.session.execute(select(Staff.id).where(Staff.unit_id == unit.id).order_by(Staff.id)).scalars().all()
    blueprint = design.default_basic_blueprint(name=f"Cấu trúc thử tải {tag}", with_practical=False)
    session = design.create_session(blueprint, f"Kỳ thi thử tải {tag}", now - timedelta(days=10), now - timedelta(days=9), council="Thử tải")
    session.results_released_at = now - timedelta(days=1)
    db.session.flush()
    db.session.execute(insert(ExamCandidate), [{"session_id": session.id, "staff_id": staff_id, "extra_minutes": 0, "extra_multiplier": 1.0,
                                                "registered_modules": [], "candidate_number": f"TT{n:05d}", "created_at": now}
                                               for n, staff_id in enumerate(staff_ids)])
    candidates = db.session.execute(select(ExamCandidate.id).where(ExamCandidate.session_id == session.id)).scalars().all()
    started = now - timedelta(days=10)
    db.session.execute(insert(ExamAttempt), [{"candidate_id": c, "part_id": blueprint.parts[0].id, "number": 1, "state": "graded", "open_slot": None,
                                              "seed": c, "started_at": started, "deadline_at": started + timedelta(minutes=30),
                                              "submitted_at": started + timedelta(minutes=25), "score": 7.0, "passed": True, "graded_at": started,
                                              "version": 1, "start_ip": "", "earned_points": 21, "possible_points": 30} for c in candidates])
    attempts = db.session.execute(select(ExamAttempt.id).where(ExamAttempt.candidate_id.in_(candidates))).scalars().all()
    modules = db.session.execute(select(Module.id).where(Module.code.in_([f"IU0{n}" for n in range(1, 7)]))).scalars().all()
    db.session.execute(insert(ModuleResult), [{"attempt_id": a, "module_id": m, "score": 7.0, "passed": True, "updated_at": now}
                                              for a in attempts for m in modules])
    db.session.commit()
    return session


def timed(function, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat


def issue_batch(session, traced=False):
    """The batch as the job runs it: (seconds, issued, peak traced MB or None). Tracing
    slows Python several times over, so a timed batch is not traced."""
    from lms.certificates.jobs import issue_pending
    from lms.scope import Scope

    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    issued = issue_pending(session, Scope.city())
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6 if traced else None
    tracemalloc.stop()
    return seconds, issued, peak


def serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def latencies(port, paths):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--verify-requests", type=int, default=300)
    options = parser.parse_args()
    directory = Path(tempfile.mkdtemp())
    base = os.environ.get("LMS_BENCH_DATABASE_URL")
    drop = None
    if base:
        from private_postgres import private_postgres_database

        database_url, drop = private_postgres_database(base, prefix="lms_bench")
    else:
        database_url = f"sqlite:///{directory / 'bench.sqlite3'}"
    app = make_app(database_url, directory)
    try:
        run(app, options)
    finally:
        from lms.extensions import db

        with app.app_context():
            db.engine.dispose()
        if drop:
            drop()


def run(app, options):
    from flask import Flask
    from sqlalchemy import select

    from lms.certificates import authority as authorities
    from lms.certificates import document, issuance, signing
    from lms.certificates.models import Certificate
    from lms.extensions import db

    with app.app_context():
        db.create_all()
        small = max(1, options.certificates // 5)
        warm, fifth, large = seed(small, "W"), seed(small, "S"), seed(options.certificates, "L")
        authority = authorities.current()
        # Warm up: fonts registered, keys loaded, the first statements prepared.
        issue_batch(warm)
        first = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().first()
        pdf = document.render_pdf(issuance.document_of(first, authority))
        repeat = min(200, options.certificates)
        sign_alone = timed(lambda: signing.sign_pdf(pdf, authority.signer), repeat)
        render_alone = timed(lambda: document.render_pdf(issuance.document_of(first, authority)), repeat)
        small_peak = issue_batch(fifth, traced=True)[2]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seconds, issued, _peak = issue_batch(large)
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
        codes = db.session.execute(select(Certificate.code)).scalars().all()
        db.session.commit()
        engine = db.engine.dialect.name
    per_certificate = seconds / max(issued, 1)
    small = max(1, options.certificates // 5)
    bare = Flask("bare")
    bare.add_url_rule("/ok", "ok", lambda: "ok")
    app_server, bare_server = serve(app), serve(bare)
    paths = [f"/verify/{random.choice(codes)}" for _ in range(options.verify_requests)]
    latencies(app_server.server_port, paths[:20])
    verify_ms = latencies(app_server.server_port, paths)
    bare_ms = latencies(bare_server.server_port, ["/ok"] * options.verify_requests)
    app_server.shutdown()
    bare_server.shutdown()
    print(f"Certificates on {engine}: {issued} issued in {seconds:.1f} s")
    print(f"  signature alone        {sign_alone * 1000:7.1f} ms   (PAdES B-B, pyHanko, ECDSA P-256; {repeat} times)")
    print(f"  rendering alone        {render_alone * 1000:7.1f} ms   (reportlab, DejaVu Serif subset, QR code)")
    print(f"  issuance per certificate {per_certificate * 1000:5.1f} ms   = {per_certificate / sign_alone:.2f}× the signature alone "
          "(numbered, rendered, signed, stored, committed)")
    print(f"  memory: peak traced {small_peak:.1f} MB for a batch of {small}; the batch of {issued} grew the process's peak RSS by "
          f"{rss_growth:.1f} MB")
    print(f"  /verify/<code>  p50 {statistics.median(verify_ms):6.2f} ms  p95 {percentile(verify_ms, 0.95):6.2f} ms  "
          f"vs bare Flask p50 {statistics.median(bare_ms):6.2f} ms  p95 {percentile(bare_ms, 0.95):6.2f} ms "
          f"(ratio of medians {statistics.median(verify_ms) / statistics.median(bare_ms):.1f}; {options.verify_requests} sequential GETs)")


if __name__ == "__main__":
    main()
