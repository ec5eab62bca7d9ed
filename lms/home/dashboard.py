"""The learner's dashboard: their latest notices, the learning path and assignments (courses),
upcoming exam sessions, the results the review policy lets them see (exams) and their certificates."""
from flask import url_for
from flask_babel import gettext as _

from lms.certificates import queries as certificates
from lms.courses import queries as courses
from lms.exams.take import outcome
from lms.exams.take import queries as exams
from lms.localtime import format_local, local_today
from lms.models_base import utcnow
from lms.notifications import queries as notices


def upcoming_exams(user, now):
    """Sessions still to sit: not yet closed, and not finished by the user (an attempt of every
    part handed in); a finished one moves to the results."""
    sessions = [session for _candidate, session in exams.my_candidacies(user, now) if session.closes_at > now]
    finished = outcome.finished_session_ids(user, [session.id for session in sessions])
    return [
        {
            "title": session.name,
            "detail": _("Mở từ %(start)s đến %(end)s", start=format_local(session.opens_at), end=format_local(session.closes_at)),
            "url": url_for("exams.session_page", session_id=session.id),
        }
        for session in sessions
        if session.id not in finished
    ]


def _verdict(passed):
    return _("Đạt") if passed else _("Chưa đạt")


def released_results(user, now):
    """Per session with a result the review policy lets the candidate see now: the overall
    result of the sitting (once known), then each finished attempt's score."""
    items, seen = [], set()
    for attempt, part, session in exams.scored_attempts(user, now):
        if exams.review_level(attempt, now, session) == "none":
            continue
        if session.id not in seen:
            seen.add(session.id)
            sitting = outcome.sitting_outcome(attempt.candidate, now)
            if sitting.passed is not None:
                items.append({
                    "title": f"{session.name} – " + _("Kết quả chung"),
                    "detail": _verdict(sitting.passed),
                    "url": url_for("exams.result", attempt_id=attempt.id),
                    "overall": True,
                })
        items.append({
            "title": f"{session.name} – {part.title}",
            "detail": _("%(score)s/%(max)s điểm – %(verdict)s", score=f"{attempt.score:g}", max=f"{part.max_score:g}",
                        verdict=_verdict(attempt.score >= part.pass_mark)),
            "url": url_for("exams.result", attempt_id=attempt.id),
        })
    return items


def learner_dashboard(user, today=None):
    now = utcnow()
    path = courses.learning_path(user)
    for entry in path:
        entry["resume"] = courses.resume_lesson(user, entry["course"]) if entry["course"] and entry["done"] < entry["total"] else None
    return {
        "staff": user.staff,
        "path": path,
        "assignments": courses.assignments_for(user, today or local_today(now)),
        "upcoming_exams": upcoming_exams(user, now),
        "results": released_results(user, now),
        "certificates": certificates.of_staff(user.staff.id) if user.staff else [],
        "today": today or local_today(now),
        "notices": notices.recent_notices(user),
        "unread_notices": notices.count_of(user, unread_only=True),
    }
