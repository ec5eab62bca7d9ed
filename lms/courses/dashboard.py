"""The learner's dashboard: learning path, assignments, and sections other areas fill.

The exams and certificates areas append providers to the hook lists below: each is a
callable taking the user and returning a list of items {"title", "detail", "url"?}.
With no provider (no exams area installed) the sections say so.
"""
from datetime import datetime, timedelta, timezone

from lms.courses import queries

# Vietnam keeps UTC+7 all year: deadlines are dates in local time.
LOCAL_TIMEZONE = timezone(timedelta(hours=7))

UPCOMING_EXAM_PROVIDERS = []
RESULT_PROVIDERS = []


def local_today(now=None):
    return (now or datetime.now(timezone.utc)).astimezone(LOCAL_TIMEZONE).date()


def _collect(providers, user):
    items = []
    for provider in providers:
        items.extend(provider(user))
    return items


def learner_dashboard(user, today=None):
    today = today or local_today()
    path = queries.learning_path(user)
    for entry in path:
        entry["resume"] = queries.resume_lesson(user, entry["course"]) if entry["course"] and entry["done"] < entry["total"] else None
    return {
        "staff": user.staff,
        "path": path,
        "assignments": queries.assignments_for(user, today),
        "upcoming_exams": _collect(UPCOMING_EXAM_PROVIDERS, user),
        "results": _collect(RESULT_PROVIDERS, user),
        "exams_available": bool(UPCOMING_EXAM_PROVIDERS),
        "results_available": bool(RESULT_PROVIDERS),
        "today": today,
    }
