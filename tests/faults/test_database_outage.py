"""The database briefly locked or out of reach during an exam: a save is answered 503 with a
Vietnamese message and a retry hint (never a 500 page), nothing of its batch is written, and
the same batch sent again once the database is back is stored."""
import re
import sqlite3
from contextlib import contextmanager

import pytest
from exam_support import make_pool, make_session
from processes import free_port
from sqlalchemy import event, select

from lms.exams.models import AttemptAnswer, AttemptQuestion, ExamAttempt


@pytest.fixture()
def exam(db, demo, auth):
    """The demo learner signed in and started on a 30-minute paper: (attempt id, question ids, API token)."""
    make_pool()
    session, _candidate = make_session(minutes=30)
    auth.login("learner")
    page = auth.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start", token_page=f"/exams/sessions/{session.id}")
    attempt_id = int(re.search(r'data-attempt="(\d+)"', page.get_data(as_text=True)).group(1))
    questions = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)
                                   .order_by(AttemptQuestion.position)).scalars().all()
    token = auth.client.get(f"/exams/api/attempts/{attempt_id}/state").get_json()["csrf_token"]
    return attempt_id, questions, token


def save(client, exam, entries):
    attempt_id, _questions, token = exam
    return client.post(f"/exams/api/attempts/{attempt_id}/answers", json={"answers": entries}, headers={"X-CSRFToken": token})


def stored(db, attempt_id):
    """{question: (seq, response)} as the database holds them now."""
    db.session.rollback()  # a fresh read
    rows = db.session.execute(select(AttemptAnswer.attempt_question_id, AttemptAnswer.client_seq, AttemptAnswer.response)
                              .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
                              .where(AttemptQuestion.attempt_id == attempt_id)).all()
    return {question: (seq, response) for question, seq, response in rows}


def assert_unavailable(response):
    """503 JSON with a message in Vietnamese and a retry hint: what exam.js keeps its answers for and re-sends."""
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["error"] == 503 and "thử lại" in body["message"] and "cơ sở dữ liệu" in body["message"]


@contextmanager
def write_lock_held_elsewhere(db, attempt_id):
    """Another connection holds, past the lock timeout, what a save needs: SQLite's write lock
    (BEGIN IMMEDIATE, as the sqlite3 shell or a backup script may), the attempt's row on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        outside = sqlite3.connect(db.engine.url.database, isolation_level=None)
        outside.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            outside.rollback()
            outside.close()
        return
    with db.engine.connect() as outside:
        outside.execute(select(ExamAttempt.id).where(ExamAttempt.id == attempt_id).with_for_update())
        yield
        outside.rollback()


@contextmanager
def failing_statement(db, starts_with):
    """The driver's own OperationalError (the database gone mid-request) on the first statement
    that starts with `starts_with`; the statements before it run."""
    error = db.engine.dialect.loaded_dbapi.OperationalError

    def fail(_cursor, statement, _parameters, _context):
        if statement.lstrip().lower().startswith(starts_with.lower()):
            raise error("server closed the connection unexpectedly")

    for name in ("do_execute", "do_executemany"):
        event.listen(db.engine, name, fail)
    try:
        yield
    finally:
        for name in ("do_execute", "do_executemany"):
            event.remove(db.engine, name, fail)


@contextmanager
def database_unreachable(db):
    """Every new connection fails as the driver fails on a database out of reach (a SQLite file
    in a missing folder, a PostgreSQL port nobody listens on); the pool is emptied first."""
    engine = db.engine

    def connect(dialect, _record, cargs, cparams):
        if dialect.name == "sqlite":
            return dialect.loaded_dbapi.connect("/nonexistent-folder/lms.sqlite3", **cparams)
        return dialect.loaded_dbapi.connect(**{**cparams, "host": "127.0.0.1", "port": free_port(), "connect_timeout": 2})

    db.session.remove()
    engine.dispose()
    event.listen(engine, "do_connect", connect)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", connect)
        engine.dispose()


def test_a_save_behind_a_lock_held_past_the_timeout_is_refused_503_then_stored_when_sent_again(db, client, exam):
    attempt_id, questions, _token = exam
    entries = [{"question": question, "seq": index + 1, "response": {"choice": 1}} for index, question in enumerate(questions[:3])]
    with write_lock_held_elsewhere(db, attempt_id):
        refused = save(client, exam, entries)
        state = client.get(f"/exams/api/attempts/{attempt_id}/state")  # reads go on meanwhile
        assert state.status_code == 200 and state.get_json()["open"]
    assert_unavailable(refused)
    assert stored(db, attempt_id) == {}
    again = save(client, exam, entries)  # what the page does with what was not acknowledged
    assert again.status_code == 200 and [ack["stored"] for ack in again.get_json()["saved"]] == [True, True, True]
    assert {question: seq for question, (seq, _r) in stored(db, attempt_id).items()} == {e["question"]: e["seq"] for e in entries}


def test_a_batch_cut_off_midway_by_the_database_is_stored_not_at_all(db, client, exam):
    attempt_id, questions, _token = exam
    first = [{"question": question, "seq": 1, "response": {"choice": 0}} for question in questions[:2]]
    assert save(client, exam, first).status_code == 200
    before = stored(db, attempt_id)
    # The two answers are updated, then the database goes while the new one is inserted.
    batch = [{"question": question, "seq": 2, "response": {"choice": 2}} for question in questions[:3]]
    with failing_statement(db, f"INSERT INTO {AttemptAnswer.__table__.name}"):
        assert_unavailable(save(client, exam, batch))
    assert stored(db, attempt_id) == before
    assert save(client, exam, batch).status_code == 200
    assert {question: seq for question, (seq, _r) in stored(db, attempt_id).items()} == {question: 2 for question in questions[:3]}


def test_a_commit_that_fails_answers_503_and_keeps_nothing(db, client, exam, monkeypatch):
    attempt_id, questions, _token = exam
    dialect = db.engine.dialect
    commit = dialect.do_commit

    def fail_once(dbapi_connection):
        monkeypatch.setattr(dialect, "do_commit", commit)
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    db.session.commit()  # the test's own session has nothing left to commit: the request's commit is the one that fails
    monkeypatch.setattr(dialect, "do_commit", fail_once)
    response = save(client, exam, [{"question": questions[0], "seq": 1, "response": {"choice": 1}}])
    assert_unavailable(response)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"  # the other after-request headers are kept
    assert stored(db, attempt_id) == {}


def test_with_the_database_out_of_reach_the_exam_api_answers_503_json_and_recovers(db, client, exam):
    attempt_id, questions, _token = exam
    entry = {"question": questions[0], "seq": 1, "response": {"choice": 3}}
    with database_unreachable(db):
        assert_unavailable(save(client, exam, [entry]))
        assert_unavailable(client.get(f"/exams/api/attempts/{attempt_id}/state"))
        page = client.get(f"/exams/attempts/{attempt_id}")  # a page: the same answer, as a page, not a 500
        assert page.status_code == 503 and page.mimetype == "text/html" and "thử lại" in page.get_data(as_text=True)
    assert stored(db, attempt_id) == {}
    assert save(client, exam, [entry]).status_code == 200
    assert stored(db, attempt_id)[questions[0]][0] == 1
