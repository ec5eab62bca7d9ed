"""Request forgery, over the whole URL map: every route that can change something refuses a
request without this session's CSRF token and changes nothing; no GET route writes (but the
bookkeeping listed below); the CSRF token and the session never travel in a URL."""
import pytest
from scope_support import signed_in
from site_crawl import (
    ROLES,
    Crawl,
    page_links,
    parameterless_get_paths,
    query_names,
    sample_url,
    seed_whole_demo,
    state_changing_rules,
    written_tables,
)
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import Auth

# Endpoints that may take a state-changing method without a CSRF token, each for its reason.
# None: the bearer-token API (reports_api, /api/v1/) answers GET only, so it needs no exemption;
# a route added here must say why a forged request through a browser cannot reach it.
CSRF_EXEMPT = {}
CSRF_REFUSAL = "Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ"

# The tables a GET may write to, each for its reason.
GET_BOOKKEEPING = {
    "audit_event": "a download of personal data (an export, the register, a zip) is recorded: the trail, not a change",
    "lesson_progress": "opening a lesson starts its reading time (started_at, last_seen_at); completing it is a POST",
}


def row_counts():
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


def refusal_text(response):
    if response.is_json:
        return response.get_json()["message"]
    return response.get_data(as_text=True)


@pytest.fixture()
def seeded(app, demo, db):
    seed_whole_demo()
    return app


def forged_requests(attacker_token):
    """(what, keyword arguments of client.open) for each way a forged request may come."""
    return [
        ("form without token", {"data": {"name": "x"}}),
        ("JSON without header", {"json": {"answers": []}}),
        ("form with another session's token", {"data": {"csrf_token": attacker_token}}),
        ("JSON with another session's token", {"json": {}, "headers": {"X-CSRFToken": attacker_token}}),
    ]


def test_every_state_changing_route_refuses_a_forged_request_and_changes_nothing(seeded):
    app = seeded
    victim = signed_in(app, "admin")
    attacker_token = Auth(app.test_client()).csrf_token("/login")
    adapter = app.url_map.bind("localhost")
    rules = state_changing_rules(app)
    assert len(rules) > 60  # the enumeration found the application's forms and actions
    before, unprotected, writes = row_counts(), [], {}
    for rule, method in rules:
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = sample_url(rule)
        assert adapter.match(url, method=method)[0] == rule.endpoint, url
        for what, request in forged_requests(attacker_token):
            with written_tables() as written:
                response = victim.open(url, method=method, **request)
            if response.status_code != 400 or CSRF_REFUSAL not in refusal_text(response):
                unprotected.append((method, rule.rule, what, response.status_code))
            if written:
                writes[(method, rule.rule, what)] = dict(written)
    assert unprotected == []
    assert writes == {}
    assert row_counts() == before
    assert victim.get("/admin/").status_code == 200  # the refusals left the victim's session alone


def test_the_exemption_list_names_real_routes_and_the_api_takes_no_state_changing_method(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(CSRF_EXEMPT) <= endpoints
    api = [(rule.rule, method) for rule, method in state_changing_rules(app) if rule.endpoint.startswith("reports_api.")]
    assert api == []  # a writing API route must be bearer-only and listed in CSRF_EXEMPT with its reason


def test_a_forged_answer_to_a_running_exam_is_refused_and_stores_nothing(demo, auth, client):
    """The learner's own attempt, as the role the route needs: the exam page's JSON API."""
    from exam_support import make_pool, make_session

    from lms.exams.models import AttemptAnswer, AttemptQuestion, ExamAttempt

    make_pool()
    session, _candidate = make_session()
    auth.login("learner")
    started = auth.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start",
                        token_page=f"/exams/sessions/{session.id}")
    assert started.status_code == 200
    attempt_id = db.session.execute(select(ExamAttempt.id)).scalar_one()
    question = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)).scalars().first()
    for headers in ({}, {"X-CSRFToken": Auth(client.application.test_client()).csrf_token("/login")}):
        response = client.post(f"/exams/api/attempts/{attempt_id}/answers", headers=headers,
                               json={"answers": [{"question": question, "seq": 1, "response": {"choice": 1}}]})
        assert response.status_code == 400
        assert client.post(f"/exams/api/attempts/{attempt_id}/submit", headers=headers, json={}).status_code == 400
    assert db.session.execute(select(func.count(AttemptAnswer.id))).scalar_one() == 0
    assert db.session.get(ExamAttempt, attempt_id).submitted_at is None


def test_no_get_route_writes_and_no_url_carries_the_csrf_token_or_the_session(seeded):
    """One crawl of what each role reaches: the SQL each GET sends, and every URL of the
    answers (links, sources, GET forms, redirects)."""
    app = seeded
    writes, leaks, get_forms_with_token = {}, [], []
    events_before = db.session.execute(select(func.max(AuditEvent.id))).scalar_one()
    for username, home in ROLES:
        client = signed_in(app, username)
        with client.session_transaction() as session:
            secrets = (session["_user_id"], client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)

        def visit(url, response, written, username=username, secrets=secrets):
            assert response.status_code < 500, (username, url)
            unexpected = set(written) - set(GET_BOOKKEEPING)
            if unexpected:
                writes[(username, url)] = sorted(unexpected)
            locations = [url, response.headers.get("Location", "")]
            if response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                links = page_links(html)
                locations += links.urls
                get_forms_with_token.extend((username, url, form["action"]) for form in links.get_forms
                                            if "csrf_token" in form["fields"])
                leaks.extend((username, url, "in the page") for secret in secrets if secret in html)
            leaks.extend((username, url, location) for location in locations
                         if "csrf_token" in query_names(location) or any(secret in location for secret in secrets))

        seen = Crawl(app, client, visit).run([home, *parameterless_get_paths(app)])
        assert len(seen) > 50, username
    assert writes == {}
    assert leaks == []
    assert get_forms_with_token == []  # a GET form would put its token in the query string
    recorded = db.session.execute(select(AuditEvent.action).where(AuditEvent.id > events_before)).scalars().all()
    assert {action for action in recorded if action != "login.success"} == {
        "certificates.register_export", "certificates.zip", "staff.export", "ranking.export", "reports.export",
        "questionbank.export", "exam.results_export"}


def test_the_sign_in_page_and_its_redirects_carry_no_token_in_the_url(client, demo):
    response = client.get("/admin/")
    assert response.status_code == 302 and "csrf" not in response.headers["Location"].lower()
    page = client.get(response.headers["Location"])
    links = page_links(page.get_data(as_text=True))
    assert [url for url in links.urls if "csrf_token" in query_names(url)] == []
