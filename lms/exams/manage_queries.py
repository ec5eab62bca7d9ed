"""Reads for the trainers' side of exams: pool counts, lists, the proctor board, results,
item-analysis rows, grading queues and score changes. Aggregations are SQL."""
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, joinedload

from lms.exams import engine
from lms.exams.analysis import ItemResponse, analyse
from lms.exams.blueprint_rules import PRACTICAL, THEORY, PoolCount
from lms.exams.models import (
    AttemptAnswer,
    AttemptEvent,
    AttemptGrade,
    AttemptQuestion,
    BlueprintPart,
    ExamAttempt,
    ExamBlueprint,
    ExamCandidate,
    ExamSession,
    ModuleResult,
    PracticalUpload,
)
from lms.extensions import db
from lms.org.models import Module, Staff, Title, Unit
from lms.questionbank.models import Question, QuestionVersion

PRACTICAL_TYPE = "practical"
FINISHED = engine.FINISHED_STATES
LATE_SAVE_EVENTS = ("late_save",)


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


def titles():
    return db.session.execute(select(Title).where(Title.active.is_(True)).order_by(Title.position, Title.name)).scalars().all()


def units():
    return db.session.execute(select(Unit).where(Unit.status == "active").order_by(Unit.path)).scalars().all()


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


def sessions_with_counts():
    """Sessions, newest first, with candidates / started / finished counts in one query."""
    candidates = select(ExamCandidate.session_id, func.count(ExamCandidate.id).label("candidates")).group_by(ExamCandidate.session_id).subquery()
    attempts = (
        select(
            ExamCandidate.session_id,
            func.count(func.distinct(ExamAttempt.candidate_id)).label("started"),
            func.sum(case((ExamAttempt.state.in_(FINISHED), 1), else_=0)).label("finished"),
        )
        .join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .group_by(ExamCandidate.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ExamSession, candidates.c.candidates, attempts.c.started, attempts.c.finished)
        .outerjoin(candidates, candidates.c.session_id == ExamSession.id)
        .outerjoin(attempts, attempts.c.session_id == ExamSession.id)
        .options(joinedload(ExamSession.blueprint))
        .order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())
    ).all()
    return [{"session": s, "candidates": c or 0, "started": st or 0, "finished": f or 0} for s, c, st, f in rows]


def candidates(session_id):
    return db.session.execute(
        select(ExamCandidate)
        .where(ExamCandidate.session_id == session_id)
        .options(joinedload(ExamCandidate.staff).joinedload(Staff.unit), joinedload(ExamCandidate.staff).joinedload(Staff.title), joinedload(ExamCandidate.room))
        .order_by(ExamCandidate.candidate_number, ExamCandidate.id)
    ).scalars().all()


def candidate_has_attempts(candidate_id):
    return db.session.execute(select(ExamAttempt.id).where(ExamAttempt.candidate_id == candidate_id).limit(1)).first() is not None


def staff_by_id_numbers(id_numbers):
    if not id_numbers:
        return {}
    return {s.id_number: s for s in db.session.execute(select(Staff).where(Staff.id_number.in_(list(id_numbers)))).scalars()}


# --- Proctor board --------------------------------------------------------------------------


