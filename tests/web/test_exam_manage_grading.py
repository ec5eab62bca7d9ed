"""Practical marking (single and double), results with release and export, item analysis pages."""
import csv
import io
from datetime import timedelta

import pytest
from exam_support import add_question, make_pool, make_session, single_choice
from openpyxl import load_workbook
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.exams import attempts, starting
from lms.exams.manage.stats import question_usage_stats
from lms.exams.models import AttemptAnswer, AttemptGrade, AttemptQuestion, ExamAttempt, ExamCandidate, ExamSession
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff
from lms.questionbank.models import QuestionBank


def submitted_practical(double_marking, threshold=1.0):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True, double_marking=double_marking, reconcile_threshold=threshold)
    part = session.blueprint.parts[1]
    attempt, _ = starting.start_attempt(candidate, part, utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    return session, attempt.id


def mark(auth, session, attempt_id, score, reconcile=False):
    path = f"/exams/manage/sessions/{session.id}/attempts/{attempt_id}/grade" + ("?step=reconcile" if reconcile else "")
    task = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
    data = {f"score-{task}-0": str(score)}
    if reconcile:
        data["step"] = "reconcile"
    return auth.post(path, data, token_page=path)


def grade_rows(attempt_id):
    return db.session.execute(
        select(AttemptGrade.source, AttemptGrade.fraction, AttemptGrade.current)
        .join(AttemptQuestion, AttemptQuestion.id == AttemptGrade.attempt_question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptGrade.id)
    ).all()


def attempt_score(attempt_id):
    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, attempt_id)
    return attempt.state, attempt.score, attempt.passed


def test_single_marking_grades_the_practical_part_at_once(demo, auth, client):
    session, attempt_id = submitted_practical(double_marking=False)
    auth.login("trainer")
    queue = client.get(f"/exams/manage/sessions/{session.id}/grading").get_data(as_text=True)
    assert f"/attempts/{attempt_id}/grade" in queue
    assert mark(auth, session, attempt_id, 7.5).status_code == 302
    assert attempt_score(attempt_id) == ("graded", 7.5, True)
    assert [tuple(row) for row in grade_rows(attempt_id)] == [("marker1", 0.75, True)]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.practical_grade")).scalar_one().details["step"] == "marker1"


def test_a_score_above_the_criterion_maximum_is_refused(demo, auth, client):
    session, attempt_id = submitted_practical(double_marking=False)
    auth.login("trainer")
    response = mark(auth, session, attempt_id, 11)
    assert response.status_code == 422
    assert "phải trong khoảng 0 – 10" in response.get_data(as_text=True)
    assert grade_rows(attempt_id) == []


def test_double_marking_within_the_threshold_takes_the_mean(app, demo, auth, client):
    session, attempt_id = submitted_practical(double_marking=True, threshold=1.0)
    auth.login("trainer")
    mark(auth, session, attempt_id, 8)
    assert attempt_score(attempt_id) == ("submitted", None, None)  # one blind mark does not count
    # The same person cannot be the second marker.
    response = mark(auth, session, attempt_id, 7)
    assert "Giám khảo thứ hai phải là người khác" in response.get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    page = client.get(f"/exams/manage/sessions/{session.id}/attempts/{attempt_id}/grade").get_data(as_text=True)
    assert "Giám khảo 1" not in page  # blind: the second marker does not see the first's scores
    mark(auth, session, attempt_id, 7.5)
    assert attempt_score(attempt_id) == ("graded", 7.75, True)
    assert [tuple(row) for row in grade_rows(attempt_id)] == [("marker1", 0.8, False), ("marker2", 0.75, False), ("reconciled", 0.775, True)]


def test_double_marking_beyond_the_threshold_waits_for_reconciliation(app, demo, auth, client):
    session, attempt_id = submitted_practical(double_marking=True, threshold=1.0)
    auth.login("trainer")
    mark(auth, session, attempt_id, 8)
    auth.logout()
    auth.login("admin")
    response = mark(auth, session, attempt_id, 4)
    assert response.status_code == 302
    assert attempt_score(attempt_id) == ("submitted", None, None)
    queue = client.get(f"/exams/manage/sessions/{session.id}/grading").get_data(as_text=True)
    assert "step=reconcile" in queue
    page = client.get(f"/exams/manage/sessions/{session.id}/attempts/{attempt_id}/grade?step=reconcile").get_data(as_text=True)
    assert "Giám khảo 1" in page and "Giám khảo 2" in page
    mark(auth, session, attempt_id, 6, reconcile=True)
    assert attempt_score(attempt_id) == ("graded", 6.0, True)
    assert [tuple(row) for row in grade_rows(attempt_id)] == [("marker1", 0.8, False), ("marker2", 0.4, False), ("reconciled", 0.6, True)]
    assert "step=reconcile" not in client.get(f"/exams/manage/sessions/{session.id}/grading").get_data(as_text=True)


def test_reconciliation_before_both_marks_is_refused(demo, auth, client):
    session, attempt_id = submitted_practical(double_marking=True)
    auth.login("trainer")
    response = mark(auth, session, attempt_id, 6, reconcile=True)
    assert "sau khi cả hai giám khảo đã chấm" in response.get_data(as_text=True)
    assert grade_rows(attempt_id) == []


# --- A small fixed dataset: four candidates, three one-point questions --------------------------------
#            Q1  Q2  Q3      (the unit tests of lms.exams.analysis work these figures out by hand)
#   cand 1    1   1   0
#   cand 2    1   0   1
#   cand 3    0   0   1
#   cand 4    1   1   1
MARKS = ((1, 1, 0), (1, 0, 1), (0, 0, 1), (1, 1, 1))
CHOICES = ((1, 1, 0), (1, 0, 1), (0, 2, 1), (1, 1, 1))  # choice 1 is right (B), others wrong


