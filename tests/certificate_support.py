"""Exam sittings ready for certificates: a released session whose candidates sat the theory
part with a chosen number of right answers per module (5 questions a module)."""
from exam_support import make_pool, make_session, sit
from sqlalchemy import select

from lms.auth.services import find_user
from lms.certificates import authority as authorities
from lms.certificates import issuance
from lms.exams import design
from lms.exams.manage.services import release_results
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff

ALL_RIGHT = {code: 5 for code in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")}
PASSING = {"IU01": 5, "IU02": 5, "IU03": 4, "IU04": 3, "IU05": 2, "IU06": 0}  # 6.33: passes, IU05 and IU06 not
FAILING = {"IU01": 5, "IU02": 5, "IU03": 4}  # 4.66


def released_session(patterns, extra_staff=()):
    """A session with the demo learner (the first pattern) and further staff members (by ID
    number, or the first others of the demo) sitting the theory part; results released.
    Returns (session, [candidate ids], [attempt ids])."""
    make_pool()
    session, learner_candidate = make_session()
    candidates = [learner_candidate]
    others = list(extra_staff) or db.session.execute(
        select(Staff).where(Staff.id != learner_candidate.staff_id).order_by(Staff.id).limit(len(patterns) - 1)).scalars().all()
    for staff in others[: len(patterns) - 1]:
        candidates.append(design.add_candidate(session, staff))
    db.session.commit()
    attempt_ids = [sit(candidate, session.blueprint.parts[0], pattern) for candidate, pattern in zip(candidates, patterns)]
    release_results(session, utcnow(), find_user("admin"))
    db.session.commit()
    return session, [candidate.id for candidate in candidates], attempt_ids


def issue_all(session, scope=None):
    """Issue every pending certificate of the session (city scope): the certificates."""
    from lms.scope import Scope

    issued = []
    for pending in issuance.pending_in_session(session, scope or Scope.city()):
        certificate, _created = issuance.issue(pending, authorities.current(), utcnow(), find_user("admin"))
        issued.append(certificate)
    db.session.commit()
    return issued
