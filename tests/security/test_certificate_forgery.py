"""Certificate forgery through the public verification, end to end: an issued certificate's PDF
changed after signing (a byte of the signed content, an incremental update), re-signed with a
self-made key, revoked or replaced; its credential (VC-JWT) with an altered field or signed by
another key. The /verify upload page shows each as invalid with its reason (the text the user
reads), and the verification service and the `certificates verify` command say the same."""
import base64
import dataclasses
import html
import io
import json
import re

import jwt
import pytest
from certificate_support import PASSING, issue_all, released_session
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from lms.auth.services import find_user
from lms.certificates import authority as authorities
from lms.certificates import devca, document, issuance, queries, review, signing
from lms.certificates.verification import MESSAGES, check_upload
from lms.extensions import db
from lms.models_base import utcnow

VALID = "✓"


@pytest.fixture()
def certificate(demo):
    session, _candidates, _attempts = released_session([PASSING])
    (issued,) = issue_all(session)
    return issued


def verify_page(auth, content, filename):
    """(status code, the verdict line of the page as the user reads it)."""
    response = auth.post("/verify/", {"document": (io.BytesIO(content), filename)}, content_type="multipart/form-data")
    verdict = re.search(r'id="verify-status">(.*?)</p>', response.get_data(as_text=True), re.S)
    return response.status_code, html.unescape(verdict.group(1)).strip() if verdict else None


def assert_refused(auth, runner, tmp_path, content, filename, reason):
    """Refused with `reason` by the page (its message shown), the service and the command."""
    status, verdict = verify_page(auth, content, filename)
    assert (status, verdict) == (422, f"✗ {MESSAGES[reason]}"), reason
    assert check_upload(content)[1].reason == reason
    path = tmp_path / filename
    path.write_bytes(content)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and f"({reason})" in result.output, result.output


def _changed_byte(pdf, marker):
    index = pdf.find(marker)
    assert index > 0
    return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1:]


def _updated(pdf, change):
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _renamed(writer):
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("CHỨNG CHỈ NÂNG CAO – Nguyễn Văn Giả")
    writer.update_container(info)


def _stamped(writer):
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 300 Td (IU09) Tj ET")))


def test_the_genuine_pdf_and_credential_are_valid(client, auth, runner, certificate, tmp_path):
    genuine = queries.pdf_of(certificate).content
    status, verdict = verify_page(auth, genuine, "chung-chi.pdf")
    assert status == 200 and verdict.startswith(VALID)
    auth.login("learner")
    token = client.get(f"/certificates/{certificate.code}/credential.jwt").data
    auth.logout()
    status, verdict = verify_page(auth, token, "chung-chi.jwt")
    assert status == 200 and verdict.startswith(VALID)
    assert check_upload(token)[0].code == certificate.code


@pytest.mark.parametrize("forge, reason", [
    (lambda pdf: _changed_byte(pdf, b"ReportLab PDF Library"), "invalid_signature"),
    (lambda pdf: _changed_byte(pdf, b"stream\n") if b"stream\n" in pdf else _changed_byte(pdf, b"stream\r\n"), "invalid_signature"),
    (lambda pdf: _updated(pdf, _renamed), "updated_after_signing"),
    (lambda pdf: _updated(pdf, _stamped), "updated_after_signing"),
], ids=["byte of the producer", "byte of the first stream", "retitled by an update", "page text added by an update"])
def test_a_pdf_changed_after_signing_is_invalid_with_its_reason(auth, runner, certificate, tmp_path, forge, reason):
    assert_refused(auth, runner, tmp_path, forge(queries.pdf_of(certificate).content), "chung-chi.pdf", reason)


