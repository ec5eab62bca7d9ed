"""Guessing: sign-in throttling that slows the guesser without keeping the real user out,
the rate limit of the public verification pages, and no way to learn which accounts or people
exist (the sign-in's messages and its work, HR's answers about people outside their scope);
a `next` target never leads off the site."""
import io
import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from lms.auth import throttling
from lms.auth.models import User
from lms.auth.provisioning import provision_staff
from lms.auth.services import find_user, set_enabled
from lms.config import build_config
from lms.extensions import db, limiter
from lms.models_base import utcnow
from lms.org.models import Staff, Unit
from tests.conftest import DEMO_PASSWORD

HOME = {"REMOTE_ADDR": "10.1.2.3"}
OFFICE = "10.30.0.1"  # a ward office: everyone behind one NAT address
WRONG = "Sai@mat-khau1"


def sign_in(client, token, username, password, address=HOME):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, environ_base=address)


def fail(username, address, at, times=1):
    for _ in range(times):
        throttling.record_failure(username, address, at)
    db.session.commit()


# --- Throttling that never locks the owner out for long ----------------------------------------


def test_one_guess_a_minute_from_rotating_addresses_keeps_the_owner_out_for_seconds_only(client, demo, auth, app):
    now, cap = utcnow(), app.config["LOGIN_MAX_DELAY_ACCOUNT_SECONDS"]
    for minute in range(120, 0, -1):  # two hours of it, each guess from an address of its own
        fail("learner", f"198.51.{minute // 250}.{minute % 250 + 1}", now - timedelta(minutes=minute))
    token = auth.csrf_token("/login")
    # A minute after the newest guess the owner signs in at once …
    assert sign_in(client, token, "learner", DEMO_PASSWORD).status_code == 302
    auth.logout()
    # … and right after a fresh guess waits no longer than the short cap, which holds the guesser too.
    fail("learner", "198.51.9.9", utcnow())
    token = auth.csrf_token("/login")
    for address in (HOME, {"REMOTE_ADDR": "203.0.113.50"}):
        throttled = sign_in(client, token, "learner", DEMO_PASSWORD, address)
        assert throttled.status_code == 429 and 0 < int(throttled.headers["Retry-After"]) <= cap == 30
    # Retrying early is not a failure: the wait does not grow.
    assert int(sign_in(client, token, "learner", DEMO_PASSWORD).headers["Retry-After"]) <= cap


def test_behind_a_shared_office_address_the_right_user_gets_in_at_once(client, demo, auth, app):
    now = utcnow() - timedelta(seconds=1)
    for colleague in range(40):  # forty colleagues mistyping a few times each
        fail(f"001190{colleague:06d}", OFFICE, now, times=3)
    fail("admin", OFFICE, now, times=30)  # and one hammering an account of their own
    token = auth.csrf_token("/login")
    office = {"REMOTE_ADDR": OFFICE}
    assert sign_in(client, token, "admin", DEMO_PASSWORD, office).status_code == 429  # the hammered account waits
    assert sign_in(client, token, "learner", DEMO_PASSWORD, office).status_code == 302  # the others do not
    assert 150 < app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"]  # room for a whole office's typos in the window


# --- No account enumeration -----------------------------------------------------------------


def normalised(response, username):
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", response.get_data(as_text=True))
    return response.status_code, html.replace(f'value="{username}"', 'value=""')


@pytest.fixture()
def accounts(demo):
    """Every kind of account a guesser may name: real, disabled, provisioned (no password yet)."""
    set_enabled(find_user("trainer_gl"), False)
    waiting = db.session.execute(select(Staff).where(Staff.id != find_user("learner").staff_id).order_by(Staff.id)).scalars().first()
    provisioned = provision_staff([waiting.id], email_codes=False).created[0].username
    db.session.commit()
    return {"real": "learner", "unknown": "khong_co_ai", "disabled": "trainer_gl", "no password yet": provisioned}


