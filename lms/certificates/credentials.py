"""Open Badges 3.0: a certificate as an OpenBadgeCredential (a W3C Verifiable Credential 2.0),
signed by the issuer's Ed25519 key as a VC-JWT (alg EdDSA).

Why VC-JWT rather than an `eddsa-rdfc-2022` Data Integrity proof: OB 3.0 accepts both; a JWT
is one compact string that any JOSE library verifies offline with the published key, and it
needs no RDF dataset canonicalisation (a library this project would otherwise carry only for
that, and whose output every verifier must reproduce byte for byte).

The token follows OB 3.0 §8.2 (JSON Web Token Proof Format) as revised for VCDM 2.0:
  * JOSE header {alg: "EdDSA", typ: "JWT", kid}; OB allows no other header. `typ` is "JWT"
    because OB says "if present, MUST be JWT" (not VC-JOSE-COSE's "vc+jwt"). `kid` is a URI
    that dereferences to the JWK, as OB requires: for a did:web issuer, the DID URL of the
    verification method (`did:web:host#<RFC 7638 thumbprint>`) that `IssuerKey.did_document`
    publishes; the JWKS carries the same key under the bare thumbprint.
  * The payload is the credential itself plus the claims iss (issuer.id), jti (id), nbf
    (validFrom), sub (credentialSubject.id, only when the subject has one: ours has none, the
    holder being named, not identified by a DID) and exp (validUntil, when there is one).
    The VCDM 1.1 layout, the credential under a `vc` claim, is still accepted on verification
    as OB §8.2.6 asks of verifiers, but never produced.
EdDSA is not OB's interoperability floor (RS256 is), so a verifier limited to RS256 will not
read these; Ed25519 keys are small, fast and have no parameter choices to get wrong.

Pure: no Flask, no SQLAlchemy.
"""
import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional
from urllib.parse import quote, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.certificates.record import ADVANCED, CertificateDocument

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_CONTEXT_V1 = "https://www.w3.org/2018/credentials/v1"  # only read, in legacy tokens
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
LEGAL_BASIS = ("Thông tư 03/2014/TT-BTTTT quy định Chuẩn kỹ năng sử dụng công nghệ thông tin và "
               "Thông tư liên tịch 17/2016/TTLT-BGDĐT-BTTTT quy định tổ chức thi và cấp chứng chỉ ứng dụng công nghệ thông tin")
REQUIREMENT = {
    "basic": "đạt yêu cầu cả bài thi lý thuyết và bài thi thực hành của kỳ thi chứng chỉ ứng dụng công nghệ thông tin cơ bản, "
             "gồm 06 mô đun cơ bản (IU01–IU06)",
    ADVANCED: "đã có chứng chỉ ứng dụng công nghệ thông tin cơ bản và đạt yêu cầu bài thi của ít nhất 03 mô đun nâng cao (IU07–IU15)",
}
ALGORITHM = "EdDSA"
ALLOWED_HEADERS = {"alg", "kid", "jwk", "typ"}  # OB 3.0 §8.2.3: "Additional JOSE Headers are NOT allowed"
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat")


class CredentialError(ValueError):
    """A token that does not verify; the message says why (bad signature, unknown key,
    malformed, an algorithm other than EdDSA, claims that contradict the credential)."""


class IssuerKeyError(ValueError):
    """A key file that is not an unencrypted Ed25519 private key."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an OKP public key: SHA-256 of the JSON of its required members
    (crv, kty, x), keys sorted, no whitespace."""
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


