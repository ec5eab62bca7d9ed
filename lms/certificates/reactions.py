"""Certificates react to result changes in the transaction that makes them: before a commit
that regraded or reopened an attempt, the certificates resting on it are flagged for review
(lms.certificates.review). Wired once by the application factory; `schedule run` catches up
from the result events as a safety net."""
from sqlalchemy import event

from lms.exams.results import CHANGED_IN_TRANSACTION
from lms.extensions import db
from lms.models_base import utcnow

_wired = []


def register(_app):
    if _wired:
        return
    event.listen(db.session, "before_commit", _flag_before_commit)
    event.listen(db.session, "after_rollback", _forget)
    _wired.append(True)


def _flag_before_commit(session):
    changed = session.info.pop(CHANGED_IN_TRANSACTION, None)
    if changed:
        from lms.certificates.review import flag_unsupported

        flag_unsupported(changed, utcnow())


def _forget(session):
    session.info.pop(CHANGED_IN_TRANSACTION, None)