def test_wrong_user_and_wrong_password_get_the_same_answer(client, auth, accounts):
    token = auth.csrf_token("/login")
    answers = {kind: normalised(sign_in(client, token, name, WRONG), name) for kind, name in accounts.items()}
    assert answers["real"][0] == 200 and "Tên đăng nhập hoặc mật khẩu không đúng" in answers["real"][1]
    assert all(answer == answers["real"] for answer in answers.values())
    # Throttled alike, whether the account exists or not.
    for name in accounts.values():
        fail(name, HOME["REMOTE_ADDR"], utcnow(), times=8)
    throttled = {}
    for kind, name in accounts.items():
        status, html = normalised(sign_in(client, token, name, WRONG), name)
        throttled[kind] = status, re.sub(r"\d+ giây", "… giây", html)  # the seconds left tick on between the requests
    assert throttled["real"][0] == 429 and "… giây" in throttled["real"][1]
    assert all(answer == throttled["real"] for answer in throttled.values())


@pytest.fixture()
def hasher_calls(monkeypatch):
    """How many times the sign-in verified a password against a hash (the costly step)."""
    calls = []
    verify = PasswordHasher.verify

    def counted(self, hash, password):
        calls.append(hash)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return calls


@pytest.mark.parametrize("kind", ["real", "unknown", "disabled", "no password yet"])
@pytest.mark.parametrize("throttled", [False, True])
def test_every_path_of_the_sign_in_verifies_one_password(client, auth, accounts, hasher_calls, kind, throttled):
    token = auth.csrf_token("/login")
    if throttled:
        fail(accounts[kind], HOME["REMOTE_ADDR"], utcnow(), times=8)
    for password in (WRONG, DEMO_PASSWORD):
        hasher_calls.clear()
        answer = sign_in(client, token, accounts[kind], password)
        assert len(hasher_calls) == 1, (kind, throttled, password, answer.status_code)
        signed_in = kind == "real" and not throttled and password == DEMO_PASSWORD
        assert answer.status_code == (302 if signed_in else 429 if throttled else 200)


# --- The public verification pages ------------------------------------------------------------


@pytest.fixture()
def verify_limit(app, db):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    limiter.reset()  # the other tests share the test client's address
    yield 3
    app.config["VERIFY_RATE_LIMIT"] = "10000 per minute"
    limiter.reset()


def test_guessing_certificate_codes_is_limited_per_address(client, verify_limit):
    guesser, neighbour = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "203.0.113.8"}
    codes = [client.get(f"/verify/DOAN{n:020d}", environ_base=guesser) for n in range(verify_limit + 2)]
    assert [answer.status_code for answer in codes] == [404] * verify_limit + [429, 429]
    assert int(codes[-1].headers["Retry-After"]) > 0
    assert client.get("/verify/DOAN00000000000000000000", environ_base=neighbour).status_code == 404  # another address is free
    # The upload form of the same pages is limited too, for the guesser.
    page = client.get("/verify/", environ_base=neighbour)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    limiter.reset()
    uploads = [client.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(b"%PDF-1.7"), "x.pdf")},
                           content_type="multipart/form-data", environ_base=neighbour).status_code for _ in range(verify_limit + 1)]
    assert 429 not in uploads[:verify_limit] and uploads[-1] == 429


@pytest.mark.parametrize("environment, storage", [({}, "memory://"), ({"LMS_REDIS_URL": "redis://cache.internal:6379/2"},
                                                                          "redis://cache.internal:6379/2")])
