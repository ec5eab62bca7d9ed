"""Administrators' API client pages (/admin/api-clients): a token shown once and stored only as
its hash, the expiry bounds, revocation by a confirmed, CSRF-protected POST, audit events, and
nobody but an administrator getting in."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db as _db
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.org.models import Unit
from lms.reports import api_tokens
from lms.reports.models import ApiClient

TOKEN = re.compile(r'value="(lms_[A-Za-z0-9_-]{43})"')


def clients():
    _db.session.expire_all()
    return _db.session.execute(select(ApiClient).order_by(ApiClient.id)).scalars().all()


def events(action):
    return _db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def create(auth, name="Phần mềm nhân sự quận Long Biên", unit_code="LB", last_day=None):
    last_day = last_day or local_today() + timedelta(days=200)
    return auth.post("/admin/api-clients/new", {"name": name, "unit_code": unit_code, "last_day": last_day.isoformat()})


@pytest.fixture()
def admin(auth, demo):
    auth.login("admin")
    return auth


def test_the_token_is_shown_once_and_only_its_hash_is_kept(client, admin):
    form = client.get("/admin/api-clients/new").get_data(as_text=True)
    assert f'value="{api_tokens.default_expiry().isoformat()}"' in form  # a year by default
    answer = create(admin)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Mã sẽ không hiển thị lại" in page
    assert answer.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(page).group(1)
    [stored] = clients()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and stored.token_prefix == token[:12]
    assert all(token not in str(value) for value in vars(stored).values())
    assert stored.unit.code == "LB" and stored.created_by.username == "admin" and stored.last_used_at is None
    assert api_tokens.last_valid_day(stored) == local_today() + timedelta(days=200)
    [event] = events("api_client.create")
    assert event.actor_name == "admin" and event.details["prefix"] == token[:12] and token not in str(event.details)

    listing = client.get("/admin/api-clients/").get_data(as_text=True)
    assert "Phần mềm nhân sự quận Long Biên" in listing and f"{token[:12]}…" in listing and token not in listing
    assert "Quận Long Biên (LB)" in listing and "Đang hiệu lực" in listing and "Chưa dùng" in listing

    api = client.get("/api/v1/reports/units", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["unit"]["code"] == "LB"
    assert "Chưa dùng" not in client.get("/admin/api-clients/").get_data(as_text=True)


def test_a_city_wide_client_and_the_expiry_bounds(client, admin):
    assert TOKEN.search(create(admin, name="Hệ thống nhân sự thành phố", unit_code="").get_data(as_text=True))
    [city] = clients()
    assert city.unit_id is None and "Toàn thành phố" in client.get("/admin/api-clients/").get_data(as_text=True)
    latest = api_tokens.latest_expiry()
    assert TOKEN.search(create(admin, name="Hai năm", last_day=latest).get_data(as_text=True))
    for last_day in (latest + timedelta(days=1), local_today(), local_today() - timedelta(days=3)):
        page = create(admin, name="Quá hạn", last_day=last_day).get_data(as_text=True)
        assert "Ngày hết hạn phải sau hôm nay và không quá 2 năm" in page and not TOKEN.search(page)
    unknown = create(admin, unit_code="KHONGCO").get_data(as_text=True)
    assert "Không có đơn vị mã KHONGCO." in unknown and not TOKEN.search(unknown)
    ward = _db.session.execute(select(Unit).where(Unit.code == "LB-VIETHUNG")).scalar_one()
    ward.status = "closed"
    _db.session.commit()
    assert "Đơn vị LB-VIETHUNG đã giải thể hoặc sáp nhập." in create(admin, unit_code="LB-VIETHUNG").get_data(as_text=True)
    assert not TOKEN.search(create(admin, name="").get_data(as_text=True))
    assert [c.name for c in clients()] == ["Hệ thống nhân sự thành phố", "Hai năm"]


def test_revoking_takes_a_confirmed_post_with_its_csrf_token(client, admin):
    token = TOKEN.search(create(admin).get_data(as_text=True)).group(1)
    [holder] = clients()
    path = f"/admin/api-clients/{holder.id}/revoke"
    confirmation = client.get(path)
    assert confirmation.status_code == 200 and "Thu hồi mã truy cập của Phần mềm nhân sự quận Long Biên?" in confirmation.get_data(as_text=True)
    assert client.post(path, data={}).status_code == 400  # no CSRF token
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    assert clients()[0].revoked_at is None and events("api_client.revoke") == []
    assert client.get("/api/v1/reports/gaps", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    done = admin.post(path, token_page=path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/api-clients/")
    assert clients()[0].revoked_at is not None and len(events("api_client.revoke")) == 1
    assert client.get("/api/v1/reports/gaps", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listing = client.get("/admin/api-clients/").get_data(as_text=True)
    assert "Đã thu hồi" in listing and f'href="{path}"' not in listing
    again = admin.post(path, token_page=path)
    assert again.status_code == 302 and len(events("api_client.revoke")) == 1  # nothing written twice
    assert client.get("/admin/api-clients/999999999/revoke").status_code == 404
    assert client.get(f"/admin/api-clients/{2**64}/revoke").status_code == 404


def test_an_expired_client_is_shown_as_expired(client, admin):
    create(admin)
    [holder] = clients()
    holder.expires_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    assert "Đã hết hạn" in client.get("/admin/api-clients/").get_data(as_text=True)


@pytest.mark.parametrize("username", ["hr", "trainer", "learner"])
def test_only_administrators_reach_the_pages(client, auth, demo, username):
    holder, _token = api_tokens.create_client("Hệ thống nhân sự", None, local_today() + timedelta(days=30))
    _db.session.commit()
    auth.login(username)
    token = auth.csrf_token("/account/password")
    for path in ("/admin/api-clients/", "/admin/api-clients/new", f"/admin/api-clients/{holder.id}/revoke"):
        assert client.get(path).status_code == 403, (username, path)
    assert client.post(f"/admin/api-clients/{holder.id}/revoke", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/api-clients/new", data={"csrf_token": token, "name": "X", "last_day": "2099-01-01"}).status_code == 403
    assert [c.revoked_at for c in clients()] == [None] and len(clients()) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, demo):
    answer = client.get("/admin/api-clients/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.get("/admin/api-clients/", headers={"Accept": "application/json"}).status_code == 401
