"""Sign-in, sign-out, CSRF, throttling and the server side of sessions."""
import re

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import LoginFailure, User, UserSession


def test_login_page_is_vietnamese_with_csrf_field(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đăng nhập" in html and "Mật khẩu" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', html)


def test_login_post_without_csrf_token_is_rejected(client, demo, db):
    response = client.post("/login", data={"username": "admin", "password": "Demo@2017"})
    assert response.status_code == 400
    assert db.session.execute(select(UserSession)).first() is None


def test_wrong_password_is_refused_and_audited(client, demo, auth, db):
    response = auth.login("admin", "Sai@mat-khau1")
    assert response.status_code == 200
    assert "không đúng" in response.get_data(as_text=True)
    events = db.session.execute(select(AuditEvent.action, AuditEvent.target)).all()
    assert ("login.failure", "admin") in events


def test_login_creates_new_session_id_and_server_record(client, demo, auth, db):
    client.get("/login")
    with client.session_transaction() as before:
        before["marker"] = "pre-login"
    auth.login("learner")
    with client.session_transaction() as after:
        assert "marker" not in after  # the pre-login session was discarded
    sessions = db.session.execute(select(UserSession)).scalars().all()
    assert len(sessions) == 1
    assert sessions[0].user.username == "learner"


def test_logout_ends_the_session_on_the_server(client, demo, auth, app):
    auth.login("hr")
    assert client.get("/hr/").status_code == 200
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert auth.logout().status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.get("/hr/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_only_by_post(client, demo, auth):
    auth.login("hr")
    assert client.get("/logout").status_code == 405
    assert client.get("/hr/").status_code == 200


def test_disabling_an_account_ends_its_sessions(client, demo, auth, app, db):
    from lms.auth.services import find_user, set_enabled

    auth.login("trainer")
    assert client.get("/trainer/").status_code == 200
    set_enabled(find_user("trainer"), False)
    db.session.commit()
    assert db.session.execute(select(UserSession)).first() is None
    assert client.get("/trainer/").status_code == 302
    assert auth.login("trainer").status_code == 200  # refused: stays on the form


def test_repeated_failures_throttle_the_account_from_that_address(client, demo, auth, app):
    # Past the free failures each one doubles the wait: 16 s after five more.
    for _ in range(app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"] + 5):
        auth.login("learner", "Sai@mat-khau1")
    response = auth.login("learner")  # even the right password waits
    assert response.status_code == 429
    assert "thử lại sau" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 16


def test_throttling_from_one_address_does_not_lock_the_owner_out_elsewhere(demo, app, db):
    """A storm from one address blocks that address only; the owner elsewhere is not delayed.
    (Before the backoff, the owner waited a cooldown after such a storm: the new rule says a
    storm from another address never keeps the real user out.)"""
    from datetime import timedelta

    from lms.auth.throttling import record_failure, retry_after_seconds
    from lms.models_base import utcnow

    with app.test_request_context():
        now = utcnow()
        for _ in range(50):
            record_failure("learner", "203.0.113.9", now)
        db.session.commit()
        attacker_wait = retry_after_seconds("learner", "203.0.113.9", now)
        assert 60 < attacker_wait <= app.config["LOGIN_MAX_DELAY_ACCOUNT_ADDRESS_SECONDS"]  # blocked, never for long
        assert retry_after_seconds("learner", "10.1.2.3", now) == 0
        later = now + timedelta(seconds=attacker_wait)
        assert retry_after_seconds("learner", "203.0.113.9", later) == 0


def test_the_real_user_signs_in_right_after_a_wrong_password_storm_from_another_address(client, demo, auth, db):
    token = auth.csrf_token("/login")
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [client.post("/login", data={"username": "learner", "password": f"Doan-sai-{n}", "csrf_token": token},
                            environ_base=attacker).status_code for n in range(40)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429  # the storm is throttled where it comes from
    response = client.post("/login", data={"username": "learner", "password": "Demo@2017", "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    assert db.session.execute(select(UserSession)).scalar_one().user.username == "learner"
    throttled = db.session.execute(select(AuditEvent).where(AuditEvent.action == "login.throttled")).scalars().all()
    assert throttled and {event.ip_address for event in throttled} == {"203.0.113.9"}


def test_successful_login_clears_failures_of_that_address(client, demo, auth, db):
    auth.login("learner", "Sai@mat-khau1")
    auth.login("learner")
    assert db.session.execute(select(LoginFailure).where(LoginFailure.username == "learner")).first() is None


def test_open_redirect_after_login_is_refused(client, demo, auth):
    token = auth.csrf_token("/login")
    response = client.post("/login?next=//evil.example/x", data={"username": "admin", "password": "Demo@2017", "csrf_token": token})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_authenticated_pages_are_not_cached_and_carry_security_headers(client, demo, auth):
    auth.login("admin")
    response = client.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(client, demo, auth):
    response = auth.login("admin")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("lms_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_change_applies_policy_and_ends_other_sessions(client, demo, auth, app, db):
    auth.login("learner")
    other = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get("/login").get_data(as_text=True)).group(1)
    other.post("/login", data={"username": "learner", "password": "Demo@2017", "csrf_token": token})
    assert other.get("/learn/").status_code == 200
    weak = auth.post("/account/password", {"current": "Demo@2017", "password": "12345678", "confirm": "12345678"})
    assert "phổ biến" in weak.get_data(as_text=True)
    ok = auth.post("/account/password", {"current": "Demo@2017", "password": "Hoc-tin-hoc-2026", "confirm": "Hoc-tin-hoc-2026"})
    assert ok.status_code == 302
    assert client.get("/learn/").status_code == 200  # this session continues
    assert other.get("/learn/").status_code == 302  # the other one ended
    user = db.session.execute(select(User).where(User.username == "learner")).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
