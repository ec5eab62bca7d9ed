"""Question images a candidate may fetch: those shown on a paper they were given (never
one that only the key or the feedback of its questions holds)."""
from sqlalchemy import select

from lms.exams.models import AttemptQuestion, ExamAttempt, ExamCandidate
from lms.questionbank.queries import versions_show_image


def image_on_own_paper(user, image):
    papers = (
        select(AttemptQuestion.question_version_id)
        .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ExamCandidate.user_id == user.id)
    )
    return versions_show_image(papers, image.id, while_answering=True)
