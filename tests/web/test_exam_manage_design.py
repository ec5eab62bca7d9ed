"""Blueprints and sessions through the trainer's pages."""
import io
import re
from datetime import timedelta

from exam_support import make_pool
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.catalogue.models import Title
from lms.exams.models import ExamBlueprint, ExamCandidate, ExamSession
from lms.models_base import utcnow
from lms.org.models import Staff, Unit


def blueprint_data(name="Đề cơ bản 2017", counts=None, practical=True):
    data = {
        "name": name, "kind": "basic", "description": "",
        "theory_title": "Lý thuyết", "theory_minutes": "30", "theory_max_score": "10", "theory_pass_mark": "5",
        "practical_title": "Thực hành", "practical_minutes": "90", "practical_max_score": "10", "practical_pass_mark": "5",
    }
    if practical:
        data["has_practical"] = "y"
    for index, (module, count) in enumerate((counts or {m: 5 for m in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")}).items()):
        data[f"theory_quotas-{index}-module"] = module
        data[f"theory_quotas-{index}-count"] = str(count)
    for index, module in enumerate(("IU03", "IU04", "IU05")):
        data[f"practical_quotas-{index}-module"] = module
        data[f"practical_quotas-{index}-count"] = "1"
    return data


def post_new_blueprint(auth, db, per_module):
    """Fills the exam pool (`per_module` approved questions a module, practical tasks for IU03-IU05); the trainer posts the default blueprint."""
    make_pool(per_module=per_module, practical=("IU03", "IU04", "IU05"))
    db.session.commit()
    auth.login("trainer")
    return auth.post("/exams/manage/blueprints/new", blueprint_data(), token_page="/exams/manage/blueprints/new")


def test_the_new_blueprint_form_starts_from_the_defaults(client, auth, demo):
    auth.login("trainer")
    page = client.get("/exams/manage/blueprints/new").get_data(as_text=True)
    def value_of(name):
        match = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), page)
        return re.search(r'value="([^"]*)"', match.group(0)).group(1)

    def selected_in(name):
        select_html = re.search(r'<select[^>]*name="%s".*?</select>' % re.escape(name), page, re.S).group(0)
        return re.search(r'<option selected value="([^"]*)"', select_html).group(1)

    assert value_of("theory_minutes") == "30" and value_of("practical_minutes") == "90"
    assert [selected_in(f"theory_quotas-{i}-module") for i in range(6)] == ["IU01", "IU02", "IU03", "IU04", "IU05", "IU06"]
    assert [value_of(f"theory_quotas-{i}-count") for i in range(6)] == ["5"] * 6
    assert [selected_in(f"practical_quotas-{i}-module") for i in range(3)] == ["IU03", "IU04", "IU05"]


def test_a_blueprint_the_pool_cannot_fill_is_refused_with_the_missing_counts(client, auth, demo, db):
    response = post_new_blueprint(auth, db, per_module=3)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for module in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06"):
        assert f"Phần lý thuyết – {module}: cần 5 câu, kho đề thi đã duyệt có 3 câu phù hợp, thiếu 2." in page
    assert db.session.execute(select(func.count(ExamBlueprint.id))).scalar_one() == 0


def test_a_blueprint_the_pool_fills_is_saved_with_its_parts_and_quotas(client, auth, demo, db):
    response = post_new_blueprint(auth, db, per_module=6)
    assert response.status_code == 302
    blueprint = db.session.execute(select(ExamBlueprint)).scalar_one()
    theory, practical = blueprint.parts
    assert (theory.kind, theory.minutes, theory.question_count, theory.pass_mark) == ("theory", 30, 30, 5)
    assert [(q.module.code, q.count) for q in theory.quotas] == [(m, 5) for m in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")]
    assert (practical.kind, practical.minutes, [q.module.code for q in practical.quotas]) == ("practical", 90, ["IU03", "IU04", "IU05"])
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.blueprint")).scalar_one()
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kho đề thi đã duyệt đáp ứng đủ cấu trúc đề." in detail


def test_editing_a_blueprint_replaces_its_quotas(client, auth, demo, db):
    post_new_blueprint(auth, db, per_module=10)
    blueprint_id = db.session.execute(select(ExamBlueprint.id)).scalar_one()
    path = f"/exams/manage/blueprints/{blueprint_id}/edit"
    response = auth.post(path, blueprint_data(counts={"IU01": 10, "IU04": 8}, practical=False), token_page=path)
    assert response.status_code == 302
    blueprint = db.session.get(ExamBlueprint, blueprint_id)
    db.session.refresh(blueprint)
    assert [(q.module.code, q.count) for q in blueprint.parts[0].quotas] == [("IU01", 10), ("IU04", 8)]
    assert [p.kind for p in blueprint.parts] == ["theory"]


def session_data(blueprint_id, **overrides):
    data = {
        "name": "Kỳ thi tháng 6/2017", "blueprint_id": str(blueprint_id), "council": "Hội đồng thi Sở TT&TT", "location": "Phòng máy tầng 3",
        "opens_at": "2017-06-20T08:00", "closes_at": "2017-06-20T11:30", "attempts_allowed": "1", "grace_seconds": "30",
        "review_after_submit": "score", "review_after_close": "correctness", "status": "draft", "reconcile_threshold": "1",
        "allowed_networks": "10.1.2.0/24\n192.168.1.7", "rooms": "P301 | 40 | Nguyễn Văn An\nP302 | 35",
        "access_code": "HN2017",
    }
    data.update(overrides)
    return data


def make_blueprint(db):
    from lms.exams import design

    blueprint = design.default_basic_blueprint(name="Đề mẫu")
    db.session.commit()
    return blueprint.id


def post_new_session(auth, db, **overrides):
    """The trainer posts the new-session form for a fresh default blueprint, the form's data changed by `overrides`; the response."""
    blueprint_id = make_blueprint(db)
    auth.login("trainer")
    return auth.post("/exams/manage/sessions/new", session_data(blueprint_id, **overrides), token_page="/exams/manage/sessions/new")


def test_a_session_is_saved_with_local_times_rooms_networks_and_a_hashed_access_code(client, auth, demo, db):
    response = post_new_session(auth, db)
    assert response.status_code == 302
    session = db.session.execute(select(ExamSession)).scalar_one()
    assert session.opens_at.isoformat() == "2017-06-20T01:00:00+00:00"  # 08:00 in Hà Nội
    assert session.allowed_networks == ["10.1.2.0/24", "192.168.1.7/32"]
    assert [(r.name, r.capacity, r.proctors) for r in session.rooms] == [("P301", 40, "Nguyễn Văn An"), ("P302", 35, "")]
    assert session.access_code_hash and "HN2017" not in session.access_code_hash
    assert session.review_policy == {"after_submit": "score", "after_close": "correctness"}


def test_an_invalid_network_range_is_refused(client, auth, demo, db):
    response = post_new_session(auth, db, allowed_networks="10.1.2.0/33")
    assert response.status_code == 422
    assert "Dải địa chỉ không hợp lệ: 10.1.2.0/33" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(ExamSession.id))).scalar_one() == 0


