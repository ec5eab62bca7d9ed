"""The exam page in Chromium: start, answer, reload, offline and back, time running out, submit twice."""
import os
from datetime import timedelta

import pytest
from exam_pages import learner_in_new_exam, query, saved_answers, seconds

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")


def test_answers_and_countdown_survive_a_reload(live, browser):
    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    page.locator("#q1 .choice input").nth(2).check()
    page.wait_for_selector("#save-status.saved", timeout=10000)
    value = page.locator("#q1 .choice input").nth(2).get_attribute("value")
    assert saved_answers(app, attempt_id) == {1: {"choice": int(value)}}
    before = seconds(page.text_content("#countdown"))
    page.reload()
    page.wait_for_selector("#exam")
    assert page.locator("#q1 .choice input").nth(2).is_checked()
    after = seconds(page.text_content("#countdown"))
    assert 0 <= before - after <= 5 and after > 29 * 60 - 10
    assert "answered" in page.get_attribute(".nav-q >> nth=0", "class")
    context.close()


def test_a_tab_whose_answer_was_overtaken_shows_the_saved_one(live, browser):
    from playwright.sync_api import expect

    app, base = live
    context, first, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    second = context.new_page()  # a second tab on the same attempt, opened before anything is saved
    second.goto(f"{base}/exams/attempts/{attempt_id}")
    second.wait_for_selector("#exam")
    first.locator("#q1 .choice input").nth(0).check()
    first.wait_for_selector("#save-status.saved", timeout=10000)
    kept = int(first.locator("#q1 .choice input").nth(0).get_attribute("value"))
    # The second tab numbers its change from the same last sequence: the server keeps the first.
    second.locator("#q1 .choice input").nth(2).check()
    expect(second.locator("#q1 .choice input").nth(0)).to_be_checked(timeout=10000)
    assert not second.locator("#q1 .choice input").nth(2).is_checked()
    assert saved_answers(app, attempt_id) == {1: {"choice": kept}}
    context.close()


def test_answers_given_offline_are_buffered_then_saved(live, browser):
    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    context.set_offline(True)
    page.click("#q1 .next")
    page.locator("#q2 .choice input").nth(0).check()
    page.wait_for_selector("#save-status.offline", timeout=10000)
    assert page.is_visible("#offline-banner")
    assert saved_answers(app, attempt_id) == {}
    buffered = page.evaluate(f"JSON.parse(localStorage.getItem('lms-exam-buffer-{attempt_id}')).pending")
    assert len(buffered) == 1
    value = int(page.locator("#q2 .choice input").nth(0).get_attribute("value"))
    context.set_offline(False)
    page.wait_for_selector("#save-status.saved", timeout=15000)
    assert saved_answers(app, attempt_id) == {2: {"choice": value}}
    assert not page.is_visible("#offline-banner")
    context.close()


def test_when_time_runs_out_the_page_shows_the_auto_submitted_attempt(live, browser):
    from lms.exams.models import ExamAttempt

    app, _ = live
    # The session closes in 12 s: the close caps the deadline.
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30, closes_in=timedelta(seconds=12))
    page.locator("#q1 .choice input").nth(1).check()
    page.wait_for_selector("#finished-banner:not([hidden])", timeout=30000)
    assert "tự động nộp" in page.text_content("#finished-text")
    attempt = query(app, lambda db: db.session.get(ExamAttempt, attempt_id))
    assert attempt.state == "graded" and attempt.finalized_by == "clock" and attempt.submitted_at == attempt.deadline_at
    assert 1 in saved_answers(app, attempt_id)
    context.close()


def test_submitting_twice_gives_one_result(live, browser):
    from sqlalchemy import func, select

    from lms.exams.models import AttemptEvent

    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    page.locator("#q1 .choice input").nth(0).check()
    page.click("#toggle-mode")
    page.click("#submit-button")  # the summary's button; the dialog confirms
    page.click("#submit-confirm")
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")
    assert "Điểm:" in page.text_content("#attempt-outcome")
    page.go_back()
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")  # the exam page now sends to the result
    csrf = page.evaluate(f"fetch('/exams/api/attempts/{attempt_id}/state', {{headers: {{Accept: 'application/json'}}}}).then(r => r.json()).then(d => d.csrf_token)")
    replies = page.evaluate(
        """async ([url, token]) => Promise.all([1, 2].map(() => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: '{}'}).then(r => r.json())))""",
        [f"/exams/api/attempts/{attempt_id}/submit", csrf])
    assert all(reply["already_submitted"] for reply in replies) and {reply["state"] for reply in replies} == {"graded"}
    submitted = query(app, lambda db: db.session.execute(select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "submitted")).scalar_one())
    assert submitted == 1
    context.close()
