"""Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C Verifiable Credential),
signed by the issuer's Ed25519 key as a VC-JWT (alg EdDSA).

Why VC-JWT rather than an `eddsa-rdfc-2022` Data Integrity proof: OB 3.0 accepts both; a
JWT is one compact string that any JOSE library verifies offline with the published key,
and it needs no RDF dataset canonicalisation (a library this project would otherwise carry
only for that). The JWT follows OB 3.0 §8.2 (VC-JWT): header {alg: EdDSA, typ: JWT, kid},
claims iss, jti, sub, nbf and the credential itself under `vc`.

Pure: no Flask, no SQLAlchemy.
"""
import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.certificates.record import ADVANCED, CertificateDocument

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
LEGAL_BASIS = ("Thông tư 03/2014/TT-BTTTT (Chuẩn kỹ năng sử dụng công nghệ thông tin) và "
               "Thông tư liên tịch 17/2016/TTLT-BGDĐT-BTTTT (thi và cấp chứng chỉ ứng dụng công nghệ thông tin)")


class CredentialError(ValueError):
    """A token that does not verify: bad signature, wrong key, malformed, or not EdDSA."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class IssuerKey:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def x(self) -> str:
        return _b64url(self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    @property
    def kid(self) -> str:
        """The RFC 7638 thumbprint of the public JWK: stable for the key, different for another."""
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": self.x}, separators=(",", ":"), sort_keys=True)
        return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())

    def public_jwk(self) -> dict:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "use": "sig", "alg": "EdDSA"}

    def jwks(self) -> dict:
        return {"keys": [self.public_jwk()]}

    def did_document(self, did: str) -> dict:
        method = f"{did}#{self.kid}"
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": did,
            "verificationMethod": [{"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": self.public_jwk()}],
            "assertionMethod": [method],
        }

    @classmethod
    def from_pem(cls, data: bytes):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CredentialError("the credential key must be an Ed25519 key")
        return cls(key)


def ensure_issuer_key(path: Path) -> IssuerKey:
    """The Ed25519 key at `path`, made (PKCS#8 PEM, mode 0600) when missing, never overwritten."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    return IssuerKey.from_pem(path.read_bytes())


def did_web(base_url: str) -> str:
    """did:web of a site: the host (a port percent-encoded), then each path segment after ':'."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host += quote(f":{parts.port}")
    segments = [quote(segment) for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_credential(doc: CertificateDocument, issuer_id: str, issuer_name: str, base_url: str, status_list_url: str, status_index: int,
                     issued_at: datetime) -> dict:
    """The OpenBadgeCredential of a certificate, its status entry in the revocation list."""
    modules = "; ".join(f"{module.code} – {module.name}" for module in doc.modules)
    named = "đạt 03 mô đun nâng cao" if doc.kind == ADVANCED else "đạt bài thi gồm 06 mô đun cơ bản (lý thuyết và thực hành từ 5/10 điểm)"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base_url}/verify/{doc.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name, "url": base_url},
        "validFrom": _iso(issued_at),
        "name": doc.title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": doc.holder_name,
            "achievement": {
                "id": f"{base_url}/certificates/achievements/{doc.kind}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": doc.title,
                "description": f"{doc.title}, số hiệu {doc.serial}, số vào sổ cấp chứng chỉ {doc.register_number}.",
                "criteria": {"narrative": f"Cấp theo {LEGAL_BASIS} cho người {named}. Mô đun: {modules}."},
                "inLanguage": "vi",
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
    }


def sign_credential(credential: dict, key: IssuerKey) -> str:
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    claims = {"iss": issuer, "jti": credential["id"], "vc": credential,
              "nbf": int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())}
    subject = credential.get("credentialSubject", {}).get("id")
    if subject:
        claims["sub"] = subject
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid, "typ": "JWT"})


def _public_key(jwk: dict, kid):
    keys = jwk.get("keys", [jwk])
    for candidate in keys:
        if candidate.get("kty") == "OKP" and candidate.get("crv") == "Ed25519" and (kid is None or candidate.get("kid") == kid):
            raw = base64.urlsafe_b64decode(candidate["x"] + "=" * (-len(candidate["x"]) % 4))
            return Ed25519PublicKey.from_public_bytes(raw)
    raise CredentialError("no published key matches the token's key id")


def verify_credential(token: str, jwks_or_jwk: dict) -> dict:
    """The credential of a VC-JWT signed by one of the published keys; CredentialError otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise CredentialError(f"malformed token: {error}") from None
    if header.get("alg") != "EdDSA":
        raise CredentialError(f"algorithm {header.get('alg')!r} refused: only EdDSA")
    try:
        claims = jwt.decode(token, _public_key(jwks_or_jwk, header.get("kid")), algorithms=["EdDSA"], options={"require": ["iss", "vc"]})
    except (jwt.PyJWTError, ValueError) as error:
        raise CredentialError(f"signature does not verify: {error}") from None
    credential = claims["vc"]
    issuer = credential.get("issuer", {})
    if claims["iss"] != (issuer.get("id") if isinstance(issuer, dict) else issuer) or claims.get("jti", credential.get("id")) != credential.get("id"):
        raise CredentialError("the token's claims do not match its credential")
    return credential
