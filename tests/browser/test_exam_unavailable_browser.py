"""The exam page in Chromium while the server answers a save 503 (its database locked or out of
reach, lms.errors.database_unavailable): the answer stays on the device and is sent again."""
import json
import os
import time

import pytest
from exam_pages import learner_in_new_exam, saved_answers

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")
UNAVAILABLE = {"error": 503, "message": "Hệ thống đang bận hoặc tạm thời không kết nối được cơ sở dữ liệu. "
                                        "Thao tác chưa được ghi nhận, vui lòng thử lại sau ít giây."}


def test_an_answer_refused_503_stays_buffered_and_is_sent_again_until_stored(live, browser):
    app, _ = live
    context, page, attempt_id = learner_in_new_exam(live, browser, minutes=30)
    refused = []

    def twice_unavailable(route):
        if len(refused) < 2:
            refused.append(route.request.post_data_json["answers"])
            route.fulfill(status=503, headers={"Retry-After": "5"}, content_type="application/json", body=json.dumps(UNAVAILABLE))
        else:
            route.continue_()

    page.route("**/exams/api/attempts/*/answers", twice_unavailable)
    page.locator("#q1 .choice input").nth(1).check()
    value = int(page.locator("#q1 .choice input").nth(1).get_attribute("value"))
    deadline = time.monotonic() + 10
    while not refused and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert refused, "the answer was not sent"
    page.wait_for_timeout(300)
    assert "unsaved" in page.get_attribute("#save-status", "class")
    buffered = page.evaluate(f"JSON.parse(localStorage.getItem('lms-exam-buffer-{attempt_id}')).pending")
    assert [entry["response"] for entry in buffered.values()] == [{"choice": value}]
    assert saved_answers(app, attempt_id) == {}

    page.wait_for_selector("#save-status.saved", timeout=20000)  # re-sent after each refusal, stored the third time
    assert len(refused) == 2 and refused[0] == refused[1]
    assert saved_answers(app, attempt_id) == {1: {"choice": value}}
    assert page.evaluate(f"JSON.parse(localStorage.getItem('lms-exam-buffer-{attempt_id}')).pending") == {}
    context.close()
