"""What /verify does with an uploaded file: a certificate PDF (its signature, then the register
entry it names) or the certificate's credential, a VC-JWT (its signature by the issuer's
published key, then the register entry). Every answer is a check with a reason the user reads."""
from lms.certificates import authority as authorities
from lms.certificates import credentials, queries, signing
from lms.messages import N_

CREDENTIAL_INVALID = "credential_invalid"
# Every reason a check can give, as the user reads it: the signature's, then the register's.
MESSAGES = {
    **signing.REASON_MESSAGES,
    CREDENTIAL_INVALID: N_("Chứng chỉ số (tệp .jwt) không hợp lệ: chữ ký không phải của đơn vị cấp hoặc nội dung đã bị sửa sau khi ký."),
    "too_large": N_("Tệp quá lớn để là một chứng chỉ."),
    "not_in_register": N_("Chữ ký hợp lệ nhưng sổ gốc không có chứng chỉ này."),
    "register_mismatch": N_("Nội dung tệp không khớp với sổ gốc cấp chứng chỉ."),
    "revoked": N_("Chứng chỉ đã bị thu hồi hoặc đã được cấp lại."),
}
# A compact JWS starts with the base64url of '{"', the opening of its JSON header.
_JWS_START = b"eyJ"


def check_upload(data: bytes):
    """(register entry or None, check) of an uploaded file: a credential when it reads as a
    compact JWS, else a PDF."""
    authority = authorities.current()
    if bytes(data).lstrip().startswith(_JWS_START):
        return check_credential(data, authority)
    return against_register(signing.verify_pdf(data, authority.trust_roots))


def check_credential(data: bytes, authority):
    """A credential must verify with the issuer's published key and name a valid register entry
    whose holder and issue time it states."""
    try:
        token = bytes(data).decode("ascii").strip()
        credential = credentials.verify_credential(token, authority.credential_key.jwks(), expected_issuer=authority.issuer_id)
    except (UnicodeDecodeError, credentials.CredentialError):
        return None, signing.PdfCheck(valid=False, reason=CREDENTIAL_INVALID)
    code = str(credential.get("id", "")).rsplit("/verify/", 1)[-1]
    certificate = queries.by_code(code)
    if certificate is None:
        return None, signing.PdfCheck(valid=False, reason="not_in_register")
    subject = credential.get("credentialSubject") if isinstance(credential.get("credentialSubject"), dict) else {}
    if subject.get("name") != certificate.holder_name or credential.get("validFrom") != credentials.iso_utc(certificate.issued_at):
        return certificate, signing.PdfCheck(valid=False, reason="register_mismatch")
    if certificate.status != "valid":
        return certificate, signing.PdfCheck(valid=False, reason="revoked")
    return certificate, signing.PdfCheck(valid=True, reason=signing.OK)


def against_register(check):
    """A signature that holds is then compared with the register entry it names."""
    if not check.valid:
        return None, check
    fields = check.fields or {}
    certificate = queries.by_code(fields.get("code", ""))
    if certificate is None:
        return None, signing.PdfCheck(valid=False, reason="not_in_register", fields=fields)
    for key, value in fields.items():
        if key in ("modules",):
            matches = list(value) == certificate.module_codes
        else:
            matches = str(value) == str(_register_value(certificate, key))
        if not matches:
            return certificate, signing.PdfCheck(valid=False, reason="register_mismatch", fields=fields)
    if certificate.status != "valid":
        return certificate, signing.PdfCheck(valid=False, reason="revoked", fields=fields)
    return certificate, check


def _register_value(certificate, key):
    value = getattr(certificate, key, "")
    return value.isoformat() if hasattr(value, "isoformat") else value
