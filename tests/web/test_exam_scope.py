"""Trainers and proctors have a unit scope: they reach the sessions organised within their unit's
subtree and the candidates working in it, in every page, picker, export and change."""
import hashlib
import io
import re

import pytest
from exam_support import docx_bytes, make_pool, make_session
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.services import find_user
from lms.exams import attempts, design, starting, uploads
from lms.exams.models import AttemptQuestion, ExamAttempt, ExamCandidate, ExamSession, PracticalUpload
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff, Unit

# Routes that belong to no session: the sessions list, a new session, the shared blueprint designs.
NOT_SESSION_BOUND = {"/exams/manage/", "/exams/manage/sessions/new", "/exams/manage/blueprints/new", "/exams/manage/blueprints/<int:blueprint_id>",
                     "/exams/manage/blueprints/<int:blueprint_id>/edit", "/exams/manage/blueprints/<int:blueprint_id>/delete"}


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


@pytest.fixture()
def city_session(demo):
    """A city-level session with a practical part: the Bồ Đề learner has submitted both parts
    and handed in a file."""
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    for part in session.blueprint.parts:
        attempt, _ = starting.start_attempt(candidate, part, utcnow())
        if part.kind == "practical":
            upload = uploads.store_upload(attempt, attempt.questions[0], "bai-lam.docx", docx_bytes(), utcnow())
        attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    theory = db.session.execute(select(ExamAttempt).where(ExamAttempt.part_id == session.blueprint.parts[0].id)).scalar_one()
    question = db.session.execute(select(AttemptQuestion).where(AttemptQuestion.attempt_id == theory.id)).scalars().first()
    return {"session_id": session.id, "candidate_id": candidate.id, "attempt_id": theory.id,
            "question_id": question.version.question_id, "upload_id": upload.id, "blueprint_id": session.blueprint_id, "fmt": "csv"}


def district_session(blueprint_id):
    """A session organised by Gia Lâm with one of its officials as candidate."""
    from lms.exams.models import ExamBlueprint

    session = design.create_session(db.session.get(ExamBlueprint, blueprint_id), "Kỳ thi huyện Gia Lâm", utcnow(), utcnow(),
                                    organiser=unit("GL"))
    official = db.session.execute(select(Staff).join(Unit).where(Unit.path.startswith(unit("GL").path)).order_by(Staff.id)).scalars().first()
    design.add_candidate(session, official, candidate_number="GL001")
    db.session.commit()
    return session


def exam_admin_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("exam_admin.")]


def state_of_city_session(ids):
    return (
        db.session.execute(select(func.count(ExamCandidate.id))).scalar_one(),
        db.session.execute(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("exam.%"))).scalar_one(),
        tuple(db.session.execute(select(ExamAttempt.state, ExamAttempt.score, ExamAttempt.deadline_at).order_by(ExamAttempt.id)).all()),
        db.session.get(ExamSession, ids["session_id"]).results_released_at,
    )


@pytest.mark.parametrize("username", ["trainer_gl", "proctor_gl"])
def test_every_exam_administration_route_refuses_a_session_outside_the_scope(app, client, auth, city_session, username):
    ids = city_session
    before = state_of_city_session(ids)
    auth.login(username)
    token = auth.csrf_token("/exams/manage/")
    tried = 0
    for rule in exam_admin_rules(app):
        if not rule.arguments & {"session_id", "upload_id"}:
            assert rule.rule in NOT_SESSION_BOUND, rule.rule  # a new route that takes no session must be thought about
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:int:)?{name}>", str(ids[name]), path)
        assert "<" not in path, path
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.get(path) if method == "GET" else client.post(path, data={
                "csrf_token": token, "reason": "Thử ngoài phạm vi", "extra_minutes": "30", "minutes": "10", "unit_id": unit("LB").id})
            assert response.status_code in (403, 404), (username, method, path, response.status_code)
            tried += 1
    assert tried >= 24  # every session-bound route and method (27 rules in all today)
    db.session.expire_all()
    assert state_of_city_session(ids) == before
    # The sessions list does not show it either.
    assert "Kỳ thi thử" not in client.get("/exams/manage/").get_data(as_text=True)


