"""Certificates through the web: the register within HR's scope and its export, the holder's
downloads, issuing a session as a job, and the public verification page."""
import io
import zipfile

from certificate_support import FAILING, PASSING, issue_all, released_session
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.services import find_user
from lms.certificates import credentials, review, status_list
from lms.certificates.models import Certificate
from lms.extensions import db, limiter
from lms.models_base import utcnow
from lms.org.models import Staff


def gia_lam_staff():
    return db.session.execute(select(Staff).where(Staff.id_number == "001083006128")).scalar_one()


def two_districts():
    """Certificates of the learner (Long Biên, the demo hr's district) and of a Gia Lâm official."""
    session, _candidates, _attempts = released_session([PASSING, PASSING], extra_staff=[gia_lam_staff()])
    mine, theirs = issue_all(session)
    return session, mine, theirs


def test_hr_sees_and_exports_only_the_register_of_their_subtree(demo, auth, client):
    _session, mine, theirs = two_districts()
    auth.login("hr")
    page = client.get("/certificates/").get_data(as_text=True)
    assert mine.serial in page and theirs.serial not in page
    assert client.get(f"/certificates/{theirs.code}").status_code == 403
    assert client.get(f"/certificates/{theirs.code}.pdf").status_code == 403
    response = client.get("/certificates/register.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Số vào sổ", "Số hiệu", "Họ và tên") and sheet.freeze_panes == "A2"
    assert [row[1] for row in rows[1:]] == [mine.serial]


def test_the_register_filters_by_status_and_the_admin_sees_all(demo, auth, client):
    _session, mine, theirs = two_districts()
    review.revoke(theirs, utcnow(), find_user("admin"), "Cấp nhầm")
    db.session.commit()
    auth.login("admin")
    page = client.get("/certificates/?status=revoked").get_data(as_text=True)
    assert theirs.serial in page and mine.serial not in page


def test_the_holder_downloads_their_pdf_and_credential_and_no_one_elses(demo, auth, client):
    _session, mine, theirs = two_districts()
    auth.login("learner")
    response = client.get(f"/certificates/{mine.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert client.get(f"/certificates/{theirs.code}.pdf").status_code == 403
    token = client.get(f"/certificates/{mine.code}/credential.jwt").get_data(as_text=True)
    credential = credentials.verify_credential(token, client.get("/.well-known/jwks.json").get_json())
    assert credential["credentialSubject"]["name"] == mine.holder_name
    did = client.get("/.well-known/did.json").get_json()
    assert did["id"] == "did:web:lms.test" and credential["issuer"]["id"] == did["id"]
    # Revoked: the published status list shows the certificate's bit.
    index = int(credential["credentialStatus"]["statusListIndex"])
    status_url = credential["credentialStatus"]["statusListCredential"].removeprefix("http://lms.test")
    listed = credentials.verify_credential(client.get(status_url).get_data(as_text=True), did["verificationMethod"][0]["publicKeyJwk"])
    assert not status_list.is_revoked(listed["credentialSubject"]["encodedList"], index)
    review.revoke(mine, utcnow(), find_user("admin"), "Cấp nhầm")
    db.session.commit()
    listed = credentials.verify_credential(client.get(status_url).get_data(as_text=True), did["verificationMethod"][0]["publicKeyJwk"])
    assert status_list.is_revoked(listed["credentialSubject"]["encodedList"], index)
    assert mine.serial in client.get("/learn/").get_data(as_text=True)


def test_issuing_a_session_runs_as_a_job_then_offers_a_zip(demo, auth, client):
    session, candidates, _attempts = released_session([PASSING, FAILING, PASSING])
    auth.login("admin")
    page = client.get(f"/certificates/sessions/{session.id}").get_data(as_text=True)
    assert "Cấp tất cả 2 chứng chỉ" in page
    response = auth.post(f"/certificates/sessions/{session.id}/issue", token_page=f"/certificates/sessions/{session.id}")
    assert response.status_code == 302 and "/certificates/jobs/" in response.location
    status = client.get(response.location.split("?")[0] + ".json").get_json()
    assert (status["state"], status["done"], status["total"], status["result"]["issued"]) == ("done", 2, 2, 2)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/certificates/sessions/{session.id}/certificates.zip").data))
    assert len(archive.namelist()) == 2 and all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    # Issuing again issues nothing more.
    auth.post(f"/certificates/sessions/{session.id}/issue", token_page=f"/certificates/sessions/{session.id}")
    assert db.session.execute(select(Certificate.id)).scalars().all().__len__() == 2


def test_the_public_page_shows_the_certificate_and_nothing_more_personal(demo, client):
    _session, mine, _theirs = two_districts()
    page = client.get(f"/verify/{mine.code}").get_data(as_text=True)
    staff = find_user("learner").staff
    assert mine.holder_name in page and mine.serial in page and "IU01" in page and "còn hiệu lực" in page
    assert staff.id_number not in page and staff.birth_date.strftime("%d/%m/%Y") not in page
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    review.revoke(mine, utcnow(), find_user("admin"), "Gian lận khi thi")
    db.session.commit()
    assert "Gian lận khi thi" in client.get(f"/verify/{mine.code}").get_data(as_text=True)


def test_verification_is_rate_limited_per_address(app, demo, client):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.get(f"/verify/NOSUCHCODE{n}").status_code for n in range(5)]
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert codes == [404, 404, 404, 429, 429]


