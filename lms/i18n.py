"""The templates' translation callables; N_ (lms.messages) for strings translated later,
where they are shown."""
from flask import has_request_context, request
from flask_babel import get_translations

from lms.messages import N_  # noqa: F401  (where the models and forms import it from)


def request_translations():
    """The translations of the current request's language, looked up once per request.

    Flask-Babel's template callables look them up again on every `_()`, which was half
    of the time spent rendering a page's fixed text. The language of a request does not
    change while it runs (Flask-Babel caches it per request too)."""
    if not has_request_context():
        return get_translations()
    current = request._get_current_object()
    translations = getattr(current, "_lms_translations", None)
    if translations is None:
        translations = current._lms_translations = get_translations()
    return translations


def install_template_gettext(app):
    """Templates' _(), gettext() and friends through request_translations()."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
