"""Does an exam sitting qualify for a certificate? The rules are data (rules.yaml, kept in
certificate_rule); this decides one sitting against one rule. Pure: no Flask, no SQLAlchemy.
"""
from dataclasses import dataclass, field
from typing import Optional

from lms.exams.core import engine


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    exam_kind: str
    all_parts_passed: bool = True
    required_modules: tuple = ()
    module_pool: tuple = ()
    min_modules: int = 0
    requires: Optional[str] = None

    @classmethod
    def of(cls, row):
        return cls(row.code, row.kind, row.exam_kind, row.all_parts_passed, tuple(row.required_modules or ()),
                   tuple(row.module_pool or ()), row.min_modules or 0, row.requires or None)


@dataclass(frozen=True)
class Sitting:
    """One candidate's results in one session: each part's score, each module's (score,
    passed), whether the results are released, and the rules whose valid certificate the
    holder already has."""

    exam_kind: str
    parts: tuple  # engine.PartScore of each part of the blueprint
    modules: dict = field(default_factory=dict)  # code -> (score, passed)
    released: bool = True
    held: frozenset = frozenset()


@dataclass(frozen=True)
class Decision:
    qualifies: bool
    reason: str  # a code: ok, not_released, exam_kind, part_not_passed, module_missing, too_few_modules, prerequisite
    modules: tuple = ()  # the module codes the certificate names


def decide(rule: Rule, sitting: Sitting) -> Decision:
    if not sitting.released:
        return Decision(False, "not_released")
    if sitting.exam_kind != rule.exam_kind:
        return Decision(False, "exam_kind")
    if rule.all_parts_passed and engine.overall_passed(sitting.parts) is not True:
        return Decision(False, "part_not_passed")
    # The exam must have tested each required module (the basic exam covers all six; its pass
    # is the parts' pass, not each module's); a pool module counts when every part passed it.
    if any(code not in sitting.modules for code in rule.required_modules):
        return Decision(False, "module_missing")
    passed = {code for code, (_score, ok) in sitting.modules.items() if ok}
    from_pool = tuple(code for code in rule.module_pool if code in passed)
    if len(from_pool) < rule.min_modules:
        return Decision(False, "too_few_modules")
    if rule.requires and rule.requires not in sitting.held:
        return Decision(False, "prerequisite")
    return Decision(True, "ok", tuple(rule.required_modules) + from_pool)


def serial_for(pattern: str, prefix: str, year: int, seq: int) -> str:
    """The số hiệu from the rule's pattern: {prefix}, {year}, {yy}, {seq}."""
    return pattern.format(prefix=prefix, year=year, yy=f"{year % 100:02d}", seq=seq)


def register_number(year: int, seq: int) -> str:
    """The số vào sổ as printed: the entry of the year's register, e.g. 0042/2026."""
    return f"{seq:04d}/{year}"
