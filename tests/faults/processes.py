"""Processes for the fault tests: the app served by a werkzeug server in a process of its own
(to be killed), an HTTP client with cookies, and worker processes that call a function at
the same moment. Everything stays on the loopback interface.

Run as a script, this module is the server: `processes.py serve PORT CONFIG_JSON`."""
import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app on a free loopback port, in a subprocess with a threaded werkzeug server."""

    def __init__(self, config, log_path):
        self.config, self.log_path, self.process = config, log_path, None

    def start(self, timeout=60):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = open(self.log_path, "ab")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen([sys.executable, __file__, "serve", str(self.port), json.dumps(self.config)],
                                        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}): see {self.log_path}")
            try:
                if Client(self.base).get("/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer on port {self.port}: see {self.log_path}")

    def kill(self):
        """SIGKILL: no shutdown handler, no rollback, no close of its connections."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Reply:
    status: int
    headers: object
    text: str
    url: str

    def json(self):
        return json.loads(self.text)


class Client:
    """An HTTP client with a cookie jar (thread-safe), like a browser's tab."""

    def __init__(self, base, cookies=None):
        self.base, self.cookies = base, cookies if cookies is not None else CookieJar()
        self._opener = build_opener(HTTPCookieProcessor(self.cookies))

    def on(self, base):
        """The same browser (its cookies) talking to another address: the restarted server."""
        return Client(base, self.cookies)

    def request(self, method, path, json_body=None, form=None, headers=None, timeout=10):
        data, headers = None, {"Accept": "application/json", **(headers or {})}
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        try:
            with self._opener.open(Request(self.base + path, data=data, headers=headers, method=method), timeout=timeout) as response:
                return Reply(response.status, response.headers, response.read().decode(), response.url)
        except HTTPError as error:
            return Reply(error.code, error.headers, error.read().decode(), error.url)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data, token_page):
        """A form posted as the page at `token_page` would post it (its CSRF token)."""
        page = self.get(token_page, headers={"Accept": "text/html"}).text
        match = TOKEN.search(page)
        assert match, f"no CSRF token on {token_page}"
        return self.request("POST", path, form={**data, "csrf_token": match.group(1) or match.group(2)}, headers={"Accept": "text/html"})

    def login(self, username, password="Demo@2017"):
        reply = self.post_form("/login", {"username": username, "password": password}, "/login")
        assert reply.status == 200 and not reply.url.endswith("/login"), f"sign-in failed: {reply.status} {reply.url}"
        return reply


def start_exam(client, session_id, part_id):
    """The candidate starts the part as the session page does: (attempt id, question ids, CSRF token for the API)."""
    page = client.post_form(f"/exams/sessions/{session_id}/parts/{part_id}/start", {}, f"/exams/sessions/{session_id}")
    assert page.status == 200, page.text[:500]
    attempt_id = int(re.search(r'<div id="exam" [^>]*data-attempt="(\d+)"', page.text).group(1))
    questions = [int(question) for question in re.findall(r'<section [^>]*data-question="(\d+)"', page.text)]
    csrf = re.search(r'<div id="exam" [^>]*data-csrf="([^"]+)"', page.text).group(1)
    return attempt_id, questions, csrf


# --- worker processes -------------------------------------------------------------------------------


def _work(connection, config, barrier):
    from lms import create_app
    from lms.extensions import db

    app = create_app(config)
    connection.send("ready")
    while (message := connection.recv()) is not None:
        function, args = message
        with app.app_context():
            try:
                barrier.wait(30)  # every worker starts the call at the same moment
                result = ("ok", function(*args))
            except Exception as error:  # noqa: BLE001 - sent back and asserted on by the test
                db.session.rollback()
                result = ("error", repr(error))
            finally:
                db.session.remove()
        connection.send(result)
    with app.app_context():
        db.engine.dispose()


class Workers:
    """`count` processes, each a fresh interpreter with the app on `config` (as separate server
    workers are, never forked from a process with open connections), that call one function at
    the same moment, each in its own app context."""

    def __init__(self, config, count):
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(count)
        self._pipes, self._processes = [], []
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, config, barrier), daemon=True)
            process.start()
            self._pipes.append(ours)
            self._processes.append(process)
        for pipe in self._pipes:
            assert pipe.poll(120) and pipe.recv() == "ready", "a worker process did not start"

    def run(self, function, *args, timeout=120):
        """[function(*args) in each worker]; a worker's exception fails the test with its repr.
        `function` must be importable (a module-level function)."""
        for pipe in self._pipes:
            pipe.send((function, args))
        replies = []
        for pipe in self._pipes:
            assert pipe.poll(timeout), "a worker process did not answer"
            replies.append(pipe.recv())
        failures = [value for status, value in replies if status != "ok"]
        assert not failures, f"workers failed: {failures}"
        return [value for _status, value in replies]

    def close(self):
        for pipe in self._pipes:
            pipe.send(None)
        for process in self._processes:
            process.join(30)
            if process.is_alive():
                process.kill()


def _serve(port, config):
    from werkzeug.serving import run_simple

    from lms import create_app

    run_simple("127.0.0.1", port, create_app(config), threaded=True, use_reloader=False, use_debugger=False)


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(int(sys.argv[2]), json.loads(sys.argv[3]))
