"""PAdES signing and verification of certificate PDFs (lms.certificates.signing) and the
development CA (lms.certificates.devca). Pure: no database, no app, no network (the
timestamp server runs in the test, on 127.0.0.1)."""
import datetime
import io
import os
import socket
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from lms.certificates import devca, document, signing
from lms.certificates.record import BASIC, CertificateDocument

DOCUMENT = CertificateDocument(
    code="K7QX2M9PZ4", kind=BASIC, title="CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CƠ BẢN", issuing_body="Trung tâm Tin học Hà Nội",
    holder_name="Nguyễn Thị Ánh Tuyết", birth_date=datetime.date(1990, 3, 7), birth_place="Hà Nội", sex="Nữ",
    exam_date=datetime.date(2026, 5, 20), exam_council="Hội đồng thi số 2", issue_date=datetime.date(2026, 6, 1),
    signer_title="Giám đốc", signer_name="Trần Văn Bình", serial="CB-2026-000123", register_number="0123/2026",
    verify_url="https://lms.example.vn/verify/K7QX2M9PZ4", development=True)


class DevelopmentAuthority:
    def __init__(self, directory):
        self.files = devca.ensure_development_signer(directory, "Trung tâm Tin học Hà Nội")
        self.signer = signing.load_signer(self.files.key_path, self.files.cert_path, self.files.chain_paths)
        self.root = signing.load_certificate(self.files.root_cert_path)


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    return DevelopmentAuthority(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="module")
def unsigned_pdf():
    return document.render_pdf(DOCUMENT)


@pytest.fixture(scope="module")
def signed_pdf(authority, unsigned_pdf):
    return signing.sign_pdf(unsigned_pdf, authority.signer)


def only_signature(pdf: bytes):
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return signatures[0]


def test_a_b_b_signature_validates_with_pyhanko_against_the_development_root(authority, signed_pdf):
    signature = only_signature(signed_pdf)
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[authority.root], allow_fetching=False))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.field_name == signing.FIELD_NAME
    assert signature.sig_object["/Location"] == "Hà Nội"
    assert status.timestamp_validity is None  # B-B: no timestamp token


def test_verify_pdf_accepts_the_signed_certificate_and_returns_its_fields(authority, signed_pdf):
    check = signing.verify_pdf(signed_pdf, [authority.root])
    assert check == signing.PdfCheck(True, "ok", fields=DOCUMENT.register_fields(), signer_name=devca.SIGNER_COMMON_NAME,
                                     timestamped=False, signed_at=check.signed_at)
    assert abs(check.signed_at - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
    assert signing.REASON_MESSAGES[check.reason] == "Chữ ký số hợp lệ; tệp còn nguyên vẹn như khi ký."


def test_a_cryptography_certificate_is_accepted_as_trust_root(authority, signed_pdf):
    root = x509.load_pem_x509_certificate(authority.files.root_cert_path.read_bytes())
    assert signing.verify_pdf(signed_pdf, [root]).reason == "ok"


def test_a_byte_changed_in_the_signed_content_breaks_the_signature(authority, signed_pdf):
    for occurrence in ("first", "last"):  # in the rendered revision, and in the one pyHanko added with the signature
        index = signed_pdf.find(b"ReportLab PDF Library") if occurrence == "first" else signed_pdf.rfind(b"ReportLab PDF Library")
        tampered = signed_pdf[:index] + b"X" + signed_pdf[index + 1:]
        assert signing.verify_pdf(tampered, [authority.root]).reason == "invalid_signature", occurrence


def _updated(signed: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _retitle(writer):
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("CHỨNG CHỈ NÂNG CAO – Nguyễn Văn Giả")
    writer.update_container(info)


def _add_text(writer):
    stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 300 Td (IU09) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))


@pytest.mark.parametrize("change", [_retitle, _add_text], ids=["info", "page text"])
def test_an_incremental_update_after_signing_is_refused(authority, signed_pdf, change):
    updated = _updated(signed_pdf, change)
    assert updated.startswith(signed_pdf)  # the signed bytes are all still there
    check = signing.verify_pdf(updated, [authority.root])
    assert (check.valid, check.reason, check.fields) == (False, "updated_after_signing", None)
    assert signing.REASON_MESSAGES[check.reason] == "Tệp đã bị sửa sau khi ký."


def test_a_certificate_signed_by_another_ca_is_untrusted(authority, unsigned_pdf, tmp_path):
    forger = DevelopmentAuthority(tmp_path / "forger")
    forged = signing.sign_pdf(unsigned_pdf, forger.signer)
    assert signing.verify_pdf(forged, [forger.root]).reason == "ok"
    check = signing.verify_pdf(forged, [authority.root])
    assert (check.valid, check.reason, check.fields) == (False, "untrusted_signer", None)
    assert check.signer_name == devca.SIGNER_COMMON_NAME
    assert signing.verify_pdf(forged, []).reason == "untrusted_signer"  # no roots trusts nothing, not the system's


def test_a_second_signature_is_refused(authority, signed_pdf):
    metadata = signers.PdfSignatureMetadata(field_name="ChuKyThuHai", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    twice = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(signed_pdf)), metadata, signer=authority.signer).getvalue()
    assert signing.verify_pdf(twice, [authority.root]).reason == "several_signatures"


