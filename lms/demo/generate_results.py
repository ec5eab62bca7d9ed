"""The generated exam history: a basic and an advanced session per district (and the city) per
quarter from 2016 to 2026, and per person their sittings with realistic scores, retakes after a
fail, the staff × module facts those results make and the certificates they qualify for.

A sitting is one candidate row and an attempt per part (theory, practical); "attempts" counts
attempts, as the exam_attempt table does. The rows are those the exam services would leave,
without the papers (no questions, answers or grades: nothing reads them for a report) and
without result events (the facts are written directly, consistent with the module results).
"""
import math
from base64 import b32encode
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache

from sqlalchemy import select

from lms.catalogue.models import CertificateRule
from lms.certificates.models import Certificate
from lms.certificates.numbering import STATUS_LIST_COUNTER, register_counter
from lms.certificates.rules import register_number, serial_for
from lms.demo.generate_bulk import GenerationError, reserve_numbers
from lms.exams import design
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamBlueprint, ExamCandidate, ExamSession
from lms.extensions import db
from lms.localtime import LOCAL_TIMEZONE, local_today

BASIC, ADVANCED = "basic", "advanced"
THEORY, PRACTICAL = "theory", "practical"
QUARTERS = 43  # 2016 Q1 … 2026 Q3: every result released and certified before the cutoff
BASIC_BLUEPRINT = "Đề thi chứng chỉ ứng dụng CNTT cơ bản (dữ liệu mô phỏng)"
ADVANCED_BLUEPRINT = "Đề thi chứng chỉ ứng dụng CNTT nâng cao (dữ liệu mô phỏng)"
BASIC_THEORY = tuple(f"IU0{number}" for number in range(1, 7))
BASIC_PRACTICAL = ("IU03", "IU04", "IU05")
ADVANCED_POOL = tuple(f"IU{number:02d}" for number in range(7, 16))
# How much harder (negative) a module is than the others, in ability units.
DIFFICULTY = {"IU01": 0.3, "IU02": 0.2, "IU04": -0.3, "IU08": -0.3, "IU10": -0.4, "IU11": -0.2, "IU14": 0.1}
NEVER_SITS = 0.12  # the share of people with no attempt at all (counted in every report)
PERSON_CAP = 24  # attempts of one person at most, over the ten years


def ensure_blueprints():
    """The two blueprints the generated sessions use; {(exam kind, part kind): part id}."""
    basic = db.session.execute(select(ExamBlueprint).where(ExamBlueprint.name == BASIC_BLUEPRINT)).scalar_one_or_none()
    if basic is None:
        basic = design.default_basic_blueprint(name=BASIC_BLUEPRINT)
    advanced = db.session.execute(select(ExamBlueprint).where(ExamBlueprint.name == ADVANCED_BLUEPRINT)).scalar_one_or_none()
    if advanced is None:
        advanced = ExamBlueprint(name=ADVANCED_BLUEPRINT, kind=ADVANCED, advanced_module_count=3, offered_modules=list(ADVANCED_POOL),
                                 description="Lý thuyết: 10 câu mỗi mô đun đăng ký. Thực hành: một bài mỗi mô đun đăng ký.")
        db.session.add(advanced)
        design.add_part(advanced, THEORY, "Phần thi lý thuyết", 30, [(None, 10)])
        design.add_part(advanced, PRACTICAL, "Phần thi thực hành", 90, [(None, 1)])
        db.session.flush()
    return {(blueprint.kind, part.kind): part.id for blueprint in (basic, advanced) for part in blueprint.parts}, {BASIC: basic.id, ADVANCED: advanced.id}


def _within(unit_name):
    return unit_name[0].lower() + unit_name[1:]  # "Quận Ba Đình" -> "quận Ba Đình", as inside a sentence


def council_of(unit_name):
    """(council, location) of the organiser's sessions."""
    return f"Hội đồng thi {_within(unit_name)}", f"Trung tâm Bồi dưỡng chính trị {_within(unit_name)}"


