"""Every role reaches only its pages; HR officers only their unit subtree."""

import pytest
from sqlalchemy import select

from lms.org.models import Staff, Unit

ROLE_HOMES = {"admin": "/admin/", "hr": "/hr/", "trainer": "/trainer/", "learner": "/learn/"}


def _static_get_urls(app, prefix):
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(prefix) and "GET" in rule.methods and not rule.arguments:
            urls.append(rule.rule)
    return urls


@pytest.mark.parametrize("username", ["learner", "trainer"])
def test_learners_and_trainers_cannot_reach_hr_or_admin_pages(client, demo, auth, app, username):
    auth.login(username)
    for prefix in ("org.", "accounts.", "audit."):
        for url in _static_get_urls(app, prefix):
            assert client.get(url.replace("<fmt>", "csv")).status_code == 403, (username, url)
    assert client.get("/hr/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_hr_cannot_reach_admin_pages(client, demo, auth, app):
    auth.login("hr")
    for prefix in ("accounts.", "audit."):
        for url in _static_get_urls(app, prefix):
            assert client.get(url).status_code == 403, url
    assert client.get("/admin/").status_code == 403
    assert client.get("/org/import/units").status_code == 403
    assert client.get("/org/units/new").status_code == 403


def test_each_role_reaches_its_home(client, demo, auth):
    for username, home in ROLE_HOMES.items():
        auth.login(username)
        assert client.get(home).status_code == 200, username
        others = [h for u, h in ROLE_HOMES.items() if u != username and not (username == "admin" and u in ("hr", "trainer"))]
        for other in others:
            assert client.get(other).status_code == 403, (username, other)
        auth.logout()


def test_anonymous_is_sent_to_login_and_json_clients_get_401(client, demo):
    response = client.get("/org/staff/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    api = client.get("/org/staff/", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.get_json()["error"] == 401


def _staff_of(db, district_code):
    district = db.session.execute(select(Unit).where(Unit.code == district_code)).scalar_one()
    return db.session.execute(
        select(Staff).join(Unit, Staff.unit_id == Unit.id).where(Unit.path.startswith(district.path))
    ).scalars().all()


def test_hr_of_long_bien_never_sees_hoan_kiem_people(client, demo, auth, db):
    long_bien = _staff_of(db, "LB")
    hoan_kiem = _staff_of(db, "HK")
    assert long_bien and hoan_kiem
    auth.login("hr")

    listing = client.get("/org/staff/").get_data(as_text=True)
    assert all(s.full_name in listing for s in long_bien[:5])
    for person in hoan_kiem:
        assert f'href="/org/staff/{person.id}"' not in listing
        search = client.get("/org/staff/", query_string={"q": person.id_number}).get_data(as_text=True)
        assert f'href="/org/staff/{person.id}"' not in search and "0 cán bộ" in search
        assert client.get(f"/org/staff/{person.id}").status_code == 403
        assert client.get(f"/org/staff/{person.id}/edit").status_code == 403

    for fmt in ("csv", "xlsx"):
        export = client.get(f"/org/staff/export.{fmt}")
        assert export.status_code == 200
        body = export.data if fmt == "xlsx" else export.get_data(as_text=True)
        if fmt == "xlsx":
            from io import BytesIO

            from openpyxl import load_workbook

            sheet = load_workbook(BytesIO(body)).active
            body = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        assert all(p.id_number not in body for p in hoan_kiem)
        assert long_bien[0].id_number in body

    hk = db.session.execute(select(Unit).where(Unit.code == "HK")).scalar_one()
    assert client.get(f"/org/units/{hk.id}").status_code == 403
    assert client.get("/org/staff/", query_string={"unit": hk.id}).status_code == 403
    assert client.get("/org/staff/export.csv", query_string={"unit": hk.id}).status_code == 403


def test_hr_cannot_move_a_person_out_of_scope(client, demo, auth, db):
    person = _staff_of(db, "LB")[0]
    hk_ward = db.session.execute(select(Unit).where(Unit.code == "HK-HANGBAC")).scalar_one()
    auth.login("hr")
    response = auth.post(
        f"/org/staff/{person.id}/edit",
        {"full_name": person.full_name, "id_number": person.id_number, "unit_id": hk_ward.id, "title_id": person.title_id, "status": "active"},
    )
    assert response.status_code in (200, 403)  # refused by the choice list or by the scope check
    db.session.expire_all()
    assert db.session.get(Staff, person.id).unit.code.startswith("LB")


def test_admin_sees_everyone(client, demo, auth, db):
    auth.login("admin")
    listing = client.get("/org/staff/", query_string={"q": _staff_of(db, "HK")[0].id_number}).get_data(as_text=True)
    assert _staff_of(db, "HK")[0].full_name in listing


def test_error_pages_answer_json_when_asked(client, demo, auth):
    auth.login("learner")
    html = client.get("/org/staff/")
    assert html.status_code == 403 and "<html" in html.get_data(as_text=True)
    api = client.get("/org/staff/", headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.get_json() == {"error": 403, "message": "Bạn không có quyền truy cập trang này."}
    missing = client.get("/khong-co-trang-nay", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["error"] == 404


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
