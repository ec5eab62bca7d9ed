"""Open Badges 3.0 credentials as VC-JWT (EdDSA) and the Bitstring Status List (pure: no app, no DB)."""
import base64
import dataclasses
import gzip
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
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
ISSUER = "did:web:lms.hanoi.example"
LIST_URL = f"{BASE}/certificates/status/0"
ISSUED_AT = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value) -> str:
    return b64url(json.dumps(value).encode())


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return credentials.ensure_issuer_key(tmp_path_factory.mktemp("keys") / "issuer.pem")


def credential(doc=ADVANCED, **options):
    return credentials.build_credential(doc, ISSUER, "Trường Đào tạo cán bộ", BASE, LIST_URL, 42, ISSUED_AT, **options)


def test_the_credential_is_an_open_badge_naming_the_circulars_and_the_modules():
    body = credential()
    assert body["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert body["id"] == f"{BASE}/verify/K5Q2ZC7WJ4B3XH6D" and body["validFrom"] == "2026-12-01T03:00:00Z"
    assert body["issuer"] == {"id": ISSUER, "type": ["Profile"], "name": "Trường Đào tạo cán bộ", "url": BASE}
    subject = body["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "Certificate"
    assert achievement["id"] == f"{BASE}/certificates/achievements/advanced"
    narrative = achievement["criteria"]["narrative"]
    assert "03/2014/TT-BTTTT" in narrative and "17/2016/TTLT-BGDĐT-BTTTT" in narrative
    assert all(code in narrative for code in ("IU07", "IU08", "IU14"))
    assert body["credentialStatus"] == {"id": f"{LIST_URL}#42", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                                        "statusListIndex": "42", "statusListCredential": LIST_URL}


def test_the_holder_is_named_never_identified_by_birth_date_and_an_email_only_hashed():
    subject = credential(holder_email=" Tuyet.NTA@hanoi.gov.vn ")["credentialSubject"]
    # OB 3.0 §9.1: a subject without an id must carry an identifier.
    assert "id" not in subject and subject["name"] == "Nguyễn Thị Ánh Tuyết"
    name, email = subject["identifier"]
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Nguyễn Thị Ánh Tuyết"}
    assert email["hashed"] is True and email["identityType"] == "emailAddress" and "hanoi.gov.vn" not in json.dumps(subject)
    assert email["identityHash"] == "sha256$" + hashlib.sha256(("tuyet.nta@hanoi.gov.vn" + email["salt"]).encode()).hexdigest()
    assert "1990" not in json.dumps(credential()) and "17/05" not in json.dumps(credential())


def test_ids_are_stable_the_achievement_per_kind_the_credential_per_certificate():
    other = dataclasses.replace(ADVANCED, code="Z9Y8X7W6V5U4T3S2", holder_name="Trần Văn Bình")
    assert credential() == credential()
    assert credential(other)["id"] != credential()["id"]
    assert credential(other)["credentialSubject"]["achievement"]["id"] == credential()["credentialSubject"]["achievement"]["id"]
    basic = dataclasses.replace(ADVANCED, kind="basic")
    assert credential(basic)["credentialSubject"]["achievement"]["id"] == f"{BASE}/certificates/achievements/basic"


def test_a_naive_issue_time_is_refused_rather_than_read_as_local_time():
    with pytest.raises(ValueError):
        credentials.build_credential(ADVANCED, ISSUER, "x", BASE, LIST_URL, 1, datetime(2026, 12, 1, 3, 0))


def test_the_token_follows_ob3_section_8_2_header_and_payload(key):
    token = credentials.sign_credential(credential(), key)
    # OB 3.0 §8.2.3: alg, typ "JWT", kid a URI dereferencing to the key (the did:web verification method).
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT", "kid": f"{ISSUER}#{key.kid}"}
    assert key.did_document(ISSUER)["assertionMethod"] == [f"{ISSUER}#{key.kid}"]
    # §8.2.4.1: the payload is the credential itself, plus iss, jti, nbf (no subject id, so no sub).
    claims = claims_of(token)
    assert "vc" not in claims and "sub" not in claims
    assert claims["iss"] == ISSUER and claims["jti"] == credential()["id"] and claims["nbf"] == int(ISSUED_AT.timestamp())
    assert {name: value for name, value in claims.items() if name not in ("iss", "jti", "nbf")} == credential()
    # A plain JOSE verifier needs nothing from this module: the JWK alone, or the raw Ed25519 check.
    assert jwt.decode(token, jwt.PyJWK(key.public_jwk()).key, algorithms=["EdDSA"])["jti"] == credential()["id"]
    header, payload, signature = token.split(".")
    key.public_key.verify(base64.urlsafe_b64decode(signature + "=="), f"{header}.{payload}".encode())


def test_signed_credential_verifies_with_the_published_jwks_or_the_did_document_key(key):
    token = credentials.sign_credential(credential(), key)
    assert credentials.verify_credential(token, key.jwks()) == credential()
    did_key = key.did_document(ISSUER)["verificationMethod"][0]["publicKeyJwk"]
    assert credentials.verify_credential(token, did_key, expected_issuer=ISSUER) == credential()
    with pytest.raises(credentials.CredentialError, match="not 'did:web:elsewhere'"):
        credentials.verify_credential(token, key.jwks(), expected_issuer="did:web:elsewhere")


def test_an_altered_payload_fails_even_with_the_original_signature(key):
    header, _payload, signature = credentials.sign_credential(credential(), key).split(".")
    claims = claims_of(credentials.sign_credential(credential(), key))
    claims["credentialSubject"]["name"] = "Nguyễn Văn Giả"
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Nguyễn Văn Giả"
    with pytest.raises(credentials.CredentialError, match="signature"):
        credentials.verify_credential(".".join([header, b64url_json(claims), signature]), key.jwks())


def test_a_token_signed_by_another_key_fails_whatever_kid_it_claims(key):
    other = credentials.IssuerKey(Ed25519PrivateKey.generate())
    with pytest.raises(credentials.CredentialError, match="no published key"):
        credentials.verify_credential(credentials.sign_credential(credential(), other), key.jwks())
    impostor = credentials.sign_credential(credential(), other, kid=f"{ISSUER}#{key.kid}")
    with pytest.raises(credentials.CredentialError, match="signature"):
        credentials.verify_credential(impostor, key.jwks())


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_tokens_of_other_algorithms_are_refused(key, algorithm):
    # Crafted by hand: "none" with an empty signature; HS256 keyed with the published public key.
    signing_input = f"{b64url_json({'alg': algorithm, 'typ': 'JWT', 'kid': key.kid})}.{b64url_json(claims_of(credentials.sign_credential(credential(), key)))}"
    signature = "" if algorithm == "none" else b64url(hmac.new(key.x.encode(), signing_input.encode(), hashlib.sha256).digest())
    with pytest.raises(credentials.CredentialError, match="refused"):
        credentials.verify_credential(f"{signing_input}.{signature}", key.jwks())


def test_claims_that_contradict_the_credential_are_refused_though_signed(key):
    body = credential()
    right = {"iss": ISSUER, "jti": body["id"], "nbf": int(ISSUED_AT.timestamp())}
    headers = {"kid": key.kid}
    for wrong in ({"iss": "did:web:elsewhere"}, {"jti": f"{BASE}/verify/OTHER"}, {"nbf": right["nbf"] + 86400}, {"sub": "did:example:someone"},
                  {"exp": right["nbf"] + 3600}):
        token = jwt.encode({**body, **right, **wrong}, key.private_key, algorithm="EdDSA", headers=headers)
        with pytest.raises(credentials.CredentialError, match="the token's"):
            credentials.verify_credential(token, key.jwks())
    # The VCDM 1.1 layout, the credential under `vc`, still verifies (OB 3.0 §8.2.6).
    legacy = jwt.encode({**right, "vc": body}, key.private_key, algorithm="EdDSA", headers=headers)
    assert credentials.verify_credential(legacy, key.jwks()) == body


def test_not_yet_valid_expired_and_malformed_tokens_are_refused(key):
    token = credentials.sign_credential(credential(), key)
    with pytest.raises(credentials.CredentialError, match="not valid yet"):
        credentials.verify_credential(token, key.jwks(), now=ISSUED_AT - timedelta(hours=1))
    expiring = {**credential(), "validUntil": "2027-12-01T03:00:00Z"}
    assert claims_of(credentials.sign_credential(expiring, key))["exp"] == int(datetime(2027, 12, 1, 3, tzinfo=timezone.utc).timestamp())
    with pytest.raises(credentials.CredentialError, match="expired"):
        credentials.verify_credential(credentials.sign_credential(expiring, key), key.jwks(), now=datetime(2028, 1, 1, tzinfo=timezone.utc))
    for malformed in ("", "abc", "a.b.c", token + ".x", None):
        with pytest.raises(credentials.CredentialError, match="malformed"):
            credentials.verify_credential(malformed, key.jwks())
    with pytest.raises(credentials.CredentialError, match="not allowed"):  # OB 3.0 allows no other JOSE header
        credentials.verify_credential(jwt.encode({}, key.private_key, algorithm="EdDSA", headers={"jku": "https://evil.example/keys"}),
                                      key.jwks())


def test_the_key_id_is_the_rfc7638_thumbprint_and_the_key_is_kept_private(tmp_path, key):
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": key.x}, separators=(",", ":"))
    assert key.kid == b64url(hashlib.sha256(canonical.encode()).digest())
    assert key.public_jwk() == {"kty": "OKP", "crv": "Ed25519", "x": key.x, "kid": key.kid, "use": "sig", "alg": "EdDSA"}
    assert key.jwks() == {"keys": [key.public_jwk()]} and "d" not in key.public_jwk()
    # RFC 8037 appendix A: the published Ed25519 test key and its thumbprint.
    rfc = credentials.IssuerKey(Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")))
    assert (rfc.x, rfc.kid) == ("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    path = tmp_path / "keys" / "issuer.pem"
    first = credentials.ensure_issuer_key(path)
    assert credentials.ensure_issuer_key(path).kid == first.kid and path.stat().st_mode & 0o777 == 0o600
    assert sorted(item.name for item in path.parent.iterdir()) == ["issuer.pem"]  # no temporary file left behind
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8


def test_an_existing_key_is_never_overwritten_and_a_wrong_key_is_refused(tmp_path):
    mine = Ed25519PrivateKey.generate()
    path = tmp_path / "issuer.pem"
    path.write_bytes(mine.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    assert credentials.ensure_issuer_key(path).kid == credentials.IssuerKey(mine).kid == credentials.IssuerKey.load(path).kid
    rsa_like = tmp_path / "ec.pem"
    rsa_like.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                               serialization.NoEncryption()))
    with pytest.raises(credentials.IssuerKeyError):
        credentials.ensure_issuer_key(rsa_like)


def test_did_web_of_a_host_with_port_and_path():
    assert credentials.did_web("https://lms.hanoi.gov.vn") == "did:web:lms.hanoi.gov.vn"
    assert credentials.did_web("https://lms.hanoi.gov.vn/") == "did:web:lms.hanoi.gov.vn"
    assert credentials.did_web("http://127.0.0.1:5000") == "did:web:127.0.0.1%3A5000"
    assert credentials.did_web("https://hanoi.gov.vn:8443/lms/dao-tao/") == "did:web:hanoi.gov.vn%3A8443:lms:dao-tao"
    assert credentials.did_web_document_url("did:web:lms.hanoi.gov.vn") == "https://lms.hanoi.gov.vn/.well-known/did.json"
    assert credentials.did_web_document_url("did:web:hanoi.gov.vn%3A8443:lms") == "https://hanoi.gov.vn:8443/lms/did.json"
    with pytest.raises(ValueError):
        credentials.did_web("lms.hanoi.gov.vn")


def test_the_status_list_sets_one_bit_per_revoked_certificate_most_significant_first():
    encoded = status_list.encode_status_list([0, 9, 131_071])
    assert encoded.startswith("u") and "=" not in encoded
    bits = status_list.decode_status_list(encoded)
    assert len(bits) == 16_384 and bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01 and bits.count(0) == 16_381
    assert status_list.decode_status_list(status_list.encode_status_list([0]))[:2] == b"\x80\x00"
    assert status_list.decode_status_list(status_list.encode_status_list([7]))[:2] == b"\x01\x00"
    assert [status_list.is_revoked(encoded, index) for index in (0, 1, 9, 10, 131_071)] == [True, False, True, False, True]
    assert status_list.is_revoked(encoded, "9") and status_list.encode_status_list([9, 0, 131_071]) == encoded
    for bad in ([131_072], [-1], ["3"]):
        with pytest.raises(status_list.StatusListError):
            status_list.encode_status_list(bad)
    with pytest.raises(status_list.StatusListError):  # below the spec's 131,072 entries (herd privacy)
        status_list.encode_status_list([], size=1024)
    with pytest.raises(status_list.StatusListError):
        status_list.is_revoked(encoded, 131_072)


def test_a_decompression_bomb_or_a_broken_list_is_refused_not_inflated():
    bomb = "u" + b64url(gzip.compress(bytes(status_list.MAX_DECODED_BYTES + 1)))
    with pytest.raises(status_list.StatusListError, match="too large"):
        status_list.decode_status_list(bomb)
    short = "u" + b64url(gzip.compress(bytes(1024)))
    for broken in (short, "uNOT-GZIP", "u" + "!" * 40, "z" + bomb[1:], ""):
        with pytest.raises(status_list.StatusListError):
            status_list.decode_status_list(broken)


def test_the_status_list_credential_is_signed_and_verified_like_the_certificates(key):
    body = status_list.build_status_list_credential(LIST_URL, ISSUER, "Trường Đào tạo cán bộ", [42], ISSUED_AT)
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"] and body["id"] == LIST_URL
    assert body["credentialSubject"]["id"] == f"{LIST_URL}#list" and body["credentialSubject"]["type"] == "BitstringStatusList"
    assert body["credentialSubject"]["statusPurpose"] == "revocation"
    token = credentials.sign_credential(body, key)
    assert claims_of(token)["sub"] == f"{LIST_URL}#list"
    listed = credentials.verify_credential(token, key.jwks())
    entry = credential()["credentialStatus"]
    assert listed["id"] == entry["statusListCredential"] and listed["credentialSubject"]["statusPurpose"] == entry["statusPurpose"]
    assert status_list.is_revoked(listed["credentialSubject"]["encodedList"], entry["statusListIndex"])
    assert not status_list.is_revoked(listed["credentialSubject"]["encodedList"], 41)
