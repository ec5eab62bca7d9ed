"""The progress bar of a background job moves as the job reports, and offers the download
when it is done: the page polls the job's JSON."""
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")


def test_the_job_page_follows_the_job_until_it_is_done(live, browser):
    from exam_pages import query, signed_in_page
    from playwright.sync_api import expect

    from lms.auth.services import find_user
    from lms.jobs import DONE, RUNNING, Job

    app, base = live

    def running_job(db):
        job = Job(kind="certificates.issue_session", params={}, state=RUNNING, done=1, total=4, created_by_id=find_user("admin").id)
        db.session.add(job)
        db.session.commit()
        return job.id

    job_id = query(app, running_job)
    context, page = signed_in_page(browser, base, "admin", "**/admin/**")
    try:
        page.goto(f"{base}/certificates/jobs/{job_id}")
        assert page.text_content("#job-done") == "1" and page.text_content("#job-total") == "4"

        def advance(db, done, state=RUNNING):
            job = db.session.get(Job, job_id)
            job.done, job.state = done, state
            db.session.commit()

        query(app, lambda db: advance(db, 3))
        expect(page.locator("#job-done")).to_have_text("3", timeout=10_000)  # no eval: the page's CSP forbids it
        assert page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]") == [3, 4]
        query(app, lambda db: advance(db, 4, DONE))
        expect(page.locator("#job-state")).to_have_text("Đã xong", timeout=10_000)
        assert page.eval_on_selector("#job-progress", "bar => bar.value === bar.max")
    finally:
        context.close()
