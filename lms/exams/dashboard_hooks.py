"""What the learner's dashboard shows of exams: upcoming sessions and released results."""
from datetime import timedelta, timezone

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from lms.courses.dashboard import RESULT_PROVIDERS, UPCOMING_EXAM_PROVIDERS
from lms.exams import queries
from lms.exams.models import BlueprintPart, ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow

HANOI = timezone(timedelta(hours=7))


def _local(moment):
    return moment.astimezone(HANOI).strftime("%H:%M %d/%m/%Y")


def upcoming_exams(user):
    now = utcnow()
    return [
        {
            "title": session.name,
            "detail": _("Mở từ %(start)s đến %(end)s", start=_local(session.opens_at), end=_local(session.closes_at)),
            "url": url_for("exams.session_page", session_id=session.id),
        }
        for candidate, session in queries.my_candidacies(user, now)
        if session.closes_at > now
    ]


def released_results(user):
    """Finished attempts whose score the session's review policy lets the candidate see now."""
    now = utcnow()
    items = []
    for candidate, session in queries.my_candidacies(user, now):
        attempts = db.session.execute(
            select(ExamAttempt, BlueprintPart)
            .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
            .where(ExamAttempt.candidate_id == candidate.id, ExamAttempt.score.is_not(None))
            .order_by(BlueprintPart.position, ExamAttempt.number)
        ).all()
        for attempt, part in attempts:
            if queries.review_level(attempt, now) == "none":
                continue
            verdict = _("Đạt") if attempt.score >= part.pass_mark else _("Chưa đạt")
            items.append({
                "title": f"{session.name} – {part.title}",
                "detail": _("%(score)s/%(max)s điểm – %(verdict)s", score=f"{attempt.score:g}", max=f"{part.max_score:g}", verdict=verdict),
                "url": url_for("exams.result", attempt_id=attempt.id),
            })
    return items


UPCOMING_EXAM_PROVIDERS.append(upcoming_exams)
RESULT_PROVIDERS.append(released_results)
