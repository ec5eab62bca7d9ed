"""PAdES signatures on certificate PDFs, and their verification for /verify uploads.

Signing: PAdES B-B (ETSI.CAdES.detached, SHA-256), or B-T with an RFC 3161 timestamp when a
timestamp server is configured. The signer is loaded once and reused for every PDF.

Verifying: the one signature must be intact, cover the whole file (no incremental update
after it), chain to one of the given trust roots, and carry the register fields. Trust
roots are asn1crypto x509.Certificate objects (`load_certificate`); cryptography
certificates are accepted too. Nothing is fetched: revocation is soft-fail with no
CRL/OCSP, because the register is what says whether a certificate was revoked (the verify
page reads it by the code in the fields), not the signing certificate's CRL. Every failure
is a reason code, never an exception.
"""
import io
import json
import logging
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lms.certificates.document import REGISTER_KEY
from lms.messages import N_
from lms.text import nfc

FIELD_NAME = "ChuKySo"
DEFAULT_REASON = "Cấp chứng chỉ ứng dụng công nghệ thông tin"
# What a damaged or hostile file may raise while pyHanko reads or validates it: PDF syntax
# and structure errors, ASN.1 and CMS decoding errors (ValueError and subclasses), a bad
# stream, nesting too deep. Anything else is a bug and should surface.
UNREADABLE = (PdfError, SignatureValidationError, ValueError, KeyError, IndexError, TypeError, AttributeError, AssertionError,
              EOFError, OSError, zlib.error, RecursionError)

OK, NOT_PDF, UNSIGNED, SEVERAL = "ok", "not_pdf", "unsigned", "several_signatures"
INVALID, UNTRUSTED, UPDATED, NO_FIELDS = "invalid_signature", "untrusted_signer", "updated_after_signing", "no_register_fields"
REASON_MESSAGES = {
    OK: N_("Chữ ký số hợp lệ; tệp còn nguyên vẹn như khi ký."),
    NOT_PDF: N_("Tệp không phải là PDF hoặc đã bị hỏng."),
    UNSIGNED: N_("Tệp PDF không có chữ ký số."),
    SEVERAL: N_("Tệp PDF có nhiều chữ ký số; chứng chỉ do hệ thống cấp chỉ có một chữ ký."),
    INVALID: N_("Chữ ký số không hợp lệ: nội dung đã ký bị thay đổi hoặc bị hỏng."),
    UNTRUSTED: N_("Chữ ký số không phải của đơn vị cấp chứng chỉ (chứng thư ký không được tin cậy)."),
    UPDATED: N_("Tệp đã bị sửa sau khi ký."),
    NO_FIELDS: N_("Tệp được ký nhưng không mang thông tin chứng chỉ của hệ thống."),
}


# A forged or foreign upload is an expected answer of the verification page, not a fault:
# pyHanko's validator would log each one as a warning with a traceback.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)


class SignerSetupError(ValueError):
    """The configured key or certificates cannot be read (a deployment error, for the log)."""


@dataclass(frozen=True)
class PdfCheck:
    valid: bool
    reason: str  # a key of REASON_MESSAGES
    fields: dict | None = None  # the signed /LMSCertificate fields; only when valid
    signer_name: str = ""  # the signing certificate's common name, when a signature was read
    timestamped: bool = False  # a valid, trusted RFC 3161 timestamp on the signature
    signed_at: datetime | None = None  # the timestamp's time, else the time the signer claims


def load_certificate(path) -> asn1_x509.Certificate:
    """One certificate (PEM or DER) from a file, as a trust root for verify_pdf."""
    try:
        return load_cert_from_pemder(str(path))
    except (OSError, ValueError) as error:
        raise SignerSetupError(f"Không đọc được chứng thư {path}: {error}") from error


def load_signer(key_path, cert_path, chain_paths=(), passphrase=None) -> signers.SimpleSigner:
    """The signer for sign_pdf, from PEM or DER files; `chain_paths` are the certificates
    embedded beside the signer's (intermediates, the root) so that verifiers build the path."""
    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    try:
        key = load_private_key_from_pemder(str(key_path), passphrase=passphrase)
        certificate = load_cert_from_pemder(str(cert_path))
        chain = list(load_certs_from_pemder([str(Path(path)) for path in chain_paths]))
    except (OSError, ValueError, TypeError) as error:
        raise SignerSetupError(f"Không đọc được khoá hoặc chứng thư ký ({key_path}, {cert_path}): {error}") from error
    registry = SimpleCertificateStore()
    registry.register_multiple(chain)
    return signers.SimpleSigner(signing_cert=certificate, signing_key=key, cert_registry=registry)


