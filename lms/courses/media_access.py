"""Question images a learner may fetch: those of the questions in their practice quizzes,
feedback included (practice shows it after each answer)."""
from sqlalchemy import select

from lms.courses.models import PracticeAttempt
from lms.extensions import db
from lms.questionbank.queries import versions_show_image


def image_in_own_practice(user, image):
    quizzes = db.session.execute(select(PracticeAttempt.questions).where(PracticeAttempt.user_id == user.id)).scalars()
    version_ids = {entry["version_id"] for questions in quizzes for entry in questions or () if entry.get("version_id")}
    return bool(version_ids) and versions_show_image(sorted(version_ids), image.id)
