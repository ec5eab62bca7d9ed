"""Sending notices: each kind as one call that the area causing it makes (thin hooks), and the
scheduled ones that `schedule run` makes. A notice is written for each person (their dashboard)
and, when they have an address, an e-mail in their language is queued in the same transaction;
both are sent once, whatever reruns (the notice's unique key). Writes flush, never commit."""
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.courses import queries as course_queries
from lms.extensions import db
from lms.localtime import local_today, to_local
from lms.mail import MailMessage
from lms.models_base import utcnow
from lms.notifications import compose, queries
from lms.notifications.delivery import deliver_after_commit
from lms.notifications.models import COURSE_ASSIGNED, COURSE_REMINDER, EXAM_INVITATION, EXAM_RESULTS, HR_OVERDUE, Notice, NoticeRun
from lms.scope import role_scope
from lms.text import nfc

RESULTS_LOOKBACK = timedelta(days=14)  # results released longer ago are not announced any more


def _insert_ignoring_duplicates(table, *key_columns):
    """INSERT … ON CONFLICT DO NOTHING: a concurrent run that wrote the same key first wins."""
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return statement.on_conflict_do_nothing(index_elements=list(key_columns))


def send(notices, now=None):
    """notices: dicts of kind, key, staff_id, user_id, title, body, link, and for the e-mail
    email, name, locale. Writes the notices not sent before (their key) and queues the e-mails
    of those; returns how many notices were new."""
    if not notices:
        return 0
    now = now or utcnow()
    rows = [{"kind": n["kind"], "dedupe_key": n["key"], "staff_id": n.get("staff_id"), "user_id": n.get("user_id"), "title": nfc(n["title"])[:300],
             "body": nfc(n["body"]), "link": n.get("link", ""), "created_at": now} for n in notices]
    table = Notice.__table__
    written = set(db.session.execute(_insert_ignoring_duplicates(table, "dedupe_key").returning(table.c.dedupe_key), rows).scalars())
    mails = [{"to_address": n["email"].strip(), "subject": nfc(n["title"])[:300], "kind": n["kind"], "staff_id": n.get("staff_id"),
              "body": nfc(compose.email_body(n.get("locale"), n.get("name", ""), n["body"], n.get("link", ""))), "created_at": now}
             for n in notices if n["key"] in written and (n.get("email") or "").strip()]
    if mails:
        db.session.execute(insert(MailMessage.__table__), mails)
        deliver_after_commit()
    return len(written)


def _course_name(assignment):
    return f"{assignment.course.module.code} – {assignment.course.title}"


# --- Courses -----------------------------------------------------------------------------


def course_assigned(assignment, now=None):
    """Tell every active staff member the new assignment reaches of the course and its deadline."""
    link = compose.path_for("courses.course", code=assignment.course.module.code)
    notices = []
    for _assignment, staff_id, name, email, user_id, locale, _done, _total in queries.assignment_reach([assignment.id], COURSE_ASSIGNED):
        title, body = compose.course_assigned(locale, _course_name(assignment), assignment.deadline, assignment.note)
        notices.append({"kind": COURSE_ASSIGNED, "key": queries.key_of(COURSE_ASSIGNED, assignment.id, staff_id), "staff_id": staff_id,
                        "user_id": user_id, "title": title, "body": body, "link": link, "email": email, "name": name, "locale": locale})
    return send(notices, now)


def remind_deadlines(today: date, days: int, now=None):
    """Remind the staff who have not finished an assignment due within `days` days, once per
    assignment and person. An assignment made inside that window is not reminded of: its
    notice, days before, already gave the deadline."""
    due = [a for a in queries.assignments_due(today, today + timedelta(days=days))
           if to_local(a.created_at).date() < a.deadline - timedelta(days=days)]
    notices = []
    for assignment, staff_id, name, email, user_id, locale, done, total in queries.assignment_reach([a.id for a in due], COURSE_REMINDER):
        if total == 0 or done >= total:
            continue
        title, body = compose.course_reminder(locale, _course_name(assignment), assignment.deadline, (assignment.deadline - today).days,
                                              done, total)
        notices.append({"kind": COURSE_REMINDER, "key": queries.key_of(COURSE_REMINDER, assignment.id, staff_id), "staff_id": staff_id,
                        "user_id": user_id, "title": title, "body": body, "email": email, "name": name, "locale": locale,
                        "link": compose.path_for("courses.course", code=assignment.course.module.code)})
    return send(notices, now)


