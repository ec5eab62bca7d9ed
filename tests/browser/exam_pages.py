"""The exam page in a browser, for the browser tests: a new session, the demo learner signed in
and started on it, and what the database holds of the attempt."""


def new_session(app, **options):
    from exam_support import make_pool, make_session

    from lms.extensions import db

    with app.app_context():
        make_pool()
        session, _ = make_session(**options)
        db.session.commit()
        return session.id


def query(app, function):
    from lms.extensions import db

    with app.app_context():
        try:
            return function(db)
        finally:
            db.session.remove()


def signed_in_page(browser, base, username="learner", landing="**/learn/**"):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Demo@2017")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(landing)
    return context, page


def start_exam(page, base, session_id):
    page.goto(f"{base}/exams/sessions/{session_id}")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_selector("#exam")
    attempt_id = int(page.get_attribute("#exam", "data-attempt"))
    # The start answers with the page; the address bar then shows the attempt's own URL,
    # so that a reload asks for the page rather than posting the start again.
    page.wait_for_url(f"**/exams/attempts/{attempt_id}")
    return attempt_id


def learner_in_new_exam(live, browser, **session_options):
    """A new session, and the demo learner signed in on it in a browser context of its own: (context, page, attempt id)."""
    app, base = live
    session_id = new_session(app, **session_options)
    context, page = signed_in_page(browser, base)
    return context, page, start_exam(page, base, session_id)


def saved_answers(app, attempt_id):
    """{paper position: the saved answer as the page names it}."""
    from exam_support import shown_answers

    return query(app, lambda db: shown_answers(attempt_id))


def seconds(text):
    """The countdown's text (m:ss or h:mm:ss) in seconds."""
    minutes, secs = text.split(":")[-2:]
    return int(minutes) * 60 + int(secs)
