"""Loading what an exam-administration request acts on, within the reader's exam scope
(lms.auth.access.exam_scope): 404 for what does not exist or lies in another session,
403 for a session organised outside the scope."""
from flask import abort

from lms.auth.access import exam_scope
from lms.exams.attempts import load_attempt
from lms.exams.manage import queries
from lms.exams.models import ExamAttempt
from lms.extensions import db


def load_session(session_id):
    session, exists = queries.session_for(session_id, exam_scope())
    if session is None:
        abort(403 if exists else 404)
    return session


def load_candidate(session, candidate_id):
    candidate = queries.candidate_of_session(session.id, candidate_id, exam_scope())
    if candidate is None:
        abort(404)
    return candidate


def _attempt_id(session, attempt_id):
    found = queries.attempt_of_session(session.id, attempt_id, exam_scope())
    if found is None:
        abort(404)
    return found


def read_attempt(session, attempt_id):
    """An attempt of the session's candidates in scope, for a page that shows or marks it."""
    return db.session.get(ExamAttempt, _attempt_id(session, attempt_id))


def locked_attempt(session, attempt_id, now):
    """The same, locked and clocked (lms.exams.attempts.load_attempt), for a proctor's change."""
    return load_attempt(_attempt_id(session, attempt_id), now, writes=True)
