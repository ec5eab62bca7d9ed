"""A development CA, so that a fresh checkout issues and verifies signed certificates
without a real signing certificate: a self-signed root and a document-signing certificate
issued by it, ECDSA P-256, made once under a directory and reused ever after.

Every name says DEVELOPMENT, and the PDFs signed with it say so too (CertificateDocument.
development). Files are never overwritten. The root's key is kept (mode 0600) so that a lost
signing pair is reissued under the same root; any other partial set is an error to resolve by
hand, since a new root would orphan the PDFs signed under the old one.
"""
import datetime
import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from lms.certificates import signing
from lms.text import nfc

DEFAULT_ISSUING_BODY = "Hanoi IT-skills LMS"
ROOT_COMMON_NAME = "LMS Development Root CA (DEVELOPMENT ONLY)"
SIGNER_COMMON_NAME = "Ký chứng chỉ – bản phát triển (DEVELOPMENT)"
VALIDITY = datetime.timedelta(days=3652)  # ten years
CLOCK_SKEW = datetime.timedelta(days=1)  # valid from yesterday: a verifier's clock may lag
# Document signing (RFC 9336) and Adobe's "Authentic Documents Trust" purpose; pyHanko's
# default validation asks only for nonRepudiation and accepts any extended key usage.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")

ROOT_CERT, ROOT_KEY = "development-root-ca.pem", "development-root-ca-key.pem"
SIGNING_CERT, SIGNING_KEY = "development-signing-cert.pem", "development-signing-key.pem"


class DevelopmentCAError(RuntimeError):
    """The directory holds part of a development CA: it cannot be completed safely."""


@dataclass(frozen=True)
class SignerFiles:
    key_path: Path
    cert_path: Path
    chain_paths: tuple  # certificates to embed beside the signer's (the root)
    root_cert_path: Path  # the trust root a verifier needs


def files_in(directory: Path) -> SignerFiles:
    directory = Path(directory)
    return SignerFiles(directory / SIGNING_KEY, directory / SIGNING_CERT, (directory / ROOT_CERT,), directory / ROOT_CERT)


def ensure_development_signer(directory: Path, issuing_body: str = DEFAULT_ISSUING_BODY) -> SignerFiles:
    """The development signer's files under `directory`, made when missing, reused when present."""
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = files_in(directory)
    with _lock(directory):  # several workers may start at once: one creates, the others reuse
        signer_present = [files.key_path.exists(), files.cert_path.exists()]
        root_present = [files.root_cert_path.exists(), (directory / ROOT_KEY).exists()]
        if all(signer_present) and root_present[0]:
            return files
        if any(signer_present) or any(root_present) and not all(root_present):
            raise DevelopmentCAError(f"Thư mục {directory} chứa một bộ chứng thư phát triển không đầy đủ; "
                                     "hãy xoá các tệp development-*.pem để tạo lại.")
        if all(root_present):  # the signing pair was removed: reissue it under the same root
            root_key = serialization.load_pem_private_key((directory / ROOT_KEY).read_bytes(), password=None)
            root_cert = x509.load_pem_x509_certificate(files.root_cert_path.read_bytes())
        else:
            root_key, root_cert = _make_root(issuing_body)
            _write(directory / ROOT_KEY, _key_pem(root_key), 0o600)
            _write(files.root_cert_path, root_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        signing_key, signing_cert = _make_signing_certificate(root_key, root_cert, issuing_body)
        _write(files.key_path, _key_pem(signing_key), 0o600)
        _write(files.cert_path, signing_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return files


def load_development_signer(directory: Path, issuing_body: str = DEFAULT_ISSUING_BODY):
    """The PAdES signer of the development CA under `directory` (made when missing)."""
    files = ensure_development_signer(directory, issuing_body)
    return signing.load_signer(files.key_path, files.cert_path, files.chain_paths)


@contextmanager
def _lock(directory: Path):
    with open(directory / ".development-ca.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, data: bytes, mode: int):
    # O_EXCL: never replace a file, even one that appeared since the check.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)  # whatever the umask


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, _at_most_64_bytes(nfc(organisation) or DEFAULT_ISSUING_BODY)),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _at_most_64_bytes(text: str) -> str:
    """X.520 caps a name attribute at 64 (UTF-8 bytes, as cryptography counts): a long body's name is cut."""
    while len(text.encode()) > 64:
        text = text[:-1]
    return text.rstrip()


def _key_usage(**granted) -> x509.KeyUsage:
    usages = dict(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                  key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    usages.update(granted)
    return x509.KeyUsage(**usages)


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now - CLOCK_SKEW).not_valid_after(now + VALIDITY)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _make_root(issuing_body: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(ROOT_COMMON_NAME, issuing_body)
    certificate = (_builder(name, name, key.public_key())
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
                   .sign(key, hashes.SHA256()))
    return key, certificate


def _make_signing_certificate(root_key, root_cert: x509.Certificate, issuing_body: str):
    key = ec.generate_private_key(ec.SECP256R1())
    root_key_id = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (_builder(_name(SIGNER_COMMON_NAME, issuing_body), root_cert.subject, key.public_key())
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ADOBE_AUTHENTIC_DOCUMENTS]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_key_id), critical=False)
                   .sign(root_key, hashes.SHA256()))
    return key, certificate