def iso_week(day: date):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_overdue(today: date, now=None):
    """To each HR officer, the overdue staff of their units this ISO week (when there are any)."""
    week, notices = iso_week(today), []
    link = compose.path_for("course_assignments.overdue")
    officers = queries.hr_officers()
    sent = queries.existing_keys(queries.key_of(HR_OVERDUE, user.id, week) for user, _email, _name in officers)
    for user, email, name in officers:
        key = queries.key_of(HR_OVERDUE, user.id, week)
        if key in sent:
            continue
        rows = [(staff.id, staff.full_name, unit.name, _course_name(assignment), assignment.deadline, done, total)
                for assignment, staff, unit, done, total in course_queries.overdue(role_scope(db.session, user, "hr"), today)]
        if not rows:
            continue
        title, body = compose.hr_overdue(user.locale, week, today, rows)
        notices.append({"kind": HR_OVERDUE, "key": key, "user_id": user.id, "title": title, "body": body, "link": link,
                        "email": email, "name": name or user.display_name, "locale": user.locale})
    return send(notices, now)


# --- Exams -------------------------------------------------------------------------------


def _candidate_notices(kind, rows, text_of, link_of):
    sessions = queries.sessions_by_id({row[1] for row in rows})
    notices = []
    for candidate_id, session_id, staff_id, number, room, name, email, user_id, locale in rows:
        title, body = text_of(locale, sessions[session_id], number, room)
        notices.append({"kind": kind, "key": queries.key_of(kind, candidate_id), "staff_id": staff_id, "user_id": user_id, "title": title,
                        "body": body, "link": link_of(session_id), "email": email, "name": name, "locale": locale})
    return notices


def _session_page(session_id):
    return compose.path_for("exams.session_page", session_id=session_id)


def invite_candidates(session_id=None, now: datetime = None):
    """An invitation (session, time, place, candidate number) to every candidate of a published
    session not yet closed who has none: called when a session is saved (published) and when
    candidates are added; `schedule run` catches any other way in. Idempotent."""
    now = now or utcnow()
    rows = queries.uninvited_candidates(now, session_id)
    return send(_candidate_notices(EXAM_INVITATION, rows, compose.exam_invitation, _session_page), now)


def results_released(session_id=None, now: datetime = None):
    """Tell each candidate with a graded attempt that the session's results are out: called on
    release; `schedule run` tells those of a release time set ahead once it passes. Idempotent."""
    now = now or utcnow()
    rows = queries.untold_results(now, now - RESULTS_LOOKBACK, session_id)
    return send(_candidate_notices(EXAM_RESULTS, rows, lambda locale, session, _n, _r: compose.exam_results(locale, session.name),
                                   _session_page), now)


# --- The schedule ------------------------------------------------------------------------


def _once(step, period, action):
    """Run `action` unless this step was done for the period; mark it done."""
    if queries.step_done(step, period):
        return 0
    count = action()
    db.session.execute(_insert_ignoring_duplicates(NoticeRun.__table__, "step", "period"), [{"step": step, "period": period, "done_at": utcnow()}])
    return count


def scheduled(now: datetime):
    """What `schedule run` sends: invitations and results a hook did not send, the day's
    deadline reminders (once a day) and the week's HR lists (once an ISO week, Hanoi time).
    Returns the counts per kind."""
    today = local_today(now)
    days = current_app.config["REMINDER_DAYS"]
    return {
        EXAM_INVITATION: invite_candidates(None, now),
        EXAM_RESULTS: results_released(None, now),
        COURSE_REMINDER: _once(COURSE_REMINDER, today.isoformat(), lambda: remind_deadlines(today, days, now)),
        HR_OVERDUE: _once(HR_OVERDUE, iso_week(today), lambda: weekly_overdue(today, now)),
    }


# --- A person's notices ------------------------------------------------------------------


def mark_read(user, notice=None, now=None):
    """One notice of the user read, or all of theirs. How many changed."""
    now = now or utcnow()
    condition = queries.unread_condition(user)
    if notice is not None:
        condition.append(Notice.id == notice.id)
    changed = db.session.execute(update(Notice).where(*condition).values(read_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return changed
