"""What a candidate may read of their results, as far as the session's review policy lets them
at that moment: the overall result of the sitting (passed only when every part reaches its
pass mark: both parts at 5 of 10), the modules it tested, a practical task's rubric breakdown
and the marker's comment; and which of their sessions they have finished. Reads only."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import case, func, select

from lms.catalogue.models import Module
from lms.exams.core import engine
from lms.exams.models import AttemptGrade, AttemptQuestion, BlueprintPart, ExamAttempt, ExamCandidate, ExamSession
from lms.exams.result_models import ModuleResult
from lms.exams.take import queries
from lms.extensions import db
from lms.questionbank.schema import QuestionData

# From this review level on, a practical task's breakdown and the marker's comment are shown
# (with the questions marked right or wrong); "score" shows the scores only.
FEEDBACK_LEVELS = ("correctness", "answers")


@dataclass
class PartOutcome:
    part: BlueprintPart
    attempt: Optional[ExamAttempt]  # the latest attempt of the part, if any
    visible: bool  # the review policy lets the candidate see its score now

    @property
    def score(self) -> Optional[float]:
        graded = self.visible and self.attempt is not None and self.attempt.state == engine.GRADED
        return self.attempt.score if graded else None

    @property
    def passed(self) -> Optional[bool]:
        return None if self.score is None else self.score >= self.part.pass_mark

    @property
    def status(self) -> str:
        """not_taken, in_progress, hidden (finished, not to be shown yet), pending (waits for a
        marker) or graded."""
        if self.attempt is None:
            return "not_taken"
        if self.attempt.state not in engine.FINISHED_STATES:
            return "in_progress"
        if not self.visible:
            return "hidden"
        return "graded" if self.score is not None else "pending"


@dataclass
class SittingOutcome:
    parts: list
    passed: Optional[bool]  # None until every part is graded and visible (unless one visibly failed)
    modules: list  # [(code, name, score, passed)]: a module tested by both parts passes only if both passed it

    @property
    def complete(self) -> bool:
        return all(part.status == "graded" for part in self.parts)


def sitting_outcome(candidate, now) -> SittingOutcome:
    session = candidate.session
    attempts = queries.attempts_of(candidate)  # newest first per part
    parts = []
    for part in session.blueprint.parts:
        latest = (attempts.get(part.id) or [None])[0]
        visible = latest is not None and queries.review_level(latest, now, session) != "none"
        parts.append(PartOutcome(part, latest, visible))
    scores = [engine.PartScore(p.part.kind, p.score, p.part.pass_mark, p.part.max_score) for p in parts]
    graded = [p.attempt.id for p in parts if p.score is not None]
    return SittingOutcome(parts, engine.overall_passed(scores), _modules(graded))


def _modules(attempt_ids):
    if not attempt_ids:
        return []
    rows = db.session.execute(
        select(Module.code, Module.name, ModuleResult.score, ModuleResult.passed)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ModuleResult.attempt_id.in_(attempt_ids))
        .order_by(Module.position, Module.code)
    ).all()
    modules = {}
    for code, name, score, passed in rows:
        known = modules.get(code)
        modules[code] = (code, name, score, passed) if known is None else (code, name, min(known[2], score), known[3] and passed)
    return list(modules.values())


@dataclass
class TaskFeedback:
    criteria: list  # [(criterion, points earned, points possible)]
    comments: list  # the markers' comments that made the grade

    @property
    def earned(self) -> float:
        return sum(earned for _criterion, earned, _possible in self.criteria)

    @property
    def possible(self) -> float:
        return sum(possible for _criterion, _earned, possible in self.criteria)


def practical_feedback(attempt) -> dict:
    """{attempt question id: TaskFeedback} of the attempt's marked practical tasks. Under
    double marking the grade that counts is the reconciled one: its own breakdown and comment,
    or, when the two markers agreed and their mean counts, the mean of their breakdowns and
    both their comments."""
    rows = db.session.execute(
        select(AttemptGrade, AttemptQuestion)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptGrade.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptGrade.graded_at, AttemptGrade.id)
    ).all()
    grades, questions = {}, {}
    for grade, attempt_question in rows:
        questions[attempt_question.id] = attempt_question
        grades.setdefault(attempt_question.id, []).append(grade)
    feedback = {}
    for question_id, history in grades.items():
        current = next((grade for grade in reversed(history) if grade.current), None)
        if current is None:
            continue
        rubric = [(str(item.get("criterion", "")), float(item.get("points", 0)))
                  for item in QuestionData.from_dict(questions[question_id].version.data).rubric]
        scores, comments = current.rubric_scores, [current.reason]
        if scores is None:  # the markers' mean counts
            markers = [latest for latest in (_latest(history, "marker1"), _latest(history, "marker2")) if latest is not None]
            marked = [grade.rubric_scores for grade in markers if grade.rubric_scores and len(grade.rubric_scores) == len(rubric)]
            if not marked:
                continue
            scores = [sum(values) / len(values) for values in zip(*marked)]
            comments = [grade.reason for grade in markers]
        if len(scores) != len(rubric):
            continue
        criteria = [(criterion, round(float(score), 2), points) for (criterion, points), score in zip(rubric, scores)]
        feedback[question_id] = TaskFeedback(criteria, [text.strip() for text in comments if text and text.strip()])
    return feedback


def _latest(history, source):
    return next((grade for grade in reversed(history) if grade.source == source), None)


def finished_session_ids(user, session_ids) -> set:
    """The sessions among `session_ids` where the user has finished an attempt of every part and
    has none open: done, whatever a retake might still allow."""
    if not session_ids:
        return set()
    parts = (
        select(ExamSession.id.label("session_id"), func.count(BlueprintPart.id).label("parts"))
        .join(BlueprintPart, BlueprintPart.blueprint_id == ExamSession.blueprint_id)
        .where(ExamSession.id.in_(list(session_ids)))
        .group_by(ExamSession.id)
        .subquery()
    )
    done = (
        select(ExamCandidate.session_id,
               func.count(func.distinct(case((ExamAttempt.state.in_(engine.FINISHED_STATES), ExamAttempt.part_id)))).label("finished"),
               func.count(case((ExamAttempt.open_slot == 1, ExamAttempt.id))).label("open"))
        .join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .where(ExamCandidate.user_id == user.id, ExamCandidate.session_id.in_(list(session_ids)))
        .group_by(ExamCandidate.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(parts.c.session_id).join(done, done.c.session_id == parts.c.session_id)
        .where(done.c.finished >= parts.c.parts, done.c.open == 0)
    ).scalars()
    return set(rows)
