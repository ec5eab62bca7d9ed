"""Accounts for imported staff on the database (lms.auth.provisioning, lms.auth.activation):
bulk creation for a unit, usernames, codes e-mailed and hashed, login slips, the accounts
following their staff member, the import hook."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth import account_queries, activation, provisioning
from lms.auth.models import ACTIVATION, AccountToken, RoleAssignment, User, UserSession
from lms.auth.passwords import verify_password
from lms.auth.services import create_user, find_user
from lms.mail import MailMessage
from lms.models_base import utcnow
from lms.org import services as org_services
from lms.org.imports import import_staff
from lms.org.models import Staff, Unit
from lms.scope import Scope

PASSWORD = "Hoc-tap-2026!"


@pytest.fixture()
def bode(demo, db):
    return db.session.execute(select(Unit).where(Unit.code == "LB-BODE")).scalar_one()


def unit(db, code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def staff_of(db, unit_code):
    return db.session.execute(select(Staff).join(Unit).where(Unit.code == unit_code).order_by(Staff.full_name)).scalars().all()


def count(db, model, *conditions):
    return db.session.execute(select(func.count(model.id)).where(*conditions)).scalar_one()


def mailed_code(db, staff_id):
    """The activation code as the e-mail to this staff member carries it."""
    body = db.session.execute(select(MailMessage.body).where(MailMessage.staff_id == staff_id, MailMessage.kind == "account.activation")
                              .order_by(MailMessage.id.desc())).scalars().first()
    return body.split("Mã kích hoạt: ")[1].split()[0]


def test_a_unit_is_provisioned_in_bulk_with_codes_emailed_and_only_hashed(bode, db):
    people = staff_of(db, "LB-BODE")
    assert len(people) == 17
    report = provisioning.provision_unit(bode)
    db.session.commit()
    assert (len(report.created), report.already, report.skipped, report.emailed) == (16, 1, [], 16)  # the demo learner had one
    accounts = db.session.execute(select(User).where(User.staff_id.in_([p.id for p in people]))).scalars().all()
    assert len(accounts) == 17
    by_staff = {user.staff_id: user for user in accounts}
    for person in people:
        user = by_staff[person.id]
        if user.username == "learner":
            continue
        assert user.username == person.id_number and user.display_name == person.full_name
        assert user.role_names == {"learner"} and user.enabled and not user.has_password
        assert not verify_password(user.password_hash, "không-có-tài-khoản-này")  # no password at all, not even the dummy's
        code = mailed_code(db, person.id)
        assert len(code) == 11 and code[5] == "-"
        stored = db.session.execute(select(AccountToken).where(AccountToken.user_id == user.id)).scalar_one()
        assert stored.purpose == ACTIVATION and stored.delivery == "email" and code.replace("-", "") not in stored.token_hash
        assert timedelta(days=13, hours=23) < stored.expires_at - utcnow() <= timedelta(days=14)
    mail = db.session.execute(select(MailMessage).where(MailMessage.kind == "account.activation")).scalars().first()
    assert "Kính gửi" in mail.body and "http://lms.test/activate" in mail.body and "Tên đăng nhập" in mail.body

    again = provisioning.provision_unit(bode)
    assert (again.created, again.already) == ([], 17)
    assert count(db, MailMessage, MailMessage.kind == "account.activation") == 16


def test_the_subtree_is_provisioned_with_its_sub_units_and_departed_staff_left_out(demo, db):
    long_bien = unit(db, "LB")
    working = db.session.execute(
        select(func.count(Staff.id)).join(Unit).where(Unit.path.startswith(long_bien.path), Staff.status.in_(provisioning.WORKING))
    ).scalar_one()
    departed = staff_of(db, "LB-NGOCLAM")[0]
    departed.status = "retired"
    db.session.flush()
    report = provisioning.provision_unit(long_bien, include_subunits=True)
    assert len(report.created) + report.already == working - 1
    assert departed.id not in {item.person.staff_id for item in report.created}
    assert count(db, RoleAssignment, RoleAssignment.role == "learner") == 1 + len(report.created)


def test_usernames_from_email_fall_back_to_the_id_number(app, bode, db, monkeypatch):
    monkeypatch.setitem(app.config, "USERNAME_FROM", "email")
    people = [p for p in staff_of(db, "LB-BODE") if p.id != find_user("learner").staff_id]
    people[0].email = ""
    create_user(people[1].email, PASSWORD, "Một người khác")  # that address is someone's username already
    db.session.flush()
    report = provisioning.provision_unit(bode)
    names = {item.person.staff_id: item.username for item in report.created}
    assert names[people[0].id] == people[0].id_number
    assert names[people[1].id] == people[1].id_number
    assert names[people[2].id] == people[2].email.lower()
    assert report.emailed == 15 and report.without_email == 1


def test_an_id_number_taken_by_an_unlinked_account_is_skipped_with_its_reason(bode, db):
    person = staff_of(db, "LB-BODE")[0]
    create_user(person.id_number, PASSWORD, person.full_name)  # made by hand, never linked
    db.session.flush()
    report = provisioning.provision_unit(bode)
    assert [skipped.staff_id for skipped, _reason in report.skipped] == [person.id]
    assert "đã thuộc một tài khoản khác" in report.skipped[0][1]
    assert len(report.created) == 15


def test_choose_usernames_never_gives_one_name_twice():
    people = [provisioning.Person(1, "A", "001188000001", "chung@hanoi.gov.vn", 1),
              provisioning.Person(2, "B", "001188000002", "Chung@hanoi.gov.vn", 1),
              provisioning.Person(3, "C", "001188000003", "", 1)]
    chosen, reasons = provisioning.choose_usernames(people, "email", taken={"001188000003"})
    assert chosen == {1: "chung@hanoi.gov.vn", 2: "001188000002"} and list(reasons) == [3]
    chosen, reasons = provisioning.choose_usernames(people, "id_number", taken=set())
    assert chosen == {1: "001188000001", 2: "001188000002", 3: "001188000003"} and reasons == {}


def activate(db, username, code, now=None, password=PASSWORD):
    user = activation.redeem_code(username, code, password, now or utcnow())
    db.session.commit()
    return user


def test_an_activation_code_works_once_and_not_after_its_expiry(bode, db):
    provisioning.provision_unit(bode)
    db.session.commit()
    first, second = [p for p in staff_of(db, "LB-BODE") if p.id != find_user("learner").staff_id][:2]
    code = mailed_code(db, first.id)
    assert activate(db, first.id_number, "WRONG-CODE0") is None
    assert activate(db, staff_of(db, "LB-BODE")[-1].id_number, code) is None  # another person's username
    # Typed loosely: lower case, spaces, O for 0 and I or L for 1.
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    user = activate(db, first.id_number, typed)
    assert user is not None and user.has_password and verify_password(user.password_hash, PASSWORD)
    assert activate(db, first.id_number, code, password="Mat-khau-khac-99") is None  # used: refused
    assert verify_password(find_user(first.id_number).password_hash, PASSWORD)

    later = utcnow() + timedelta(days=14, minutes=1)
    assert activate(db, second.id_number, mailed_code(db, second.id), now=later) is None  # expired
    assert not find_user(second.id_number).has_password


def test_a_new_code_revokes_the_earlier_one_and_keeps_the_password_until_used(bode, db):
    provisioning.provision_unit(bode)
    person = next(p for p in staff_of(db, "LB-BODE") if p.id != find_user("learner").staff_id)
    emailed = mailed_code(db, person.id)
    user = find_user(person.id_number)
    fresh = provisioning.issue_code(user)
    db.session.commit()
    assert activate(db, person.id_number, emailed) is None
    assert activate(db, person.id_number, fresh) is not None
    # A forgotten password: HR issues a code; the old password works until the code is used.
    again = provisioning.issue_code(find_user(person.id_number))
    db.session.commit()
    assert verify_password(find_user(person.id_number).password_hash, PASSWORD)
    assert activate(db, person.id_number, again, password="Mat-khau-moi-2027") is not None
    assert not verify_password(find_user(person.id_number).password_hash, PASSWORD)


def test_slips_issue_codes_to_those_without_email_unless_asked_for_everyone(bode, db):
    people = [p for p in staff_of(db, "LB-BODE") if p.id != find_user("learner").staff_id]
    for person in people[:3]:
        person.email = ""
    provisioning.provision_unit(bode)
    (row,) = account_queries.subtree_summary(bode)
    assert (row.staff, row.without_account, row.waiting, row.waiting_for_slip, row.activated, row.disabled) == (17, 0, 16, 3, 1, 0)
    slips = provisioning.issue_slips(bode)
    assert sorted(slip.full_name for slip in slips) == sorted(p.full_name for p in people[:3])
    assert {slip.username for slip in slips} == {p.id_number for p in people[:3]} and all(slip.unit_name == "Phường Bồ Đề" for slip in slips)
    db.session.commit()
    assert activate(db, slips[0].username, slips[0].code) is not None
    everyone = provisioning.issue_slips(bode, include_emailed=True)
    assert len(everyone) == 15  # the learner and the one who activated are not printed
    assert activate(db, people[5].id_number, mailed_code(db, people[5].id)) is None  # the slip replaced the e-mailed code


def test_leaving_disables_the_account_and_ends_its_sessions_a_transfer_keeps_it(demo, db):
    learner = find_user("learner")
    staff = db.session.get(Staff, learner.staff_id)
    now = utcnow()
    db.session.add(UserSession(token_hash="x" * 64, user_id=learner.id, expires_at=now + timedelta(hours=8)))
    db.session.flush()

    other_unit = unit(db, "LB-NGOCLAM")
    org_services.save_staff({"id_number": staff.id_number}, other_unit, staff.title, staff=staff)  # a transfer
    db.session.flush()
    assert find_user("learner").enabled and count(db, UserSession, UserSession.user_id == learner.id) == 1
    assert staff.unit_id == other_unit.id

    org_services.save_staff({"id_number": staff.id_number, "status": "left"}, other_unit, staff.title, staff=staff)
    db.session.flush()
    assert not find_user("learner").enabled and count(db, UserSession, UserSession.user_id == learner.id) == 0
    org_services.save_staff({"id_number": staff.id_number, "status": "active"}, other_unit, staff.title, staff=staff)
    db.session.flush()
    assert find_user("learner").enabled  # back at work, the same account and its history


def test_a_staff_import_provisions_the_imported_when_configured(app, demo, db, monkeypatch):
    content = ("Họ và tên,Số định danh,Mã đơn vị,Email\n"
               "Nguyễn Thị Ánh Tuyết,001188012345,LB-BODE,tuyet.nta@longbien.hanoi.gov.vn\n"
               "Đặng Quốc Việt,033079004567,LB-NGOCLAM,\n").encode()
    report = import_staff("a.csv", content, Scope.city(), apply=True)
    assert report.ok and find_user("001188012345") is None  # off by default

    monkeypatch.setitem(app.config, "PROVISION_ON_IMPORT", True)
    report = import_staff("a.csv", content, Scope.city(), apply=True)  # unchanged rows get theirs too
    assert report.ok and report.unchanged == 2
    assert find_user("001188012345").staff.full_name == "Nguyễn Thị Ánh Tuyết" and find_user("033079004567") is not None
    assert count(db, MailMessage, MailMessage.kind == "account.activation") == 1


def test_a_reset_link_works_once_within_its_time(app, demo, db):
    learner = find_user("learner")
    staff = db.session.get(Staff, learner.staff_id)
    now = utcnow()
    assert activation.request_reset(staff.email.upper(), now) == 1
    assert activation.request_reset("learner", now + timedelta(seconds=30)) == 0  # the cool-down: one e-mail
    assert activation.request_reset("khong-co-ai", now) == 0
    body = db.session.execute(select(MailMessage.body).where(MailMessage.kind == "account.reset")).scalar_one()
    token = body.split("http://lms.test/password/reset/")[1].split()[0]
    stored = db.session.execute(select(AccountToken.token_hash).where(AccountToken.purpose == "reset")).scalar_one()
    assert token not in stored
    assert activation.reset_token(token, now + timedelta(hours=2, seconds=1)) is None  # expired
    assert activation.redeem_reset(token, PASSWORD, now) is learner
    assert verify_password(learner.password_hash, PASSWORD)
    assert activation.redeem_reset(token, "Mat-khau-khac-99", now) is None  # used


def test_the_demo_ends_with_the_ward_provisioned_by_its_hr_officer(demo, db):
    line = demo.seed_ward_accounts()
    assert line.startswith("Tài khoản cán bộ Phường Bồ Đề: tạo 16 tài khoản chờ kích hoạt") and "1 đã có" in line
    hr = find_user("hr")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "account.provision")).scalar_one()
    assert event.actor_id == hr.id and event.target == "LB-BODE" and len(event.details["usernames"]) == 16
    assert "tạo 0 tài khoản" in demo.seed_ward_accounts()
