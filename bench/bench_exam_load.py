"""Load run of the exam engine: simulated candidates against the app served by gunicorn.

    .venv/bin/python -m bench.bench_exam_load [--candidates 1000] [--speedup 10] [--rounds 3] [--workers 4]
        [--threads 2] [--worker-class gthread] [--submit both|spread|burst]
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.bench_exam_load

A temporary SQLite database (or a private PostgreSQL database created on the server
named by LMS_BENCH_DATABASE_URL and dropped afterwards) is filled with N candidates and
a session whose papers are pre-drawn. Sign-in is not measured: each candidate gets a
server-side session row and its signed cookie directly. Then, on loopback only:
all candidates start within 10 s, posting the start form as a browser does, which is
answered with the exam page (the whole paper rendered); a tenth of them reload the page
once later ("reload"); each autosaves every 30 s (divided by --speedup) with
jittered think time for --rounds rounds; a closed-loop burst measures autosave
throughput against a bare Flask endpoint served by the same gunicorn settings; finally
everyone submits. Printed: p50/p95/p99 of start, reload, save and submit, the error count,
the throughput ratio, the answers saved in the database against those acknowledged, and
the CPU seconds used by this client and by the app's gunicorn processes (all run on the
same machine: a client eating the cores would slow the server it measures).

Submit schedule. In a real sitting submissions are spread over the last minutes (people
finish at different times; the clock closes the rest, on the server, without a request).
So by default (--submit both) a random half of the candidates submit at random moments
over 60 s (divided by --speedup) -- "submit spread" -- and then the other half all at
the same instant -- "submit burst", the worst case, kept so that it stays visible.
--submit burst reproduces the earlier scenario (everyone at once); --submit spread
spreads everyone.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-" + secrets.token_hex(16)
START_WINDOW = 10.0
SUBMIT_WINDOW = 60.0
AUTOSAVE_EVERY = 30.0
BURST_SECONDS = 5.0
BURST_CLIENTS = 32
RELOADING = 0.1  # the share of candidates who reload their exam page once


# --- the bare endpoint served beside the app ---------------------------------------------------

def bare_app():
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.post("/save")
    def save():
        return jsonify({"saved": request.get_json(silent=True)})

    return app


# --- database and data --------------------------------------------------------------------------

def seed(database_url, candidates):
    """Candidates with accounts, sessions and cookies; a pool, a session, pre-drawn papers."""
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert, select

    from lms import create_app
    from lms.auth.models import RoleAssignment, User, UserSession
    from lms.auth.passwords import hash_password
    from lms.catalogue.loader import load_catalogues
    from lms.exams import design, papers
    from lms.extensions import db
    from lms.models_base import utcnow
    from lms.org.models import Staff, Unit
    from tests.exam_support import make_pool

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        db.create_all()
        load_catalogues()
        unit = Unit(code="BENCH", name="Đơn vị thử tải", kind="commune", path="/")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        password = hash_password(secrets.token_urlsafe(12))
        now = utcnow()
        db.session.execute(insert(Staff), [{"full_name": f"Thí sinh {i:05d}", "id_number": f"B{i:011d}", "unit_id": unit.id, "status": "active",
                                            "birth_place": "Hà Nội", "email": "", "phone": "", "created_at": now, "updated_at": now} for i in range(candidates)])
        staff_ids = db.session.execute(select(Staff.id).where(Staff.unit_id == unit.id).order_by(Staff.id)).scalars().all()
        db.session.execute(insert(User), [{"username": f"bench{i:05d}", "password_hash": password, "display_name": f"Thí sinh {i:05d}",
                                           "staff_id": staff_id, "enabled": True, "created_at": now} for i, staff_id in enumerate(staff_ids)])
        users = db.session.execute(select(User.id, User.staff_id).where(User.username.like("bench%")).order_by(User.id)).all()
        db.session.execute(insert(RoleAssignment), [{"user_id": user_id, "role": "learner"} for user_id, _ in users])
        make_pool(per_module=12)
        blueprint = design.default_basic_blueprint(name="Cấu trúc thử tải", with_practical=False)
        session = design.create_session(blueprint, "Kỳ thi thử tải", now - timedelta(minutes=5), now + timedelta(hours=3), council="Thử tải")
        from lms.exams.models import ExamCandidate

        db.session.execute(insert(ExamCandidate), [{"session_id": session.id, "staff_id": staff_id, "user_id": user_id, "extra_minutes": 0,
                                                    "extra_multiplier": 1.0, "registered_modules": [], "candidate_number": "", "created_at": now}
                                                   for user_id, staff_id in users])
        started = time.perf_counter()
        papers.predraw_session(session, now)
        predraw_seconds = time.perf_counter() - started
        tokens = {user_id: secrets.token_urlsafe(32) for user_id, _ in users}
        db.session.execute(insert(UserSession), [{"token_hash": hashlib.sha256(token.encode()).hexdigest(), "user_id": user_id, "created_at": now,
                                                  "last_seen_at": now, "expires_at": now + timedelta(hours=8), "ip_address": "127.0.0.1", "user_agent": "bench"}
                                                 for user_id, token in tokens.items()])
        db.session.commit()
        session_id, part_id = session.id, blueprint.parts[0].id
        # The cookie a real sign-in would set: the session token and a CSRF token.
        serializer = app.session_interface.get_signing_serializer(app)
        clients = []
        for user_id, token in tokens.items():
            with app.test_request_context("/"):
                from flask import g
                from flask import session as flask_session

                g.pop("csrf_token", None)  # generate_csrf caches in g, which this loop would share
                flask_session["_user_id"] = token
                flask_session["_fresh"] = True
                flask_session["_permanent"] = True
                csrf = generate_csrf()
                cookie = serializer.dumps(dict(flask_session))
            clients.append({"cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}", "csrf": csrf})
        db.session.remove()
        db.engine.dispose()
    return app, session_id, part_id, clients, predraw_seconds


def count_saved(app, session_id, acknowledged, excluded):
    """Answers in the database carrying exactly the last acknowledged sequence number."""
    from sqlalchemy import select

    from lms.exams.models import AttemptAnswer, AttemptQuestion, ExamAttempt, ExamCandidate
    from lms.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(AttemptQuestion.attempt_id, AttemptQuestion.id, AttemptAnswer.client_seq)
            .join(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
            .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
            .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
            .where(ExamCandidate.session_id == session_id)
        ).all()
        db.session.remove()
        db.engine.dispose()
    stored = {(attempt_id, question_id): seq for attempt_id, question_id, seq in rows if attempt_id not in excluded}
    matching = sum(1 for key, seq in acknowledged.items() if stored.get(key) == seq)
    return len(stored), matching


# --- serving ----------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target, port, workers, threads, env, worker_class="gthread"):
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--backlog", "4096", "--log-level", "warning", "--timeout", "120", target]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn did not start on port {port}")


# --- the client ---------------------------------------------------------------------------------------

async def http(port, method, path, body=None, headers=None, timeout=30.0, accept="application/json", form=None):
    """One request on a fresh loopback connection; returns (status, the parsed JSON, or the
    page's text when HTML was asked for)."""
    if form is not None:
        payload = urlencode(form).encode()
    else:
        payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close", f"Accept: {accept}",
             f"Content-Length: {len(payload)}"]
    if form is not None:
        lines.append("Content-Type: application/x-www-form-urlencoded")
    elif body is not None:
        lines.append("Content-Type: application/json")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if accept == "text/html":
        return status, content.decode("utf-8", "replace")
    try:
        return status, json.loads(content) if content else None
    except ValueError:
        return status, None


