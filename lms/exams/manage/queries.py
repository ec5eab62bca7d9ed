"""Reads of the exam administration: pool counts, catalogue pickers, blueprints, sessions,
candidates, results, uploads and score changes. Aggregations are SQL; every list of sessions
or candidates takes the reader's Scope (lms.scope), applied inside the statement.

The proctor board and the marking queue are in board.py, item statistics in stats.py.
"""
from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import joinedload

from lms.catalogue.models import Module, Title
from lms.exams.core import engine
from lms.exams.core.blueprint_rules import PRACTICAL, THEORY, PoolCount
from lms.exams.models import (
    AttemptEvent,
    AttemptQuestion,
    BlueprintPart,
    ExamAttempt,
    ExamBlueprint,
    ExamCandidate,
    ExamSession,
    PracticalUpload,
)
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.questionbank.models import Question, QuestionVersion

PRACTICAL_TYPE = "practical"
FINISHED = engine.FINISHED_STATES


def candidate_in_scope(scope):
    """A condition on ExamCandidate: the candidate works in a unit of the scope."""
    if scope.everything:
        return true()
    return ExamCandidate.staff_id.in_(select(Staff.id).where(scope.staff_condition(Staff.unit_id)))


def session_in_scope(scope):
    """A condition on ExamSession: organised by a unit of the scope."""
    return scope.staff_condition(ExamSession.organiser_unit_id)


def session_for(session_id, scope):
    """(the session or None, whether it exists at all): the caller tells 404 from 403."""
    session = db.session.execute(select(ExamSession).where(ExamSession.id == session_id, session_in_scope(scope))).scalar_one_or_none()
    if session is not None:
        return session, True
    return None, db.session.get(ExamSession, session_id) is not None


# --- Pool and catalogue ---------------------------------------------------------------------


def pool_counts():
    """{part kind: [PoolCount]}: approved exam-pool questions grouped by module, syllabus code
    and difficulty, practical tasks apart — one grouped query."""
    kind = case((Question.type == PRACTICAL_TYPE, PRACTICAL), else_=THEORY).label("kind")
    rows = db.session.execute(
        select(kind, Module.code, Question.syllabus_code, Question.difficulty, func.count(Question.id))
        .join(Module, Module.id == Question.module_id)
        .where(Question.status == "approved", Question.pool == "exam", Question.current_version_id.is_not(None))
        .group_by(kind, Module.code, Question.syllabus_code, Question.difficulty)
    ).all()
    pools = {THEORY: [], PRACTICAL: []}
    for part_kind, module, syllabus, difficulty, count in rows:
        pools[part_kind].append(PoolCount(module, syllabus or "", difficulty or "medium", count))
    return pools


def modules():
    return db.session.execute(select(Module).order_by(Module.position, Module.code)).scalars().all()


def module_by_code():
    return {module.code: module for module in modules()}


def advanced_module_codes():
    return {module.code for module in modules() if module.level == "advanced"}


def titles():
    return db.session.execute(select(Title).where(Title.active.is_(True)).order_by(Title.position, Title.name)).scalars().all()


def units(scope):
    """The active units of the scope, in tree order (the candidate and organiser pickers)."""
    return db.session.execute(select(Unit).where(Unit.status == "active", scope.unit_condition()).order_by(Unit.path)).scalars().all()


# --- Blueprints and sessions ----------------------------------------------------------------


def blueprints():
    return db.session.execute(
        select(ExamBlueprint).options(joinedload(ExamBlueprint.parts).joinedload(BlueprintPart.quotas)).order_by(ExamBlueprint.name)
    ).unique().scalars().all()


def blueprint_in_use(blueprint_id):
    return db.session.execute(select(ExamSession.id).where(ExamSession.blueprint_id == blueprint_id).limit(1)).first() is not None


def blueprint_has_attempts(blueprint_id):
    return db.session.execute(
        select(ExamAttempt.id).join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id).where(BlueprintPart.blueprint_id == blueprint_id).limit(1)
    ).first() is not None


def sessions_with_counts(scope):
    """The scope's sessions, newest first, with candidates / started / finished counts, in one
    statement whose counts are correlated to each listed session (never a whole-table group)."""
    of_session = ExamCandidate.session_id == ExamSession.id

    def attempts(*columns):
        return select(*columns).join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id).where(of_session)

    candidates = select(func.count(ExamCandidate.id)).where(of_session).scalar_subquery()
    started = attempts(func.count(func.distinct(ExamAttempt.candidate_id))).scalar_subquery()
    finished = attempts(func.count(ExamAttempt.id)).where(ExamAttempt.state.in_(FINISHED)).scalar_subquery()
    rows = db.session.execute(
        select(ExamSession, candidates, started, finished)
        .where(session_in_scope(scope))
        .options(joinedload(ExamSession.blueprint), joinedload(ExamSession.organiser))
        .order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())
    ).all()
    return [{"session": s, "candidates": c or 0, "started": st or 0, "finished": f or 0} for s, c, st, f in rows]


def candidates(session_id, scope):
    return db.session.execute(
        select(ExamCandidate)
        .where(ExamCandidate.session_id == session_id, candidate_in_scope(scope))
        .options(joinedload(ExamCandidate.staff).joinedload(Staff.unit), joinedload(ExamCandidate.staff).joinedload(Staff.title), joinedload(ExamCandidate.room))
        .order_by(ExamCandidate.candidate_number, ExamCandidate.id)
    ).scalars().all()


