"""Question and lesson text to safe HTML.

Markdown goes through markdown-it-py, HTML is taken as written; both are then
sanitised by nh3 with an allow-list, so whatever the source (a trainer, a GIFT or
Moodle XML file from elsewhere) no script, style, event handler or javascript:/data:
URL reaches a page. Pure Python: no Flask.
"""
from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

from lms.questionbank.schema import nfc

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "code", "pre", "ul", "ol", "li", "blockquote",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "sub", "sup", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}, "ol": {"start"}}
LINK_SCHEMES = {"http", "https", "mailto"}
# Images must be stored by the app: a relative path or the app's own /media/ URLs.
MEDIA_PREFIX = "/media/"
# The app's own URL of a stored question image (questionbank.media).
QUESTION_IMAGE_URL = re.compile(r"/media/questions/(\d+)(?!\d)")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Characters browsers ignore inside a URL scheme ("java\tscript:") are removed before checking.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


def _safe_link(url: str) -> bool:
    compact = _IGNORED_IN_URL.sub("", html.unescape(url))
    if compact.startswith("//") or compact.startswith("\\"):
        return False  # protocol-relative: another host
    scheme = _SCHEME.match(compact)
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


def _safe_image(url: str) -> bool:
    compact = _IGNORED_IN_URL.sub("", html.unescape(url))
    if _SCHEME.match(compact) or compact.startswith("//") or compact.startswith("\\"):
        return False
    return compact.startswith(MEDIA_PREFIX) or not compact.startswith("/")


def _attribute_filter(tag: str, attribute: str, value: str):
    if tag == "a" and attribute == "href":
        return value if _safe_link(value) else None
    if tag == "img" and attribute == "src":
        return value if _safe_image(value) else None
    return value


def sanitize_html(source: str) -> str:
    return nh3.clean(
        source,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "embed", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _plain_to_html(text: str) -> str:
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join("<p>" + html.escape(part.strip()).replace("\n", "<br>") + "</p>" for part in paragraphs)


def render(text: str, text_format: str = "markdown") -> str:
    """A block of text (paragraphs, lists, tables) as safe HTML."""
    text = nfc(text)
    if text_format == "plain":
        return _plain_to_html(text)
    if text_format == "html":
        return sanitize_html(text)
    return sanitize_html(_markdown.render(text))


def render_inline(text: str, text_format: str = "markdown") -> str:
    """A short text (a choice, a matching item) as safe HTML without a wrapping paragraph."""
    text = nfc(text)
    if text_format == "plain":
        return html.escape(text.strip())
    if text_format == "html":
        return sanitize_html(text)
    return sanitize_html(_markdown.renderInline(text))


def excerpt(text: str, text_format: str = "markdown", length: int = 110) -> str:
    """A question's text as a short line of plain text for lists: what a reader sees, not its
    Markdown or HTML source (images and markup dropped, whitespace collapsed)."""
    plain = html.unescape(nh3.clean(render(text or "", text_format), tags=set()))
    plain = " ".join(plain.split())
    return plain if len(plain) <= length else plain[: length - 1].rstrip() + "…"


def question_image_ids(text: str) -> set:
    """Ids of the stored question images a text (source or rendered) refers to."""
    return {int(found) for found in QUESTION_IMAGE_URL.findall(text or "")}


# What a question's data holds that its candidate must not see while answering: the key
# and the feedback.
def question_data_images(data) -> set:
    """Ids of the stored images anywhere in a question's data, or in any nested value (a
    candidate's view of it: lms.questionbank.types.shown_images)."""
    found: set = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.update(question_image_ids(value))

    walk(data)
    return found