def test_closing_before_opening_is_refused(client, auth, demo, db):
    response = post_new_session(auth, db, closes_at="2017-06-20T07:00")
    assert response.status_code == 422
    assert "Giờ đóng phải sau giờ mở." in response.get_data(as_text=True)


def new_session(db):
    from lms.exams import design

    now = utcnow()
    blueprint = design.default_basic_blueprint(name="Đề chọn thí sinh")
    session = design.create_session(blueprint, "Kỳ thi chọn thí sinh", now, now + timedelta(hours=3), status="draft")
    db.session.commit()
    return session.id


def test_candidates_are_picked_by_unit_subtree_and_title(client, auth, demo, db):
    session_id = new_session(db)
    district = db.session.execute(select(Unit).where(Unit.code == "LB")).scalar_one()
    title = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one()
    expected = db.session.execute(
        select(Staff.id).join(Unit, Unit.id == Staff.unit_id).where(Unit.path.startswith(district.path), Staff.title_id == title.id)
    ).scalars().all()
    assert len(expected) >= 2
    auth.login("trainer")
    path = f"/exams/manage/sessions/{session_id}"
    response = auth.post(f"{path}/candidates/by-unit", {"unit_id": district.id, "title_id": title.id}, token_page=path)
    assert response.status_code == 302
    rows = db.session.execute(select(ExamCandidate).where(ExamCandidate.session_id == session_id)).scalars().all()
    assert sorted(c.staff_id for c in rows) == sorted(expected)
    assert sorted(int(c.candidate_number) for c in rows) == list(range(1, len(expected) + 1))
    assert all(c.extra_minutes == 0 and c.extra_multiplier == 1 and c.registered_modules == [] for c in rows)
    learner = next(c for c in rows if c.staff.id_number and c.user_id)
    assert learner.user.username == "learner"
    # Picking again adds nobody twice; the whole district then adds the other titles.
    auth.post(f"{path}/candidates/by-unit", {"unit_id": district.id, "title_id": title.id}, token_page=path)
    assert db.session.execute(select(func.count(ExamCandidate.id)).where(ExamCandidate.session_id == session_id)).scalar_one() == len(expected)
    auth.post(f"{path}/candidates/by-unit", {"unit_id": district.id, "title_id": 0}, token_page=path)
    everyone = db.session.execute(select(func.count(Staff.id)).join(Unit, Unit.id == Staff.unit_id).where(Unit.path.startswith(district.path))).scalar_one()
    assert db.session.execute(select(func.count(ExamCandidate.id)).where(ExamCandidate.session_id == session_id)).scalar_one() == everyone


def test_candidate_import_is_all_or_nothing_with_row_numbers(client, auth, demo, db):
    session_id = new_session(db)
    people = db.session.execute(select(Staff).order_by(Staff.id).limit(2)).scalars().all()
    auth.login("trainer")
    path = f"/exams/manage/sessions/{session_id}"
    bad = f"Số định danh,Thêm giờ (phút)\n{people[0].id_number},15\n999999999999,0\n{people[1].id_number},-3\n".encode()
    response = auth.post(f"{path}/candidates/import", {"file": (io.BytesIO(bad), "thi-sinh.csv")}, token_page=path,
                         content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Dòng 3, cột «Số định danh»: không có cán bộ với số định danh «999999999999»" in page
    assert "Dòng 4, cột «Thêm giờ (phút)»" in page
    assert db.session.execute(select(func.count(ExamCandidate.id))).scalar_one() == 0
    good = f"Số định danh,Thêm giờ (phút)\n{people[0].id_number},15\n{people[1].id_number},\n".encode()
    response = auth.post(f"{path}/candidates/import", {"file": (io.BytesIO(good), "thi-sinh.csv")}, token_page=path,
                         content_type="multipart/form-data")
    assert response.status_code == 302
    rows = {c.staff_id: c for c in db.session.execute(select(ExamCandidate)).scalars()}
    assert rows[people[0].id].extra_minutes == 15 and rows[people[1].id].extra_minutes == 0