def test_the_rate_limits_are_kept_in_this_process_unless_redis_is_configured(monkeypatch, environment, storage):
    monkeypatch.delenv("LMS_REDIS_URL", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = build_config()
    assert config["RATELIMIT_STORAGE_URI"] == storage
    assert re.fullmatch(r"\d+ per (second|minute|hour)", config["VERIFY_RATE_LIMIT"])


# --- HR's answers reveal nobody outside their scope ------------------------------------------


@pytest.fixture()
def outsider(demo):
    """A person of Hoàn Kiếm, outside the Long Biên HR officer's scope, with an account whose
    username is the ID number of a Long Biên official who has none yet."""
    elsewhere = db.session.execute(select(Unit).where(Unit.code == "HK-HANGBAC")).scalar_one()
    here = db.session.execute(select(Unit).where(Unit.code == "LB-BODE")).scalar_one()
    person = Staff(full_name="Phùng Thị Kín Đáo", id_number="001190777001", unit=elsewhere, birth_place="Sơn Tây",
                   email="kindao@hoankiem.hanoi.gov.vn", status="active")
    official = Staff(full_name="Ngô Văn Mới", id_number="001090777002", unit=here, status="active")
    db.session.add_all([person, official])
    db.session.flush()
    db.session.add(User(username=official.id_number, password_hash="!", display_name="Phùng Thị Kín Đáo (Hàng Bạc)",
                        staff_id=person.id))
    db.session.commit()
    return person, official, elsewhere


def reveals(html, person, unit):
    return [secret for secret in (person.full_name, unit.name, person.birth_place, person.email, "Kín Đáo") if secret in html]


def test_a_staff_record_with_an_id_number_from_another_scope_is_refused_without_telling_whose(client, auth, outsider):
    person, official, elsewhere = outsider
    auth.login("hr")
    form = {"full_name": "Trần Văn Thử", "unit_id": official.unit_id, "title_id": "0", "status": "active"}
    theirs = auth.post("/org/staff/new", {**form, "id_number": person.id_number})
    ours = auth.post("/org/staff/new", {**form, "id_number": official.id_number})
    assert theirs.status_code == ours.status_code == 200
    assert "Số định danh đã có trong hồ sơ khác." in theirs.get_data(as_text=True)
    assert normalised(theirs, person.id_number) == normalised(ours, official.id_number)  # the same answer inside the scope
    assert reveals(theirs.get_data(as_text=True), person, elsewhere) == []


def test_importing_a_person_of_another_scope_tells_nothing_of_them_and_changes_nothing(client, auth, outsider):
    from openpyxl import Workbook

    person, official, elsewhere = outsider
    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Số CCCD", "Mã đơn vị"])
    workbook.active.append(["Tên Khác Hẳn", person.id_number, "LB-BODE"])
    content = io.BytesIO()
    workbook.save(content)
    auth.login("hr")
    preview = auth.post("/org/import/staff", {"file": (io.BytesIO(content.getvalue()), "ds.xlsx")}, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert "ngoài phạm vi quản lý của bạn" in html
    assert not re.search(r'action="/org/import/staff/[^"]+"', html)  # nothing to confirm
    assert reveals(html, person, elsewhere) == []
    db.session.expire_all()
    kept = db.session.get(Staff, person.id)
    assert (kept.full_name, kept.unit_id) == ("Phùng Thị Kín Đáo", elsewhere.id)


@pytest.mark.parametrize("action", ["code", "provision"])
def test_an_account_name_taken_in_another_scope_is_refused_without_telling_whose(client, auth, outsider, action):
    person, official, elsewhere = outsider
    auth.login("hr")
    if action == "code":
        answer = auth.post(f"/org/accounts/staff/{official.id}/code", token_page=f"/org/accounts/units/{official.unit_id}")
    else:
        answer = auth.post(f"/org/accounts/units/{official.unit_id}/provision", token_page=f"/org/accounts/units/{official.unit_id}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "đã thuộc một tài khoản khác" in page and official.full_name in page
    assert reveals(page, person, elsewhere) == []


# --- `next` never leads off the site ---------------------------------------------------------

HOSTILE_TARGETS = ["/\t/evil.example", "/\x0b/evil.example", "/\x7f", "/%09/evil.example", "\x00", "/\x00/evil.example",
                   "//evil.example", "/\\evil.example", "/\r\n/evil.example", "https://evil.example/", " //evil.example",
                   "/\u3000/evil.example", "/khóa-học?x=\u2028", "%2F%2Fevil.example", "/" + "a" * 5000]


def stays_on_site(location):
    """What a browser makes of the Location: it drops tabs and line breaks and reads "\\" as "/"."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned)).netloc == "localhost"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_hostile_next_after_sign_in_stays_on_the_site(client, demo, auth, target):
    token = auth.csrf_token("/login")
    response = client.post("/login", query_string={"next": target}, data={"username": "learner", "password": DEMO_PASSWORD,
                                                                           "csrf_token": token})
    assert response.status_code == 302 and stays_on_site(response.headers["Location"]), response.headers.get("Location")
    assert client.get("/login", query_string={"next": target}).status_code == 302  # signed in: home, not 500


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_hostile_next_of_the_language_switch_stays_on_the_site(client, demo, auth, target):
    for token_page in ("/login", "/account/password"):  # signed out, then signed in
        token = auth.csrf_token(token_page)
        response = client.post("/language/en", data={"csrf_token": token, "next": target})
        assert response.status_code == 302 and stays_on_site(response.headers["Location"]), response.headers.get("Location")
        assert client.get("/login", query_string={"next": target}).status_code in (200, 302)
        if token_page == "/login":
            assert auth.login("learner").status_code == 302
