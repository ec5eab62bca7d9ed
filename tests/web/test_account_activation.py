"""Every imported official can sign in: HR provisions a unit, the official activates with the
e-mailed or printed code and sets a password; a forgotten password by e-mailed link or a new
code from HR; scope; throttling; a departure ends the sessions."""
import email
import html
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.auth.models import LoginFailure, User
from lms.auth.passwords import verify_password
from lms.mail import MailMessage
from lms.org import services as org_services
from lms.org.models import Staff, Unit

NEW_PASSWORD = "Hoc-tap-2026!"


@pytest.fixture()
def outbox(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    return tmp_path


def unit_id(db, code):
    return db.session.execute(select(Unit.id).where(Unit.code == code)).scalar_one()


def bode_staff(db, without_account=True):
    query = select(Staff).join(Unit).where(Unit.code == "LB-BODE").order_by(Staff.full_name)
    if without_account:
        query = query.where(~Staff.id.in_(select(User.staff_id).where(User.staff_id.is_not(None))))
    return db.session.execute(query).scalars().all()


def sent_mails(outbox):
    """(to, subject, body) of the .eml files written to the outbox."""
    mails = []
    for path in sorted(Path(outbox).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        mails.append((message["To"], message["Subject"], message.get_content()))
    return mails


def code_in(body):
    return re.search(r"Mã kích hoạt: ([0-9A-Z]{5}-[0-9A-Z]{5})", body).group(1)


def provision_bode(auth, db, include_subunits=False):
    bode = unit_id(db, "LB-BODE")
    data = {"include_subunits": "y"} if include_subunits else {}
    return auth.post(f"/org/accounts/units/{bode}/provision", data, token_page=f"/org/accounts/units/{bode}")


def activate(auth, username, code, password=NEW_PASSWORD):
    return auth.post("/activate", {"username": username, "code": code, "password": password, "confirm": password})


def test_hr_provisions_the_unit_and_each_official_activates_once_with_the_emailed_code(demo, auth, client, db, outbox):
    person = bode_staff(db)[0]
    auth.login("hr")
    page = client.get(f"/org/accounts/units/{unit_id(db, 'LB-BODE')}").get_data(as_text=True)
    assert "Tài khoản cán bộ – Phường Bồ Đề" in page and "Chưa có tài khoản" in page
    done = provision_bode(auth, db)
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã tạo 16 tài khoản: 16 người nhận mã kích hoạt qua thư điện tử, 0 người cần phiếu đăng nhập; 1 người đã có tài khoản." in html.unescape(page)
    assert "Chờ kích hoạt" in page and "mã đã gửi qua thư điện tử" in page
    mails = {to: (subject, body) for to, subject, body in sent_mails(outbox)}  # sent by the job once the request committed
    assert len(mails) == 16
    _subject, body = mails[person.email]
    subject = db.session.execute(select(MailMessage.subject).where(MailMessage.staff_id == person.id)).scalar_one()
    assert subject == "Tài khoản học tập của bạn trên hệ thống bồi dưỡng kỹ năng CNTT Hà Nội"
    assert f"Kính gửi {person.full_name}," in body and f"Tên đăng nhập: {person.id_number}" in body and "http://lms.test/activate" in body
    auth.logout()

    code = code_in(body)
    form = client.get(f"/activate?username={person.id_number}").get_data(as_text=True)
    assert f'value="{person.id_number}"' in form
    signed_in = activate(auth, person.id_number, code)
    assert signed_in.status_code == 302
    assert client.get("/learn/").status_code == 200  # signed in, as a learner
    auth.logout()

    again = activate(auth, person.id_number, code, password="Mat-khau-khac-99")
    assert again.status_code == 200 and "mã đã được dùng" in again.get_data(as_text=True)
    user = db.session.execute(select(User).where(User.username == person.id_number)).scalar_one()
    assert verify_password(user.password_hash, NEW_PASSWORD) and not verify_password(user.password_hash, "Mat-khau-khac-99")
    assert auth.login(person.id_number, NEW_PASSWORD).status_code == 302


def test_a_provisioned_account_signs_in_with_no_password_before_activation(demo, auth, client, db, outbox):
    auth.login("hr")
    provision_bode(auth, db)
    auth.logout()
    person = bode_staff(db, without_account=False)[0]
    for guess in ("!", "không-có-tài-khoản-này", ""):
        response = auth.login(person.id_number, guess)
        assert response.status_code != 302


def test_wrong_codes_are_throttled_like_failed_sign_ins(app, demo, auth, client, db, outbox):
    auth.login("hr")
    provision_bode(auth, db)
    auth.logout()
    person = bode_staff(db, without_account=False)[0]
    code = code_in(next(body for to, _s, body in sent_mails(outbox) if to == person.email))
    free = app.config["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"]
    for _ in range(free + 1):
        assert activate(auth, person.id_number, "AAAAA-AAAAA").status_code == 200
    assert db.session.execute(select(func.count(LoginFailure.id)).where(LoginFailure.username == person.id_number)).scalar_one() == free + 1
    refused = activate(auth, person.id_number, code)  # even the right code waits out the backoff
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    user = db.session.execute(select(User).where(User.username == person.id_number)).scalar_one()
    assert not user.has_password


def test_login_slips_carry_the_exact_vietnamese_names_and_working_codes(demo, auth, client, db, outbox):
    people = bode_staff(db)[:3]
    for person in people:
        person.email = ""
    db.session.commit()
    auth.login("hr")
    provision_bode(auth, db)
    bode = unit_id(db, "LB-BODE")
    response = auth.post(f"/org/accounts/units/{bode}/slips.pdf", {}, token_page=f"/org/accounts/units/{bode}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "phieu-dang-nhap-LB-BODE.pdf" in response.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for person in people:
        assert person.full_name in text.splitlines() and person.id_number in text
    assert "Phường Bồ Đề" in text and "http://lms.test/activate" in text
    codes = re.findall(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", text)
    assert len(codes) == 3
    auth.logout()
    slips = dict(zip(sorted(p.id_number for p in people), [None] * 3))
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line in slips:
            slips[line] = lines[index + 2]  # the code follows its label
    assert all(slips.values())
    username, code = next(iter(slips.items()))
    assert activate(auth, username, code).status_code == 302


def test_no_slip_to_print_is_said_and_changes_nothing(demo, auth, client, db):
    auth.login("hr")
    bode = unit_id(db, "LB-BODE")
    response = auth.post(f"/org/accounts/units/{bode}/slips.pdf", {}, token_page=f"/org/accounts/units/{bode}")
    assert response.status_code == 302
    assert "Không có ai cần phiếu đăng nhập" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_hr_reaches_only_the_accounts_of_their_subtree(demo, auth, client, db):
    gia_lam = unit_id(db, "GL-BATTRANG")
    outsider = db.session.execute(select(Staff.id).where(Staff.unit_id == gia_lam)).scalars().first()
    auth.login("hr")
    assert client.get("/org/accounts/").status_code == 302  # to Long Biên, the one root of the scope
    assert client.get(f"/org/accounts/units/{gia_lam}").status_code == 403
    token_page = f"/org/accounts/units/{unit_id(db, 'LB-BODE')}"
    assert auth.post(f"/org/accounts/units/{gia_lam}/provision", {}, token_page=token_page).status_code == 403
    assert auth.post(f"/org/accounts/units/{gia_lam}/slips.pdf", {}, token_page=token_page).status_code == 403
    assert auth.post(f"/org/accounts/staff/{outsider}/code", {}, token_page=token_page).status_code == 403
    assert db.session.execute(select(func.count(User.id)).where(User.staff_id == outsider)).scalar_one() == 0
    auth.logout()
    auth.login("learner")
    assert client.get("/org/accounts/").status_code == 403


def test_hr_gives_a_new_code_for_a_forgotten_password(demo, auth, client, db):
    learner = db.session.execute(select(User).where(User.username == "learner")).scalar_one()
    auth.login("hr")
    token_page = f"/org/accounts/units/{unit_id(db, 'LB-BODE')}"
    page = auth.post(f"/org/accounts/staff/{learner.staff_id}/code", {}, token_page=token_page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = re.search(r"data-code>([0-9A-Z]{5}-[0-9A-Z]{5})<", page.get_data(as_text=True)).group(1)
    auth.logout()
    assert auth.login("learner").status_code == 302  # the old password still works until the code is used
    auth.logout()
    assert activate(auth, "learner", code).status_code == 302
    auth.logout()
    assert auth.login("learner").status_code == 200  # the old one no longer
    assert auth.login("learner", NEW_PASSWORD).status_code == 302


def test_a_forgotten_password_is_reset_once_by_the_emailed_link(demo, auth, client, db, outbox):
    learner_email = db.session.execute(select(Staff.email).join(User, User.staff_id == Staff.id).where(User.username == "learner")).scalar_one()
    unknown = auth.post("/password/forgot", {"identifier": "khong-co-ai@hanoi.gov.vn"}).get_data(as_text=True)
    sent = auth.post("/password/forgot", {"identifier": "learner"}).get_data(as_text=True)
    assert "vừa được gửi" in unknown and "vừa được gửi" in sent  # the same answer: no account revealed
    (to, _subject, body), = sent_mails(outbox)
    subject = db.session.execute(select(MailMessage.subject).where(MailMessage.kind == "account.reset")).scalar_one()
    assert to == learner_email and subject == "Đặt lại mật khẩu trên hệ thống bồi dưỡng kỹ năng CNTT Hà Nội"
    link = re.search(r"http://lms\.test(/password/reset/\S+)", body).group(1)
    form = client.get(link)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    weak = auth.post(link, {"password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 200 and "phổ biến" in weak.get_data(as_text=True)
    done = auth.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, token_page="/login")
    assert done.status_code == 302
    auth.logout()
    assert auth.login("learner", NEW_PASSWORD).status_code == 302
    auth.logout()
    assert client.get(link).status_code == 404
    assert client.get("/password/reset/not-a-token").status_code == 404


def test_a_staff_member_who_leaves_is_signed_out_everywhere(app, demo, auth, db):
    official = type(auth)(app.test_client())  # a second browser: the tests' Auth helper on a client of its own
    assert official.login("learner").status_code == 302
    assert official.client.get("/learn/").status_code == 200
    learner = db.session.execute(select(User).where(User.username == "learner")).scalar_one()
    staff = db.session.get(Staff, learner.staff_id)
    org_services.save_staff({"id_number": staff.id_number, "status": "retired"}, staff.unit, staff.title, staff=staff)
    db.session.commit()
    assert official.client.get("/learn/").status_code == 302  # to the sign-in page
    assert official.login("learner").status_code == 200


def test_the_activation_page_in_english(demo, auth, client, compiled):
    auth.switch_language("en", page="/activate")
    page = client.get("/activate").get_data(as_text=True)
    assert "Activate your account" in page and "Activation code" in page
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def test_reset_requests_are_limited_per_address(demo, auth, client, db):
    from lms.auth.activation_views import FORGOT_LIMIT
    from lms.extensions import limiter

    allowed = int(FORGOT_LIMIT.split()[0])
    limiter.reset()  # requests of earlier tests from this address do not count
    token = auth.csrf_token("/password/forgot")
    try:
        statuses = [client.post("/password/forgot", data={"identifier": f"nguoi{n}", "csrf_token": token}).status_code
                    for n in range(allowed + 1)]
        assert statuses == [200] * allowed + [429]
        assert client.get("/password/forgot").status_code == 200  # the page itself stays open
    finally:
        limiter.reset()  # the other tests share this address
