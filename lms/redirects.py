"""The one decision whether a user-supplied `next` target may be redirected to: only a path
on this site. Every redirect to a target from a form or a query string goes through it."""
from urllib.parse import urlsplit

from flask import flash, redirect

from lms.transactions import refused


def local_target(target):
    """`target` when it is a path of this site, else None.

    Refused: anything with a scheme or a host, a scheme-relative "//host", a backslash
    (browsers read "/\\host" as "//host"), and control characters or spaces, which browsers
    strip before parsing ("/\\t/host")."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(character) <= 0x20 or ord(character) == 0x7F for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def redirect_back(target, fallback):
    """Redirect to `target` when it is local, else to `fallback` (a URL built by the app)."""
    return redirect(local_target(target) or fallback)


def redirect_with(message, url, category="success"):
    """Post/redirect/get with a message: flash `message`, then redirect to `url` (built by the app)."""
    flash(message, category)
    return redirect(url)


def flash_outcome(action, success, refusals):
    """Run `action()` and flash the outcome: `success` (a message, or a function of the result)
    when it succeeds; when it raises one of `refusals`, roll back what it wrote (keeping its
    traces, lms.transactions.refused) and flash the refusal. Whether it succeeded."""
    try:
        result = action()
    except refusals as error:
        refused()
        flash(getattr(error, "message", None) or str(error), "danger")
        return False
    flash(success(result) if callable(success) else success, "success")
    return True