@pytest.fixture()
def analysed_session(demo):
    from lms.exams import design

    bank = QuestionBank(name="Ngân hàng phân tích")
    db.session.add(bank)
    db.session.flush()
    questions = [add_question(bank, single_choice(f"PT-{n}", "IU01")) for n in (1, 2, 3)]
    now = utcnow()
    blueprint = design.default_basic_blueprint(name="Đề phân tích", with_practical=False)
    session = design.create_session(blueprint, "Kỳ thi phân tích", now - timedelta(hours=2), now - timedelta(hours=1))
    people = db.session.execute(select(Staff).order_by(Staff.id).limit(4)).scalars().all()
    for number, (person, marks, choices) in enumerate(zip(people, MARKS, CHOICES), start=1):
        candidate = design.add_candidate(session, person, candidate_number=str(number))
        attempt = ExamAttempt(candidate_id=candidate.id, part_id=blueprint.parts[0].id, number=1, state="graded", open_slot=None, seed=number,
                              started_at=now - timedelta(hours=2), deadline_at=now - timedelta(hours=1), submitted_at=now - timedelta(hours=1),
                              score=round(10 * sum(marks) / 3, 2), passed=sum(marks) >= 2)
        db.session.add(attempt)
        db.session.flush()
        for position, (question, mark, choice) in enumerate(zip(questions, marks, choices), start=1):
            aq = AttemptQuestion(attempt_id=attempt.id, position=position, question_version_id=question.current_version_id,
                                 module_id=question.module_id, points=1.0, fraction=float(mark))
            db.session.add(aq)
            db.session.flush()
            db.session.add(AttemptAnswer(attempt_question_id=aq.id, response={"choice": choice}, client_seq=1, saved_at=now))
    db.session.commit()
    return session, questions


def test_item_analysis_page_and_export_show_the_hand_computed_figures(analysed_session, auth, client):
    session, questions = analysed_session
    auth.login("trainer")
    page = client.get(f"/exams/manage/sessions/{session.id}/analysis").get_data(as_text=True)
    assert "PT-3" in page and "Độ phân biệt âm" in page
    response = client.get(f"/exams/manage/sessions/{session.id}/analysis.csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}
    # key: facility, point-biserial, upper-lower, option counts (by letter and text, every option), blanks, flags
    def options(key, counts):
        return "; ".join(f"{letter}. Phương án {letter} {key}{' (đáp án)' if letter == 'B' else ''}: {count}"
                         for letter, count in zip("ABCD", counts))

    assert rows["PT-1"][4:10] == ["0.75", "0.3333", "1.0", options("PT-1", (1, 3, 0, 0)), "0", ""]
    assert rows["PT-2"][4:10] == ["0.5", "0.0", "1.0", options("PT-2", (1, 2, 1, 0)), "0", ""]
    assert rows["PT-3"][4:10] == ["0.75", "-0.5222", "0.0", options("PT-3", (1, 3, 0, 0)), "0", "Độ phân biệt âm"]
    assert "<strong>B</strong>. Phương án B PT-2 <em>(đáp án)</em>:\n      2 (50%)" in page
    workbook = load_workbook(io.BytesIO(client.get(f"/exams/manage/sessions/{session.id}/analysis.xlsx").data))
    sheet = {row[0]: row for row in workbook.active.iter_rows(values_only=True)}
    assert sheet["PT-3"][4:7] == (0.75, -0.5222, 0.0)


def test_the_question_bank_gets_per_question_statistics(analysed_session):
    _session, questions = analysed_session
    stats = question_usage_stats(questions[2].id)
    assert stats["Số lượt thi"] == 4
    assert stats["Độ khó (tỉ lệ làm đúng)"] == 0.75
    assert stats["Cảnh báo"] == "Độ phân biệt âm"


def test_results_table_export_and_release_now(analysed_session, auth, client):
    session, _questions = analysed_session
    auth.login("trainer")
    page = client.get(f"/exams/manage/sessions/{session.id}/results").get_data(as_text=True)
    assert "6.67 – Đạt" in page and "3.33 – Không đạt" in page
    export = client.get(f"/exams/manage/sessions/{session.id}/results.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0][:5] == ["Số báo danh", "Họ và tên", "Ngày sinh", "Số định danh", "Đơn vị"]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number["3"][5:8] == ["3.33", "Không đạt", "Không đạt"]
    assert by_number["4"][5:8] == ["10.0", "Đạt", "Đạt"]
    workbook = load_workbook(io.BytesIO(client.get(f"/exams/manage/sessions/{session.id}/results.xlsx").data))
    assert workbook.active.max_row == 5
    path = f"/exams/manage/sessions/{session.id}/results"
    assert auth.post(f"/exams/manage/sessions/{session.id}/release", token_page=path).status_code == 302
    db.session.expire_all()
    released = db.session.get(ExamSession, session.id).results_released_at
    assert released is not None and abs((released - utcnow()).total_seconds()) < 60
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "exam.release")).scalar_one()


def test_candidates_with_attempts_cannot_be_removed(analysed_session, auth, client):
    session, _questions = analysed_session
    candidate = db.session.execute(select(ExamCandidate).where(ExamCandidate.session_id == session.id)).scalars().first()
    auth.login("trainer")
    path = f"/exams/manage/sessions/{session.id}"
    auth.post(f"{path}/candidates/{candidate.id}/remove", token_page=path)
    assert db.session.get(ExamCandidate, candidate.id) is not None