@dataclass(frozen=True)
class IssuerKey:
    """The issuer's Ed25519 signing key, its public JWK and key id (computed once)."""

    private_key: Ed25519PrivateKey = field(repr=False)
    x: str = field(init=False)
    kid: str = field(init=False)  # RFC 7638 thumbprint: stable for the key, different for another

    def __post_init__(self):
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise IssuerKeyError("the credential key must be an Ed25519 key")
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        object.__setattr__(self, "x", _b64url(raw))
        object.__setattr__(self, "kid", jwk_thumbprint({"kty": "OKP", "crv": "Ed25519", "x": self.x}))

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @classmethod
    def from_pem(cls, data: bytes) -> "IssuerKey":
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as error:  # TypeError: the PEM is encrypted
            raise IssuerKeyError(f"unreadable credential key: {error}") from None
        return cls(key)

    @classmethod
    def load(cls, path: Path) -> "IssuerKey":
        return cls.from_pem(Path(path).read_bytes())

    def public_jwk(self) -> dict:
        return {"kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def jwks(self) -> dict:
        return {"keys": [self.public_jwk()]}

    def verification_method(self, did: str) -> str:
        return f"{did}#{self.kid}"

    def did_document(self, did: str) -> dict:
        """The did:web document naming this key as the one that signs (asserts) credentials."""
        method = self.verification_method(did)
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": did,
            "verificationMethod": [{"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": self.public_jwk()}],
            "assertionMethod": [method],
        }


