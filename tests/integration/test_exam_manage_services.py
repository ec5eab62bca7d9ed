"""The trainers' exam services against the database: pool counts, blueprints, rooms, candidate lists."""
from datetime import timedelta

import pytest
from exam_support import add_question, make_pool, practical_task, single_choice
from sqlalchemy import select

from lms.exams import design
from lms.exams.core.blueprint_rules import PRACTICAL, THEORY, PoolCount
from lms.exams.manage import queries as queries
from lms.exams.manage import services as services
from lms.exams.models import ExamCandidate
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff, Unit
from lms.questionbank.models import QuestionBank


def test_pool_counts_group_approved_exam_questions_and_keep_practical_tasks_apart(db):
    bank = QuestionBank(name="Kho đếm")
    db.session.add(bank)
    db.session.flush()
    for n in range(3):
        add_question(bank, single_choice(f"A{n}", "IU01"))
    hard = dict(single_choice("H", "IU01"), difficulty="hard", syllabus="IU01.2")
    add_question(bank, hard)
    add_question(bank, dict(single_choice("D", "IU01"), status="draft"))
    add_question(bank, dict(single_choice("P", "IU01"), pool="practice"))
    add_question(bank, practical_task("T", "IU03"))
    pools = queries.pool_counts()
    assert sorted(pools[THEORY], key=lambda p: p.difficulty) == [PoolCount("IU01", "IU01.2", "hard", 1), PoolCount("IU01", "IU01.1", "medium", 3)]
    assert pools[PRACTICAL] == [PoolCount("IU03", "IU03.1", "medium", 1)]


def advanced_parts(per_module=4):
    return [services.PartInput(THEORY, "Lý thuyết nâng cao", 45, 10, 5, [(None, None, None, per_module)]),
            services.PartInput(PRACTICAL, "Thực hành nâng cao", 90, 10, 5, [(None, None, None, 1)])]


def test_an_advanced_blueprint_is_checked_for_every_offered_module(demo):
    make_pool(per_module=5, modules=("IU07", "IU08", "IU14"), practical=("IU07", "IU08"))
    with pytest.raises(services.ManageError) as refused:
        services.save_blueprint(None, "Đề nâng cao", "advanced", "", ["IU07", "IU08", "IU14"], advanced_parts(), None)
    assert refused.value.messages == ["Phần thực hành – IU14: cần 1 câu, kho đề thi đã duyệt có 0 câu phù hợp, thiếu 1."]
    make_pool(per_module=0, modules=(), practical=("IU14",))
    blueprint = services.save_blueprint(None, "Đề nâng cao", "advanced", "", ["IU14", "IU07", "IU08"], advanced_parts(), None)
    assert blueprint.offered_modules == ["IU07", "IU08", "IU14"]
    assert [q.module_id for part in blueprint.parts for q in part.quotas] == [None, None]


def test_a_blueprint_already_used_for_an_attempt_cannot_be_edited(demo):
    from exam_support import make_session

    from lms.exams import starting

    make_pool()
    session, candidate = make_session()
    starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    parts = [services.PartInput(THEORY, "Lý thuyết", 30, 10, 5, [("IU01", None, None, 5)])]
    with pytest.raises(services.ManageError, match="đã được dùng để thi"):
        services.save_blueprint(session.blueprint, session.blueprint.name, "basic", "", [], parts, None)


@pytest.mark.parametrize(
    "text, expected",
    [("", []), ("10.0.0.0/8, 192.168.1.7\n\n2001:db8::/32", ["10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32"]), ("10.1.2.3/24", ["10.1.2.0/24"])],
)
def test_network_ranges_are_normalised(text, expected):
    assert services.parse_networks(text) == expected


@pytest.mark.parametrize("text", ["10.0.0.0/40", "một dải", "10.0.0.0/8, 300.1.1.1"])
def test_invalid_network_ranges_are_refused(text):
    with pytest.raises(services.ManageError, match="Dải địa chỉ không hợp lệ"):
        services.parse_networks(text)


def test_rooms_are_kept_renamed_or_removed_by_name(demo):
    blueprint = design.default_basic_blueprint(name="Đề phòng")
    session = design.create_session(blueprint, "Kỳ thi phòng", utcnow(), utcnow() + timedelta(hours=2))
    services._sync_rooms(session, services.parse_rooms("P1 | 30 | An\nP2 | 20"))
    first_id = session.rooms[0].id
    services._sync_rooms(session, services.parse_rooms("P1 | 32 | An, Bình\nP3"))
    assert [(r.name, r.capacity, r.proctors) for r in session.rooms] == [("P1", 32, "An, Bình"), ("P3", 0, "")]
    assert session.rooms[0].id == first_id
    with pytest.raises(services.ManageError, match="Dòng 2: sức chứa «nhiều» phải là số"):
        services.parse_rooms("P1\nP2 | nhiều")


def test_picking_by_unit_skips_staff_who_left_and_continues_the_numbering(demo):
    blueprint = design.default_basic_blueprint(name="Đề chọn")
    session = design.create_session(blueprint, "Kỳ thi chọn", utcnow(), utcnow() + timedelta(hours=2))
    ward = db.session.execute(select(Unit).where(Unit.code == "LB-BODE")).scalar_one()
    staff = db.session.execute(select(Staff).where(Staff.unit_id == ward.id).order_by(Staff.id)).scalars().all()
    design.add_candidate(session, staff[0], candidate_number="1")
    staff[1].status = "left"
    db.session.flush()
    added = services.add_candidates_by_unit(session, ward, None, None)
    assert added == len(staff) - 2
    numbers = db.session.execute(select(ExamCandidate.candidate_number).where(ExamCandidate.session_id == session.id)).scalars().all()
    assert sorted(int(n) for n in numbers) == list(range(1, len(staff)))
    assert staff[1].id not in db.session.execute(select(ExamCandidate.staff_id).where(ExamCandidate.session_id == session.id)).scalars().all()


def test_the_blueprint_of_a_session_with_attempts_cannot_be_swapped(demo):
    from exam_support import make_session

    from lms.exams import starting

    make_pool()
    session, candidate = make_session()
    starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    other = design.default_basic_blueprint(name="Đề khác")
    values = {name: getattr(session, name) for name in ("name", "council", "location", "opens_at", "closes_at", "attempts_allowed", "grace_seconds",
                                                       "status", "double_marking", "reconcile_threshold")}
    values.update(blueprint_id=other.id, results_released_at=None, review_after_submit="score", review_after_close="correctness")
    with pytest.raises(services.ManageError, match="không đổi được cấu trúc đề"):
        services.save_session(session, values, "", "", None, False, None)
    values["blueprint_id"] = session.blueprint_id
    assert services.save_session(session, values, "P1", "", None, False, None).rooms[0].name == "P1"
