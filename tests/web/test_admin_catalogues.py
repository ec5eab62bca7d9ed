"""Administrators manage accounts, roles, titles with learning paths, and see the audit log."""
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.catalogue.models import Module, Title
from lms.org.models import Unit


def test_admin_creates_an_hr_officer_scoped_to_a_district(client, demo, auth, db):
    auth.login("admin")
    response = auth.post(
        "/admin/accounts/new",
        {"username": "tccb.hk", "display_name": "Trần Thị Mai", "password": "Hoan-Kiem-2026", "confirm": "Hoan-Kiem-2026",
         "roles": ["hr", "trainer"], "unit_code": "HK", "enabled": "y"},
    )
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.username == "tccb.hk")).scalar_one()
    assert user.role_names == {"hr", "trainer"}
    assert [a.unit.code for a in user.roles if a.role == "hr"] == ["HK"]
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.target == "tccb.hk")).scalars().all()
    assert "user.create" in actions and actions.count("role.grant") == 2
    log = client.get("/admin/audit/", query_string={"action": "role.grant"}).get_data(as_text=True)
    assert "tccb.hk" in log and "Cấp vai trò" in log


def test_new_account_password_must_follow_the_policy(client, demo, auth, db):
    auth.login("admin")
    page = auth.post("/admin/accounts/new", {"username": "yeu", "display_name": "Yếu", "password": "matkhau123", "confirm": "matkhau123", "roles": ["learner"]})
    assert page.status_code == 200 and "phổ biến" in page.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.username == "yeu")).first() is None


def test_changing_a_title_path_updates_its_learners(client, demo, auth, db):
    title = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one()
    modules = {m.code: m.id for m in db.session.execute(select(Module)).scalars()}
    auth.login("admin")
    wanted = [modules[c] for c in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06", "IU10")]
    response = auth.post(f"/org/titles/{title.id}", {"code": title.code, "name": title.name, "group": title.group, "active": "y", "modules": wanted})
    assert response.status_code == 302
    auth.logout()
    auth.login("learner")  # a Tư pháp – hộ tịch official
    assert "IU10" in client.get("/learn/").get_data(as_text=True)


def test_emulation_blocs_are_editable(client, demo, auth, db):
    auth.login("admin")
    response = auth.post("/org/blocs/", {"code": "KHOI-TT-YTE", "name": "Khối trung tâm y tế"})
    assert response.status_code == 302
    assert "Khối trung tâm y tế" in client.get("/org/blocs/").get_data(as_text=True)


def test_hr_may_read_catalogues_but_not_edit_them(client, demo, auth, db):
    title = db.session.execute(select(Title)).scalars().first()
    auth.login("hr")
    assert client.get("/org/titles/").status_code == 200
    assert client.get(f"/org/titles/{title.id}").status_code == 403
    assert client.get("/org/blocs/").status_code == 403


def test_admin_merges_a_ward_through_the_page(client, demo, auth, db):
    ward = db.session.execute(select(Unit).where(Unit.code == "LB-CUKHOI")).scalar_one()
    auth.login("admin")
    response = auth.post(f"/org/units/{ward.id}/lifecycle", {"action": "merge", "target_code": "LB-THACHBAN", "reason": "Sắp xếp đơn vị hành chính cấp xã"}, token_page=f"/org/units/{ward.id}")
    assert response.status_code == 302
    page = client.get(f"/org/units/{ward.id}").get_data(as_text=True)
    assert "Đã sáp nhập vào Phường Thạch Bàn" in page
