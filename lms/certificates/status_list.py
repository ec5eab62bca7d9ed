"""W3C Bitstring Status List v1.0: the revocation list of the issued certificates, one bit per
certificate, bit 0 being the most significant bit of the first byte; GZIP-compressed, then
base64url without padding behind the multibase prefix 'u'. At least 131,072 entries (16 KiB),
so that the list says nothing about how many certificates exist (the spec's herd privacy).

The list credential is signed like the certificates' credentials (credentials.sign_credential),
which puts the credential itself in the JWT payload, as VC-JOSE-COSE does. Pure.
"""
import base64
import binascii
import gzip
import io
import zlib
from datetime import datetime
from typing import Iterable

from lms.certificates.credentials import VC_CONTEXT, iso_utc

MIN_SIZE = 131_072  # bits: the spec's minimum, 16 KiB
DEFAULT_SIZE = MIN_SIZE
MAX_DECODED_BYTES = 16 * 1024 * 1024  # 128 Mi entries; anything larger is refused, not inflated
MAX_ENCODED_CHARS = 4 * 1024 * 1024  # a 16 MiB bitstring compresses far below this unless it is noise


class StatusListError(ValueError):
    pass


def _bit_mask(index: int) -> tuple:
    return index // 8, 0x80 >> (index % 8)  # bit 0 = most significant bit of byte 0


def encode_status_list(revoked_indexes: Iterable[int], size: int = DEFAULT_SIZE) -> str:
    """encodedList of a list of `size` entries with the given indexes set."""
    if size < MIN_SIZE or size % 8:
        raise StatusListError(f"a status list has at least {MIN_SIZE} entries, a whole number of bytes")
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
            raise StatusListError(f"index {index!r} outside the list")
        byte, mask = _bit_mask(index)
        bits[byte] |= mask
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list always encodes the same
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str) -> bytes:
    """The bitstring of an encodedList; StatusListError when it is not one, is shorter than the
    spec's minimum, or inflates past MAX_DECODED_BYTES (read in bounded steps, never whole)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("not a multibase base64url list (prefix 'u')")
    if len(encoded) > MAX_ENCODED_CHARS:
        raise StatusListError("list too large")
    body = encoded[1:].rstrip("=")
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            data = stream.read(MAX_DECODED_BYTES + 1)
    except (binascii.Error, ValueError, OSError, EOFError, zlib.error) as error:
        raise StatusListError(f"undecodable list: {error}") from None
    if len(data) > MAX_DECODED_BYTES:
        raise StatusListError("list too large")
    if len(data) * 8 < MIN_SIZE:
        raise StatusListError(f"list shorter than the {MIN_SIZE} entries the spec requires")
    return data


def is_revoked(encoded: str, index) -> bool:
    """Whether the entry at `index` (an int, or the credential's statusListIndex string) is set."""
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int):
        raise StatusListError(f"not a status list index: {index!r}")
    bits = decode_status_list(encoded)
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} outside the list")
    byte, mask = _bit_mask(index)
    return bool(bits[byte] & mask)


def build_status_list_credential(list_url: str, issuer_id: str, issuer_name: str, revoked_indexes: Iterable[int], valid_from: datetime,
                                 size: int = DEFAULT_SIZE) -> dict:
    """The BitstringStatusListCredential published at `list_url`, for credentialStatus entries
    whose statusListCredential is `list_url`."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer_id, "name": issuer_name},
        "validFrom": iso_utc(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indexes, size),
        },
    }
