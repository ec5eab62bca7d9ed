"""Reading what a candidate's browser sent: indexes, numbers typed with a decimal comma,
short answers compared the way a person would (trimmed, NFC, case-insensitive unless
told otherwise, diacritics always significant). Pure Python."""
from __future__ import annotations

import math
import re
from typing import Optional

from lms.messages import N_, MessageError
from lms.questionbank.schema import nfc

MAX_TEXT_RESPONSE = 1000


class ResponseError(MessageError):
    """A response from the browser that cannot be graded (wrong shape or out of range).

    str(error) is Vietnamese; `error.translated(gettext)` gives the text for the candidate's page."""


def response_index(value, size: int, what) -> int:
    """`what` names the value in messages: a Message ("Phương án"), translated with them."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ResponseError(N_("%(what)s không hợp lệ."), what=what)
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise ResponseError(N_("%(what)s không hợp lệ."), what=what)
        value = int(value.strip())
    if not 0 <= value < size:
        raise ResponseError(N_("%(what)s nằm ngoài phạm vi."), what=what)
    return value


def permutation(order: Optional[dict], name: str, size: int) -> list:
    permutation = list((order or {}).get(name) or range(size))
    if sorted(permutation) != list(range(size)):
        raise ValueError(f"presentation order '{name}' is not a permutation of {size} items")
    return permutation


def normalize_text(text: str, case_sensitive: bool = False) -> str:
    """Short answers compare trimmed, whitespace-collapsed, NFC; diacritics always count."""
    collapsed = " ".join(nfc(text).split())
    return collapsed if case_sensitive else collapsed.casefold()


def parse_number(raw) -> float:
    """A number typed by a candidate: 3.5, "3,5" (Vietnamese decimal comma), " -2 "."""
    if isinstance(raw, bool):
        raise ResponseError(N_("Giá trị phải là một số."))
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            raise ResponseError(N_("Giá trị phải là một số (ví dụ 3,5)."))
        value = float(text)
    else:
        raise ResponseError(N_("Giá trị phải là một số."))
    if not math.isfinite(value):
        raise ResponseError(N_("Giá trị phải là một số."))
    return value
