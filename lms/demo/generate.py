"""`flask --app wsgi demo generate`: a city-sized synthetic population for report benchmarks.

Works on an empty database or after `demo seed` (it adds to what is there). The organisation,
blueprints and sessions are created when missing; then the people go in batches, each batch
one transaction holding everything about its people (staff, postings, accounts, exam history,
facts, certificates, lessons). People come in blocks of BLOCK: a block is made whole from the
seed and its index alone, so a killed run, started again with the same arguments, skips the
blocks already in the database (found by their ID numbers) and goes on where it stopped.
"""
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select, text

from lms.auth.models import RoleAssignment, User
from lms.catalogue.loader import load_catalogues
from lms.catalogue.models import LearningPathModule, Module, Title
from lms.certificates.models import Certificate, CertificateBasis, CertificateEvent
from lms.courses.models import Course, Lesson, LessonProgress
from lms.demo import generate_results as results
from lms.demo.generate_bulk import GenerationError, IdAllocator, insert_rows
from lms.demo.generate_people import account_rows, free_usernames, lesson_rows, make_person, resolve_id_numbers, staff_rows
from lms.demo.generate_units import CITY, ensure_units, placement, unit_specs
from lms.exams.models import ExamAttempt, ExamCandidate, ExamSession
from lms.exams.result_models import ModuleResult, StaffModuleResult
from lms.extensions import db
from lms.org.models import Staff, StaffPosting

BLOCK = 100  # people made together (their attempts add up exactly); batches are whole blocks
MAX_STAFF = 500_000  # the first-choice ID numbers (generate_people.PRIMARY_SERIALS)
MAX_ATTEMPTS_PER_PERSON = 12  # on average (generate_results.PERSON_CAP: at most 24 for one person)
DISTRICT_KINDS = ("urban_district", "rural_district", "town")
# Insertion order: every row after the rows it points at.
TABLES = (("staff", Staff), ("postings", StaffPosting), ("accounts", User), ("roles", RoleAssignment), ("candidates", ExamCandidate),
          ("attempts", ExamAttempt), ("module_results", ModuleResult), ("facts", StaffModuleResult), ("certificates", Certificate),
          ("bases", CertificateBasis), ("certificate_events", CertificateEvent), ("lessons", LessonProgress))


@dataclass
class World:
    """What every batch reads: the placement plan and the catalogue, session and rule ids."""

    plan: object
    titles: dict  # title code -> id
    modules: dict  # module code -> (id, name)
    path_modules: dict  # title code -> [module id] in module order
    title_advanced: dict  # title code -> [advanced module code] of its path
    basic_module_ids: list
    lessons: dict  # module id -> [published lesson id] in course order
    parts: dict
    sessions: dict
    organiser_index: dict
    councils: dict
    rules: dict
    authority: dict


def prepare(staff_count, seed):
    """Catalogues, units, blueprints and sessions (each created when missing), committed; the World."""
    load_catalogues()
    units, units_added = ensure_units()
    parts, blueprint_ids = results.ensure_blueprints()
    organisers = {spec.code: (units[spec.code][0], units[spec.code][3]) for spec in unit_specs() if spec.kind in DISTRICT_KINDS}
    organisers[CITY] = (units[CITY][0], units[CITY][3])
    sessions, session_rows = results.ensure_sessions(organisers, blueprint_ids, IdAllocator())
    insert_rows(ExamSession.__table__, session_rows)
    modules = {row.code: row for row in db.session.execute(select(Module).order_by(Module.position)).scalars()}
    paths = db.session.execute(select(Title.code, Module.code).join(LearningPathModule, LearningPathModule.title_id == Title.id)
                               .join(Module, Module.id == LearningPathModule.module_id).order_by(Title.code, Module.position)).all()
    lessons = defaultdict(list)
    for module_id, lesson_id in db.session.execute(
            select(Course.module_id, Lesson.id).join(Course, Course.id == Lesson.course_id)
            .where(Course.published.is_(True), Lesson.published.is_(True)).order_by(Course.module_id, Lesson.position, Lesson.id)):
        lessons[module_id].append(lesson_id)
    path_modules, title_advanced = defaultdict(list), defaultdict(list)
    for title_code, module_code in paths:
        path_modules[title_code].append(modules[module_code].id)
        if modules[module_code].level == "advanced":
            title_advanced[title_code].append(module_code)
    rules = {kind: SimpleNamespace(id=rule.id, kind=rule.kind, code=rule.code, serial_pattern=rule.serial_pattern,
                                   required_modules=list(rule.required_modules or []), module_pool=list(rule.module_pool or []))
             for kind, rule in results.certificate_rules().items()}
    config = current_app.config
    world = World(
        plan=placement(units, staff_count, seed), titles=dict(db.session.execute(select(Title.code, Title.id)).all()),
        modules={code: (row.id, row.name) for code, row in modules.items()}, path_modules=dict(path_modules),
        title_advanced=dict(title_advanced), basic_module_ids=[row.id for row in modules.values() if row.level == "basic"],
        lessons=dict(lessons), parts=parts, sessions=sessions, organiser_index={code: i for i, code in enumerate(organisers)},
        councils={code: results.council_of(name)[0] for code, (_id, name) in organisers.items()}, rules=rules,
        authority={"issuing_body": config["CERT_ISSUING_BODY"], "issue_place": config["CERT_ISSUE_PLACE"],
                   "signer_title": config["CERT_SIGNER_TITLE"], "signer_name": config["CERT_SIGNER_NAME"]})
    db.session.commit()
    return world, Counter(units=units_added, sessions=len(session_rows))