def cpu_seconds(pid):
    """User + system CPU seconds of a process and its descendants still running (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


class Stats:
    def __init__(self):
        self.latency = {"start": [], "reload": [], "save": [], "submit spread": [], "submit burst": []}
        self.errors = {}
        self.acknowledged = {}

    def error(self, kind, detail):
        key = f"{kind}: {detail}"
        self.errors[key] = self.errors.get(key, 0) + 1


async def timed(stats, kind, coroutine):
    started = time.perf_counter()
    try:
        status, data = await coroutine
    except Exception as error:  # counted, reported, never hidden
        stats.error(kind, type(error).__name__)
        return None
    stats.latency[kind].append(time.perf_counter() - started)
    if status != 200:
        stats.error(kind, f"HTTP {status} {data.get('error', '') if isinstance(data, dict) else ''}")
        return None
    return data


async def candidate(port, session_id, part_id, client, args, stats, rng, started_flags, index):
    headers = {"Cookie": client["cookie"], "X-CSRFToken": client["csrf"]}
    await asyncio.sleep(rng.uniform(0, START_WINDOW * 0.9))
    # As a browser does: the start form is posted and answered with the exam page, the
    # whole paper rendered.
    page = await timed(stats, "start", http(port, "POST", f"/exams/sessions/{session_id}/parts/{part_id}/start", headers=headers,
                                            accept="text/html", form={"csrf_token": client["csrf"]}))
    if page is None:
        return None
    started_flags[index] = time.perf_counter()
    attempt_id = int(re.search(r'<div id="exam" [^>]*data-attempt="(\d+)"', page).group(1))
    questions = [int(question) for question in re.findall(r'<section [^>]*data-question="(\d+)"', page)]
    seq = 0
    think = AUTOSAVE_EVERY / args.speedup
    reload_round = rng.randrange(args.rounds) if rng.random() < RELOADING else None
    for round_number in range(args.rounds):
        await asyncio.sleep(think * rng.uniform(0.7, 1.3))
        if round_number == reload_round:  # a crashed browser or a reload: the page again, answers included
            await timed(stats, "reload", http(port, "GET", f"/exams/attempts/{attempt_id}", None, headers, accept="text/html"))
        entries = []
        for question in rng.sample(questions, rng.randint(1, 3)):
            seq += 1
            entries.append({"question": question, "seq": seq, "response": {"choice": rng.randrange(4)}})
        reply = await timed(stats, "save", http(port, "POST", f"/exams/api/attempts/{attempt_id}/answers", {"answers": entries}, headers))
        if reply is not None:
            for ack in reply["saved"]:
                if ack["stored"]:
                    stats.acknowledged[(attempt_id, ack["question"])] = ack["seq"]
    return attempt_id, questions, headers, seq


async def burst(port, make_request, clients, seconds):
    """Closed loop: `clients` concurrent loops for `seconds`; returns completed requests per second."""
    done = 0
    stop = time.perf_counter() + seconds

    async def loop(index):
        nonlocal done
        while time.perf_counter() < stop:
            status, _ = await make_request(index)
            if status == 200:
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(index) for index in range(clients)))
    return done / (time.perf_counter() - started)


async def warm_up(port, path, method="GET", body=None, rounds=3, concurrency=16):
    """Wait until every worker has booted (the master accepts connections before they have)."""
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        try:
            if (await http(port, method, path, body))[0] == 200:
                break
        except OSError:
            pass
        await asyncio.sleep(0.2)
    for _ in range(rounds):
        await asyncio.gather(*(http(port, method, path, body) for _ in range(concurrency)))


async def run(args, app_port, bare_port, session_id, part_id, clients):
    await warm_up(app_port, "/healthz")
    await warm_up(bare_port, "/save", "POST", {})
    # A few extra candidates take a whole exam first so that every worker has run each
    # code path once; their figures are not counted.
    warm, clients = clients[: args.warmup], clients[args.warmup:]
    warm_stats = Stats()
    warm_args = argparse.Namespace(**{**vars(args), "rounds": 1, "speedup": 1000.0})
    warmed = await asyncio.gather(*(candidate(app_port, session_id, part_id, client, warm_args, warm_stats, random.Random(i), [None] * len(warm), i)
                                    for i, client in enumerate(warm)))
    await asyncio.gather(*(http(app_port, "POST", f"/exams/api/attempts/{entry[0]}/submit", {}, entry[2]) for entry in warmed if entry))
    stats = Stats()
    rng = random.Random(2017)
    started_flags = [None] * len(clients)
    run_started = time.perf_counter()
    sessions = await asyncio.gather(*(candidate(app_port, session_id, part_id, client, args, stats, random.Random(rng.random()), started_flags, i)
                                      for i, client in enumerate(clients)))
    last_start = max((flag for flag in started_flags if flag), default=run_started) - run_started
    live = [entry for entry in sessions if entry]

    # Throughput: the same save request in a closed loop, then the bare endpoint.
    counters = {}

    async def app_save(index):
        attempt_id, questions, headers, seq = live[index % len(live)]
        counters[index] = counters.get(index, 0) + 1
        key_seq = seq + counters[index]
        question = questions[0]
        status, data = await http(app_port, "POST", f"/exams/api/attempts/{attempt_id}/answers",
                                  {"answers": [{"question": question, "seq": key_seq, "response": {"choice": 1}}]}, headers)
        if status == 200 and data["saved"][0]["stored"]:
            stats.acknowledged[(attempt_id, question)] = key_seq
        return status, data

    async def bare_save(index):
        return await http(bare_port, "POST", "/save", {"answers": [{"question": 1, "seq": 1, "response": {"choice": 1}}]})

    burst_clients = min(BURST_CLIENTS, len(live)) or 1
    app_rate = await burst(app_port, app_save, burst_clients, BURST_SECONDS) if live else 0.0
    bare_rate = await burst(bare_port, bare_save, burst_clients, BURST_SECONDS)

    # Submissions: see the module docstring.
    order = list(live)
    random.Random(7).shuffle(order)
    spread, at_once = {"both": (order[::2], order[1::2]), "spread": (order, []), "burst": ([], order)}[args.submit]
    window = SUBMIT_WINDOW / args.speedup
    submit_rng = random.Random(11)

    async def submit(kind, entry, delay=0.0):
        await asyncio.sleep(delay)
        await timed(stats, kind, http(app_port, "POST", f"/exams/api/attempts/{entry[0]}/submit", {}, entry[2]))

    await asyncio.gather(*(submit("submit spread", entry, submit_rng.uniform(0, window)) for entry in spread))
    await asyncio.gather(*(submit("submit burst", entry) for entry in at_once))
    return stats, last_start, app_rate, bare_rate, {entry[0] for entry in warmed if entry}


def percentiles(values):
    if not values:
        return "—"
    ordered = sorted(values)

    def pick(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return f"p50 {pick(50):7.1f} ms  p95 {pick(95):7.1f} ms  p99 {pick(99):7.1f} ms  (n={len(values)}, mean {statistics.mean(values) * 1000:.1f} ms)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--speedup", type=float, default=10.0, help="divide the 30 s autosave interval by this")
    parser.add_argument("--rounds", type=int, default=3, help="autosaves per candidate")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"),
                        help="gunicorn worker class, for the app and the bare endpoint alike")
    parser.add_argument("--submit", default="both", choices=("both", "spread", "burst"),
                        help="both: half spread over 60 s / speedup, half at once; spread: everyone spread; burst: everyone at once")
    args = parser.parse_args()
    args.warmup = 4 * args.workers * args.threads
    if not 1 <= args.candidates <= 5000 or not 1 <= args.rounds <= 20 or not 1 <= args.speedup <= 1000:
        parser.error("bounds: 1–5000 candidates, 1–20 rounds, speedup 1–1000")

    directory = tempfile.mkdtemp(prefix="lms-bench-")
    drop = None
    base = os.environ.get("LMS_BENCH_DATABASE_URL")
    if base:
        from tests.private_postgres import private_postgres_database

        database_url, drop = private_postgres_database(base, prefix="lms_bench")
    else:
        database_url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
    dialect = database_url.split(":", 1)[0]
    processes = []
    try:
        started = time.perf_counter()
        app, session_id, part_id, clients, predraw_seconds = seed(database_url, args.candidates + args.warmup)
        print(f"Seeded {args.candidates} candidates on {dialect} in {time.perf_counter() - started:.1f} s (pre-drawing papers {predraw_seconds:.1f} s)")
        env = dict(os.environ, LMS_DATABASE_URL=database_url, LMS_SECRET_KEY=SECRET_KEY, LMS_ENV="development",
                   LMS_UPLOAD_DIR=str(Path(directory) / "uploads"), LMS_COOKIE_SECURE="0", PYTHONPATH=str(ROOT))
        app_port, bare_port = free_port(), free_port()
        processes.append(serve("wsgi:app", app_port, args.workers, args.threads, env, args.worker_class))
        processes.append(serve("bench.bench_exam_load:bare_app()", bare_port, args.workers, args.threads, env, args.worker_class))
        client_cpu, app_cpu, wall = time.process_time(), cpu_seconds(processes[0].pid), time.perf_counter()
        stats, last_start, app_rate, bare_rate, warm_attempts = asyncio.run(run(args, app_port, bare_port, session_id, part_id, clients))
        client_cpu, app_cpu, wall = time.process_time() - client_cpu, cpu_seconds(processes[0].pid) - app_cpu, time.perf_counter() - wall
        in_db, matching = count_saved(app, session_id, stats.acknowledged, warm_attempts)
        threads = f" × {args.threads} threads" if args.worker_class == "gthread" else ""
        print(f"gunicorn: {args.workers} workers{threads} ({args.worker_class}); {args.rounds} autosaves each, every {AUTOSAVE_EVERY / args.speedup:.1f} s ±30%;"
              f" submit {args.submit} (spread over {SUBMIT_WINDOW / args.speedup:.0f} s)")
        print(f"start   {percentiles(stats.latency['start'])}   last start at {last_start:.1f} s")
        # Whether the start phase was bound by the schedule or by the server's capacity, and
        # that capacity in bare-Flask requests, which carries from one machine to another.
        arrivals = len(clients) - args.warmup
        started = len(stats.latency["start"]) / last_start if last_start else 0.0
        if started and last_start > START_WINDOW:
            print(f"        starts answered at {started:.0f}/s against {arrivals / (START_WINDOW * 0.9):.0f}/s arriving: the server's capacity;"
                  f" bare Flask {bare_rate:.0f}/s, so a start costs about {bare_rate / started:.0f} bare requests")
        print(f"reload  {percentiles(stats.latency['reload'])}")
        print(f"save    {percentiles(stats.latency['save'])}")
        print(f"submit spread {percentiles(stats.latency['submit spread'])}")
        print(f"submit burst  {percentiles(stats.latency['submit burst'])}")
        print(f"errors  {sum(stats.errors.values())}" + "".join(f"\n  {key}: {count}" for key, count in sorted(stats.errors.items())))
        ratio = app_rate / bare_rate if bare_rate else 0.0
        print(f"autosave throughput {app_rate:.0f}/s vs bare Flask {bare_rate:.0f}/s: ratio {ratio:.2f} ({BURST_CLIENTS} clients, {BURST_SECONDS:.0f} s each)")
        print(f"answers acknowledged {len(stats.acknowledged)}, saved in the database with that sequence {matching} (rows {in_db})"
              + ("  OK" if matching == len(stats.acknowledged) == in_db else "  MISMATCH"))
        print(f"CPU over {wall:.0f} s: this client {client_cpu:.1f} s ({client_cpu / wall:.0%} of a core), app gunicorn {app_cpu:.1f} s"
              f" ({app_cpu / wall:.0%} of a core); {os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if drop:
            drop()


if __name__ == "__main__":
    main()
