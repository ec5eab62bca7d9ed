"""Reads of notifications: who is to be told (in one statement per kind, the people not yet
told left out by their notice's key), each person's notices, and the outbox."""
from sqlalchemy import String, cast, func, literal, or_, select

from lms.auth.models import RoleAssignment, User
from lms.courses.models import Assignment, Course
from lms.courses.queries import reach_of
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamCandidate, ExamRoom, ExamSession
from lms.extensions import db
from lms.mail import MAX_TRIES, MailMessage
from lms.notifications.models import EXAM_INVITATION, EXAM_RESULTS, Notice, NoticeRun
from lms.org.models import Staff


def key_of(kind, *parts):
    return ":".join([kind, *map(str, parts)])


def _not_told(kind, *columns):
    """No notice of `kind` about these columns' values yet (the key built in SQL, looked up in its unique index)."""
    key = literal(f"{kind}:")
    for position, column in enumerate(columns):
        key = key.concat(cast(column, String)) if position == 0 else key.concat(":").concat(cast(column, String))
    return ~select(Notice.id).where(Notice.dedupe_key == key).exists()


def assignment_reach(assignment_ids, kind=None):
    """Rows (assignment, staff_id, full_name, email, user_id, locale, done, total) of the active
    staff the assignments reach; without those already sent a notice of `kind` about it."""
    reach = reach_of(assignment_ids)
    query = (
        select(Assignment, reach.c.staff_id, Staff.full_name, Staff.email, User.id, User.locale, reach.c.done, reach.c.total)
        .join(Assignment, Assignment.id == reach.c.assignment_id)
        .join(Staff, Staff.id == reach.c.staff_id)
        .outerjoin(User, User.id == reach.c.user_id)
        .order_by(Assignment.id, Staff.id)
    )
    if kind:
        query = query.where(_not_told(kind, reach.c.assignment_id, reach.c.staff_id))
    return db.session.execute(query).all()


def assignments_due(first_day, last_day):
    """Assignments whose deadline falls between the two days (inclusive)."""
    return db.session.execute(
        select(Assignment).join(Course, Course.id == Assignment.course_id).where(Assignment.deadline.between(first_day, last_day))
        .order_by(Assignment.deadline, Assignment.id)
    ).scalars().all()


def _candidates(condition):
    return (
        select(ExamCandidate.id, ExamCandidate.session_id, ExamCandidate.staff_id, ExamCandidate.candidate_number, ExamRoom.name,
               Staff.full_name, Staff.email, User.id, User.locale)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .outerjoin(ExamRoom, ExamRoom.id == ExamCandidate.room_id)
        .outerjoin(User, User.staff_id == ExamCandidate.staff_id)
        .where(condition)
        .order_by(ExamCandidate.session_id, ExamCandidate.id)
    )


def uninvited_candidates(now, session_id=None):
    """Candidates of published sessions not yet closed who have no invitation."""
    query = _candidates(ExamSession.status == "published").where(ExamSession.closes_at > now, _not_told(EXAM_INVITATION, ExamCandidate.id))
    if session_id is not None:
        query = query.where(ExamCandidate.session_id == session_id)
    return db.session.execute(query).all()


def untold_results(now, released_since, session_id=None):
    """Candidates with a graded attempt in a session whose results are released (since
    `released_since`, so that old sessions stay quiet), not yet told."""
    graded = select(ExamAttempt.id).where(ExamAttempt.candidate_id == ExamCandidate.id, ExamAttempt.state == engine.GRADED).exists()
    query = _candidates(ExamSession.results_released_at.between(released_since, now)).where(graded, _not_told(EXAM_RESULTS, ExamCandidate.id))
    if session_id is not None:
        query = query.where(ExamCandidate.session_id == session_id)
    return db.session.execute(query).all()


def sessions_by_id(session_ids):
    if not session_ids:
        return {}
    return {s.id: s for s in db.session.execute(select(ExamSession).where(ExamSession.id.in_(session_ids))).scalars()}


def hr_officers():
    """Enabled accounts holding the HR role, with their staff record's e-mail when they have one."""
    return db.session.execute(
        select(User, Staff.email, Staff.full_name)
        .outerjoin(Staff, Staff.id == User.staff_id)
        .where(User.enabled.is_(True), User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == "hr")))
        .order_by(User.id)
    ).all()


def step_done(step, period):
    return db.session.execute(select(NoticeRun.id).where(NoticeRun.step == step, NoticeRun.period == period)).first() is not None


def existing_keys(keys):
    keys = list(keys)
    found = set()
    for start in range(0, len(keys), 500):
        found.update(db.session.execute(select(Notice.dedupe_key).where(Notice.dedupe_key.in_(keys[start:start + 500]))).scalars())
    return found


# --- A person's notices ------------------------------------------------------------------


def _mine(user):
    return or_(Notice.user_id == user.id, Notice.staff_id == user.staff_id) if user.staff_id else Notice.user_id == user.id


def notices_query(user):
    """The user's notices, newest first (to paginate)."""
    return select(Notice).where(_mine(user)).order_by(Notice.created_at.desc(), Notice.id.desc())


def recent_notices(user, limit=5):
    return db.session.execute(notices_query(user).limit(limit)).scalars().all()


def count_of(user, unread_only=False):
    query = select(func.count(Notice.id)).where(_mine(user))
    return db.session.execute(query.where(Notice.read_at.is_(None)) if unread_only else query).scalar_one()


def notice_of(user, notice_id):
    """The user's notice, or None (someone else's reads as missing)."""
    return db.session.execute(select(Notice).where(Notice.id == notice_id, _mine(user))).scalar_one_or_none()


def unread_condition(user):
    return [_mine(user), Notice.read_at.is_(None)]


# --- The outbox --------------------------------------------------------------------------

OUTBOX_STATES = ("pending", "failed", "sent")


def _state_condition(state):
    if state == "sent":
        return MailMessage.sent_at.is_not(None)
    if state == "failed":  # given up: tried MAX_TRIES times
        return MailMessage.sent_at.is_(None) & (MailMessage.tries >= MAX_TRIES)
    return MailMessage.sent_at.is_(None) & (MailMessage.tries < MAX_TRIES)


def outbox_query(state=None):
    """Queued, given-up or sent messages (all without `state`), newest first (to paginate)."""
    query = select(MailMessage).order_by(MailMessage.id.desc())
    return query.where(_state_condition(state)) if state in OUTBOX_STATES else query


def outbox_counts():
    return {state: db.session.execute(select(func.count(MailMessage.id)).where(_state_condition(state))).scalar_one()
            for state in OUTBOX_STATES}