@lru_cache(maxsize=None)
def schedule(organiser_index, quarter, kind):
    """(opens, closes, released) of a generated session: basic in the quarter's first month,
    advanced in its second, on a day that differs by district; released a week later."""
    year, month = 2016 + quarter // 4, 1 + 3 * (quarter % 4) + (0 if kind == BASIC else 1)
    day = datetime(year, month, 5 + organiser_index % 14).date()
    opens = datetime.combine(day, time(8), LOCAL_TIMEZONE).astimezone(timezone.utc)
    return opens, opens + timedelta(hours=9), opens + timedelta(days=7, hours=9)


def ensure_sessions(organisers, blueprint_ids, allocator):
    """A closed, released session per organiser, quarter and kind, found by name or made:
    ({(organiser code, quarter, kind): session id}, the rows of those to insert)."""
    names = dict(db.session.execute(select(ExamSession.name, ExamSession.id).where(
        ExamSession.blueprint_id.in_(list(blueprint_ids.values())))).all())
    sessions, rows = {}, []
    for index, (code, (unit_id, unit_name)) in enumerate(organisers.items()):
        council, location = council_of(unit_name)
        for quarter in range(QUARTERS):
            for kind, label in ((BASIC, "cơ bản"), (ADVANCED, "nâng cao")):
                name = f"Kỳ sát hạch CNTT {label} {_within(unit_name)}, quý {quarter % 4 + 1}/{2016 + quarter // 4}"
                if name not in names:
                    opens, closes, released = schedule(index, quarter, kind)
                    names[name] = allocator.one(ExamSession.__table__)
                    rows.append({"id": names[name], "blueprint_id": blueprint_ids[kind], "organiser_unit_id": unit_id, "name": name,
                                 "council": council, "location": location,
                                 "opens_at": opens, "closes_at": closes, "attempts_allowed": 2, "access_code_hash": None,
                                 "allowed_networks": [], "results_released_at": released, "status": "closed", "predrawn_at": None,
                                 "double_marking": False, "reconcile_threshold": 1.0, "created_by_id": None,
                                 "created_at": opens - timedelta(days=30)})
                sessions[(code, quarter, kind)] = names[name]
    return sessions, rows


def certificate_rules():
    rules = {row.kind: row for row in db.session.execute(select(CertificateRule).where(CertificateRule.active.is_(True))).scalars()}
    if BASIC not in rules or ADVANCED not in rules:
        raise GenerationError("Thiếu quy tắc cấp chứng chỉ cơ bản hoặc nâng cao (catalogue load).")
    return rules


@dataclass
class AttemptPlan:
    part: str
    started_at: datetime
    submitted_at: datetime
    graded_at: datetime
    earned: float
    possible: float
    score: float
    modules: dict  # code -> score out of 10
    by_clock: bool = False
    number: int = 1
    id: int = None

    @property
    def passed(self):
        return self.score >= engine.DEFAULT_PASS_MARK


@dataclass
class SittingPlan:
    kind: str
    organiser: str
    session_id: int
    released: datetime
    registered: list
    attempts: list = field(default_factory=list)
    latest: dict = field(default_factory=dict)  # part -> its latest attempt, which the certificate rules read
    qualifies: bool = False


def available_quarters(person, organiser_index):
    """Quarters in which the person could sit: employed from a month before the basic session to
    the end of the advanced one."""
    quarters = []
    for quarter in range(QUARTERS):
        _unit, organiser = person.unit_at(schedule(0, quarter, BASIC)[0])
        opens = schedule(organiser_index[organiser], quarter, BASIC)[0]
        closes = schedule(organiser_index[organiser], quarter, ADVANCED)[1]
        if opens > person.hired_at + timedelta(days=30) and (person.left_at is None or closes < person.left_at):
            quarters.append(quarter)
    return quarters