def proctor_board(session_id, now, active_window_seconds=120):
    """One row per (candidate, part attempt): state, deadline, last save, late saves.

    Candidates who have not started appear with no attempt.
    """
    last_save = (
        select(AttemptQuestion.attempt_id, func.max(AttemptAnswer.saved_at).label("last_save"), func.count(AttemptAnswer.id).label("answered"))
        .join(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .group_by(AttemptQuestion.attempt_id)
        .subquery()
    )
    late = (
        select(AttemptEvent.attempt_id, func.count(AttemptEvent.id).label("late_saves"))
        .where(AttemptEvent.kind.in_(LATE_SAVE_EVENTS))
        .group_by(AttemptEvent.attempt_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ExamCandidate, Staff.full_name, ExamAttempt, BlueprintPart.kind, last_save.c.last_save, last_save.c.answered, late.c.late_saves)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .outerjoin(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .outerjoin(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .outerjoin(last_save, last_save.c.attempt_id == ExamAttempt.id)
        .outerjoin(late, late.c.attempt_id == ExamAttempt.id)
        .where(ExamCandidate.session_id == session_id)
        .order_by(ExamCandidate.candidate_number, ExamCandidate.id, BlueprintPart.position, ExamAttempt.number)
    ).all()
    board = []
    for candidate, name, attempt, part_kind, saved, answered, late_saves in rows:
        active = bool(attempt is not None and attempt.state in engine.OPEN_STATES and saved is not None and (now - saved).total_seconds() <= active_window_seconds)
        board.append(
            {
                "candidate_id": candidate.id,
                "candidate_number": candidate.candidate_number,
                "name": name,
                "extra_minutes": candidate.extra_minutes,
                "extra_multiplier": candidate.extra_multiplier,
                "attempt_id": attempt.id if attempt else None,
                "part": part_kind,
                "number": attempt.number if attempt else None,
                "state": attempt.state if attempt else "not_started",
                "started_at": attempt.started_at.isoformat() if attempt else None,
                "deadline_at": attempt.deadline_at.isoformat() if attempt else None,
                "remaining_seconds": engine.remaining_seconds(attempt.clock(), now) if attempt else None,
                "last_save_at": saved.isoformat() if saved else None,
                "answered": answered or 0,
                "late_saves": late_saves or 0,
                "active": active,
            }
        )
    return board


def board_summary(board):
    candidates = {row["candidate_id"] for row in board}
    started = {row["candidate_id"] for row in board if row["attempt_id"]}
    submitted = {row["candidate_id"] for row in board if row["state"] in FINISHED}
    return {
        "candidates": len(candidates),
        "started": len(started),
        "active": len({row["candidate_id"] for row in board if row["active"]}),
        "submitted": len(submitted),
        "late_saves": sum(row["late_saves"] for row in board),
    }


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


def results_table(session):
    """Rows per candidate: each part's state, score and pass, the overall result, module scores."""
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
    for candidate in candidates(session.id):
        part_results = []
        for part in parts:
            attempt = by_candidate.get(candidate.id, {}).get(part.id)
            part_results.append(engine.PartScore(part.kind, attempt.score if attempt and attempt.state == engine.GRADED else None, part.pass_mark, part.max_score))
        started = bool(by_candidate.get(candidate.id))
        rows.append(
            {
                "candidate": candidate,
                "attempts": [by_candidate.get(candidate.id, {}).get(part.id) for part in parts],
                "parts": part_results,
                "passed": engine.overall_passed(part_results) if started else None,
                "modules": module_scores.get(candidate.id, {}),
            }
        )
    return parts, rows


# --- Item analysis --------------------------------------------------------------------------


def _option_keys(response):
    if not response:
        return ()
    if "choice" in response:
        return (response["choice"],)
    if "choices" in response:
        return tuple(sorted(response["choices"]))
    if "value" in response and isinstance(response["value"], bool):
        return ("true" if response["value"] else "false",)
    return ("answered",)


def _item_responses(condition):
    rows = db.session.execute(
        select(ExamAttempt.id, QuestionVersion.question_id, AttemptQuestion.fraction, AttemptQuestion.points, AttemptAnswer.response)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == ExamAttempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(BlueprintPart.kind == THEORY, ExamAttempt.state.in_(FINISHED), condition)
    ).all()
    return [ItemResponse(attempt_id, question_id, fraction, points or 1.0, _option_keys(response)) for attempt_id, question_id, fraction, points, response in rows]


def session_item_analysis(session_id):
    """[(Question, ItemStats)] for the finished theory attempts of a session, doubtful first."""
    in_session = ExamAttempt.candidate_id.in_(select(ExamCandidate.id).where(ExamCandidate.session_id == session_id))
    stats = analyse(_item_responses(in_session))
    if not stats:
        return []
    questions = {q.id: q for q in db.session.execute(select(Question).where(Question.id.in_(list(stats))).options(joinedload(Question.module))).scalars()}
    return sorted(((questions[qid], item) for qid, item in stats.items()), key=lambda pair: (not pair[1].doubtful, pair[0].key))


def question_usage_stats(question_id):
    """Statistics of one question over every finished attempt that drew it (for the question page)."""
    attempts_with_question = (
        select(AttemptQuestion.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .where(QuestionVersion.question_id == question_id)
    )
    stats = analyse(_item_responses(ExamAttempt.id.in_(attempts_with_question))).get(question_id)
    if stats is None:
        return {}
    return {
        "Số lượt thi": stats.responses,
        "Độ khó (tỉ lệ làm đúng)": stats.facility,
        "Độ phân biệt (point-biserial)": stats.point_biserial,
        "Độ phân biệt (nhóm trên – dưới 27%)": stats.upper_lower,
        "Cảnh báo": ", ".join(stats.flag_labels) or "—",
    }


def sessions_using_question(question_id, session_id):
    """Attempt questions of a session that showed any version of the question."""
    return db.session.execute(
        select(AttemptQuestion)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(ExamAttempt, ExamAttempt.id == AttemptQuestion.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(QuestionVersion.question_id == question_id, ExamCandidate.session_id == session_id, ExamAttempt.state.in_(FINISHED))
        .options(joinedload(AttemptQuestion.answer), joinedload(AttemptQuestion.attempt))
        .order_by(AttemptQuestion.id)
    ).unique().scalars().all()


# --- Practical grading ----------------------------------------------------------------------


def practical_queue(session_id):
    """Finished practical attempts of a session with their marking progress, oldest first."""
    grades = (
        select(
            AttemptQuestion.attempt_id,
            func.count(func.distinct(case((AttemptGrade.source == "marker1", AttemptGrade.attempt_question_id)))).label("marker1"),
            func.count(func.distinct(case((AttemptGrade.source == "marker2", AttemptGrade.attempt_question_id)))).label("marker2"),
        )
        .join(AttemptGrade, AttemptGrade.attempt_question_id == AttemptQuestion.id)
        .group_by(AttemptQuestion.attempt_id)
        .subquery()
    )
    tasks = select(AttemptQuestion.attempt_id, func.count(AttemptQuestion.id).label("tasks")).group_by(AttemptQuestion.attempt_id).subquery()
    rows = db.session.execute(
        select(ExamAttempt, ExamCandidate.candidate_number, Staff.full_name, tasks.c.tasks, grades.c.marker1, grades.c.marker2)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .join(BlueprintPart, BlueprintPart.id == ExamAttempt.part_id)
        .outerjoin(tasks, tasks.c.attempt_id == ExamAttempt.id)
        .outerjoin(grades, grades.c.attempt_id == ExamAttempt.id)
        .where(ExamCandidate.session_id == session_id, BlueprintPart.kind == PRACTICAL, ExamAttempt.state.in_(FINISHED))
        .order_by(ExamAttempt.state == engine.GRADED, ExamAttempt.submitted_at, ExamAttempt.id)
    ).all()
    return [
        {"attempt": a, "number": number, "name": name, "tasks": t or 0, "marker1": m1 or 0, "marker2": m2 or 0}
        for a, number, name, t, m1, m2 in rows
    ]


def grades_by_source(attempt_id):
    """{source: {attempt question id: AttemptGrade}} of the markers' latest grades."""
    rows = db.session.execute(
        select(AttemptGrade)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptGrade.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptGrade.graded_at, AttemptGrade.id)
    ).scalars().all()
    result = {}
    for grade in rows:
        result.setdefault(grade.source, {})[grade.attempt_question_id] = grade
    return result


def uploads(attempt_id):
    return db.session.execute(
        select(PracticalUpload)
        .join(AttemptQuestion, AttemptQuestion.id == PracticalUpload.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(PracticalUpload.uploaded_at, PracticalUpload.id)
    ).scalars().all()


def upload_session_id(upload_id):
    return db.session.execute(
        select(ExamCandidate.session_id)
        .join(ExamAttempt, ExamAttempt.candidate_id == ExamCandidate.id)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == ExamAttempt.id)
        .join(PracticalUpload, PracticalUpload.attempt_question_id == AttemptQuestion.id)
        .where(PracticalUpload.id == upload_id)
    ).scalar_one_or_none()


# --- Score changes --------------------------------------------------------------------------


def score_changes(session_id):
    """Regrades of a session's attempts, newest first: who, when, why, old and new score."""
    Actor = aliased(ExamCandidate)
    return db.session.execute(
        select(AttemptEvent, ExamAttempt, Staff.full_name)
        .join(ExamAttempt, ExamAttempt.id == AttemptEvent.attempt_id)
        .join(Actor, Actor.id == ExamAttempt.candidate_id)
        .join(Staff, Staff.id == Actor.staff_id)
        .where(Actor.session_id == session_id, AttemptEvent.kind == "regraded")
        .order_by(AttemptEvent.at.desc(), AttemptEvent.id.desc())
    ).all()


def open_attempts_of_candidate(candidate_id):
    return db.session.execute(
        select(ExamAttempt).where(ExamAttempt.candidate_id == candidate_id, ExamAttempt.open_slot.is_not(None)).order_by(ExamAttempt.id)
    ).scalars().all()
