"""Checking an exam blueprint (cấu trúc đề) against the approved pool: pure Python.

A blueprint has parts (theory, practical), each scored out of 10 with a pass mark and
a time limit, and each filled by quotas: "N questions of module M [under syllabus code
S] [of difficulty D]". A quota whose module is None stands for each advanced module a
candidate registered for (advanced exams): it is checked once per module the blueprint
offers.

The pool arrives as counts of approved exam-pool questions grouped by (module,
syllabus code, difficulty) — one SQL query — so the check never loads questions.
Whether the pool can satisfy every quota at once is a transportation problem (a
question serves one quota only, and quotas may overlap); it is answered exactly with a
maximum flow, and each quota left short is reported with its missing count.

Problems are Messages (lms.messages): Vietnamese strings that keep their template, so
the page showing them can translate them.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

from lms.exams.core import flow
from lms.messages import N_, Message, joined, translated

THEORY = "theory"
PRACTICAL = "practical"
PART_KINDS = {THEORY: N_("Lý thuyết"), PRACTICAL: N_("Thực hành")}
PART_NAMES = {THEORY: N_("Phần lý thuyết"), PRACTICAL: N_("Phần thực hành")}  # as messages name a part
DIFFICULTY_LABELS = {"easy": N_("Dễ"), "medium": N_("Trung bình"), "hard": N_("Khó")}
BASIC_MODULES = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
REGISTERED_MODULES = 3  # an advanced certificate names three advanced modules

DEFAULT_MAX_SCORE = 10.0
DEFAULT_PASS_MARK = 5.0
DEFAULT_THEORY_MINUTES = 30
DEFAULT_PRACTICAL_MINUTES = 90
DEFAULT_PER_BASIC_MODULE = 5


@dataclass(frozen=True)
class QuotaRule:
    count: int
    module: Optional[str] = None  # None: each module the candidate registered for
    syllabus_prefix: Optional[str] = None
    difficulty: Optional[str] = None

    def matches(self, module: str, syllabus: str, difficulty: str) -> bool:
        if self.module is not None and module != self.module:
            return False
        if self.syllabus_prefix and not (syllabus == self.syllabus_prefix or (syllabus or "").startswith(self.syllabus_prefix + ".")):
            return False
        return not self.difficulty or difficulty == self.difficulty

    def label(self) -> Message:
        parts = [self.module or Message(N_("Mô đun đăng ký"))]
        if self.syllabus_prefix:
            parts.append(self.syllabus_prefix)
        if self.difficulty:
            parts.append(Message(DIFFICULTY_LABELS[self.difficulty]) if self.difficulty in DIFFICULTY_LABELS else self.difficulty)
        return joined(" · ", parts)


@dataclass(frozen=True)
class PartRule:
    key: str
    kind: str
    minutes: int
    quotas: tuple = ()
    max_score: float = DEFAULT_MAX_SCORE
    pass_mark: float = DEFAULT_PASS_MARK
    question_count: Optional[int] = None  # when given, the quotas must add up to it

    @property
    def label(self) -> str:
        return PART_KINDS.get(self.kind, self.key)

    @property
    def quota_total(self) -> int:
        return sum(quota.count for quota in self.quotas)


def part_name(kind: str, fallback: Optional[str] = None) -> Message:
    """"Phần lý thuyết", "Phần thực hành"; another kind as "Phần <fallback or kind>"."""
    if kind in PART_NAMES:
        return Message(PART_NAMES[kind])
    return Message(N_("Phần %(kind)s"), kind=(kind if fallback is None else fallback).lower())


@dataclass(frozen=True)
class PoolCount:
    module: str
    syllabus: str
    difficulty: str
    count: int


@dataclass(frozen=True)
class Missing:
    part: str
    quota: QuotaRule
    module: str
    required: int
    matching: int  # questions in the pool that fit this quota on its own
    missing: int

    @property
    def message(self) -> Message:
        if self.matching >= self.required:
            template = N_("%(part)s – %(quota)s: cần %(required)d câu, kho đề thi đã duyệt có %(matching)d câu phù hợp, "
                          "thiếu %(missing)d (số câu phù hợp đã dùng cho tiêu chí khác).")
        else:
            template = N_("%(part)s – %(quota)s: cần %(required)d câu, kho đề thi đã duyệt có %(matching)d câu phù hợp, "
                          "thiếu %(missing)d.")
        return Message(template, part=part_name(self.part), quota=replace(self.quota, module=self.module).label(),
                       required=self.required, matching=self.matching, missing=self.missing)


@dataclass
class BlueprintCheck:
    errors: list = field(default_factory=list)  # structural problems (Messages)
    missing: list = field(default_factory=list)  # Missing, per quota left short

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing

    @property
    def messages(self) -> list:
        return list(self.errors) + [item.message for item in self.missing]

    def messages_in(self, gettext) -> list:
        """The messages translated by `gettext` (Flask-Babel's, where a page lists them)."""
        return [translated(message, gettext) for message in self.messages]


def default_basic_parts(practical_modules: Sequence[str] = ("IU03", "IU04", "IU05")) -> tuple:
    """The basic exam of DOMAIN.md: 30 questions, 5 from each of IU01–IU06, in 30 minutes; a
    90-minute practical of one task per office-application module; both parts ≥ 5 of 10."""
    theory = PartRule(
        key=THEORY,
        kind=THEORY,
        minutes=DEFAULT_THEORY_MINUTES,
        quotas=tuple(QuotaRule(DEFAULT_PER_BASIC_MODULE, module) for module in BASIC_MODULES),
        question_count=DEFAULT_PER_BASIC_MODULE * len(BASIC_MODULES),
    )
    practical = PartRule(key=PRACTICAL, kind=PRACTICAL, minutes=DEFAULT_PRACTICAL_MINUTES, quotas=tuple(QuotaRule(1, module) for module in practical_modules))
    return (theory, practical)


def default_advanced_parts(per_module: int = 10) -> tuple:
    """An advanced exam: theory and practical over each of the three registered modules."""
    theory = PartRule(key=THEORY, kind=THEORY, minutes=DEFAULT_THEORY_MINUTES, quotas=(QuotaRule(per_module, None),))
    practical = PartRule(key=PRACTICAL, kind=PRACTICAL, minutes=DEFAULT_PRACTICAL_MINUTES, quotas=(QuotaRule(1, None),))
    return (theory, practical)


def check_structure(parts: Sequence[PartRule], known_modules: Optional[Iterable[str]] = None, offered_modules: Sequence[str] = ()) -> list:
    """Structural errors of a blueprint, Messages in Vietnamese (empty when sound)."""
    errors = []
    known = set(known_modules) if known_modules is not None else None
    if not parts:
        return [Message(N_("Cấu trúc đề phải có ít nhất một phần thi."))]
    keys = [part.key for part in parts]
    if len(set(keys)) != len(keys):
        errors.append(Message(N_("Mỗi phần thi chỉ được khai báo một lần.")))
    for part in parts:
        name = part_name(part.kind, part.key)
        if part.kind not in PART_KINDS:
            errors.append(Message(N_("%(part)s: loại phần thi không hợp lệ."), part=name))
        if part.max_score <= 0:
            errors.append(Message(N_("%(part)s: thang điểm phải lớn hơn 0."), part=name))
        if not 0 <= part.pass_mark <= part.max_score:
            errors.append(Message(N_("%(part)s: điểm đạt phải nằm trong khoảng 0 – %(max)s."), part=name, max=f"{part.max_score:g}"))
        if part.minutes <= 0:
            errors.append(Message(N_("%(part)s: thời gian làm bài phải lớn hơn 0 phút."), part=name))
        if not part.quotas:
            errors.append(Message(N_("%(part)s: cần ít nhất một tiêu chí chọn câu hỏi."), part=name))
        seen = set()
        for quota in part.quotas:
            signature = (quota.module, quota.syllabus_prefix or None, quota.difficulty or None)
            if signature in seen:
                errors.append(Message(N_("%(part)s: tiêu chí «%(quota)s» bị lặp."), part=name, quota=quota.label()))
            seen.add(signature)
            if quota.count <= 0:
                errors.append(Message(N_("%(part)s: tiêu chí «%(quota)s» phải lấy ít nhất 1 câu."), part=name, quota=quota.label()))
            if quota.difficulty and quota.difficulty not in DIFFICULTY_LABELS:
                errors.append(Message(N_("%(part)s: mức độ «%(difficulty)s» không hợp lệ."), part=name, difficulty=quota.difficulty))
            if quota.module is None:
                if not offered_modules:
                    errors.append(Message(N_("%(part)s: tiêu chí theo mô đun đăng ký cần danh sách mô đun nâng cao được chọn."), part=name))
            elif known is not None and quota.module not in known:
                errors.append(Message(N_("%(part)s: không có mô đun «%(module)s»."), part=name, module=quota.module))
            if quota.syllabus_prefix and quota.module and not (
                quota.syllabus_prefix == quota.module or quota.syllabus_prefix.startswith(quota.module + ".")
            ):
                errors.append(Message(N_("%(part)s: mã nội dung «%(code)s» không thuộc mô đun %(module)s."), part=name,
                                      code=quota.syllabus_prefix, module=quota.module))
        if part.question_count is not None and part.quota_total != part.question_count:
            errors.append(Message(N_("%(part)s: tổng số câu theo tiêu chí (%(total)d) khác số câu của đề (%(count)d)."), part=name,
                                  total=part.quota_total, count=part.question_count))
    if offered_modules and len(set(offered_modules)) < REGISTERED_MODULES:
        errors.append(Message(N_("Đề nâng cao cần ít nhất %(n)d mô đun để thí sinh đăng ký."), n=REGISTERED_MODULES))
    return errors


def check_blueprint(
    parts: Sequence[PartRule],
    pools: Mapping[str, Sequence[PoolCount]],
    known_modules: Optional[Iterable[str]] = None,
    offered_modules: Sequence[str] = (),
) -> BlueprintCheck:
    """Structure, then the pool: `pools` maps a part kind to its pool counts."""
    result = BlueprintCheck(errors=check_structure(parts, known_modules, offered_modules))
    if result.errors:
        return result
    for part in parts:
        pool = [entry for entry in pools.get(part.kind, ()) if entry.count > 0]
        fixed = [quota for quota in part.quotas if quota.module is not None]
        per_registered = [quota for quota in part.quotas if quota.module is None]
        if not per_registered:
            result.missing.extend(_shortages(part.key, fixed, pool))
            continue
        # Modules are disjoint, so each registered module can be checked on its own
        # beside the fixed quotas that touch it.
        reported = set()
        for module in offered_modules:
            expanded = fixed + [replace(quota, module=module) for quota in per_registered]
            for item in _shortages(part.key, expanded, pool):
                key = (item.quota, item.module)
                if key not in reported:
                    reported.add(key)
                    result.missing.append(item)
    return result


def _shortages(part_key: str, quotas: Sequence[QuotaRule], pool: Sequence[PoolCount]) -> list:
    matching = [[index for index, entry in enumerate(pool) if quota.matches(entry.module, entry.syllabus, entry.difficulty)] for quota in quotas]
    filled = flow.filled([quota.count for quota in quotas], matching, [entry.count for entry in pool])
    shortages = []
    for quota, fits, got in zip(quotas, matching, filled):
        if got < quota.count:
            available = sum(pool[index].count for index in fits)
            shortages.append(Missing(part_key, quota, quota.module or "", quota.count, available, quota.count - got))
    return shortages
