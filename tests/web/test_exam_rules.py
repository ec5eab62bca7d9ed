"""The server's rules for a candidate's attempt, through the web client."""
import io
import re
import threading
from datetime import timedelta

import pytest
from exam_client import attempt_on_page, csrf, move_deadline, paper_ids, save, second_learner, start, start_as_learner
from exam_support import SECRET, docx_bytes, make_pool, make_session, shown_answers
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import UserSession
from lms.auth.services import find_user
from lms.exams import design, proctoring, starting
from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptGrade, AttemptQuestion, ExamAttempt
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.models_base import utcnow


@pytest.fixture()
def exam(demo):
    make_pool()
    return make_session()


@pytest.fixture()
def started(exam, auth, client):
    """The demo learner signed in on a just-started attempt: (its id, the exam's CSRF token, the first question on its paper)."""
    session, _ = exam
    attempt_id = start_as_learner(auth, session)
    return attempt_id, csrf(client, attempt_id), paper_ids(attempt_id)[0]


def all_at_once(calls):
    """Run the calls in threads released together; their results in order. The calls run
    without the test's app context, so they must not touch ORM objects."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index):
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_start_draws_the_default_paper_and_a_reload_shows_the_same_one(exam, auth, client):
    session, _ = exam
    attempt_id = start_as_learner(auth, session)
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert len(attempt.questions) == 30
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=30)
    first, second = client.get(f"/exams/attempts/{attempt_id}"), client.get(f"/exams/attempts/{attempt_id}")
    assert first.status_code == 200
    order = lambda page: re.findall(r'data-question="(\d+)"|value="(\d)"', page.get_data(as_text=True))  # noqa: E731
    assert order(first) == order(second)
    # Starting again resumes the open attempt rather than drawing a new paper.
    assert start(auth, session) == attempt_id


def test_exam_pages_and_json_are_not_cached_and_never_carry_the_key(started, client):
    attempt_id, token, question = started
    responses = [
        client.get(f"/exams/attempts/{attempt_id}"),
        client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}),
        save(client, attempt_id, token, question, 1, {"choice": 1}),
        client.get("/static/js/exam.js"),
    ]
    for response in responses[:3]:
        assert response.headers["Cache-Control"] == "no-store"
    for response in responses:
        body = response.get_data(as_text=True)
        assert SECRET not in body and '"correct"' not in body and "fraction" not in body


def test_answers_are_saved_and_an_older_sequence_never_overwrites_a_newer_one(started, client):
    attempt_id, token, question = started
    assert save(client, attempt_id, token, question, 5, {"choice": 2}).get_json()["saved"] == [{"question": question, "seq": 5, "stored": True}]
    stale = save(client, attempt_id, token, question, 3, {"choice": 0}).get_json()
    assert stale["saved"][0]["stored"] is False
    answer = db.session.execute(select(AttemptAnswer).where(AttemptAnswer.attempt_question_id == question)).scalar_one()
    assert (shown_answers(attempt_id)[1], answer.client_seq) == ({"choice": 2}, 5)
    state = client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()
    assert state["answers"][str(question)] == {"response": {"choice": 2}, "seq": 5} and state["last_seq"] == 5
    assert 0 < state["remaining_seconds"] <= 1800
    assert (state["remaining_seconds"] - 1) * 1000 < state["remaining_ms"] <= state["remaining_seconds"] * 1000
    # A reload of the page carries the saved answer (for exam.js to apply) and the last sequence.
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    section = re.search(rf'<section [^>]*data-question="{question}"[^>]*>', page).group(0)
    assert 'data-response="{&#34;choice&#34;: 2}"' in section
    assert page.count("data-response=") == 1 and 'data-last-seq="5"' in page
    page_ms = int(re.search(r'data-remaining-ms="(\d+)"', page).group(1))
    assert 0 < page_ms <= state["remaining_ms"]
    assert re.search(rf'class="nav-q answered" data-goto="{question}"', page)


def test_malformed_answers_are_refused(started, client):
    attempt_id, token, question = started
    assert save(client, attempt_id, token, question, 1, {"choice": 9}).status_code == 400
    assert save(client, attempt_id, token, question, "x", {"choice": 1}).status_code == 400
    no_csrf = client.post(f"/exams/api/attempts/{attempt_id}/answers", json={"question": question, "seq": 1, "response": {"choice": 1}})
    assert no_csrf.status_code == 400


def test_another_candidates_attempt_is_403_and_a_question_off_the_paper_is_404(exam, auth, client, app):
    session, _ = exam
    other = second_learner()
    design.add_candidate(session, other.staff, other)
    db.session.commit()
    auth.login("learner2")
    theirs = start(auth, session)
    auth.logout()
    mine = start_as_learner(auth, session)
    token = csrf(client, mine)
    assert client.get(f"/exams/attempts/{theirs}").status_code == 403
    assert client.get(f"/exams/api/attempts/{theirs}/state", headers={"Accept": "application/json"}).status_code == 403
    assert save(client, theirs, token, paper_ids(theirs)[0], 1, {"choice": 1}).status_code == 403
    assert client.post(f"/exams/api/attempts/{theirs}/submit", json={}, headers={"X-CSRFToken": token}).status_code == 403
    off_paper = save(client, mine, token, paper_ids(theirs)[0], 1, {"choice": 1})
    assert off_paper.status_code == 404
    assert client.get("/exams/attempts/999999").status_code == 404
    assert db.session.get(ExamAttempt, theirs).state == "in_progress"


def test_save_within_grace_is_late_and_logged_and_past_grace_refused_keeping_earlier_answers(started, client):
    attempt_id, token, first = started
    second = paper_ids(attempt_id)[1]
    assert save(client, attempt_id, token, first, 1, {"choice": 1}).status_code == 200
    move_deadline(attempt_id, -10)  # 10 s past the deadline, inside the 30 s grace
    late = save(client, attempt_id, token, second, 2, {"choice": 0})
    assert late.status_code == 200 and late.get_json()["late"] is True and late.get_json()["remaining_seconds"] == 0
    assert db.session.execute(select(AttemptAnswer.late).where(AttemptAnswer.attempt_question_id == second)).scalar_one() is True
    assert db.session.execute(select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "late_save")).scalar_one() == 1
    move_deadline(attempt_id, -31)
    refused = save(client, attempt_id, token, first, 3, {"choice": 3})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "time_over" and "hết giờ" in body["message"].lower() and body["open"] is False
    assert shown_answers(attempt_id) == {1: {"choice": 1}, 2: {"choice": 0}}
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert attempt.state == "graded" and attempt.finalized_by == "clock" and attempt.open_slot is None


def test_save_after_submit_is_refused_with_a_clear_message(started, client):
    attempt_id, token, question = started
    save(client, attempt_id, token, question, 1, {"choice": 1})
    assert client.post(f"/exams/api/attempts/{attempt_id}/submit", json={}, headers={"X-CSRFToken": token}).status_code == 200
    refused = save(client, attempt_id, token, question, 2, {"choice": 0})
    assert refused.status_code == 409 and refused.get_json()["error"] == "finished"
    assert "đã nộp" in refused.get_json()["message"]
    assert shown_answers(attempt_id) == {1: {"choice": 1}}


def test_two_concurrent_submits_give_one_grade_and_the_same_answer(exam, auth, app):
    session, _ = exam
    attempt_id = start_as_learner(auth, session)
    clients = []
    for _ in range(2):
        client = app.test_client()
        helper = type(auth)(client)
        helper.login("learner")
        clients.append((client, csrf(client, attempt_id)))
    save(clients[0][0], attempt_id, clients[0][1], paper_ids(attempt_id)[0], 1, {"choice": 1})
    results = all_at_once([lambda client=client, token=token: client.post(f"/exams/api/attempts/{attempt_id}/submit", json={},
                                                                           headers={"X-CSRFToken": token})
                           for client, token in clients])
    assert [r.status_code for r in results] == [200, 200]
    bodies = [r.get_json() for r in results]
    assert sorted(body["already_submitted"] for body in bodies) == [False, True]
    assert {body["state"] for body in bodies} == {"graded"}
    db.session.expire_all()
    grades = db.session.execute(select(func.count()).select_from(AttemptGrade).join(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
    assert grades == 30
    events = db.session.execute(select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "submitted")).scalar_one()
    assert events == 1


def test_concurrent_starts_give_one_attempt_with_one_paper(exam, auth, app):
    session, _ = exam
    session_id, part_id = session.id, session.blueprint.parts[0].id  # the threads have no app context to load them
    helpers = []
    for _ in range(3):
        helper = type(auth)(app.test_client())
        helper.login("learner")
        helpers.append((helper, helper.csrf_token(f"/exams/sessions/{session_id}")))
    results = all_at_once([lambda helper=helper, token=token: helper.client.post(f"/exams/sessions/{session_id}/parts/{part_id}/start",
                                                                                 data={"csrf_token": token})
                           for helper, token in helpers])
    assert len({attempt_on_page(r) for r in results}) == 1
    db.session.expire_all()
    attempt_id = db.session.execute(select(ExamAttempt.id)).scalar_one()
    assert len(paper_ids(attempt_id)) == 30
    started = select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "started")
    assert db.session.execute(started).scalar_one() == 1


def test_a_start_that_loses_the_race_resumes_the_winner(exam, monkeypatch):
    session, candidate = exam
    part = session.blueprint.parts[0]
    first, created = starting.start_attempt(candidate, part, utcnow())
    assert created
    # The second start read the attempts before the first one was committed.
    monkeypatch.setattr(starting, "_start_position", lambda *_: (0, None, None))
    again, created = starting.start_attempt(candidate, part, utcnow())
    assert not created and again.id == first.id
    assert db.session.execute(select(func.count()).select_from(ExamAttempt)).scalar_one() == 1
    db.session.commit()  # the transaction is still usable: no savepoint, no error


def test_the_database_refuses_a_second_open_attempt(exam, auth):
    session, candidate = exam
    attempt_id = start_as_learner(auth, session)
    first = db.session.get(ExamAttempt, attempt_id)
    db.session.add(ExamAttempt(candidate_id=candidate.id, part_id=first.part_id, number=2, state="in_progress", open_slot=1,
                               seed=1, started_at=utcnow(), deadline_at=utcnow() + timedelta(minutes=30)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_close_overdue_finalizes_with_saved_answers(started, client, runner):
    attempt_id, token, question = started
    save(client, attempt_id, token, question, 1, {"choice": 1})
    move_deadline(attempt_id, -31)
    result = runner.invoke(args=["exams", "close-overdue"])
    assert result.exit_code == 0 and "1 bài" in result.output
    db.session.expire_all()
    attempt = db.session.get(ExamAttempt, attempt_id)
    assert (attempt.state, attempt.finalized_by) == ("graded", "command")
    correct = 1.0 if db.session.get(AttemptQuestion, question).fraction == 1.0 else 0.0
    assert attempt.earned_points == correct  # only the saved answer counts
    assert db.session.execute(select(func.count()).select_from(ModuleResult).where(ModuleResult.attempt_id == attempt_id)).scalar_one() == 6
    assert "0 bài" in runner.invoke(args=["exams", "close-overdue"]).output


def test_overdue_attempt_is_finalized_on_its_next_access(exam, auth, client):
    session, _ = exam
    attempt_id = start_as_learner(auth, session)
    move_deadline(attempt_id, -60)
    page = client.get(f"/exams/attempts/{attempt_id}")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/exams/attempts/{attempt_id}/result")
    result = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "tự động nộp" in result


def test_extra_time_during_the_exam_moves_the_deadline_at_once(exam, auth, client):
    session, candidate = exam
    attempt_id = start_as_learner(auth, session)
    before = client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()["remaining_seconds"]
    proctoring.grant_extra_time(candidate, utcnow(), find_user("trainer"), extra_minutes=15, reason="Thí sinh khuyết tật")
    db.session.commit()
    after = client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()["remaining_seconds"]
    assert 15 * 60 - 5 <= after - before <= 15 * 60 + 1
    assert db.session.execute(select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "extended")).scalar_one() == 1


def test_session_close_caps_the_deadline(demo):
    make_pool()
    session, candidate = make_session(closes_in=timedelta(minutes=10))
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    assert attempt.deadline_at == session.closes_at


def test_signing_out_leaves_no_questions_behind_the_back_button(exam, auth, client):
    session, _ = exam
    attempt_id = start_as_learner(auth, session)
    assert "Câu hỏi" in client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    auth.logout()
    page = client.get(f"/exams/attempts/{attempt_id}")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert "Câu hỏi" not in page.get_data(as_text=True)


def test_an_expired_sign_in_keeps_the_attempt_and_signing_in_resumes_it(exam, started, auth, client):
    session, _ = exam
    attempt_id, token, question = started
    save(client, attempt_id, token, question, 1, {"choice": 2})
    db.session.execute(delete(UserSession))
    db.session.commit()
    expired = save(client, attempt_id, token, question, 2, {"choice": 3})
    assert expired.status_code == 401 and expired.is_json
    auth.login("learner")
    resumed = client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()
    assert resumed["open"] is True and resumed["answers"][str(question)]["response"] == {"choice": 2}
    assert save(client, attempt_id, resumed["csrf_token"], question, 2, {"choice": 3}).status_code == 200
    assert start(auth, session) == attempt_id


def test_access_code_and_allowed_networks_guard_the_start(demo, auth):
    make_pool()
    session, _ = make_session(allowed_networks=["10.0.0.0/8"])
    starting.set_access_code(session, "HN2017")
    db.session.commit()
    auth.login("learner")
    part = session.blueprint.parts[0].id
    page = f"/exams/sessions/{session.id}"
    refused = auth.post(f"/exams/sessions/{session.id}/parts/{part}/start", data={"access_code": "HN2017"}, token_page=page, follow_redirects=True)
    assert "mạng được phép" in refused.get_data(as_text=True)
    session.allowed_networks = ["127.0.0.0/8"]
    db.session.commit()
    wrong = auth.post(f"/exams/sessions/{session.id}/parts/{part}/start", data={"access_code": "nope"}, token_page=page, follow_redirects=True)
    assert "Mã dự thi không đúng" in wrong.get_data(as_text=True)
    right = auth.post(f"/exams/sessions/{session.id}/parts/{part}/start", data={"access_code": "HN2017"}, token_page=page)
    assert attempt_on_page(right) > 0


def test_a_pool_too_small_is_shown_with_the_missing_counts(demo, auth, client):
    make_pool(per_module=3)
    session, _ = make_session()
    auth.login("learner")
    page = client.get(f"/exams/sessions/{session.id}").get_data(as_text=True)
    assert "IU01: thiếu 2 câu (có 3/5)" in page and "Bắt đầu làm bài" not in page


def test_result_shows_only_what_the_review_policy_allows(demo, auth, client):
    make_pool()
    session, _ = make_session(review_policy={"after_submit": "none", "after_close": "answers"})
    attempt_id = start_as_learner(auth, session)
    token = csrf(client, attempt_id)
    client.post(f"/exams/api/attempts/{attempt_id}/submit", json={}, headers={"X-CSRFToken": token})
    hidden = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Kết quả sẽ được công bố sau" in hidden and "Điểm:" not in hidden and "đáp án" not in hidden
    session.review_policy = {"after_submit": "score", "after_close": "answers"}
    db.session.commit()
    shown = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Điểm: 0.00/10" in shown and "Chưa đạt" in shown and "(đáp án)" not in shown
    session.closes_at = utcnow() - timedelta(seconds=1)
    session.results_released_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert "Điểm:" not in client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    session.results_released_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "(đáp án)" in client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)


def test_a_start_is_refused_for_a_missing_session_or_part_a_non_candidate_or_another_sessions_part(exam, auth, client):
    session, _ = exam
    part_id = session.blueprint.parts[0].id
    other, _ = make_session()  # another blueprint, the same learner
    other_part = other.blueprint.parts[0].id
    page = f"/exams/sessions/{session.id}"
    auth.login("learner")
    assert auth.post(f"/exams/sessions/999999/parts/{part_id}/start", token_page=page).status_code == 404
    assert auth.post(f"/exams/sessions/{session.id}/parts/999999/start", token_page=page).status_code == 404
    wrong_part = auth.post(f"/exams/sessions/{session.id}/parts/{other_part}/start", token_page=page, follow_redirects=True)
    assert "Phần thi không thuộc kỳ thi này." in wrong_part.get_data(as_text=True)
    second_learner()
    auth.logout()
    auth.login("learner2")
    assert auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page="/exams/").status_code == 403
    assert db.session.execute(select(func.count()).select_from(ExamAttempt)).scalar_one() == 0


def test_a_practical_file_handed_in_through_the_page_is_listed_as_the_graded_one(demo, auth, client):
    make_pool(practical=("IU03",))
    session, _ = make_session(practical=True)
    attempt_id = start_as_learner(auth, session, part=session.blueprint.parts[1].id)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    task = int(re.search(r'<section [^>]*data-question="(\d+)" data-type="practical"', page).group(1))
    upload_url = f"/exams/attempts/{attempt_id}/questions/{task}/upload"
    assert f'action="{upload_url}"' in page and 'accept=".docx' in page and "tệp được chấm" not in page
    token = csrf(client, attempt_id)
    refused = client.post(upload_url, data={"csrf_token": token, "file": (io.BytesIO(b"MZ...."), "bai-lam.exe")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "Chỉ nhận tệp" in refused.get_data(as_text=True)
    handed_in = client.post(upload_url, data={"csrf_token": token, "file": (io.BytesIO(docx_bytes()), "bài làm.docx")},
                            content_type="multipart/form-data")
    assert handed_in.status_code == 302 and handed_in.headers["Location"].endswith("#q1")
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(r"<li>[^<]*\.docx \([\d.]+ KB\) · <strong>tệp được chấm</strong></li>", page)
    assert f'class="nav-q answered" data-goto="{task}"' in page