def sign_pdf(pdf_bytes: bytes, signer, tsa_url: str | None = None, reason: str = DEFAULT_REASON, location: str = "Hà Nội") -> bytes:
    """`pdf_bytes` with a PAdES signature in the field ChuKySo: B-T when `tsa_url` is given
    (a timestamp server that fails raises pyHanko's TimestampRequestError), B-B otherwise."""
    metadata = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
                                            reason=nfc(reason), location=nfc(location))
    timestamper = HTTPTimeStamper(tsa_url) if tsa_url else None
    # B-T: pyHanko sizes the signature with a trial timestamp; B-B: sized here, sparing a trial signature.
    reserved = None if timestamper else _reservation(signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    return signers.sign_pdf(writer, metadata, signer=signer, timestamper=timestamper, bytes_reserved=reserved).getvalue()


def _reservation(signer) -> int:
    """Hex digits to reserve for a B-B signature: the certificates it embeds, and 2 KiB for the
    signed attributes and the signature value (about 700 bytes with P-256, 1200 with RSA-4096)."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    return 2 * (sum(len(certificate.dump()) for certificate in certificates) + 2048)


def _trust_roots(trust_roots) -> list:
    roots = []
    for root in trust_roots:
        if not isinstance(root, asn1_x509.Certificate):  # a cryptography certificate
            root = asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))
        roots.append(root)
    return roots


def _common_name(certificate) -> str:
    try:
        return certificate.subject.native.get("common_name") or certificate.subject.human_friendly
    except UNREADABLE:
        return ""


def _register_fields(reader: PdfFileReader, revision: int):
    """The /LMSCertificate JSON of the /Info dictionary as it was in `revision`, or None."""
    try:
        info = reader.get_historical_resolver(revision).trailer_view.get("/Info")
        raw = info.get_object().get("/" + REGISTER_KEY) if info is not None else None
        value = json.loads(str(raw)) if raw is not None else None
    except UNREADABLE:
        return None
    return value if isinstance(value, dict) else None


def verify_pdf(data: bytes, trust_roots) -> PdfCheck:
    """Check an uploaded certificate PDF; `trust_roots` are the roots its signer must chain to."""
    if not isinstance(data, (bytes, bytearray)) or b"%PDF-" not in bytes(data[:1024]):
        return PdfCheck(False, NOT_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)))
    except UNREADABLE:
        return PdfCheck(False, NOT_PDF)
    try:
        signatures = reader.embedded_signatures
    except UNREADABLE:  # a signature field or its CMS blob that cannot be read
        return PdfCheck(False, INVALID)
    if not signatures:
        return PdfCheck(False, UNSIGNED)
    if len(signatures) > 1:
        return PdfCheck(False, SEVERAL)
    signature = signatures[0]
    signer_name = _common_name(signature.signer_cert) if _has_signer(signature) else ""
    try:
        context = ValidationContext(trust_roots=_trust_roots(trust_roots), allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(signature, context)
    except UNREADABLE:
        return PdfCheck(False, INVALID, signer_name=signer_name)
    timestamp = status.timestamp_validity
    timestamped = bool(timestamp is not None and timestamp.valid and timestamp.intact and timestamp.trusted)
    signed_at = timestamp.timestamp if timestamped else status.signer_reported_dt
    seen = dict(signer_name=signer_name, timestamped=timestamped, signed_at=signed_at)
    if not (status.intact and status.valid):
        return PdfCheck(False, INVALID, **seen)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or status.modification_level not in (None, ModificationLevel.NONE):
        return PdfCheck(False, UPDATED, **seen)
    if not status.trusted:
        return PdfCheck(False, UNTRUSTED, **seen)
    register_fields = _register_fields(reader, signature.signed_revision)
    if register_fields is None:
        return PdfCheck(False, NO_FIELDS, **seen)
    return PdfCheck(True, OK, fields=register_fields, **seen)


def _has_signer(signature) -> bool:
    try:
        return signature.signer_cert is not None
    except UNREADABLE:
        return False