def ensure_issuer_key(path: Path) -> IssuerKey:
    """The Ed25519 key at `path`, made (PKCS#8 PEM, mode 0600) when missing, never overwritten.

    The new key is written to a private temporary file and hard-linked into place, so that a
    second process never reads a half-written key and the first one made wins."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credential-key-")  # mkstemp: mode 0600
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temporary, path)
        except FileExistsError:  # another worker made it first: use theirs
            pass
        finally:
            os.unlink(temporary)
    return IssuerKey.load(path)


def did_web(base_url: str) -> str:
    """did:web of a site: the host (a port percent-encoded), then each path segment after ':'.
    "https://lms.hanoi.gov.vn" -> "did:web:lms.hanoi.gov.vn"; "http://host:5000/lms" ->
    "did:web:host%3A5000:lms"."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"not a site address: {base_url!r}")
    host = parts.hostname
    if ":" in host:  # an IPv6 literal: its colons would read as path separators
        raise ValueError(f"did:web needs a host name, not an IPv6 address: {base_url!r}")
    if parts.port:
        host += "%3A" + str(parts.port)
    segments = [quote(unquote(segment), safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def did_web_document_url(did: str) -> str:
    """Where a did:web resolver fetches the document: /.well-known/did.json for a bare host,
    /<path>/did.json when the DID has path segments."""
    host, *segments = did.removeprefix("did:web:").split(":")
    path = "/".join(unquote(segment) for segment in segments) or ".well-known"
    return f"https://{unquote(host)}/{path}/did.json"


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _timestamp(value: str) -> int:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"a credential time without a time zone: {value!r}")
    return int(moment.timestamp())


def hashed_email_identity(email: str, salt: str) -> dict:
    """An OB 3.0 IdentityObject that lets a verifier who knows the holder's e-mail confirm it,
    without the credential stating it: sha256$hex(sha256(email + salt))."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "identityHash": f"sha256${digest}", "salt": salt}


def _description(doc: CertificateDocument, modules: str) -> str:
    """What this one certificate says beyond its kind: numbers, exam and the modules passed."""
    particulars = [f"số hiệu {doc.serial}" if doc.serial else "",
                   f"số vào sổ cấp chứng chỉ {doc.register_number}" if doc.register_number else "",
                   doc.exam_council, f"ngày thi {doc.exam_date.strftime('%d/%m/%Y')}" if doc.exam_date else ""]
    stated = ", ".join(part for part in particulars if part)
    return f"{doc.title} cấp cho {doc.holder_name}" + (f"; {stated}" if stated else "") + f". Mô đun: {modules}."


def build_credential(doc: CertificateDocument, issuer_id: str, issuer_name: str, base_url: str, status_list_url: str, status_index: int,
                     issued_at: datetime, *, holder_email: Optional[str] = None) -> dict:
    """The OpenBadgeCredential of a certificate, its entry in the revocation status list.

    The holder is named (OB IdentityObject of type "name", and `name`), never identified by
    the ID number or birth date; `holder_email`, when given, is added salted and hashed (the
    salt derived from the certificate's code, so the same certificate always gives the same
    credential)."""
    base_url = base_url.rstrip("/")
    modules = "; ".join(f"{module.code} – {module.name}" for module in doc.modules)
    identities = [{"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": doc.holder_name}]
    if holder_email:
        identities.append(hashed_email_identity(holder_email, hashlib.sha256(f"ob3-identity:{doc.code}".encode()).hexdigest()[:32]))
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base_url}/verify/{doc.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name, "url": base_url},
        "validFrom": iso_utc(issued_at),
        "name": doc.title,
        "description": _description(doc, modules),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": doc.holder_name,
            "identifier": identities,
            "achievement": {
                "id": f"{base_url}/certificates/achievements/{doc.kind}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": doc.title,
                "description": f"{doc.title}: xác nhận người được cấp đạt chuẩn theo {LEGAL_BASIS}.",
                "criteria": {"narrative": f"Cấp theo {LEGAL_BASIS} cho người {REQUIREMENT.get(doc.kind, 'đạt bài thi')}. "
                                          f"Mô đun được chứng nhận: {modules}."},
                "inLanguage": "vi",
            },
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
    }


def _issuer_id(credential: dict):
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_ids(credential: dict) -> set:
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return {subject["id"] for subject in subjects if isinstance(subject, dict) and isinstance(subject.get("id"), str)}


def sign_credential(credential: dict, key: IssuerKey, *, kid: Optional[str] = None) -> str:
    """The credential as a compact VC-JWT (OB 3.0 §8.2): the credential is the payload, with
    iss, jti, nbf, and sub/exp when it has a subject id / validUntil. `kid` defaults to the
    DID URL of the key when the issuer is a DID, else to the key's thumbprint."""
    issuer = _issuer_id(credential)
    claims = {"iss": issuer, "jti": credential["id"], "nbf": _timestamp(credential["validFrom"])}
    subjects = _subject_ids(credential)
    if len(subjects) == 1:
        claims["sub"] = subjects.pop()
    if credential.get("validUntil"):
        claims["exp"] = _timestamp(credential["validUntil"])
    if kid is None:
        kid = key.verification_method(issuer) if str(issuer).startswith("did:") else key.kid
    return jwt.encode({**credential, **claims}, key.private_key, algorithm=ALGORITHM, headers={"typ": "JWT", "kid": kid})


def _public_key(jwks_or_jwk: dict, kid: Optional[str]) -> Ed25519PublicKey:
    """The published Ed25519 key the token names: its kid is the key's kid, or a URI whose
    fragment is (a DID URL or a JWKS URL, `...#<thumbprint>`). Never the token's own `jwk`
    header: a forger would simply embed theirs."""
    keys = jwks_or_jwk.get("keys", [jwks_or_jwk]) if isinstance(jwks_or_jwk, dict) else None
    if not isinstance(keys, list):
        raise CredentialError("the published keys are not a JWK or a JWKS")
    candidates = [jwk for jwk in keys if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519"
                  and isinstance(jwk.get("x"), str) and jwk.get("use", "sig") == "sig" and jwk.get("alg", ALGORITHM) == ALGORITHM]
    if kid is None:
        if len(candidates) != 1:
            raise CredentialError("the token names no key and the published keys are not exactly one Ed25519 key")
        chosen = candidates[0]
    else:
        fragment = kid.rsplit("#", 1)[-1]
        matching = [jwk for jwk in candidates if kid == jwk.get("kid") or fragment == jwk.get("kid", jwk_thumbprint(jwk))]
        if not matching:
            raise CredentialError(f"no published key matches the token's key id {kid!r}")
        chosen = matching[0]
    try:
        return Ed25519PublicKey.from_public_bytes(_b64url_decode(chosen["x"]))
    except ValueError as error:
        raise CredentialError(f"the published key is not an Ed25519 key: {error}") from None


def _credential_of(claims: dict) -> dict:
    if "vc" in claims:  # VCDM 1.1 layout (OB 3.0 §8.2.6 note): the credential under `vc`
        if "@context" in claims or not isinstance(claims["vc"], dict):
            raise CredentialError("the token carries a credential both as its payload and under `vc`")
        return claims["vc"]
    return {name: value for name, value in claims.items() if name not in JWT_CLAIMS}


def _credential_time(value) -> Optional[int]:
    if value is None:
        return None
    try:
        return _timestamp(value)
    except (TypeError, ValueError, AttributeError):
        raise CredentialError(f"unreadable date in the credential: {value!r}") from None


def _check_claims(claims: dict, credential: dict, now: datetime, leeway_seconds: int) -> None:
    """OB 3.0 §8.2.6.1: each claim must restate the credential; the credential must be in force."""
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] not in (VC_CONTEXT, VC_CONTEXT_V1) \
            or "VerifiableCredential" not in (credential.get("type") or ()):
        raise CredentialError("the payload is not a verifiable credential")
    if claims.get("iss") is None or claims.get("iss") != _issuer_id(credential):
        raise CredentialError("the token's iss is not the credential's issuer")
    if claims.get("jti") is None or claims.get("jti") != credential.get("id"):
        raise CredentialError("the token's jti is not the credential's id")
    subjects = _subject_ids(credential)
    if ("sub" in claims or subjects) and claims.get("sub") not in subjects:
        raise CredentialError("the token's sub is not the credential's subject")
    valid_from = _credential_time(credential.get("validFrom") or credential.get("issuanceDate"))
    valid_until = _credential_time(credential.get("validUntil") or credential.get("expirationDate"))
    if not isinstance(claims.get("nbf"), int) or claims["nbf"] != valid_from:
        raise CredentialError("the token's nbf is not the credential's validFrom")
    if ("exp" in claims or valid_until is not None) and (not isinstance(claims.get("exp"), int) or claims["exp"] != valid_until):
        raise CredentialError("the token's exp is not the credential's validUntil")
    moment = now.timestamp()
    if claims["nbf"] > moment + leeway_seconds:
        raise CredentialError("the credential is not valid yet")
    if "exp" in claims and claims["exp"] < moment - leeway_seconds:
        raise CredentialError("the credential has expired")


