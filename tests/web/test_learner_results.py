"""What a learner reads of their results: the overall result of the sitting (both parts at 5 of
10), module scores, a practical task's rubric breakdown and the marker's comment as the review
policy allows; a finished session leaves "upcoming" on the dashboard."""
from datetime import timedelta

import pytest
from exam_support import BASIC, add_question, loaded, make_pool, make_session, practical_task, sit
from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.exams import attempts, starting
from lms.exams.manage import marking
from lms.exams.models import AttemptQuestion
from lms.extensions import db
from lms.models_base import utcnow
from tests.conftest import DEMO_PASSWORD

RUBRIC = [{"criterion": "Định dạng đoạn văn", "points": 4}, {"criterion": "Chèn bảng", "points": 3},
          {"criterion": "Đầu trang, chân trang", "points": 3}]
FEEDBACK_POLICY = {"after_submit": "correctness", "after_close": "correctness"}


def sitting(review_policy=None, double_marking=False, theory_right=5):
    """A two-part session: the learner's theory part sat (`theory_right` of 5 right per module)
    and a practical task of three criteria handed in. (session, candidate, theory id, practical id)"""
    bank = make_pool()
    add_question(bank, {**practical_task("IU03-TH3", "IU03"), "rubric": RUBRIC})
    db.session.commit()
    session, candidate = make_session(practical=True, review_policy=review_policy or FEEDBACK_POLICY, double_marking=double_marking)
    theory, practical = session.blueprint.parts
    theory_id = sit(candidate, theory, {code: theory_right for code in BASIC})
    attempt, _ = starting.start_attempt(candidate, practical, utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    return session, candidate, theory_id, attempt.id


def mark(attempt_id, scores, marker="trainer", note=""):
    attempt = loaded(attempt_id)
    task = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
    step = marking.mark_practical(attempt, {task: scores}, utcnow(), find_user(marker), note=note)
    db.session.commit()
    return step


def result_page(client, attempt_id):
    response = client.get(f"/exams/attempts/{attempt_id}/result")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture()
def learner(client, auth, demo):
    auth.login("learner")
    return client


def test_the_practical_result_shows_the_rubric_the_comment_and_the_overall_pass(learner):
    _session, _candidate, theory_id, practical_id = sitting()
    mark(practical_id, [3.5, 2, 1.5], note="Bảng thiếu đường viền; đầu trang chưa có số trang.")
    page = result_page(learner, practical_id)
    assert "Điểm: 7.00/10" in page
    for criterion, earned, possible in (("Định dạng đoạn văn", "3.5", "4"), ("Chèn bảng", "2", "3"), ("Đầu trang, chân trang", "1.5", "3")):
        assert f"<tr><td>{criterion}</td><td>{earned}</td><td>{possible}</td></tr>" in page
    assert "<tr><th>Cộng</th><th>7</th><th>10</th></tr>" in page
    assert "Nhận xét của giám khảo:</strong> Bảng thiếu đường viền; đầu trang chưa có số trang." in page
    assert "Đạt kỳ thi" in page and "Chưa đạt kỳ thi" not in page
    assert f"/exams/attempts/{theory_id}/result" in page  # the other part's result, linked
    # The theory page shows the same overall result and the modules of both parts together.
    theory = result_page(learner, theory_id)
    assert "Đạt kỳ thi" in theory and "10.00/10 điểm" in theory and "7.00/10 điểm" in theory
    assert "IU03 – " in theory and "Mô đun có ở cả hai phần" in theory


def test_the_sitting_fails_when_one_part_is_below_five_whatever_the_other(learner):
    _session, _candidate, theory_id, practical_id = sitting()
    mark(practical_id, [2, 1, 1.5])  # 4.5 of 10
    page = result_page(learner, theory_id)
    assert "Chưa đạt kỳ thi" in page and "4.50/10 điểm" in page


def test_a_failed_theory_part_fails_the_sitting_before_the_practical_is_marked(learner):
    _session, _candidate, theory_id, practical_id = sitting(theory_right=2)  # 4 of 10
    page = result_page(learner, practical_id)
    assert "Bài thi đang chờ chấm." in page and "Chưa đạt kỳ thi" in page


def test_while_the_practical_waits_for_its_marker_the_overall_result_waits_too(learner):
    _session, _candidate, theory_id, _practical_id = sitting()
    page = result_page(learner, theory_id)
    assert "Bài thi đang chờ chấm." in page
    assert "Kết quả chung có khi mọi phần thi đã được chấm và công bố." in page
    assert "Đạt kỳ thi" not in page


def test_a_score_only_policy_shows_scores_and_the_overall_result_but_no_breakdown_or_comment(learner):
    _session, _candidate, _theory_id, practical_id = sitting(review_policy={"after_submit": "score", "after_close": "score"})
    mark(practical_id, [3.5, 2, 1.5], note="Nhận xét riêng")
    page = result_page(learner, practical_id)
    assert "Điểm: 7.00/10" in page and "Đạt kỳ thi" in page
    assert "Chèn bảng" not in page and "Nhận xét riêng" not in page and "Nhận xét của giám khảo" not in page


def test_nothing_of_a_hidden_result_shows_before_the_policy_allows(learner):
    session, _candidate, theory_id, practical_id = sitting(review_policy={"after_submit": "none", "after_close": "correctness"})
    mark(practical_id, [4, 3, 3], note="Rất tốt")
    page = result_page(learner, practical_id)
    assert "Chưa công bố" in page and "Kết quả chung có khi" in page
    for hidden in ("Điểm:", "10.00/10", "Đạt kỳ thi", "Chèn bảng", "Rất tốt"):
        assert hidden not in page
    session.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    shown = result_page(learner, theory_id)
    assert "Đạt kỳ thi" in shown and "10.00/10 điểm" in shown


def test_double_marking_shows_the_mean_breakdown_and_both_comments(learner):
    create_user("trainer2", DEMO_PASSWORD, "Giảng viên thứ hai", ["trainer"], enforce_policy=False)
    _session, _candidate, _theory_id, practical_id = sitting(double_marking=True)
    assert mark(practical_id, [3, 2, 2], note="Giám khảo 1: khá") == "marker1"
    assert mark(practical_id, [4, 2, 1], marker="trainer2", note="Giám khảo 2: được") == "reconciled"
    page = result_page(learner, practical_id)
    assert "<tr><td>Định dạng đoạn văn</td><td>3.5</td><td>4</td></tr>" in page
    assert "<tr><td>Đầu trang, chân trang</td><td>1.5</td><td>3</td></tr>" in page
    assert "Giám khảo 1: khá" in page and "Giám khảo 2: được" in page
    assert "Trung bình hai giám khảo" not in page


def test_a_finished_session_leaves_upcoming_and_its_overall_result_is_on_the_dashboard(learner):
    session, candidate, _theory_id, practical_id = sitting()
    other, _other_candidate = make_session()  # not sat yet: stays upcoming
    dashboard = learner.get("/learn/").get_data(as_text=True)
    upcoming = dashboard[dashboard.index('id="ky-thi"'):dashboard.index('id="ket-qua"')]
    assert f"/exams/sessions/{other.id}" in upcoming and f"/exams/sessions/{session.id}" not in upcoming
    results = dashboard[dashboard.index('id="ket-qua"'):]
    assert "Kết quả chung" not in results  # the practical waits for its marker
    mark(practical_id, [4, 3, 3])
    results = learner.get("/learn/").get_data(as_text=True).split('id="ket-qua"')[1]
    assert f"{session.name} – Kết quả chung" in results and "<strong>Đạt</strong>" in results
    assert "10/10 điểm – Đạt" in results


def test_a_session_with_a_part_still_to_sit_stays_upcoming(learner):
    bank = make_pool()
    add_question(bank, practical_task("IU03-TH", "IU03"))
    session, candidate = make_session(practical=True)
    sit(candidate, session.blueprint.parts[0], {code: 5 for code in BASIC})
    upcoming = learner.get("/learn/").get_data(as_text=True).split('id="ky-thi"')[1].split('id="ket-qua"')[0]
    assert f"/exams/sessions/{session.id}" in upcoming