def test_the_district_trainer_works_on_the_districts_session_only_within_it(client, auth, city_session):
    session = district_session(city_session["blueprint_id"])
    auth.login("trainer_gl")
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "Kỳ thi huyện Gia Lâm" in listing and "Kỳ thi thử" not in listing
    detail = client.get(f"/exams/manage/sessions/{session.id}").get_data(as_text=True)
    # The unit picker offers the district's subtree only.
    assert "Huyện Gia Lâm" in detail and "Thị trấn Trâu Quỳ" in detail and "Quận Long Biên" not in detail and "Phường Bồ Đề" not in detail
    page = f"/exams/manage/sessions/{session.id}"
    assert auth.post(f"{page}/candidates/by-unit", {"unit_id": unit("LB").id, "title_id": 0}, token_page=page).status_code == 403
    assert auth.post(f"{page}/candidates/by-unit", {"unit_id": unit("GL").id, "title_id": 0}, token_page=page).status_code == 302
    gia_lam = db.session.execute(select(func.count(Staff.id)).join(Unit).where(Unit.path.startswith(unit("GL").path), Staff.status == "active")).scalar_one()
    assert db.session.execute(select(func.count(ExamCandidate.id)).where(ExamCandidate.session_id == session.id)).scalar_one() == gia_lam
    # A file naming an official of Long Biên is refused by row, as if nobody had that number.
    learner_id_number = find_user("learner").staff.id_number
    book = Workbook()
    book.active.append(["Số định danh"])
    book.active.append([learner_id_number])
    buffer = io.BytesIO()
    book.save(buffer)
    response = auth.post(f"{page}/candidates/import", {"file": (io.BytesIO(buffer.getvalue()), "thi-sinh.xlsx")}, token_page=page,
                         content_type="multipart/form-data")
    assert response.status_code == 422 and f"không có cán bộ với số định danh «{learner_id_number}»" in response.get_data(as_text=True)
    # The new-session form organises within the district.
    form = client.get("/exams/manage/sessions/new").get_data(as_text=True)
    assert "Huyện Gia Lâm" in form and "Thành phố Hà Nội" not in form


def test_the_city_trainer_reaches_both_sessions_and_exports_only_what_the_scope_holds(client, auth, city_session):
    district = district_session(city_session["blueprint_id"])
    auth.login("trainer")
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "Kỳ thi huyện Gia Lâm" in listing and "Kỳ thi thử" in listing
    export = client.get(f"/exams/manage/sessions/{city_session['session_id']}/results.csv").get_data(as_text=True)
    assert find_user("learner").staff.id_number in export
    auth.logout()
    auth.login("trainer_gl")
    export = client.get(f"/exams/manage/sessions/{district.id}/results.csv").get_data(as_text=True)
    assert find_user("learner").staff.id_number not in export and "GL001" in export


def test_a_proctor_watches_the_board_of_a_session_in_scope_and_nothing_else(client, auth, city_session):
    district = district_session(city_session["blueprint_id"])
    auth.login("proctor_gl")
    assert client.get("/").headers["Location"].endswith("/exams/manage/")
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "Kỳ thi huyện Gia Lâm" in listing and "Tạo kỳ thi" not in listing and "Cấu trúc đề" not in listing
    assert client.get(f"/exams/manage/sessions/{district.id}/proctor").status_code == 200
    board = client.get(f"/exams/manage/sessions/{district.id}/proctor.json").get_json()
    assert board["summary"]["candidates"] == 1
    for path in (f"/exams/manage/sessions/{district.id}", f"/exams/manage/sessions/{district.id}/results",
                 f"/exams/manage/sessions/{district.id}/grading", "/exams/manage/blueprints/new"):
        assert client.get(path).status_code == 403, path


def test_regrading_needs_the_bank_of_the_question(client, auth, city_session):
    """A trainer of the city who cannot open the question's bank cannot regrade it."""
    from lms.auth.services import create_user

    create_user("giangvien2", "Demo@2017", "Giảng viên thứ hai", roles=["trainer"], enforce_policy=False)
    db.session.commit()
    auth.login("giangvien2")
    path = f"/exams/manage/sessions/{city_session['session_id']}/questions/{city_session['question_id']}/regrade"
    assert client.get(path).status_code == 403
    assert auth.post(path, {"reason": "Sửa đáp án câu 1"}, token_page="/exams/manage/").status_code == 403
    auth.logout()
    auth.login("trainer")  # the bank's owner
    assert client.get(path).status_code == 200


def test_uploads_of_a_session_out_of_scope_are_not_served(client, auth, city_session):
    auth.login("trainer_gl")
    assert client.get(f"/exams/manage/uploads/{city_session['upload_id']}").status_code == 404
    auth.logout()
    auth.login("trainer")
    response = client.get(f"/exams/manage/uploads/{city_session['upload_id']}")
    stored = db.session.get(PracticalUpload, city_session["upload_id"])
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == stored.sha256
    assert stored.filename in response.headers["Content-Disposition"]
