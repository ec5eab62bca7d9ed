"""A request is one transaction: committed when the view answers below 400, rolled back on
any 4xx or 5xx, so that a refused request changes nothing.

A refusal that must leave a trace (a save that came too late, a refused start, a throttled
sign-in) says so with `leave_trace`: the row is written at once, in the request's
transaction, and written again in a transaction of its own after the rollback of a refusal.
A refusal answered with a redirect calls `refused()` itself.
"""
from flask import g, request
from sqlalchemy import event, insert
from sqlalchemy.exc import OperationalError

from lms.database import begin_immediate
from lms.extensions import db

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TRACES = "lms_refusal_traces"


def leave_trace(table, values):
    """INSERT a row into `table` that outlives a refusal of the request (see the module)."""
    statement = insert(table).values(**values)
    db.session.execute(statement)
    db.session.info.setdefault(_TRACES, []).append(statement)


def _forget_traces(session, *_args):
    session.info.pop(_TRACES, None)


def refused():
    """Roll back what the request wrote, keeping its traces: for a refusal answered with a
    redirect (a flash message and 303/302), which the status alone would commit."""
    traces = db.session.info.pop(_TRACES, None)
    db.session.rollback()
    if traces:
        for statement in traces:
            db.session.execute(statement)
        db.session.commit()


def abandon():
    """Roll back what the request wrote, its traces too: for a request the database could not
    serve (lms.errors.database_unavailable), which the client sends again."""
    db.session.info.pop(_TRACES, None)
    db.session.rollback()


def register(app, unavailable_answer):
    """`unavailable_answer()`: the response for a commit the database refused
    (lms.errors.database_unavailable, passed in: lms.errors uses this module)."""
    event.listen(db.session, "after_commit", _forget_traces)

    @app.before_request
    def _transaction_mode():
        # SQLite: a writing request takes the write lock at BEGIN (see lms.database).
        g._immediate_token = begin_immediate(request.method in WRITE_METHODS)

    @app.after_request
    def _end_transaction(response):
        if response.status_code < 400:
            try:
                db.session.commit()
            except OperationalError:
                unavailable = unavailable_answer()
                # The headers the other after_request functions already set (security, caching).
                unavailable.headers.extend([(name, value) for name, value in response.headers if name not in unavailable.headers])
                return unavailable
        else:
            refused()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()
