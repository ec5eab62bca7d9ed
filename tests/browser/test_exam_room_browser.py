"""The exam room in Chromium: the summary and confirmation before the submit, the site navigation
and sign-out out of the way, the deadline passing while offline, and a reload while offline
served by the service worker with the answers buffered on the device."""
import os
import re
import time
from datetime import timedelta

import pytest
from exam_pages import learner_in_new_exam, query, saved_answers, seconds
from exam_support import SECRET

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")

CACHE_KEYS = "caches.open('lms-exam-v1').then(cache => cache.keys()).then(keys => keys.map(k => new URL(k.url).pathname))"


def until(condition, seconds=20.0):
    """Poll `condition()` (a page.evaluate of a promise, which wait_for_function would not await)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def attempt_of(app, attempt_id):
    from lms.exams.models import ExamAttempt

    return query(app, lambda db: db.session.get(ExamAttempt, attempt_id))


def choose(page, position, option=0):
    """Tick an option of question `position` (shown first in single-question mode); its value."""
    page.click(f".nav-q >> nth={position - 1}")
    box = page.locator(f"#q{position} .choice input").nth(option)
    box.check()
    return int(box.get_attribute("value"))


def test_the_summary_lists_answered_unanswered_and_flagged_questions_and_the_submit_asks_first(live, browser):
    from playwright.sync_api import expect

    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    total = page.locator(".exam-q").count()
    choose(page, 1)
    choose(page, 3)
    page.click(".nav-q >> nth=1")
    page.check("#q2 .flag-box")
    page.wait_for_selector("#save-status.saved", timeout=10000)
    page.click(f".nav-q >> nth={total - 1}")
    page.click(f"#q{total} .review")
    expect(page.locator("#answered-count")).to_have_text("2")
    assert page.locator("#answered-list a").all_text_contents() == ["1", "3"]
    assert page.locator("#unanswered-list a").all_text_contents() == [str(n) for n in range(1, total + 1) if n not in (1, 3)]
    assert page.locator("#flagged-list a").all_text_contents() == ["2"]
    assert page.text_content("#flagged-count") == "1" and page.text_content("#unanswered-count") == str(total - 2)
    # A link leads back to its question (single-question mode shows that one).
    page.click("#unanswered-list a >> text='4'")
    expect(page.locator("#q4")).to_be_visible()
    assert "current" in page.get_attribute(".nav-q >> nth=3", "class")
    # The submit asks first, with the counts; going back submits nothing.
    page.click("#submit-button")
    expect(page.locator("#submit-dialog")).to_be_visible()
    assert page.text_content("#submit-dialog-text") == (
        f"Bạn đã trả lời 2 trên {total} câu; {total - 2} câu chưa trả lời, 1 câu đánh dấu xem lại.")
    page.click("#submit-cancel")
    expect(page.locator("#submit-dialog")).to_be_hidden()
    assert attempt_of(app, attempt_id).state == "in_progress"
    page.click("#submit-button")
    page.click("#submit-confirm")
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")
    assert attempt_of(app, attempt_id).finalized_by == "candidate"
    context.close()


def test_during_an_attempt_the_site_navigation_is_gone_and_signing_out_asks_first(live, browser):
    from playwright.sync_api import expect

    app, base = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    assert page.locator(".mainnav").count() == 0
    assert page.locator(".topbar a").count() == 0  # neither the brand nor the account name leads away
    # The language switch comes back to the attempt's page (not to the start it was answered to).
    assert page.input_value(".topbar input[name=next]") == f"/exams/attempts/{attempt_id}"
    value = choose(page, 1)
    page.wait_for_selector("#save-status.saved", timeout=10000)
    context.set_offline(True)
    choose(page, 2)
    page.wait_for_selector("#save-status.offline", timeout=10000)
    page.click("#logout-form button")
    expect(page.locator("#logout-dialog")).to_be_visible()
    assert "1 câu trả lời chưa gửi được" in page.text_content("#logout-pending")
    page.click("#logout-cancel")
    expect(page.locator("#logout-dialog")).to_be_hidden()
    assert page.url.endswith(f"/exams/attempts/{attempt_id}")
    context.set_offline(False)
    page.wait_for_selector("#save-status.saved", timeout=15000)
    page.click("#logout-form button")
    expect(page.locator("#logout-pending")).to_be_hidden()
    until(lambda: f"/exams/attempts/{attempt_id}" in page.evaluate(CACHE_KEYS))
    page.click("#logout-confirm")
    page.wait_for_url("**/login**")
    assert f"/exams/attempts/{attempt_id}" not in page.evaluate(CACHE_KEYS)  # no copy of the paper left for the next person
    assert attempt_of(app, attempt_id).state == "in_progress" and saved_answers(app, attempt_id)[1] == {"choice": value}
    # Elsewhere the navigation is back.
    page.fill("input[name=username]", "learner")
    page.fill("input[name=password]", "Demo@2017")
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/learn/**")
    assert page.locator(".mainnav a").count() > 0
    context.close()


def test_the_deadline_passing_offline_locks_the_paper_and_nothing_unsent_is_presented_as_kept(live, browser):
    from playwright.sync_api import expect

    app, _ = live
    # The session closes 15 s from now (that caps the deadline), with a grace of 3 s.
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30, closes_in=timedelta(seconds=15), grace_seconds=3)
    kept = choose(page, 1)
    page.wait_for_selector("#save-status.saved", timeout=10000)
    context.set_offline(True)
    choose(page, 2, option=2)
    page.wait_for_selector("#save-status.offline", timeout=10000)
    # At the deadline: the paper locks and the page says what the server has and what only this device has.
    expect(page.locator("#timeup-banner")).to_be_visible(timeout=20000)
    banner = page.text_content("#timeup-banner")
    assert banner.startswith("Hết giờ làm bài.") and "Máy chủ đã nhận 1 câu trả lời." in banner
    assert re.search(r"1 câu có thay đổi chỉ nằm trên máy này \(2\)", banner) or "Đã quá thời gian gia hạn" in banner
    assert page.locator("#q2 .choice input >> nth=0").is_disabled() and page.is_disabled("#submit-button")
    assert not page.is_visible("#offline-banner")
    # Past deadline + grace, the change that never left the device is not presented as kept.
    expect(page.locator("#timeup-banner")).to_contain_text("Đã quá thời gian gia hạn: 1 câu có thay đổi chỉ nằm trên máy này (2) không được lưu",
                                                          timeout=10000)
    expect(page.locator("#save-status")).to_have_text("Không được lưu")
    assert "lost" in page.get_attribute(".nav-q >> nth=1", "class")
    assert page.locator("#answered-list a").all_text_contents() == ["1"]  # the summary does not count it either
    assert saved_answers(app, attempt_id) == {1: {"choice": kept}}
    # Back online, the server has finalised the attempt by its clock, and the page says so.
    context.set_offline(False)
    expect(page.locator("#finished-banner")).to_be_visible(timeout=20000)
    finished = page.text_content("#finished-text")
    assert "Đã hết giờ làm bài" in finished or "tự động nộp" in finished
    assert "(2) không được lưu" in finished
    attempt = attempt_of(app, attempt_id)
    assert attempt.state == "graded" and attempt.finalized_by == "clock" and attempt.submitted_at == attempt.deadline_at
    assert saved_answers(app, attempt_id) == {1: {"choice": kept}}
    context.close()


def test_answers_buffered_offline_at_the_deadline_are_sent_within_the_grace(live, browser):
    from playwright.sync_api import expect

    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30, closes_in=timedelta(seconds=12), grace_seconds=60)
    context.set_offline(True)
    value = choose(page, 1)
    expect(page.locator("#timeup-banner")).to_contain_text("Máy chủ đã nhận 0 câu trả lời. 1 câu có thay đổi chỉ nằm trên máy này (1)",
                                                          timeout=20000)
    assert "Máy chủ sẽ chốt bài" in page.text_content("#timeup-text")
    assert page.locator("#q1 .choice input >> nth=0").is_disabled()
    context.set_offline(False)
    expect(page.locator("#finished-banner")).to_be_visible(timeout=20000)
    assert "tự động nộp" in page.text_content("#finished-text")
    assert saved_answers(app, attempt_id) == {1: {"choice": value}}  # late, inside the grace
    assert attempt_of(app, attempt_id).finalized_by == "clock"
    context.close()


def test_a_reload_while_offline_shows_the_paper_with_the_answers_buffered_on_the_device(live, browser):
    from playwright.sync_api import expect

    app, base = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    page_path = f"/exams/attempts/{attempt_id}"
    # The first page of a device (answered by the start) is kept once the worker is in place.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    until(lambda: page_path in page.evaluate(CACHE_KEYS))
    time.sleep(6)  # the copy's own remaining time is now visibly stale: the reload must not count down from it
    saved = choose(page, 1)
    page.wait_for_selector("#save-status.saved", timeout=10000)
    context.set_offline(True)
    buffered = choose(page, 2, option=3)
    page.wait_for_selector("#save-status.offline", timeout=10000)
    before = seconds(page.text_content("#countdown"))

    page.reload()
    page.wait_for_selector("#exam")
    assert page.get_attribute("#exam", "data-offline-copy") == "1"  # the worker's copy, not the server
    page.click(".nav-q >> nth=0")
    expect(page.locator(f"#q1 .choice input[value='{saved}']")).to_be_checked()  # acknowledged after the copy was kept
    page.click(".nav-q >> nth=1")
    expect(page.locator(f"#q2 .choice input[value='{buffered}']")).to_be_checked()  # only on this device
    assert 0 <= before - seconds(page.text_content("#countdown")) <= 5  # the deadline, not the copy's remaining time
    page.wait_for_selector("#save-status.offline", timeout=10000)

    # A tab opened afresh (a restarted tablet) without network shows the paper too.
    page.close()
    page = context.new_page()
    page.goto(base + page_path)
    page.wait_for_selector("#exam")
    expect(page.locator(f"#q1 .choice input[value='{saved}']")).to_be_checked()

    # What the worker keeps: this page and the assets of the exam, never an API answer, result or key.
    paths = page.evaluate(CACHE_KEYS)
    assert page_path in paths and "/static/js/exam.js" in paths and "/static/css/exam.css" in paths
    assert all(path == page_path or path.startswith("/static/") for path in paths), paths
    html = page.evaluate(f"caches.match('{page_path}').then(r => r.text())")
    assert 'id="exam"' in html and SECRET not in html and "correct" not in html and "đáp án" not in html.lower()

    # Back online, the buffered answer reaches the server.
    context.set_offline(False)
    page.wait_for_selector("#save-status.saved", timeout=15000)
    assert saved_answers(app, attempt_id) == {1: {"choice": saved}, 2: {"choice": buffered}}
    page.click("#submit-button")
    page.click("#submit-confirm")
    page.wait_for_url(f"**{page_path}/result")
    # A finished attempt's page is no longer kept.
    until(lambda: page_path not in page.evaluate(CACHE_KEYS), seconds=10)
    context.close()


def test_once_the_worker_is_in_place_the_start_itself_is_kept_for_a_reload_offline(live, browser):
    from exam_pages import new_session, start_exam

    app, base = live
    context, page, first = learner_in_new_exam(live, browser, minutes=30)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{base}/exams/")
    # The session page is under the worker's scope: the start's answer (the exam page) is kept at
    # once under the attempt's own address, with no second request for it.
    second = start_exam(page, base, new_session(app, minutes=30))
    assert page.evaluate("!!navigator.serviceWorker.controller")
    until(lambda: f"/exams/attempts/{second}" in page.evaluate(CACHE_KEYS), seconds=3)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#exam")
    assert page.get_attribute("#exam", "data-attempt") == str(second) and page.get_attribute("#exam", "data-offline-copy") == "1"
    context.set_offline(False)
    context.close()
