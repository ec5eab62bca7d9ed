"""Sessions under attack: a planted session is not the one signed in; a copied cookie opens
nothing once its session ended (sign-out, a password change or reset, a disabled account), nor
when only the server's record of it is known; signed-in answers are never cached; the cookie's
flags follow the configuration."""
import re

import pytest
from notification_support import published_course
from scope_support import signed_in
from site_crawl import ROLES, Crawl, parameterless_get_paths
from sqlalchemy import func, select, update

from lms.auth.models import UserSession
from lms.auth.provisioning import issue_code
from lms.auth.services import find_user
from lms.config import build_config
from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.models_base import utcnow
from lms.reports.models import ApiClient
from tests.conftest import DEMO_PASSWORD, Auth

NEW_PASSWORD = "Hoc-tin-hoc-2026"


def cookie_of(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def copy_of(app, client):
    """Another browser holding the same session cookie (a stolen copy)."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_of(app, client))
    return thief


def is_refused(response):
    return response.status_code in (302, 401) and (response.status_code == 401 or "/login" in response.headers["Location"])


def test_a_session_planted_before_sign_in_is_not_the_one_signed_in(app, demo):
    attacker = app.test_client()
    planted_token = Auth(attacker).csrf_token("/login")  # the attacker's own session, and its CSRF token
    planted = cookie_of(app, attacker)
    victim = app.test_client()
    victim.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    assert Auth(victim).login("admin").status_code == 302
    assert cookie_of(app, victim) not in (None, planted)
    assert victim.get("/admin/").status_code == 200
    assert is_refused(attacker.get("/admin/"))  # the planted cookie was not promoted to the admin's session
    # Nor does the CSRF token the attacker knew from the planted session act for the admin.
    forged = victim.post("/admin/api-clients/new", data={"csrf_token": planted_token, "name": "Cửa hậu", "last_day": "2099-01-01"})
    assert forged.status_code == 400
    assert db.session.execute(select(func.count()).select_from(ApiClient)).scalar_one() == 0


def sign_out(app, victim):
    Auth(victim).logout()


def change_own_password(app, victim):
    Auth(victim).post("/account/password", {"current": DEMO_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def admin_edits_the_account(app, **changes):
    admin = signed_in(app, "admin")
    user = find_user("learner")
    form = {"username": "learner", "display_name": user.display_name, "roles": ["learner"], "enabled": "y", **changes}
    form = {key: value for key, value in form.items() if value is not None}
    assert Auth(admin).post(f"/admin/accounts/{user.id}", form).status_code == 302


def admin_sets_a_password(app, victim):
    admin_edits_the_account(app, password=NEW_PASSWORD, confirm=NEW_PASSWORD)


def admin_disables_the_account(app, victim):
    admin_edits_the_account(app, enabled=None)


def owner_redeems_a_new_activation_code(app, victim):
    code = issue_code(find_user("learner"))
    other = app.test_client()
    answer = Auth(other).post("/activate", {"username": "learner", "code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert answer.status_code == 302


@pytest.mark.parametrize("end", [sign_out, change_own_password, admin_sets_a_password, admin_disables_the_account,
                                 owner_redeems_a_new_activation_code])
def test_a_copied_cookie_is_refused_once_its_session_ended(app, demo, end):
    lesson = published_course().lessons[0]
    db.session.commit()
    victim = signed_in(app, "learner")
    token = Auth(victim).csrf_token("/account/password")
    thief = copy_of(app, victim)
    assert thief.get("/learn/").status_code == 200  # the copy works while the session lives
    end(app, victim)
    for path in ("/learn/", "/learn/courses/", "/notifications/", f"/learn/lessons/{lesson.id}/", "/account/password"):
        assert is_refused(thief.get(path)), path
    assert is_refused(thief.get("/exams/", headers={"Accept": "application/json"}))
    # A form posted with the copied session's own CSRF token acts for nobody.
    assert is_refused(thief.post(f"/learn/lessons/{lesson.id}/done", data={"csrf_token": token}))
    assert db.session.execute(select(func.count()).select_from(LessonProgress)).scalar_one() == 0


def test_an_expired_session_record_is_refused(app, demo):
    victim = signed_in(app, "hr")
    db.session.execute(update(UserSession).values(expires_at=utcnow()))
    db.session.commit()
    assert is_refused(victim.get("/hr/"))


def test_the_server_record_of_a_session_cannot_be_replayed_as_a_cookie(app, demo):
    """Were the sessions table read (a backup, a leak), its hashes are no cookies, even signed with the app's key."""
    signed_in(app, "admin")
    stored = db.session.execute(select(UserSession.token_hash)).scalar_one()
    forged = app.session_interface.get_signing_serializer(app).dumps({"_user_id": stored, "_fresh": True})
    intruder = app.test_client()
    intruder.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    assert is_refused(intruder.get("/admin/"))


def test_a_cookie_signed_with_another_key_is_ignored(app, demo):
    victim = signed_in(app, "admin")
    with victim.session_transaction() as session:
        token = session["_user_id"]
    from itsdangerous import URLSafeTimedSerializer

    serializer = app.session_interface.get_signing_serializer(app)
    forged = URLSafeTimedSerializer("another-secret", salt=serializer.salt, serializer=serializer.serializer,
                                    signer_kwargs=serializer.signer_kwargs).dumps({"_user_id": token})
    intruder = app.test_client()
    intruder.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    assert is_refused(intruder.get("/admin/"))


def test_no_answer_to_a_signed_in_request_may_be_cached(app, demo):
    """Every page, file, JSON answer, redirect and error page each role reaches."""
    published_course()
    db.session.commit()
    cacheable, statuses = [], set()
    for username, home in ROLES:
        client = signed_in(app, username)

        def visit(url, response, _written, username=username):
            statuses.add(response.status_code)
            if response.headers.get("Cache-Control") != "no-store":
                cacheable.append((username, url, response.status_code, response.headers.get("Cache-Control")))

        seen = Crawl(app, client, visit, per_endpoint=1).run([home, *parameterless_get_paths(app), "/org/staff/999999"])
        assert len(seen) > 25, username
    assert cacheable == []
    assert {200, 302, 403, 404} <= statuses  # pages, redirects and error pages were all among them


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(app, demo):
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        client = app.test_client()
        page = client.get("/login", base_url="https://localhost")
        before_sign_in = page.headers.getlist("Set-Cookie")  # the signed-out session of the form's token
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token},
                               base_url="https://localhost", headers={"Referer": "https://localhost/login"})  # over HTTPS Flask-WTF wants it
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path"} <= set(flags) and flags["samesite"] == "SameSite=Lax"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert before_sign_in and all("Secure" in header and "HttpOnly" in header for header in before_sign_in)


@pytest.mark.parametrize("environment, secure", [
    ({}, False),  # development over plain HTTP
    ({"LMS_ENV": "production", "LMS_SECRET_KEY": "s3cret-production-key"}, True),
    ({"LMS_ENV": "production", "LMS_SECRET_KEY": "s3cret-production-key", "LMS_COOKIE_SECURE": "0"}, False),  # TLS ends elsewhere, said so
    ({"LMS_COOKIE_SECURE": "yes"}, True),
])
def test_the_cookie_is_secure_in_production_unless_said_otherwise(monkeypatch, environment, secure):
    for name in ("LMS_ENV", "LMS_SECRET_KEY", "LMS_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = build_config()
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