def candidate_of_session(session_id, candidate_id, scope):
    return db.session.execute(
        select(ExamCandidate).where(ExamCandidate.id == candidate_id, ExamCandidate.session_id == session_id, candidate_in_scope(scope))
    ).scalar_one_or_none()


def attempt_of_session(session_id, attempt_id, scope):
    """The attempt id when it belongs to a candidate of the session within the scope, else None."""
    return db.session.execute(
        select(ExamAttempt.id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ExamAttempt.id == attempt_id, ExamCandidate.session_id == session_id, candidate_in_scope(scope))
    ).scalar_one_or_none()


def candidate_has_attempts(candidate_id):
    return db.session.execute(select(ExamAttempt.id).where(ExamAttempt.candidate_id == candidate_id).limit(1)).first() is not None


def staff_by_id_numbers(id_numbers, scope):
    """{ID number: Staff} of the people of the scope with these numbers."""
    if not id_numbers:
        return {}
    return {s.id_number: s for s in db.session.execute(
        select(Staff).where(Staff.id_number.in_(list(id_numbers)), scope.staff_condition(Staff.unit_id))).scalars()}


# --- Results --------------------------------------------------------------------------------


def latest_attempts(session_id):
    """Each candidate's latest attempt of each part (by attempt number)."""
    newest = (
        select(ExamAttempt.candidate_id, ExamAttempt.part_id, func.max(ExamAttempt.number).label("number"))
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ExamCandidate.session_id == session_id)
        .group_by(ExamAttempt.candidate_id, ExamAttempt.part_id)
        .subquery()
    )
    return (
        select(ExamAttempt)
        .join(
            newest,
            and_(newest.c.candidate_id == ExamAttempt.candidate_id, newest.c.part_id == ExamAttempt.part_id, newest.c.number == ExamAttempt.number),
        )
    )


def results_table(session, scope):
    """Rows per candidate of the scope: each part's state, score and pass, the overall result,
    module scores."""
    parts = list(session.blueprint.parts)
    attempts = db.session.execute(latest_attempts(session.id)).scalars().all()
    by_candidate = {}
    for attempt in attempts:
        by_candidate.setdefault(attempt.candidate_id, {})[attempt.part_id] = attempt
    module_rows = db.session.execute(
        select(ExamAttempt.candidate_id, Module.code, ModuleResult.score, ModuleResult.passed)
        .join(ModuleResult, ModuleResult.attempt_id == ExamAttempt.id)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ExamAttempt.id.in_(latest_attempts(session.id).with_only_columns(ExamAttempt.id)))
        .order_by(Module.position, Module.code)
    ).all()
    module_scores = {}
    for candidate_id, code, score, passed in module_rows:
        module_scores.setdefault(candidate_id, {})[code] = (score, passed)
    rows = []
    for candidate in candidates(session.id, scope):
        mine = by_candidate.get(candidate.id, {})
        part_results = [engine.PartScore(part.kind, _graded_score(mine.get(part.id)), part.pass_mark, part.max_score) for part in parts]
        rows.append(
            {
                "candidate": candidate,
                "attempts": [mine.get(part.id) for part in parts],
                "parts": part_results,
                "passed": engine.overall_passed(part_results) if mine else None,
                "modules": module_scores.get(candidate.id, {}),
            }
        )
    return parts, rows


def _graded_score(attempt):
    return attempt.score if attempt is not None and attempt.state == engine.GRADED else None


def attempt_questions_showing(question_id, session_id, scope):
    """Questions of the session's finished attempts (candidates of the scope) that showed any
    version of the question."""
    return db.session.execute(
        select(AttemptQuestion)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(QuestionVersion.question_id == question_id, ExamCandidate.session_id == session_id, ExamAttempt.state.in_(FINISHED),
               candidate_in_scope(scope))
        .order_by(AttemptQuestion.id)
    ).scalars().all()


# --- Uploads and score changes --------------------------------------------------------------


def uploads(attempt_id):
    return db.session.execute(
        select(PracticalUpload)
        .join(AttemptQuestion, AttemptQuestion.id == PracticalUpload.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(PracticalUpload.uploaded_at, PracticalUpload.id)
    ).scalars().all()


def upload_in_scope(upload_id, scope):
    """The upload when its session is in the scope and its candidate too, else None."""
    return db.session.execute(
        select(PracticalUpload)
        .join(AttemptQuestion, AttemptQuestion.id == PracticalUpload.attempt_question_id)
        .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(ExamSession, ExamSession.id == ExamCandidate.session_id)
        .where(PracticalUpload.id == upload_id, session_in_scope(scope), candidate_in_scope(scope))
    ).scalar_one_or_none()


def score_changes(session_id, scope):
    """Regrades of the session's attempts (candidates of the scope), newest first: who, when,
    why, old and new score."""
    return db.session.execute(
        select(AttemptEvent, ExamAttempt, Staff.full_name)
        .join(ExamAttempt, ExamAttempt.id == AttemptEvent.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .where(ExamCandidate.session_id == session_id, AttemptEvent.kind == "regraded", scope.staff_condition(Staff.unit_id))
        .order_by(AttemptEvent.at.desc(), AttemptEvent.id.desc())
    ).all()
