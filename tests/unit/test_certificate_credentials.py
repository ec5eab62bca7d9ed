"""Open Badges 3.0 credentials as VC-JWT (EdDSA) and the Bitstring Status List (pure)."""
import base64
import gzip
import hashlib
import json
from datetime import date, datetime, timezone

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates import credentials, status_list
from lms.certificates.record import CertificateDocument, CertifiedModule

ADVANCED = CertificateDocument(
    code="K5Q2ZC7WJ4B3XH6D", kind="advanced", title="CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NÂNG CAO", issuing_body="Trường Đào tạo cán bộ",
    holder_name="Nguyễn Thị Ánh Tuyết", birth_date=date(1990, 5, 17), birth_place="Hà Nội", sex="Nữ", exam_date=date(2026, 11, 3),
    exam_council="Hội đồng thi", modules=(CertifiedModule("IU07", "Xử lý văn bản nâng cao"), CertifiedModule("IU08", "Sử dụng bảng tính nâng cao"),
                                          CertifiedModule("IU14", "An toàn, bảo mật thông tin")),
    issue_date=date(2026, 12, 1), serial="NC26000007", register_number="0007/2026",
)
BASE = "https://lms.hanoi.example"


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return credentials.ensure_issuer_key(tmp_path_factory.mktemp("keys") / "issuer.pem")


def credential():
    return credentials.build_credential(ADVANCED, credentials.did_web(BASE), "Trường Đào tạo cán bộ", BASE, f"{BASE}/certificates/status/0", 42,
                                        datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc))


def test_the_credential_is_an_open_badge_naming_the_circular_and_the_modules():
    body = credential()
    assert body["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = body["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "Certificate"
    narrative = achievement["criteria"]["narrative"]
    assert "03/2014/TT-BTTTT" in narrative and all(code in narrative for code in ("IU07", "IU08", "IU14"))
    assert body["credentialSubject"]["name"] == "Nguyễn Thị Ánh Tuyết" and "1990" not in json.dumps(body["credentialSubject"])
    assert body["credentialStatus"] == {"id": f"{BASE}/certificates/status/0#42", "type": "BitstringStatusListEntry",
                                        "statusPurpose": "revocation", "statusListIndex": "42",
                                        "statusListCredential": f"{BASE}/certificates/status/0"}


def test_signed_credential_verifies_with_the_published_key_and_fails_when_altered(key):
    token = credentials.sign_credential(credential(), key)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    assert credentials.verify_credential(token, key.jwks()) == credential()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["name"] = "Nguyễn Văn Giả"
    forged = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), signature])
    with pytest.raises(credentials.CredentialError):
        credentials.verify_credential(forged, key.jwks())
    other = credentials.IssuerKey(Ed25519PrivateKey.generate())
    with pytest.raises(credentials.CredentialError):
        credentials.verify_credential(credentials.sign_credential(credential(), other), key.jwks())


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_tokens_of_other_algorithms_are_refused(key, algorithm):
    claims = {"iss": credentials.did_web(BASE), "vc": credential()}
    token = jwt.encode(claims, None if algorithm == "none" else key.x, algorithm=algorithm, headers={"kid": key.kid})
    with pytest.raises(credentials.CredentialError):
        credentials.verify_credential(token, key.jwks())


def test_the_key_id_is_the_rfc7638_thumbprint_and_the_key_is_kept(tmp_path, key):
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": key.x}, separators=(",", ":"))
    assert key.kid == base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    path = tmp_path / "issuer.pem"
    first = credentials.ensure_issuer_key(path)
    assert credentials.ensure_issuer_key(path).kid == first.kid and path.stat().st_mode & 0o777 == 0o600


def test_did_web_of_a_host_with_port_and_path():
    assert credentials.did_web("https://lms.hanoi.gov.vn") == "did:web:lms.hanoi.gov.vn"
    assert credentials.did_web("http://127.0.0.1:5000") == "did:web:127.0.0.1%3A5000"
    assert credentials.did_web("https://hanoi.gov.vn/lms/") == "did:web:hanoi.gov.vn:lms"


def test_the_status_list_sets_one_bit_per_revoked_certificate_most_significant_first():
    encoded = status_list.encode_status_list([0, 9, 131_071])
    assert encoded.startswith("u")
    bits = status_list.decode_status_list(encoded)
    assert len(bits) == 16_384 and bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [status_list.is_revoked(encoded, index) for index in (0, 1, 9, 10, 131_071)] == [True, False, True, False, True]
    with pytest.raises(status_list.StatusListError):
        status_list.encode_status_list([131_072])


def test_a_decompression_bomb_is_refused_not_inflated():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).rstrip(b"=").decode()
    with pytest.raises(status_list.StatusListError):
        status_list.decode_status_list(bomb)
    with pytest.raises(status_list.StatusListError):
        status_list.decode_status_list("uNOT-GZIP")
