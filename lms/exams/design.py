"""Creating blueprints, sessions and candidate lists (used by the demo, the benchmark and the
trainers' pages). Writes flush, never commit."""
from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.catalogue.models import Module
from lms.exams.models import (
    DEFAULT_PRACTICAL_MINUTES,
    DEFAULT_PRACTICAL_QUOTAS,
    DEFAULT_REVIEW_POLICY,
    DEFAULT_THEORY_MINUTES,
    DEFAULT_THEORY_QUOTAS,
    BlueprintPart,
    BlueprintQuota,
    ExamBlueprint,
    ExamCandidate,
    ExamSession,
)
from lms.extensions import db
from lms.org.models import Staff, Unit


def _module_ids():
    return dict(db.session.execute(select(Module.code, Module.id)).all())


def add_part(blueprint, kind, title, minutes, quotas, pass_mark=5.0, max_score=10.0):
    """quotas: [(module code or None, count[, syllabus prefix[, difficulty]])]"""
    modules = _module_ids()
    part = BlueprintPart(kind=kind, title=title, minutes=minutes, pass_mark=pass_mark, max_score=max_score,
                         position=len(blueprint.parts) + 1, question_count=sum(q[1] for q in quotas))
    for position, quota in enumerate(quotas, start=1):
        code, count = quota[0], quota[1]
        part.quotas.append(BlueprintQuota(position=position, module_id=modules[code] if code else None, count=count,
                                          syllabus_prefix=quota[2] if len(quota) > 2 else None,
                                          difficulty=quota[3] if len(quota) > 3 else None))
    blueprint.parts.append(part)
    return part


def default_basic_blueprint(name="Đề thi chứng chỉ ứng dụng CNTT cơ bản", with_practical=True, created_by=None):
    """DOMAIN.md defaults: theory 30 questions (5 from each of IU01–IU06) in 30 minutes,
    practical tasks in 90 minutes; each part out of 10, pass mark 5."""
    blueprint = ExamBlueprint(name=name, kind="basic", created_by_id=created_by.id if created_by else None,
                              description="Lý thuyết: 30 câu trắc nghiệm, 5 câu mỗi mô đun IU01–IU06. Thực hành: xử lý văn bản, bảng tính, trình chiếu.")
    db.session.add(blueprint)
    add_part(blueprint, "theory", "Phần thi lý thuyết", DEFAULT_THEORY_MINUTES, list(DEFAULT_THEORY_QUOTAS))
    if with_practical:
        add_part(blueprint, "practical", "Phần thi thực hành", DEFAULT_PRACTICAL_MINUTES, list(DEFAULT_PRACTICAL_QUOTAS))
    db.session.flush()
    return blueprint


def root_unit_id():
    """The root of the unit tree (the city): the organiser when none is named."""
    return db.session.execute(select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)).scalar_one()


def create_session(blueprint, name, opens_at, closes_at, council="", status="published", review_policy=None, organiser=None, **options):
    """A session organised by `organiser` (by default the root of the unit tree, the city)."""
    organiser_id = organiser.id if organiser is not None else root_unit_id()
    session = ExamSession(blueprint_id=blueprint.id, name=name, council=council, opens_at=opens_at, closes_at=closes_at,
                          organiser_unit_id=organiser_id, status=status, review_policy=dict(review_policy or DEFAULT_REVIEW_POLICY), **options)
    db.session.add(session)
    db.session.flush()
    return session


def add_candidate(session, staff, user=None, **options):
    candidate = ExamCandidate(session_id=session.id, staff_id=staff.id, user_id=user.id if user else None, **options)
    db.session.add(candidate)
    db.session.flush()
    return candidate


def seed_demo_session(now, learner_user):
    """A default blueprint and a city-level session open for a month with the demo learner as candidate."""
    from lms.exams import papers

    blueprint = db.session.execute(select(ExamBlueprint).order_by(ExamBlueprint.id)).scalars().first() or default_basic_blueprint()
    session = create_session(blueprint, "Kỳ thi thử chứng chỉ CNTT cơ bản (demo)", now - timedelta(days=1), now + timedelta(days=30),
                             council="Hội đồng thi Trung tâm Tin học Hà Nội (demo)", attempts_allowed=3, organiser=_unit("HN"))
    candidate = add_candidate(session, learner_user.staff, learner_user, candidate_number="DEMO001")
    missing = [shortage for part in blueprint.parts for shortage in papers.shortages(part, candidate)]
    return session, missing


def seed_district_session(now, blueprint):
    """A session organised by Gia Lâm a week ahead, with its active staff as candidates: what the
    district trainer (trainer_gl) and proctor (proctor_gl) reach, and the city trainer too."""
    district = _unit("GL")
    session = create_session(blueprint, "Kỳ sát hạch CNTT cơ bản huyện Gia Lâm, đợt 1 (demo)", now + timedelta(days=7),
                             now + timedelta(days=7, hours=4), council="Hội đồng thi huyện Gia Lâm (demo)",
                             location="Trung tâm Bồi dưỡng chính trị huyện Gia Lâm", organiser=district)
    staff = db.session.execute(
        select(Staff).join(Unit, Unit.id == Staff.unit_id)
        .where(Unit.path.startswith(district.path), Staff.status == "active").order_by(Staff.full_name, Staff.id)
    ).scalars().all()
    users = dict(db.session.execute(select(User.staff_id, User.id).where(User.staff_id.in_([person.id for person in staff]))).all())
    for number, person in enumerate(staff, start=1):
        db.session.add(ExamCandidate(session_id=session.id, staff_id=person.id, user_id=users.get(person.id), candidate_number=f"GL{number:03d}"))
    db.session.flush()
    return session, len(staff)


def _unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def seed_exam_demo(now):
    """Demo seed step: the default blueprint, the open city session with the demo learner, and
    the district session. Summary lines."""
    from lms.auth.services import find_user

    learner = find_user("learner")
    if learner is None or learner.staff is None:
        return ["Thi: bỏ qua (chưa có tài khoản learner)."]
    session, missing = seed_demo_session(now, learner)
    lines = [f"Thi: kỳ thi «{session.name}» đang mở, learner dự thi."]
    if missing:
        detail = ", ".join(f"{s.quota.label()} thiếu {s.missing}" for s in missing)
        lines = [f"Thi: kỳ thi «{session.name}» (learner dự thi); ngân hàng chưa đủ — {detail}."]
    district, count = seed_district_session(now, session.blueprint)
    lines.append(f"Thi: kỳ thi «{district.name}» do huyện Gia Lâm tổ chức, {count} thí sinh.")
    return lines
