"""Practical marking (single or double with reconciliation) and regrades after a question is
corrected. Grades are added as AttemptGrade history, never overwritten. Writes flush, never commit."""
from flask_babel import gettext as _

from lms.audit.services import record
from lms.exams import grading
from lms.exams.attempts import lock_attempt
from lms.exams.core import engine
from lms.exams.core.blueprint_rules import PRACTICAL
from lms.exams.manage import queries
from lms.exams.manage.board import grades_by_source
from lms.exams.manage.services import ManageError
from lms.exams.models import AttemptGrade
from lms.extensions import db
from lms.questionbank.schema import QuestionData
from lms.text import tidy

# --- Practical marking ----------------------------------------------------------------------


def rubric_of(attempt_question):
    data = QuestionData.from_dict(attempt_question.version.data)
    return [(str(item.get("criterion", "")), float(item.get("points", 0))) for item in data.rubric]


def _fraction(scores, rubric):
    possible = sum(points for _, points in rubric)
    earned = sum(min(max(score, 0.0), points) for score, (_, points) in zip(scores, rubric))
    return earned / possible if possible > 0 else 0.0


def _part_score(attempt, fractions):
    earned = sum(fractions[aq.id] * aq.points for aq in attempt.questions)
    possible = sum(aq.points for aq in attempt.questions)
    return engine.scale_score(earned, possible, attempt.part.max_score)


def mark_practical(attempt, scores_by_question, now, actor, reconcile=False, note=""):
    """Record one marker's rubric scores for every task of a practical attempt.

    Single marking: the grade counts at once. Double marking: the first and the second
    marker (two different people) grade blind; if their part scores differ by no more
    than the session's threshold the mean counts, otherwise the attempt waits for a
    reconciliation (reconcile=True), whose scores count. Returns the step recorded:
    "marker1", "marker2", "reconciled" or "pending_reconciliation".
    """
    if attempt.part.kind != PRACTICAL:
        raise ManageError(_("Bài này không phải phần thực hành."))
    if attempt.state not in engine.FINISHED_STATES:
        raise ManageError(_("Thí sinh chưa nộp bài thực hành."))
    session = attempt.candidate.session
    questions = list(attempt.questions)
    fractions, rubric_scores = {}, {}
    for aq in questions:
        rubric = rubric_of(aq)
        scores = scores_by_question.get(aq.id)
        if scores is None or len(scores) != len(rubric):
            raise ManageError(_("Cần chấm đủ mọi tiêu chí của mọi bài thực hành."))
        for score, (criterion, points) in zip(scores, rubric):
            if score < 0 or score > points:
                raise ManageError(_("Điểm tiêu chí «%(criterion)s» phải trong khoảng 0 – %(max)s.", criterion=criterion, max=f"{points:g}"))
        fractions[aq.id] = _fraction(scores, rubric)
        rubric_scores[aq.id] = list(scores)
    previous = grades_by_source(attempt.id)
    first, second = previous.get("marker1", {}), previous.get("marker2", {})
    if not session.double_marking:
        step = "marker1"
        for aq in questions:
            grading.record_grade(aq, fractions[aq.id], step, now, actor, note, rubric_scores[aq.id])
    elif reconcile:
        if len(second) < len(questions):
            raise ManageError(_("Chỉ thống nhất điểm sau khi cả hai giám khảo đã chấm."))
        step = "reconciled"
        for aq in questions:
            grading.record_grade(aq, fractions[aq.id], step, now, actor, note, rubric_scores[aq.id])
    else:
        if len(first) < len(questions):
            step = "marker1"
        elif len(second) < len(questions):
            if any(grade.graded_by_id == actor.id for grade in first.values()):
                raise ManageError(_("Giám khảo thứ hai phải là người khác giám khảo thứ nhất."))
            step = "marker2"
        else:
            raise ManageError(_("Bài đã có đủ hai giám khảo chấm; cần thống nhất điểm."))
        for aq in questions:
            # Blind marks: not current until both are in and agree (or are reconciled).
            db.session.add(AttemptGrade(attempt_question_id=aq.id, fraction=fractions[aq.id], source=step, rubric_scores=rubric_scores[aq.id],
                                        graded_by_id=actor.id, graded_at=now, reason=note, current=False))
        if step == "marker2":
            first_score = _part_score(attempt, {aq_id: grade.fraction for aq_id, grade in first.items()})
            second_score = _part_score(attempt, fractions)
            if abs(first_score - second_score) <= session.reconcile_threshold + 1e-9:
                for aq in questions:
                    mean = (first[aq.id].fraction + fractions[aq.id]) / 2
                    grading.record_grade(aq, mean, "reconciled", now, actor, "Trung bình hai giám khảo", None)
                step = "reconciled"
            else:
                step = "pending_reconciliation"
    db.session.flush()
    grading.refresh_score(attempt, now, actor, note)
    record("exam.practical_grade", target=f"exam_attempt:{attempt.id}", actor=actor, step=step, score=attempt.score)
    db.session.flush()
    return step


# --- Regrade --------------------------------------------------------------------------------


def regrade_question(session, question, now, actor, reason, scope):
    """Regrade every finished attempt of the session (candidates of the scope) that showed the
    question, against its current (corrected) version, each under its lock. Returns
    [(attempt, old score, new score)]."""
    reason = tidy(reason)
    if not reason:
        raise ManageError(_("Cần ghi lý do chấm lại."))
    attempt_ids = sorted({aq.attempt_id for aq in queries.attempt_questions_showing(question.id, session.id, scope)})
    changes = []
    for attempt_id in attempt_ids:
        attempt = lock_attempt(attempt_id)
        before, after = grading.regrade_attempt(attempt, now, actor, reason)
        changes.append((attempt, before, after))
    record(
        "exam.regrade",
        target=f"question:{question.id}",
        actor=actor,
        session=session.id,
        version=question.current_version_id,
        reason=reason,
        changes=[{"attempt": a.id, "before": b, "after": c} for a, b, c in changes if b != c],
    )
    db.session.flush()
    return changes
