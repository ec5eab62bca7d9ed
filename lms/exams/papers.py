"""Drawing papers: the approved exam pool, the quotas of a part for a candidate, and
pre-drawing a whole session so that starts only copy rows. Writes flush, never commit."""
import random
import secrets

from sqlalchemy import select

from lms.exams import engine
from lms.exams.models import BlueprintPart, ExamCandidate, ExamSession, PredrawnPaper
from lms.extensions import db
from lms.org.models import Module
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type

PRACTICAL_TYPE = "practical"


def part_quotas(part: BlueprintPart, candidate: ExamCandidate) -> list:
    """The engine's quotas; a quota without a module stands for each registered module."""
    quotas = []
    for quota in part.quotas:
        modules = [quota.module.code] if quota.module is not None else list(candidate.registered_modules or [])
        for code in modules:
            quotas.append(engine.Quota(code, quota.count, quota.syllabus_prefix or None, quota.difficulty or None))
    return quotas


def pool_items(part: BlueprintPart, module_codes) -> list:
    """Approved exam-pool questions of the modules, of the part's kind (tasks for a practical part)."""
    if not module_codes:
        return []
    kind_condition = Question.type == PRACTICAL_TYPE if part.kind == "practical" else Question.type != PRACTICAL_TYPE
    rows = db.session.execute(
        select(Question.id, Module.code, Question.syllabus_code, Question.difficulty)
        .join(Module, Module.id == Question.module_id)
        .where(
            Question.status == "approved",
            Question.pool == "exam",
            Question.current_version_id.is_not(None),
            Module.code.in_(sorted(set(module_codes))),
            kind_condition,
        )
    ).all()
    return [engine.PoolItem(row[0], row[1], row[2] or "", row[3] or "medium") for row in rows]


def shortages(part: BlueprintPart, candidate: ExamCandidate) -> tuple:
    quotas = part_quotas(part, candidate)
    return engine.check_pool(pool_items(part, [q.module for q in quotas]), quotas)


def new_seed() -> int:
    return secrets.randbits(62)


def draw_items(part: BlueprintPart, candidate: ExamCandidate, seed: int) -> list:
    """The paper as stored items: [{version_id, module_id, order, points}], in paper order.

    Raises engine.PoolShortage when the pool cannot satisfy the quotas.
    """
    quotas = part_quotas(part, candidate)
    if not quotas:
        raise engine.PoolShortage(())
    question_ids = engine.draw_paper(pool_items(part, [q.module for q in quotas]), quotas, seed)
    rows = db.session.execute(
        select(Question.id, Question.module_id, QuestionVersion.id, QuestionVersion.data)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.id.in_(question_ids))
    ).all()
    by_question = {row[0]: row for row in rows}
    # Option order: its own generator from the seed, so that it never shifts the draw.
    rng = random.Random(f"{seed}:options")
    items = []
    for question_id in question_ids:
        _, module_id, version_id, data = by_question[question_id]
        question = QuestionData.from_dict(data)
        order = get_type(question.type).presentation_order(question, rng)
        items.append({"version_id": version_id, "module_id": module_id, "order": order, "points": float(question.points or 1.0)})
    return items


def predraw_session(session: ExamSession, now) -> int:
    """Draw every candidate's first paper of every part ahead of time. Returns how many were drawn.

    Candidates who already have a pre-drawn paper keep it.
    """
    existing = set(
        db.session.execute(
            select(PredrawnPaper.candidate_id, PredrawnPaper.part_id)
            .join(ExamCandidate, ExamCandidate.id == PredrawnPaper.candidate_id)
            .where(ExamCandidate.session_id == session.id, PredrawnPaper.number == 1)
        ).all()
    )
    candidates = db.session.execute(select(ExamCandidate).where(ExamCandidate.session_id == session.id)).scalars().all()
    drawn = 0
    for part in session.blueprint.parts:
        for candidate in candidates:
            if (candidate.id, part.id) in existing:
                continue
            seed = new_seed()
            db.session.add(PredrawnPaper(candidate_id=candidate.id, part_id=part.id, number=1, seed=seed, items=draw_items(part, candidate, seed)))
            drawn += 1
    session.predrawn_at = now
    db.session.flush()
    return drawn


def take_predrawn(candidate: ExamCandidate, part: BlueprintPart, number: int):
    return db.session.execute(
        select(PredrawnPaper).where(
            PredrawnPaper.candidate_id == candidate.id, PredrawnPaper.part_id == part.id, PredrawnPaper.number == number
        )
    ).scalar_one_or_none()
