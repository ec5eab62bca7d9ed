"""W3C Bitstring Status List v1.0: the revocation list of the issued certificates, one bit per
certificate (bit 0 is the most significant bit of the first byte), GZIP-compressed and
base64url-encoded with the multibase prefix 'u'; at least 131,072 entries, so that the list
says nothing about how many certificates exist (the spec's herd privacy). Pure."""
import base64
import gzip
import io
import zlib
from datetime import datetime, timezone

from lms.certificates.credentials import VC_CONTEXT

DEFAULT_SIZE = 131_072  # bits: 16 KiB
MAX_DECODED_BYTES = 16 * 1024 * 1024  # a list larger than this is refused, not inflated


class StatusListError(ValueError):
    pass


def encode_status_list(revoked_indexes, size: int = DEFAULT_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        if not 0 <= index < size:
            raise StatusListError(f"index {index} outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise StatusListError("not a multibase base64url list")
    try:
        compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            data = stream.read(MAX_DECODED_BYTES + 1)
    except (ValueError, OSError, EOFError, zlib.error) as error:
        raise StatusListError(f"undecodable list: {error}") from None
    if len(data) > MAX_DECODED_BYTES:
        raise StatusListError("list too large")
    return data


def is_revoked(encoded: str, index: int) -> bool:
    bits = decode_status_list(encoded)
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def build_status_list_credential(list_url, issuer_id, issuer_name, revoked_indexes, valid_from: datetime) -> dict:
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id, "name": issuer_name},
        "validFrom": valid_from.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indexes),
        },
    }
