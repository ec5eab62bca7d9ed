"""Text as the app stores it: Unicode NFC, so that "Nguyễn" typed on any keyboard is one
string. Pure Python."""
import unicodedata


def nfc(text) -> str:
    """NFC-normalised text; '' for None."""
    return unicodedata.normalize("NFC", text or "")


def tidy(text) -> str:
    """NFC-normalised and stripped: what a form field or an imported cell holds."""
    return nfc(text).strip()