def test_a_pdf_re_signed_with_a_self_made_key_is_untrusted(auth, runner, certificate, tmp_path):
    authority = authorities.current()
    doc = issuance.document_of(certificate, authority)
    # The forger's own CA, named like the issuer's; the content the issuer's, or improved.
    forger_files = devca.ensure_development_signer(tmp_path / "forger", certificate.issuing_body)
    forger = signing.load_signer(forger_files.key_path, forger_files.cert_path, forger_files.chain_paths)
    for forged_doc in (doc, dataclasses.replace(doc, holder_name="Nguyễn Văn Giả")):
        forged = signing.sign_pdf(document.render_pdf(forged_doc), forger)
        assert_refused(auth, runner, tmp_path, forged, "chung-chi.pdf", "untrusted_signer")


@pytest.mark.parametrize("withdraw", [
    lambda certificate: review.revoke(certificate, utcnow(), find_user("admin"), "Gian lận khi thi"),
    lambda certificate: issuance.reissue(certificate, authorities.current(), utcnow(), find_user("admin"), "Sai chính tả họ tên",
                                         {"holder_name": "Nguyễn Thị Ánh Tuyết"}),
], ids=["revoked", "replaced"])
def test_the_pdf_of_a_revoked_or_replaced_certificate_is_invalid(auth, runner, certificate, tmp_path, withdraw):
    genuine = queries.pdf_of(certificate).content
    withdraw(certificate)
    db.session.commit()
    assert_refused(auth, runner, tmp_path, genuine, "chung-chi.pdf", "revoked")


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _payload(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def _altered(token, change):
    """The token with its payload changed, the issuer's header and signature kept."""
    header, _payload_part, signature = token.split(".")
    claims = _payload(token)
    change(claims)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _renamed_holder(claims):
    claims["credentialSubject"]["name"] = "Nguyễn Văn Giả"


def _advanced_kind(claims):
    claims["name"] = claims["credentialSubject"]["achievement"]["name"] = "CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NÂNG CAO"


def _self_signed(token):
    """The same claims signed by a key of the forger's, under the issuer's key id."""
    header = jwt.get_unverified_header(token)
    return jwt.encode(_payload(token), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"typ": "JWT", "kid": header["kid"]})


def _unsigned(token):
    return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{token.split('.')[1]}."


@pytest.mark.parametrize("forge", [
    lambda token: _altered(token, _renamed_holder),
    lambda token: _altered(token, _advanced_kind),
    _self_signed,
    _unsigned,
    lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
], ids=["holder renamed", "kind raised", "signed by another key", "alg none", "signature changed"])
def test_a_credential_altered_or_signed_by_another_key_is_invalid(client, auth, runner, certificate, tmp_path, forge):
    auth.login("learner")
    token = client.get(f"/certificates/{certificate.code}/credential.jwt").get_data(as_text=True)
    auth.logout()
    assert_refused(auth, runner, tmp_path, forge(token).encode(), "chung-chi.jwt", "credential_invalid")


def test_the_credential_of_a_revoked_certificate_is_invalid(client, auth, runner, certificate, tmp_path):
    auth.login("learner")
    token = client.get(f"/certificates/{certificate.code}/credential.jwt").data
    auth.logout()
    review.revoke(certificate, utcnow(), find_user("admin"), "Cấp nhầm")
    db.session.commit()
    assert_refused(auth, runner, tmp_path, token, "chung-chi.jwt", "revoked")


def test_another_credential_of_the_issuer_is_no_certificate(client, auth, runner, certificate, tmp_path):
    """The revocation list is signed by the same key: it verifies, but names no register entry."""
    status_list = client.get("/certificates/status/0").data
    assert_refused(auth, runner, tmp_path, status_list, "liet-ke.jwt", "not_in_register")


def test_a_file_that_is_neither_says_so(auth, runner, certificate, tmp_path):
    assert_refused(auth, runner, tmp_path, b"eyJhbGciOi-not-a-token", "chung-chi.jwt", "credential_invalid")
    assert_refused(auth, runner, tmp_path, "Chứng chỉ giả".encode(), "chung-chi.txt", "not_pdf")
