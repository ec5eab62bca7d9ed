"""A PDF whose signature holds is then compared with the register entry it names: the fields
embedded in the signed revision must be the register's, and the entry must be valid."""
from lms.certificates import queries, signing
from lms.messages import N_

# Every reason a check can give, as the user reads it: the signature's, then the register's.
MESSAGES = {
    **signing.REASON_MESSAGES,
    "too_large": N_("Tệp quá lớn để là một chứng chỉ."),
    "not_in_register": N_("Chữ ký hợp lệ nhưng sổ gốc không có chứng chỉ này."),
    "register_mismatch": N_("Nội dung tệp không khớp với sổ gốc cấp chứng chỉ."),
    "revoked": N_("Chứng chỉ đã bị thu hồi hoặc đã được cấp lại."),
}


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
