"""Drawing a paper: the approved pool, the blueprint's quotas, a seed. Pure Python, no Flask and
no SQLAlchemy; same pool, quotas and seed → same paper."""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional

from lms.exams.core import flow
from lms.exams.core.engine import EngineError
from lms.messages import N_, Message, joined


@dataclass(frozen=True)
class PoolItem:
    question_id: int
    module: str
    syllabus: str = ""
    difficulty: str = "medium"


@dataclass(frozen=True)
class Quota:
    module: str
    count: int
    syllabus_prefix: Optional[str] = None
    difficulty: Optional[str] = None

    def matches(self, item: PoolItem) -> bool:
        if item.module != self.module:
            return False
        if self.syllabus_prefix and not _under(item.syllabus or "", self.syllabus_prefix):
            return False
        return not self.difficulty or item.difficulty == self.difficulty

    @property
    def specificity(self) -> int:
        return (2 if self.syllabus_prefix else 0) + (1 if self.difficulty else 0)

    def label(self) -> str:
        parts = [self.syllabus_prefix or self.module]
        if self.difficulty:
            parts.append(self.difficulty)
        return " / ".join(parts)


def _under(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


@dataclass(frozen=True)
class Shortage:
    quota: Quota
    available: int

    @property
    def missing(self) -> int:
        return self.quota.count - self.available


class PoolShortage(EngineError):
    """The approved pool cannot satisfy the quotas; `shortages` says by how much."""

    def __init__(self, shortages: Sequence[Shortage]):
        self.shortages = tuple(shortages)
        super().__init__("%(shortages)s", shortages=joined("; ", (Message(N_("%(quota)s: thiếu %(missing)d"), quota=s.quota.label(), missing=s.missing)
                                                                  for s in self.shortages)))


def check_pool(pool: Iterable[PoolItem], quotas: Sequence[Quota]) -> tuple:
    """The shortages (empty when the pool can satisfy every quota).

    More specific quotas take their questions first, so that a module-wide quota only
    counts what the narrower ones left over. When that leaves a quota short and quotas
    cross (a syllabus quota and a difficulty quota on the same module), an exact
    maximum assignment decides, as the blueprint check does: the order of taking must
    not refuse a pool that can serve every quota.
    """
    items = sorted(set(pool), key=lambda item: item.question_id)
    if _greedy_draw(items, quotas, take=lambda matching, count: matching[:count]) is not None:
        return ()
    return _shortages(quotas, _exact_assignment(items, quotas))


def draw_paper(pool: Iterable[PoolItem], quotas: Sequence[Quota], seed) -> tuple:
    """Question ids drawn at random for the quotas, in the quotas' order.

    Same pool, quotas and seed → same paper. Raises PoolShortage with the missing
    counts when the pool is too small. The narrowest quotas draw first; should that
    leave one short (the pool is too small, or quotas cross and another choice would
    have served them all), the paper is an exact assignment over the pool in a random
    order instead.
    """
    items = sorted(set(pool), key=lambda item: item.question_id)
    rng = random.Random(seed)
    paper = _greedy_draw(items, quotas, take=rng.sample)
    if paper is not None:
        return paper
    shuffled = list(items)
    rng.shuffle(shuffled)
    assignment = _exact_assignment(shuffled, quotas)
    shortages = _shortages(quotas, assignment)
    if shortages:
        raise PoolShortage(shortages)
    return tuple(question_id for taken in assignment for question_id in taken)


def _greedy_draw(items: Sequence[PoolItem], quotas: Sequence[Quota], take) -> Optional[tuple]:
    """Narrowest quotas first, each taking `take(matching ids, count)` of what is left; the
    question ids in the quotas' order, or None as soon as a quota finds too few."""
    used: set = set()
    drawn: dict = {}
    for index, quota in sorted(enumerate(quotas), key=lambda pair: -pair[1].specificity):
        matching = [item.question_id for item in items if quota.matches(item) and item.question_id not in used]
        if len(matching) < quota.count:
            return None
        drawn[index] = take(matching, quota.count)
        used.update(drawn[index])
    return tuple(question_id for index in range(len(quotas)) for question_id in drawn[index])


def _exact_assignment(items: Sequence[PoolItem], quotas: Sequence[Quota]) -> list:
    """[question ids given to each quota] in a maximum assignment; the items' order decides
    which of the possible assignments, and the order of each quota's ids (see
    flow.max_flow_assignment)."""
    edges = [[j for j, item in enumerate(items) if quota.matches(item)] for quota in quotas]
    assignment = flow.max_flow_assignment([quota.count for quota in quotas], edges, [1] * len(items))
    return [[items[j].question_id for j in sorted(taken)] for taken in assignment]


def _shortages(quotas: Sequence[Quota], assignment) -> tuple:
    return tuple(Shortage(quota, len(taken)) for quota, taken in zip(quotas, assignment) if len(taken) < quota.count)