def _blocks_to_make(people, start):
    """The blocks of this batch not yet in the database (a block is all there or not at all)."""
    todo = []
    for offset in range(0, len(people), BLOCK):
        block = people[offset:offset + BLOCK]
        made = {person.exists for person in block}
        if made == {False}:
            todo.append((start + offset, block))
        elif made != {True}:
            raise GenerationError(f"Khối cán bộ {start + offset}–{start + offset + len(block) - 1} chỉ có một phần trong CSDL: "
                                  "dữ liệu đã bị sửa, hoặc lần chạy trước dùng tham số khác.")
    return todo


def make_batch(world, start, stop, staff_count, attempt_count, seed):
    """Insert the people start..stop-1 that are missing, with everything about them; the counts.
    Flushes; the caller commits (the batch is one transaction)."""
    people = [make_person(world.plan, seed, index) for index in range(start, stop)]
    resolve_id_numbers(people, seed)
    todo = _blocks_to_make(people, start)
    if not todo:
        return Counter()
    allocator, rows = IdAllocator(), defaultdict(list)
    usernames = free_usernames([person for _first, block in todo for person in block])
    for first, block in todo:
        last = first + len(block)
        # The block's exact share: the shares of all blocks add up to attempt_count.
        share = last * attempt_count // staff_count - first * attempt_count // staff_count
        for person in block:
            person.quarters = results.available_quarters(person, world.organiser_index)
        quotas = results.allocate_attempts(block, [min(results.PERSON_CAP, 2 * len(person.quarters)) for person in block], share,
                                           random.Random(seed * 7_919 + first))
        for person, quota in zip(block, quotas):
            person.staff_id = allocator.one(Staff.__table__)
            if person.account_at is not None and person.id_number in usernames:
                person.user_id = allocator.one(User.__table__)
            else:
                person.account_at = None
            person.sittings = results.plan_sittings(person, quota, world)
            staff, postings = staff_rows(person, world)
            rows["staff"].append(staff)
            rows["postings"] += postings
            if person.user_id is not None:
                account, role = account_rows(person)
                rows["accounts"].append(account)
                rows["roles"].append(role)
                rows["lessons"] += lesson_rows(person, world)
            results.exam_rows(person, world, allocator, rows)
    rows["certificates"], rows["bases"], rows["certificate_events"] = results.certificate_rows(
        rows.pop("pending_certificates", []), world, allocator)
    counts = Counter()
    for key, model in TABLES:
        counts[key] = insert_rows(model.__table__, rows.get(key, []))
    return counts


def generate(staff_count, attempt_count, seed=2017, batch_size=1000, progress=None):
    """Make (or complete) the population; returns the summary line. `progress(done, counts)`
    is called after each committed batch."""
    if not 1 <= staff_count <= MAX_STAFF:
        raise GenerationError(f"--staff phải từ 1 đến {MAX_STAFF}.")
    if attempt_count > MAX_ATTEMPTS_PER_PERSON * staff_count:
        raise GenerationError(f"Tối đa {MAX_ATTEMPTS_PER_PERSON} lượt thi mỗi cán bộ: --attempts ≤ {MAX_ATTEMPTS_PER_PERSON * staff_count}.")
    started = time.monotonic()
    batch = max(BLOCK, -(-batch_size // BLOCK) * BLOCK)  # whole blocks
    world, counts = prepare(staff_count, seed)
    for start in range(0, staff_count, batch):
        stop = min(start + batch, staff_count)
        try:
            added = make_batch(world, start, stop, staff_count, attempt_count, seed)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        counts.update(added)
        if progress is not None:
            progress(stop, added)
    if db.session.get_bind().dialect.name == "postgresql" and counts["staff"]:
        # Planner statistics now, not whenever autovacuum gets to the new rows: a report benchmark
        # run straight after should see the plans production would.
        db.session.execute(text("ANALYZE " + ", ".join(model.__tablename__ for _key, model in TABLES)))
        db.session.commit()
    return summary(counts, staff_count, attempt_count, seed, time.monotonic() - started)


def summary(counts, staff_count, attempt_count, seed, seconds):
    added = ", ".join(f"{counts[key]} {label}" for key, label in (
        ("units", "đơn vị"), ("sessions", "kỳ thi"), ("staff", "cán bộ"), ("postings", "quá trình công tác"),
        ("accounts", "tài khoản"), ("candidates", "thí sinh"), ("attempts", "lượt thi"), ("module_results", "kết quả mô đun"),
        ("facts", "kết quả tốt nhất"), ("certificates", "chứng chỉ"), ("lessons", "tiến độ bài học")))
    return (f"Dữ liệu mô phỏng (seed {seed}, {staff_count} cán bộ, {attempt_count} lượt thi): đã thêm {added}; "
            f"{seconds:.0f} giây.")