def allocate_attempts(people, caps, total, rng):
    """Exactly `total` attempts shared among `people` (at most caps[i] each, in pairs: a sitting
    has two parts), in proportion to a willingness drawn for each; some never sit."""
    # The weaker need more attempts: willingness falls with ability.
    weights = [0.0 if rng.random() < NEVER_SITS else rng.lognormvariate(0, 0.4) * math.exp(-0.4 * person.ability) for person in people]
    if sum(caps) < total:
        raise GenerationError(f"Không đủ đợt thi cho {total} lượt thi của {len(people)} cán bộ: hãy giảm --attempts.")
    weight_sum = sum(weight for weight, cap in zip(weights, caps) if cap) or 1.0
    quotas = [min(cap, 2 * int(total * weight / weight_sum / 2)) if cap else 0 for weight, cap in zip(weights, caps)]
    remaining = total - sum(quotas)
    while remaining > 0:
        live = [i for i, (weight, cap) in enumerate(zip(weights, caps)) if weight and quotas[i] < cap]
        if not live:  # the willing are full: the others sit after all
            weights = [1.0 if quota < cap else 0.0 for quota, cap in zip(quotas, caps)]
            continue
        chosen = rng.choices(live, [weights[i] for i in live])[0]
        step = min(2, remaining, caps[chosen] - quotas[chosen])
        quotas[chosen] += step
        remaining -= step
    return quotas


def _ability(person, kind, fails):
    # A retake after a fail comes better prepared (the offsets set the overall fail rate near 30%).
    return person.ability + 0.6 * fails + (0.1 if kind == ADVANCED else 0.05) + person.rng.gauss(0, 0.45)


def _theory(person, modules, per_module, ability, started):
    rng, scores, total = person.rng, {}, 0
    for code in modules:
        chance = 1 / (1 + math.exp(-(0.3 + 0.8 * (ability + DIFFICULTY.get(code, 0.0)))))
        correct = sum(rng.random() < chance for _ in range(per_module))
        scores[code], total = engine.scale_score(correct, per_module), total + correct
    possible = per_module * len(modules)
    by_clock = rng.random() < 0.06
    submitted = started + timedelta(minutes=30) if by_clock else started + timedelta(minutes=rng.randint(12, 29), seconds=rng.randint(0, 59))
    return AttemptPlan(THEORY, started, submitted, submitted, float(total), float(possible), engine.scale_score(total, possible), scores, by_clock)


def _practical(person, modules, ability, started):
    rng, scores, total = person.rng, {}, 0.0
    for code in modules:
        fraction = min(1.0, max(0.0, rng.gauss(0.56 + 0.16 * (ability + DIFFICULTY.get(code, 0.0)), 0.16)))
        fraction = round(fraction * 20) / 20  # rubric points in steps of 0.05
        scores[code], total = engine.scale_score(fraction, 1), total + fraction
    by_clock = rng.random() < 0.1
    submitted = started + timedelta(minutes=90) if by_clock else started + timedelta(minutes=rng.randint(40, 89))
    graded = submitted + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))  # marked by hand within days
    return AttemptPlan(PRACTICAL, started, submitted, graded, total, float(len(modules)), engine.scale_score(total, len(modules)), scores, by_clock)


def _register_modules(person, world, passed):
    """Three advanced modules: the title's own first, then others not yet passed."""
    own = [code for code in world.title_advanced.get(person.title, ()) if code not in passed]
    others = [code for code in ADVANCED_POOL if code not in passed and code not in own]
    person.rng.shuffle(others)
    chosen = (own + others)[:3]
    if len(chosen) < 3:  # everything passed once: retake some for a better score
        chosen += person.rng.sample([code for code in ADVANCED_POOL if code not in chosen], 3 - len(chosen))
    return sorted(chosen)


