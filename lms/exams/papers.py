"""Drawing papers: the approved exam pool, the quotas of a part for a candidate, and
pre-drawing a whole session so that starts only copy rows. Writes flush, never commit."""
import random
import secrets

from sqlalchemy import insert, select

from lms.catalogue.models import Module
from lms.exams.core import drawing
from lms.exams.models import BlueprintPart, ExamCandidate, ExamSession, PredrawnPaper
from lms.extensions import db
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
            quotas.append(drawing.Quota(code, quota.count, quota.syllabus_prefix or None, quota.difficulty or None))
    return quotas


def _kind_condition(part: BlueprintPart):
    return Question.type == PRACTICAL_TYPE if part.kind == "practical" else Question.type != PRACTICAL_TYPE


def _pool_query(part: BlueprintPart, module_codes, *columns):
    return (
        select(*columns)
        .join(Module, Module.id == Question.module_id)
        .where(
            Question.status == "approved",
            Question.pool == "exam",
            Question.current_version_id.is_not(None),
            Module.code.in_(sorted(set(module_codes))),
            _kind_condition(part),
        )
    )


class Pool:
    """The approved pool of a part for some modules. With `versions`, every question's current
    version is read in the same statement (pre-drawing a session draws all its papers from
    it); without, only the drawn questions' versions are read, once drawn (one start)."""

    def __init__(self, part: BlueprintPart, module_codes, versions=False):
        columns = [Question.id, Module.code, Question.syllabus_code, Question.difficulty]
        query = _pool_query(part, module_codes, *columns)
        if versions:
            query = query.add_columns(Question.module_id, QuestionVersion.id, QuestionVersion.data).join(
                QuestionVersion, QuestionVersion.id == Question.current_version_id)
        rows = db.session.execute(query).all() if module_codes else []
        self.items = [drawing.PoolItem(row[0], row[1], row[2] or "", row[3] or "medium") for row in rows]
        self._versions = {row[0]: tuple(row[4:7]) for row in rows} if versions else None

    def for_modules(self, module_codes) -> list:
        wanted = set(module_codes)
        return [item for item in self.items if item.module in wanted]

    def versions(self, question_ids) -> dict:
        """{question id: (module id, current version id, version data)}"""
        if self._versions is not None:
            return self._versions
        return {row[0]: tuple(row[1:]) for row in db.session.execute(
            select(Question.id, Question.module_id, QuestionVersion.id, QuestionVersion.data)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.id.in_(question_ids))
        ).all()}


def shortages(part: BlueprintPart, candidate: ExamCandidate) -> tuple:
    quotas = part_quotas(part, candidate)
    return drawing.check_pool(Pool(part, [q.module for q in quotas]).items, quotas)


def new_seed() -> int:
    return secrets.randbits(62)


def draw_items(part: BlueprintPart, candidate: ExamCandidate, seed: int, pool: Pool = None) -> list:
    """The paper as stored items: [{version_id, module_id, order, points}], in paper order.
    From `pool` when given (pre-drawing), else from the part's pool for this candidate.

    Raises drawing.PoolShortage when the pool cannot satisfy the quotas.
    """
    quotas = part_quotas(part, candidate)
    if not quotas:
        raise drawing.PoolShortage(())
    modules = [q.module for q in quotas]
    pool = pool or Pool(part, modules)
    question_ids = drawing.draw_paper(pool.for_modules(modules), quotas, seed)
    versions = pool.versions(question_ids)
    # Option order: its own generator from the seed, so that it never shifts the draw.
    rng = random.Random(f"{seed}:options")
    items = []
    for question_id in question_ids:
        module_id, version_id, data = versions[question_id]
        question = QuestionData.from_dict(data)
        order = get_type(question.type).presentation_order(question, rng)
        items.append({"version_id": version_id, "module_id": module_id, "order": order, "points": float(question.points or 1.0)})
    return items


def predraw_session(session: ExamSession, now) -> int:
    """Draw every candidate's first paper of every part ahead of time, in a fixed number of
    statements whatever the session's size: the candidates, the papers they already have, one
    pool per part, one INSERT of the papers. Returns how many were drawn.

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
    papers = []
    for part in session.blueprint.parts:
        waiting = [candidate for candidate in candidates if (candidate.id, part.id) not in existing]
        if not waiting:
            continue
        pool = Pool(part, {quota.module for candidate in waiting for quota in part_quotas(part, candidate)}, versions=True)
        for candidate in waiting:
            seed = new_seed()
            papers.append({"candidate_id": candidate.id, "part_id": part.id, "number": 1, "seed": seed,
                           "items": draw_items(part, candidate, seed, pool), "created_at": now})
    if papers:
        db.session.execute(insert(PredrawnPaper.__table__), papers)
    session.predrawn_at = now
    db.session.flush()
    return len(papers)


def take_predrawn(candidate: ExamCandidate, part: BlueprintPart, number: int):
    return db.session.execute(
        select(PredrawnPaper).where(
            PredrawnPaper.candidate_id == candidate.id, PredrawnPaper.part_id == part.id, PredrawnPaper.number == number
        )
    ).scalar_one_or_none()
