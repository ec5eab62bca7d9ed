"""What the issuer publishes for offline verification of its Open Badges credentials: each
certificate as a signed OpenBadgeCredential (VC-JWT, Ed25519), the issuer's public keys (a
did:web document and a JWKS), and the revocation status lists (W3C Bitstring Status List)."""
from lms.certificates import authority as authorities
from lms.certificates import credentials, issuance, queries
from lms.certificates import status_list as status_lists
from lms.models_base import utcnow

LIST_SIZE = status_lists.DEFAULT_SIZE


def status_list_url(authority, list_number):
    return f"{authority.public_url}/certificates/status/{list_number}"


def signed_credential(certificate) -> str:
    authority = authorities.current()
    list_number = certificate.status_index // LIST_SIZE
    credential = credentials.build_credential(
        issuance.document_of(certificate, authority), issuer_id=authority.issuer_id, issuer_name=certificate.issuing_body,
        base_url=authority.public_url, status_list_url=status_list_url(authority, list_number), status_index=certificate.status_index % LIST_SIZE,
        issued_at=certificate.issued_at,
    )
    return credentials.sign_credential(credential, authority.credential_key)


def signed_status_list(list_number) -> str:
    authority = authorities.current()
    revoked = [index - list_number * LIST_SIZE for index in queries.revoked_indexes(list_number, LIST_SIZE)]
    # Valid from the start of the hour: every fetch within it signs the same claims, and a
    # verifier whose clock is a few minutes slow does not see a list "not yet valid".
    valid_from = utcnow().replace(minute=0, second=0, microsecond=0)
    credential = status_lists.build_status_list_credential(status_list_url(authority, list_number), authority.issuer_id,
                                                           authority.issuing_body, revoked, valid_from)
    return credentials.sign_credential(credential, authority.credential_key)


def did_document():
    authority = authorities.current()
    return authority.credential_key.did_document(authority.issuer_id)


def jwks():
    return authorities.current().credential_key.jwks()