def plan_sittings(person, quota, world):
    """The person's sittings, in time order, using exactly `quota` attempts: basic until passed,
    then advanced. A failed part is often taken again the same afternoon (the sessions allow
    two attempts a part; the later one counts for the certificate, the better one for the
    facts). Every sitting but a quota's last takes both parts, so ceil(quota / 2) quarters suffice."""
    rng = person.rng
    if quota <= 0:
        return []
    # Weighted sampling without replacement (Efraimidis–Spirakis), early quarters thrice as
    # likely as the last: the programme's push came in its first years.
    keyed = sorted(person.quarters, key=lambda quarter: rng.random() ** (1 / (1.5 - quarter / QUARTERS)), reverse=True)
    basic_held, passed_pool, fails, remaining = False, set(), {BASIC: 0, ADVANCED: 0}, quota
    sittings = []
    for quarter in sorted(keyed[:(quota + 1) // 2]):
        if remaining == 0:
            break
        kind = ADVANCED if basic_held else BASIC
        _unit, organiser = person.unit_at(schedule(0, quarter, BASIC)[0])
        opens, _closes, released = schedule(world.organiser_index[organiser], quarter, kind)
        registered = _register_modules(person, world, passed_pool) if kind == ADVANCED else []
        sitting = SittingPlan(kind, organiser, world.sessions[(organiser, quarter, kind)], released, registered)
        ability = _ability(person, kind, fails[kind])
        theory_modules, per_module = (BASIC_THEORY, 5) if kind == BASIC else (registered, 10)
        practical_modules = BASIC_PRACTICAL if kind == BASIC else registered
        for part, hours in ((THEORY, 0), (PRACTICAL, 1)):
            for number in (1, 2):
                # A retake keeps an attempt for the practical part; the first attempt always goes ahead.
                reserve = 1 if part == THEORY else 0
                if remaining < 1 or (number == 2 and (sitting.latest[part].passed or remaining <= reserve or rng.random() >= 0.6)):
                    break
                started = opens + timedelta(hours=hours + (5 if number == 2 else 0), minutes=rng.randint(0, 25))
                skill = ability + (0.6 if number == 2 else 0.0)
                attempt = (_theory(person, theory_modules, per_module, skill, started) if part == THEORY
                           else _practical(person, practical_modules, skill, started))
                attempt.number = number
                sitting.attempts.append(attempt)
                sitting.latest[part] = attempt
                remaining -= 1
        latest = list(sitting.latest.values())
        # The rules (lms.certificates.rules) on the latest attempt of each part: basic, every
        # part passed; advanced, also each of the three modules passed in both parts (the basic
        # certificate is held by then).
        sitting.qualifies = len(latest) == 2 and all(attempt.passed for attempt in latest) and (kind == BASIC or all(
            attempt.modules[code] >= engine.DEFAULT_PASS_MARK for attempt in latest for code in registered))
        if sitting.qualifies:
            basic_held = True
            passed_pool.update(registered)
        else:
            fails[kind] += 1
        sittings.append(sitting)
    return sittings


def exam_rows(person, world, allocator, rows):
    """Append the person's candidates, attempts, module results and facts to `rows`; the
    certificates wait (without numbers) in rows["pending_certificates"]."""
    best = {}  # module code -> (score, submitted_at, attempt id, graded_at): the staff × module fact
    for number, sitting in enumerate(person.sittings):
        candidate_id = allocator.one(ExamCandidate.__table__)
        opens = min(attempt.started_at for attempt in sitting.attempts)
        rows["candidates"].append({
            "id": candidate_id, "session_id": sitting.session_id, "staff_id": person.staff_id, "user_id": person.user_id,
            "room_id": None, "candidate_number": f"{sitting.organiser}{person.index:06d}{number:02d}"[:20], "extra_minutes": 0.0,
            "extra_multiplier": 1.0, "registered_modules": sitting.registered, "created_at": opens - timedelta(days=14)})
        part_kind = BASIC if sitting.kind == BASIC else ADVANCED
        for attempt, attempt_id in zip(sitting.attempts, allocator.take(ExamAttempt.__table__, len(sitting.attempts))):
            attempt.id = attempt_id
            rows["attempts"].append({
                "id": attempt_id, "candidate_id": candidate_id, "part_id": world.parts[(part_kind, attempt.part)], "number": attempt.number,
                "state": engine.GRADED, "open_slot": None, "seed": person.rng.getrandbits(62), "started_at": attempt.started_at,
                "deadline_at": attempt.started_at + timedelta(minutes=30 if attempt.part == THEORY else 90),
                "submitted_at": attempt.submitted_at, "finalized_by": engine.BY_CLOCK if attempt.by_clock else engine.BY_CANDIDATE,
                "earned_points": attempt.earned, "possible_points": attempt.possible, "score": attempt.score, "passed": attempt.passed,
                "graded_at": attempt.graded_at, "version": 3, "start_ip": "", "last_seen_at": attempt.submitted_at})
            for code, score in attempt.modules.items():
                passed = score >= engine.DEFAULT_PASS_MARK
                rows["module_results"].append({"attempt_id": attempt_id, "module_id": world.modules[code][0], "score": score,
                                               "passed": passed, "updated_at": attempt.graded_at})
                # lms.exams.results.refresh_staff_modules: best score, then earliest, then lowest id.
                key = (-score, attempt.submitted_at, attempt_id)
                if passed and attempt.passed and (code not in best or key < best[code][0]):
                    best[code] = (key, attempt.graded_at)
        if sitting.qualifies:
            rows["pending_certificates"].append((person, sitting, candidate_id))
    for code, ((negative_score, submitted, attempt_id), graded) in best.items():
        rows["facts"].append({"staff_id": person.staff_id, "module_id": world.modules[code][0], "score": -negative_score,
                              "achieved_at": submitted, "attempt_id": attempt_id, "updated_at": graded})


def _certificate(person, sitting, candidate_id, world):
    """A register entry as lms.certificates.issuance._register writes it, without its numbers."""
    rule = world.rules[sitting.kind]
    issued = sitting.released + timedelta(days=person.rng.randint(0, 6), hours=1)
    modules = {}
    latest = list(sitting.latest.values())
    for attempt in latest:  # a module tested by both parts: the lower score (sittings.py)
        for code, score in attempt.modules.items():
            modules[code] = min(score, modules.get(code, score))
    codes = list(rule.required_modules) + [code for code in rule.module_pool if code in sitting.registered]
    return {
        "code": b32encode(person.rng.getrandbits(120).to_bytes(15, "big")).decode("ascii"), "rule_id": rule.id, "kind": rule.kind,
        "staff_id": person.staff_id, "candidate_id": candidate_id, "unit_id": world.plan.units[person.unit_at(issued)[0]][0],
        "holder_name": person.full_name, "birth_date": person.birth_date, "birth_place": person.birth_place,
        "sex": "Nữ" if person.female else "Nam", "exam_date": local_today(max(attempt.started_at for attempt in latest)),
        "exam_council": world.councils[sitting.organiser],
        "result": {"parts": [[attempt.part, attempt.score] for attempt in latest],
                   "modules": [[code, world.modules[code][1], modules[code]] for code in codes]},
        "issue_date": local_today(issued), "issued_at": issued, "issued_by_id": None, **world.authority,
        "status": "valid", "revoked_at": None, "revoked_reason": "", "review": "none", "review_note": "", "replaces_id": None,
    }, [attempt.id for attempt in latest]


def certificate_rows(pending, world, allocator):
    """The batch's certificates numbered as the register would number them one by one: the
    year's next entries, the status list's next bits; (certificates, bases, events)."""
    made = [_certificate(person, sitting, candidate_id, world) for person, sitting, candidate_id in pending]
    by_year = {}
    for certificate, _attempts in made:
        by_year.setdefault(certificate["issue_date"].year, []).append(certificate)
    for year, entries in sorted(by_year.items()):
        for certificate, seq in zip(entries, reserve_numbers(register_counter(year), len(entries))):
            rule = world.rules[certificate["kind"]]
            certificate.update(issue_year=year, register_seq=seq, register_number=register_number(year, seq),
                               serial=serial_for(rule.serial_pattern, rule.code.upper(), year, seq))
    indexes = reserve_numbers(STATUS_LIST_COUNTER, len(made))
    certificates, bases, events = [], [], []
    for (certificate, attempt_ids), index, certificate_id in zip(made, indexes, allocator.take(Certificate.__table__, len(made))):
        certificate.update(id=certificate_id, status_index=index - 1)  # issuance: next_value(status list) - 1
        certificates.append(certificate)
        bases += [{"certificate_id": certificate_id, "attempt_id": attempt_id} for attempt_id in attempt_ids]
        events.append({"certificate_id": certificate_id, "kind": "issued", "at": certificate["issued_at"], "actor_id": None,
                       "reason": "", "details": {}})
    return certificates, bases, events