def verify_credential(token: str, jwks_or_jwk: dict, *, expected_issuer: Optional[str] = None, now: Optional[datetime] = None,
                      leeway_seconds: int = 300) -> dict:
    """The credential of a VC-JWT signed by one of the published keys (a JWKS or one JWK);
    CredentialError, with the reason, otherwise. Only EdDSA is accepted, whatever the token
    says (no "none", no HMAC keyed with the public key). `leeway_seconds` absorbs clock skew
    between the issuer and the verifier. Revocation is a separate check (status_list)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise CredentialError("malformed token: not a compact JWS")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise CredentialError(f"malformed token: {error}") from None
    if header.get("alg") != ALGORITHM:
        raise CredentialError(f"algorithm {header.get('alg')!r} refused: only {ALGORITHM}")
    if set(header) - ALLOWED_HEADERS:
        raise CredentialError(f"header parameters not allowed by OB 3.0: {sorted(set(header) - ALLOWED_HEADERS)}")
    if header.get("typ", "JWT") not in ("JWT", "vc+jwt"):
        raise CredentialError(f"token type {header.get('typ')!r} is not a credential")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise CredentialError("malformed token: kid is not a string")
    key = _public_key(jwks_or_jwk, kid)
    try:
        # Dates are checked below against the credential itself, so PyJWT only checks the signature.
        claims = jwt.decode(token, key, algorithms=[ALGORITHM],
                            options={"verify_nbf": False, "verify_exp": False, "verify_iat": False, "verify_aud": False})
    except jwt.InvalidSignatureError:
        raise CredentialError("the signature does not verify with the published key") from None
    except jwt.PyJWTError as error:
        raise CredentialError(f"malformed token: {error}") from None
    credential = _credential_of(claims)
    _check_claims(claims, credential, now or datetime.now(timezone.utc), leeway_seconds)
    if expected_issuer is not None and _issuer_id(credential) != expected_issuer:
        raise CredentialError(f"issued by {_issuer_id(credential)!r}, not {expected_issuer!r}")
    return credential