def test_a_signed_pdf_without_register_fields_is_refused(authority):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "A signed letter, not a certificate")
    canvas.save()
    signed = signing.sign_pdf(buffer.getvalue(), authority.signer)
    assert signing.verify_pdf(signed, [authority.root]).reason == "no_register_fields"


def _broken_xref(pdf: bytes) -> bytes:
    index = pdf.rfind(b"startxref")
    return pdf[:index] + b"startxref\n999999999\n%%EOF\n"


@pytest.mark.parametrize("damage, reason", [
    (lambda signed, unsigned: unsigned, "unsigned"),
    (lambda signed, unsigned: os.urandom(4096), "not_pdf"),
    (lambda signed, unsigned: b"", "not_pdf"),
    (lambda signed, unsigned: b"%PDF-1.7\n" + os.urandom(2000), "not_pdf"),
    (lambda signed, unsigned: signed[: len(signed) * 2 // 3], "not_pdf"),
    (lambda signed, unsigned: _broken_xref(signed), "not_pdf"),
], ids=["unsigned", "random bytes", "empty", "pdf header then garbage", "truncated", "broken xref"])
def test_damaged_or_unsigned_files_are_reasons_not_exceptions(authority, signed_pdf, unsigned_pdf, damage, reason):
    check = signing.verify_pdf(damage(signed_pdf, unsigned_pdf), [authority.root])
    assert (check.valid, check.reason, check.fields) == (False, reason, None)


def test_every_reason_has_a_vietnamese_message():
    assert set(signing.REASON_MESSAGES) == {"ok", "not_pdf", "unsigned", "several_signatures", "invalid_signature", "untrusted_signer",
                                            "updated_after_signing", "no_register_fields"}
    assert signing.REASON_MESSAGES["updated_after_signing"] == "Tệp đã bị sửa sau khi ký."


def test_the_signing_certificate_is_for_non_repudiation(authority):
    certificate = x509.load_pem_x509_certificate(authority.files.cert_path.read_bytes())
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment and not usage.value.key_cert_sign
    purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36") in purposes
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "DEVELOPMENT" in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Trung tâm Tin học Hà Nội"
    root = x509.load_pem_x509_certificate(authority.files.root_cert_path.read_bytes())
    assert certificate.issuer == root.subject and root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc > datetime.timedelta(days=3650)


def test_the_development_ca_is_made_once_and_reused(tmp_path):
    first = devca.ensure_development_signer(tmp_path / "ca")
    contents = {path: path.read_bytes() for path in (tmp_path / "ca").glob("*.pem")}
    assert len(contents) == 4
    assert devca.ensure_development_signer(tmp_path / "ca") == first
    assert {path: path.read_bytes() for path in (tmp_path / "ca").glob("*.pem")} == contents
    for key in (first.key_path, tmp_path / "ca" / devca.ROOT_KEY):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_lost_signing_certificate_is_reissued_under_the_same_root_and_a_half_pair_is_refused(tmp_path):
    files = devca.ensure_development_signer(tmp_path)
    root, old_certificate = files.root_cert_path.read_bytes(), files.cert_path.read_bytes()
    files.cert_path.unlink()
    with pytest.raises(devca.DevelopmentCAError):
        devca.ensure_development_signer(tmp_path)
    files.key_path.unlink()
    devca.ensure_development_signer(tmp_path)
    assert files.root_cert_path.read_bytes() == root and files.cert_path.read_bytes() != old_certificate


def test_unreadable_signer_files_raise_a_setup_error(tmp_path):
    with pytest.raises(signing.SignerSetupError):
        signing.load_signer(tmp_path / "missing-key.pem", tmp_path / "missing-cert.pem")


# B-T: an RFC 3161 timestamp server in a thread, answering with pyHanko's DummyTimeStamper.

def _self_signed_tsa():
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, key, issuer_key, ca):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(root_name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return asn1_x509.Certificate.load(builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))

    root = build(root_name, root_key, root_key, True)
    tsa = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]), tsa_key, root_key, False)
    tsa_key_info = asn1_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return root, DummyTimeStamper(tsa_cert=tsa, tsa_key=tsa_key_info)


@pytest.fixture(scope="module")
def timestamp_server():
    root, stamper = _self_signed_tsa()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", root
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_b_t_signature_carries_a_valid_timestamp(authority, unsigned_pdf, timestamp_server):
    url, tsa_root = timestamp_server
    signed = signing.sign_pdf(unsigned_pdf, authority.signer, tsa_url=url)
    context = ValidationContext(trust_roots=[authority.root, tsa_root], allow_fetching=False)
    status = validate_pdf_signature(only_signature(signed), context)
    assert status.bottom_line and status.timestamp_validity.valid and status.timestamp_validity.trusted
    check = signing.verify_pdf(signed, [authority.root, tsa_root])
    assert (check.reason, check.timestamped) == ("ok", True)
    assert check.signed_at == status.timestamp_validity.timestamp
    assert signing.verify_pdf(signed, [authority.root]).timestamped is False  # a timestamp from an unknown TSA counts for nothing


def test_an_unreachable_timestamp_server_fails_the_signing(authority, unsigned_pdf):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TimestampRequestError):
        signing.sign_pdf(unsigned_pdf, authority.signer, tsa_url=f"http://127.0.0.1:{port}/tsa")
