"""The proctor board in Chromium, on a device whose clock is set to another time zone: the
refresh shows the last save and its own time in Hanoi time, and a candidate's failed sign-ins."""
import os
import re
from datetime import timedelta

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")


def hanoi(moment):
    return (moment + timedelta(hours=7)).strftime("%H:%M:%S")


def query(app, function):
    from lms.extensions import db

    with app.app_context():
        try:
            return function(db)
        finally:
            db.session.remove()


def new_session(app):
    from exam_support import make_pool, make_session

    def create(db):
        make_pool()
        session, _candidate = make_session()
        db.session.commit()
        return session.id

    return query(app, create)


def test_the_board_refreshes_in_hanoi_time_whatever_the_devices_zone(live, browser):
    from playwright.sync_api import expect

    from lms.auth import throttling
    from lms.exams import attempts, starting
    from lms.exams.models import ExamCandidate, ExamSession
    from lms.models_base import utcnow

    app, base = live
    session_id = new_session(app)
    first_save = utcnow() - timedelta(minutes=3)

    def started(db):
        session = db.session.get(ExamSession, session_id)
        candidate = db.session.query(ExamCandidate).filter_by(session_id=session_id).one()
        attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], first_save - timedelta(minutes=1))
        attempts.save_answers(attempt, [{"question": attempt.questions[0].id, "seq": 1, "response": {"choice": 1}}], first_save)
        db.session.commit()
        return attempt.id, [question.id for question in attempt.questions]

    attempt_id, questions = query(app, started)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    try:
        page.clock.install()
        page.goto(base + "/login")
        page.fill("input[name=username]", "trainer")
        page.fill("input[name=password]", "Demo@2017")
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/trainer/**")
        page.goto(f"{base}/exams/manage/sessions/{session_id}/proctor")
        row = page.locator(f'tr[data-attempt="{attempt_id}"]')
        assert row.locator('[data-field="last_save"]').text_content() == hanoi(first_save)

        second_save = utcnow()

        def more(db):
            from exam_support import loaded

            attempts.save_answers(loaded(attempt_id), [{"question": questions[1], "seq": 2, "response": {"choice": 0}}], second_save)
            for _ in range(6):
                throttling.record_failure("learner", "10.20.0.1")
            db.session.commit()

        query(app, more)
        page.clock.run_for(16_000)  # the board's 15 s refresh
        expect(row.locator('[data-field="last_save"]')).to_have_text(hanoi(second_save), timeout=10_000)
        expect(row.locator('[data-field="login_failures"]')).to_have_text("6 lần đăng nhập sai")
        status = page.text_content("[data-refresh-status]")
        shown = re.search(r"Cập nhật lúc (\d\d:\d\d):\d\d", status).group(1)
        now = utcnow()
        assert shown in {hanoi(now)[:5], hanoi(now - timedelta(minutes=1))[:5]}, status
        # The release button of the candidate, a form with its CSRF token.
        assert row.locator("form[action$='/login-release'] input[name=csrf_token]").count() == 1
    finally:
        context.close()