def test_an_uploaded_pdf_is_checked_against_the_signature_and_the_register(demo, client):
    from lms.certificates import queries

    _session, mine, _theirs = two_districts()
    genuine = queries.pdf_of(mine).content
    token_page = client.get("/verify/").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)

    def upload(content):
        return client.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(content), "chung-chi.pdf")},
                           content_type="multipart/form-data")

    ok = upload(genuine)
    assert ok.status_code == 200 and "Chữ ký số hợp lệ" in ok.get_data(as_text=True)
    tampered = genuine.replace(mine.serial.encode(), b"X" * len(mine.serial)) if mine.serial.encode() in genuine else genuine[:-200] + b"0" * 200
    assert upload(tampered).status_code == 422
    review.revoke(mine, utcnow(), find_user("admin"), "Cấp nhầm")
    db.session.commit()
    revoked = upload(genuine)
    assert revoked.status_code == 422 and "thu hồi" in revoked.get_data(as_text=True)


def test_the_administrator_revokes_and_reissues_through_the_pages_and_hr_cannot(demo, auth, client):
    _session, mine, _theirs = two_districts()
    detail = f"/certificates/{mine.code}"
    auth.login("hr")
    assert "Quyết định của quản trị viên" not in client.get(detail).get_data(as_text=True)
    assert auth.post(f"{detail}/revoke", {"reason": "Thử"}, token_page=detail).status_code == 403
    auth.logout()
    auth.login("admin")
    refused = auth.post(f"{detail}/revoke", {"reason": ""}, token_page=detail)
    assert refused.status_code == 302 and db.session.get(Certificate, mine.id).status == "valid"
    response = auth.post(f"{detail}/reissue", {"holder_name": "Nguyễn Thị Ánh Tuyết", "birth_date": "1990-05-17", "birth_place": "Hà Nội",
                                              "reason": "Sai chính tả họ tên"}, token_page=f"{detail}/reissue")
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.execute(select(Certificate).where(Certificate.replaces_id == mine.id)).scalar_one()
    assert new.holder_name == "Nguyễn Thị Ánh Tuyết" and db.session.get(Certificate, mine.id).status == "replaced"
    assert auth.post(f"/certificates/{new.code}/revoke", {"reason": "Cấp nhầm"}, token_page=f"/certificates/{new.code}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, new.id).status == "revoked"
    page = client.get(f"/certificates/{new.code}").get_data(as_text=True)
    assert "Thu hồi" in page and "Cấp nhầm" in page


def test_the_staff_page_lists_the_persons_certificates(demo, auth, client):
    _session, mine, _theirs = two_districts()
    auth.login("hr")
    page = client.get(f"/org/staff/{mine.staff_id}").get_data(as_text=True)
    assert mine.serial in page and f"/certificates/{mine.code}.pdf" in page
