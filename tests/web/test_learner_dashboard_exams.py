"""The learner's dashboard lists the exam sessions they are a candidate of."""
from lms.auth.services import find_user
from lms.exams import design
from lms.models_base import utcnow


def test_dashboard_lists_the_learners_open_session_and_links_to_exams(client, demo, auth, db):
    session, _missing = design.seed_demo_session(utcnow(), find_user("learner"))
    session_id, name = session.id, session.name
    db.session.commit()
    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    assert name in page and f"/exams/sessions/{session_id}" in page
    assert 'href="/exams/"' in page


def test_dashboard_of_a_learner_with_no_session_says_so(client, demo, auth):
    auth.login("learner")
    assert "Chưa có kỳ thi" in client.get("/learn/").get_data(as_text=True)
