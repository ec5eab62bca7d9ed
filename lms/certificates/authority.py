"""The issuing authority as configured: the body and signer printed on certificates, the
key and certificate it signs PDFs with (PAdES), the trust roots a verifier accepts, the
timestamp server, and the Ed25519 key of its Open Badges credentials.

Without configured keys, a development CA and keys are made once under SIGNING_DIR, so
that a fresh `make run` issues and verifies certificates; the PDFs then say they are
development certificates. Loaded once per process (keys are not re-read per certificate).
"""
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from flask import current_app

from lms.certificates import credentials, devca, signing


@dataclass
class Authority:
    issuing_body: str
    issue_place: str
    signer_title: str
    signer_name: str
    signer: object  # the PAdES signer (lms.certificates.signing)
    trust_roots: tuple
    tsa_url: str
    credential_key_path: Path
    development: bool
    public_url: str

    def verify_url(self, code):
        return f"{self.public_url}/verify/{code}"

    @cached_property
    def credential_key(self):
        """The Ed25519 key of the Open Badges credentials (made once when not configured)."""
        return credentials.ensure_issuer_key(self.credential_key_path)

    @property
    def issuer_id(self):
        return credentials.did_web(self.public_url)


def _paths(value):
    return [Path(part) for part in value.split(":") if part]


def load(config) -> Authority:
    signing_dir = Path(config["SIGNING_DIR"])
    if config["SIGNING_KEY"] and config["SIGNING_CERT"]:
        signer = signing.load_signer(Path(config["SIGNING_KEY"]), Path(config["SIGNING_CERT"]), _paths(config["SIGNING_CHAIN"]),
                                     config["SIGNING_KEY_PASSPHRASE"] or None)
        roots = [signing.load_certificate(path) for path in _paths(config["SIGNING_TRUST_ROOTS"])]
        development = False
    else:
        files = devca.ensure_development_signer(signing_dir, config["CERT_ISSUING_BODY"])
        signer = signing.load_signer(files.key_path, files.cert_path, files.chain_paths)
        roots = [signing.load_certificate(files.root_cert_path)]
        development = True
    key_path = Path(config["CREDENTIAL_KEY"]) if config["CREDENTIAL_KEY"] else signing_dir / "credential-ed25519-key.pem"
    return Authority(
        issuing_body=config["CERT_ISSUING_BODY"], issue_place=config["CERT_ISSUE_PLACE"], signer_title=config["CERT_SIGNER_TITLE"],
        signer_name=config["CERT_SIGNER_NAME"], signer=signer, trust_roots=tuple(roots), tsa_url=config["TSA_URL"],
        credential_key_path=key_path, development=development, public_url=config["PUBLIC_URL"].rstrip("/"),
    )


def current() -> Authority:
    """The app's authority, loaded on first use."""
    authority = current_app.extensions.get("certificate_authority")
    if authority is None:
        authority = current_app.extensions["certificate_authority"] = load(current_app.config)
    return authority
