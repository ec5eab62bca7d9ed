"""Writes of the exam administration: blueprints, sessions, rooms, candidate lists, pre-drawn
papers, release. Writes flush, never commit (practical marking and regrades: marking.py).

Attempt-level rules (extra time, reopen, the clock) stay in lms.exams.proctoring,
lms.exams.attempts and the engine; this module only calls them.
"""
import ipaddress
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import String, cast, func, insert, literal, select

from lms.audit.services import record
from lms.auth.models import User
from lms.exams import papers, results
from lms.exams.core import drawing
from lms.exams.core.blueprint_rules import PartRule, QuotaRule, check_blueprint
from lms.exams.design import root_unit_id
from lms.exams.manage import queries
from lms.exams.models import BlueprintPart, BlueprintQuota, ExamAttempt, ExamBlueprint, ExamCandidate, ExamRoom, ExamSession
from lms.exams.starting import set_access_code
from lms.extensions import db
from lms.notifications import services as notifications
from lms.org.models import Staff, Unit
from lms.tabular import RowError, TableError, read_table, text_value
from lms.text import tidy


class ManageError(ValueError):
    """A refusal shown to the trainer; `messages` lists every reason, in the language of the request
    (Vietnamese outside one)."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


# --- Blueprints -----------------------------------------------------------------------------


@dataclass
class PartInput:
    kind: str
    title: str
    minutes: int
    max_score: float
    pass_mark: float
    quotas: list = field(default_factory=list)  # [(module code or None, syllabus prefix, difficulty, count)]


def _rules(parts):
    return [
        PartRule(
            key=part.kind,
            kind=part.kind,
            minutes=part.minutes,
            max_score=part.max_score,
            pass_mark=part.pass_mark,
            quotas=tuple(QuotaRule(count, module, prefix or None, difficulty or None) for module, prefix, difficulty, count in part.quotas),
        )
        for part in parts
    ]


def check_parts(parts, offered_modules=()):
    modules = queries.module_by_code()
    return check_blueprint(_rules(parts), queries.pool_counts(), known_modules=modules, offered_modules=tuple(offered_modules))


def save_blueprint(blueprint, name, kind, description, offered_modules, parts, actor):
    """Create or update a blueprint; refused (ManageError) when the approved pool cannot fill it."""
    name = tidy(name)
    offered = sorted(set(offered_modules)) if kind == "advanced" else []
    other = db.session.execute(select(ExamBlueprint).where(ExamBlueprint.name == name)).scalar_one_or_none()
    if other is not None and other is not blueprint:
        raise ManageError(_("Tên cấu trúc đề đã được dùng."))
    if blueprint is not None and queries.blueprint_has_attempts(blueprint.id):
        raise ManageError(_("Cấu trúc đề đã được dùng để thi nên không sửa được; hãy tạo cấu trúc đề mới."))
    check = check_parts(parts, offered)
    if not check.ok:
        raise ManageError(check.messages_in(_))
    modules = queries.module_by_code()
    created = blueprint is None
    if created:
        blueprint = ExamBlueprint(created_by_id=actor.id if actor else None)
        db.session.add(blueprint)
    blueprint.name, blueprint.kind, blueprint.description, blueprint.offered_modules = name, kind, tidy(description), offered
    existing = {part.kind: part for part in blueprint.parts}
    kept = []
    for position, part_input in enumerate(parts, start=1):
        part = existing.get(part_input.kind) or BlueprintPart(kind=part_input.kind)
        part.position, part.title, part.minutes = position, tidy(part_input.title), part_input.minutes
        part.max_score, part.pass_mark = part_input.max_score, part_input.pass_mark
        part.question_count = sum(quota[3] for quota in part_input.quotas)
        part.quotas = [
            BlueprintQuota(position=index, module_id=modules[module].id if module else None, syllabus_prefix=prefix or None, difficulty=difficulty or None, count=count)
            for index, (module, prefix, difficulty, count) in enumerate(part_input.quotas)
        ]
        kept.append(part)
    # Positions are unique per blueprint: park the kept parts before renumbering.
    for offset, part in enumerate(blueprint.parts):
        part.position = 1000 + offset
    db.session.flush()
    blueprint.parts = kept
    for position, part in enumerate(kept, start=1):
        part.position = position
    db.session.flush()
    record("exam.blueprint", target=f"exam_blueprint:{blueprint.id}", actor=actor, name=name, created=created)
    return blueprint


def _delete_unless(row, refusal, action, target, actor, **details):
    """Delete `row` with an audit entry, or raise `refusal` (a message) when it is not None."""
    if refusal is not None:
        raise ManageError(refusal)
    record(action, target=target, actor=actor, **details)
    db.session.delete(row)
    db.session.flush()


def delete_blueprint(blueprint, actor):
    in_use = queries.blueprint_in_use(blueprint.id)
    _delete_unless(blueprint, _("Cấu trúc đề đang được dùng cho kỳ thi, không xóa được.") if in_use else None,
                   "exam.blueprint_delete", f"exam_blueprint:{blueprint.id}", actor, name=blueprint.name)


# --- Sessions and rooms ---------------------------------------------------------------------


def parse_networks(text):
    """CIDR ranges, one per line or comma; refused with the faulty entries."""
    networks, bad = [], []
    for entry in (piece.strip() for line in (text or "").splitlines() for piece in line.split(",")):
        if not entry:
            continue
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            bad.append(entry)
    if bad:
        raise ManageError(_("Dải địa chỉ không hợp lệ: %(ranges)s (ví dụ 10.1.2.0/24).", ranges=", ".join(bad)))
    return networks


def parse_rooms(text):
    """"Tên phòng | sức chứa | cán bộ coi thi" per line."""
    rooms, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        pieces = [tidy(piece) for piece in line.split("|")]
        name = pieces[0][:100]
        capacity = 0
        if len(pieces) > 1 and pieces[1]:
            if not pieces[1].isdigit():
                errors.append(_("Dòng %(line)d: sức chứa «%(capacity)s» phải là số.", line=number, capacity=pieces[1]))
                continue
            capacity = int(pieces[1])
        if name in {room[0] for room in rooms}:
            errors.append(_("Dòng %(line)d: phòng «%(room)s» bị lặp.", line=number, room=name))
            continue
        rooms.append((name, capacity, pieces[2][:300] if len(pieces) > 2 else ""))
    if errors:
        raise ManageError(errors)
    return rooms


def save_session(session, values, rooms_text, networks_text, access_code, clear_access_code, actor):
    """Create or update a session from form values (datetimes already in UTC)."""
    if values["closes_at"] <= values["opens_at"]:
        raise ManageError(_("Giờ đóng phải sau giờ mở."))
    release = values.get("results_released_at")
    networks = parse_networks(networks_text)
    rooms = parse_rooms(rooms_text)
    if session is not None and values["blueprint_id"] != session.blueprint_id and session_has_attempts(session.id):
        raise ManageError(_("Thí sinh đã làm bài theo cấu trúc đề này; không đổi được cấu trúc đề của kỳ thi."))
    created = session is None
    if created:
        session = ExamSession(created_by_id=actor.id if actor else None)
        db.session.add(session)
    session.organiser_unit_id = values.get("organiser_unit_id") or session.organiser_unit_id or root_unit_id()
    for name in ("blueprint_id", "name", "council", "location", "opens_at", "closes_at", "attempts_allowed",
                 "grace_seconds", "status", "double_marking", "reconcile_threshold"):
        value = values[name]
        setattr(session, name, tidy(value) if isinstance(value, str) and name != "status" else value)
    session.results_released_at = release
    session.allowed_networks = networks
    session.review_policy = {"after_submit": values["review_after_submit"], "after_close": values["review_after_close"]}
    if clear_access_code:
        set_access_code(session, None)
    elif access_code:
        set_access_code(session, access_code.strip())
    db.session.flush()
    _sync_rooms(session, rooms)
    record("exam.session", target=f"exam_session:{session.id}", actor=actor, name=session.name, created=created)
    notifications.invite_candidates(session.id)  # once published: every candidate not yet invited
    return session


def session_has_attempts(session_id):
    return db.session.execute(
        select(ExamCandidate.id).where(ExamCandidate.session_id == session_id, ExamCandidate.id.in_(select(ExamAttempt.candidate_id))).limit(1)
    ).first() is not None


def _sync_rooms(session, rooms):
    by_name = {room.name: room for room in session.rooms}
    wanted = set()
    for name, capacity, proctors in rooms:
        room = by_name.get(name) or ExamRoom(session_id=session.id, name=name)
        room.capacity, room.proctors = capacity, proctors
        if room.id is None:
            session.rooms.append(room)
        wanted.add(name)
    for name, room in by_name.items():
        if name not in wanted:
            session.rooms.remove(room)
    db.session.flush()


def release_results(session, now, actor):
    """Candidates may see their results from now on; each graded attempt gets a `released`
    result event (lms.exams.results). Results already released stay as they were: a second
    click neither moves the release time nor records the events twice."""
    if session.results_released_at is not None and session.results_released_at <= now:
        return
    session.results_released_at = now
    released = results.record_release(session.id, now, actor)
    record("exam.release", target=f"exam_session:{session.id}", actor=actor, attempts=released)
    db.session.flush()
    notifications.results_released(session.id, now)


def predraw(session, now, actor):
    try:
        drawn = papers.predraw_session(session, now)
    except drawing.PoolShortage as shortage:
        raise ManageError(_("Ngân hàng câu hỏi chưa đủ để tạo đề: %(detail)s", detail=shortage.translated(_))) from None
    record("exam.predraw", target=f"exam_session:{session.id}", actor=actor, drawn=drawn)
    return drawn


# --- Candidates -----------------------------------------------------------------------------


def _next_number_offset(session_id):
    return db.session.execute(select(func.count(ExamCandidate.id)).where(ExamCandidate.session_id == session_id)).scalar_one()


def add_candidates_by_unit(session, unit, title_id, actor):
    """Every active staff member of the unit's subtree (and title, when given) who is not yet a
    candidate, in one INSERT … SELECT. Returns how many were added."""
    offset = _next_number_offset(session.id)
    already = select(ExamCandidate.staff_id).where(ExamCandidate.session_id == session.id)
    number = cast(func.row_number().over(order_by=(Staff.full_name, Staff.id)) + offset, String)
    chosen = (
        select(literal(session.id), Staff.id, User.id, number)
        .join(Unit, Unit.id == Staff.unit_id)
        .outerjoin(User, User.staff_id == Staff.id)
        .where(Unit.path.startswith(unit.path), Staff.status == "active", Staff.id.not_in(already))
    )
    if title_id:
        chosen = chosen.where(Staff.title_id == title_id)
    # Column defaults (extra time, registered modules, created_at) are rendered into the SELECT.
    db.session.execute(insert(ExamCandidate).from_select(["session_id", "staff_id", "user_id", "candidate_number"], chosen))
    # The driver's rowcount is not reliable for INSERT … SELECT (psycopg reports -1): count instead.
    added = _next_number_offset(session.id) - offset
    record("exam.candidates", target=f"exam_session:{session.id}", actor=actor, unit=unit.code, title_id=title_id, added=added)
    db.session.flush()
    notifications.invite_candidates(session.id)  # a published session's new candidates
    return added


IMPORT_COLUMNS = {
    "id_number": ("Số định danh", "Số CCCD", "CCCD", "CMND", "Số CMND/CCCD"),
    "room": ("Phòng thi", "Phòng"),
    "extra_minutes": ("Thêm giờ (phút)", "Cộng thêm phút"),
    "modules": ("Mô đun đăng ký", "Mô đun"),
}


@dataclass
class CandidateImport:
    errors: list = field(default_factory=list)
    added: int = 0
    updated: int = 0

    @property
    def ok(self):
        return not self.errors


def import_candidates(session, filename, content, actor, scope, max_rows=50_000):
    """Candidates by ID number from XLSX/CSV, each a person of the scope; all or nothing,
    errors by row."""
    report = CandidateImport()
    try:
        table = read_table(filename, content, IMPORT_COLUMNS, max_rows=max_rows)
    except TableError as error:
        report.errors.append(RowError(1, "", error.translated(_)))
        return report
    if "id_number" in table.missing:
        report.errors.append(RowError(1, "Số định danh", _("thiếu cột số định danh")))
        return report
    staff = queries.staff_by_id_numbers({text_value(row.get("id_number")) for _, row in table.rows}, scope)
    rooms = {room.name: room for room in session.rooms}
    advanced = queries.advanced_module_codes()
    existing = {c.staff_id: c for c in db.session.execute(select(ExamCandidate).where(ExamCandidate.session_id == session.id)).scalars()}
    planned, seen = [], set()
    for number, row in table.rows:
        id_number = text_value(row.get("id_number"))
        person = staff.get(id_number)
        if person is None:
            # Outside the reader's scope reads the same as nowhere: the file learns nothing of other units.
            report.errors.append(RowError(number, "Số định danh", _("không có cán bộ với số định danh «%(value)s»", value=id_number)))
            continue
        if id_number in seen:
            report.errors.append(RowError(number, "Số định danh", _("bị lặp trong tệp")))
            continue
        seen.add(id_number)
        room_name = text_value(row.get("room"))
        if room_name and room_name not in rooms:
            report.errors.append(RowError(number, "Phòng thi", _("kỳ thi không có phòng «%(room)s»", room=room_name)))
            continue
        extra_text = text_value(row.get("extra_minutes"))
        try:
            extra = float(extra_text.replace(",", ".")) if extra_text else 0.0
            if extra < 0:
                raise ValueError
        except ValueError:
            report.errors.append(RowError(number, "Thêm giờ (phút)", _("phải là số phút không âm")))
            continue
        modules = [code.strip().upper() for code in text_value(row.get("modules")).replace(";", ",").split(",") if code.strip()]
        unknown = [code for code in modules if code not in advanced]
        if unknown:
            report.errors.append(RowError(number, "Mô đun đăng ký", _("không phải mô đun nâng cao: %(modules)s", modules=", ".join(unknown))))
            continue
        planned.append((person, rooms.get(room_name), extra, modules))
    if report.errors:
        return report
    offset = _next_number_offset(session.id)
    users = _users_by_staff([person.id for person, *_ in planned])
    for person, room, extra, modules in planned:
        candidate = existing.get(person.id)
        if candidate is None:
            offset += 1
            candidate = ExamCandidate(session_id=session.id, staff_id=person.id, user_id=users.get(person.id), candidate_number=str(offset))
            db.session.add(candidate)
            report.added += 1
        else:
            report.updated += 1
        candidate.room_id = room.id if room else None
        candidate.extra_minutes = extra
        candidate.registered_modules = modules
    db.session.flush()
    record("exam.candidates", target=f"exam_session:{session.id}", actor=actor, file=filename, added=report.added, updated=report.updated)
    notifications.invite_candidates(session.id)
    return report


def _users_by_staff(staff_ids):
    if not staff_ids:
        return {}
    return dict(db.session.execute(select(User.staff_id, User.id).where(User.staff_id.in_(staff_ids))).all())


def remove_candidate(candidate, actor):
    started = queries.candidate_has_attempts(candidate.id)
    _delete_unless(candidate, _("Thí sinh đã làm bài, không thể xóa khỏi danh sách.") if started else None,
                   "exam.candidates", f"exam_session:{candidate.session_id}", actor, removed=candidate.staff_id)


def update_candidate(candidate, room_id, registered_modules, actor):
    advanced = queries.advanced_module_codes()
    unknown = [code for code in registered_modules if code not in advanced]
    if unknown:
        raise ManageError(_("Không phải mô đun nâng cao: %(modules)s.", modules=", ".join(unknown)))
    candidate.room_id = room_id or None
    candidate.registered_modules = list(registered_modules)
    db.session.flush()
