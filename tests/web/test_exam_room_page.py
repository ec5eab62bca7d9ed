"""The exam page as the server sends it: the room around the paper (no site navigation, a sign-out
that asks first, the summary and its confirmation, what the deadline banner needs) and the service
worker script that keeps the page for a reload offline."""
import re

import pytest
from exam_support import SECRET, make_pool, make_session


@pytest.fixture()
def exam_page(demo, auth):
    make_pool()
    session, _ = make_session(grace_seconds=45)
    auth.login("learner")
    part_id = session.blueprint.parts[0].id
    response = auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page=f"/exams/sessions/{session.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_during_an_attempt_nothing_leads_away_and_the_sign_out_can_ask_first(exam_page, client):
    header = exam_page[exam_page.index('<header class="topbar">'):exam_page.index("</header>")]
    assert 'class="mainnav"' not in header and "<a " not in header
    assert '<span class="brand">' in header and 'id="logout-form"' in header
    assert 'id="logout-dialog"' in exam_page and "Đăng xuất khi đang làm bài?" in exam_page
    # Any other page keeps the navigation.
    home = client.get("/learn/").get_data(as_text=True)
    assert 'class="mainnav"' in home and '<a class="brand"' in home


def test_the_page_carries_the_summary_the_confirmation_and_the_clock_of_the_deadline(exam_page):
    for element in ('id="answered-list"', 'id="unanswered-list"', 'id="flagged-list"', 'id="submit-button"',
                    'id="submit-dialog"', 'id="submit-confirm"', 'id="timeup-banner"'):
        assert element in exam_page, element
    root = re.search(r'<div id="exam" [^>]*>', exam_page).group(0)
    assert 'data-grace-ms="45000"' in root and 'data-sw-url="/exams/sw.js"' in root and 'data-sw-scope="/exams/"' in root
    assert re.search(r'data-server-now="\d{4}-\d\d-\d\dT[\d:.]+\+00:00"', root)
    # The sentences the scripts fill in keep their tokens.
    assert "Máy chủ đã nhận {saved} câu trả lời." in exam_page and "({list})" in exam_page


def test_the_page_a_service_worker_may_keep_holds_no_key(exam_page):
    assert SECRET not in exam_page and "correct" not in exam_page and "đáp án" not in exam_page.lower()


def test_the_service_worker_is_served_to_anyone_never_cached_and_keeps_no_json(client):
    response = client.get("/exams/sw.js")
    assert response.status_code == 200 and "javascript" in response.content_type
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert 'CACHE = "lms-exam-v1"' in script
    # Only the attempt page, the start and listed assets are answered; nothing else (API, results) is touched.
    assert '"attempts/\\\\d+$"' in script and "/api/" not in script
