"""Files in and out of the question banks: parsing uploads, exports (audited), stored images.

Writes flush; the caller commits."""
import re
import unicodedata

from flask_babel import gettext as _

from lms.audit.services import record
from lms.downloads import GIFT, XLSX, XML, YAML
from lms.messages import translated
from lms.questionbank import formats
from lms.questionbank.images import sniff_image_type, store_image
from lms.questionbank.services import QuestionBankError, questions_for_export

# Images are stored by lms.questionbank.images; the image upload view calls them through here.
__all__ = ["EXPORT_FILES", "ascii_slug", "export_bank", "export_bytes", "parse_upload", "sniff_image_type", "store_image"]

EXPORT_FILES = {
    "native": ("yaml", YAML),
    "gift": ("gift", GIFT),
    "moodlexml": ("xml", XML),
    "xlsx": ("xlsx", XLSX),
}


def parse_upload(filename, content, default_module=None):
    """(questions, warnings, bank name in the file or None, images) of a file in any supported
    format; the warnings in the language of the request; images: {question key: {file name:
    bytes}} that a Moodle XML file embeds (for import_questions to store).

    Raises FormatError naming the line, row or element (Vietnamese as str(); the page
    shows error.translated(gettext))."""
    result = formats.parse_file(filename, content, default_module=default_module)
    return list(result), [str(translated(w, _)) for w in result.warnings], result.bank, result.media


def export_bytes(bank, fmt):
    """(file content, question count). Only the native format carries the bank's name."""
    if fmt not in EXPORT_FILES:
        raise QuestionBankError(_("Định dạng xuất không hỗ trợ."))
    questions = questions_for_export(bank)
    options = {"bank": bank.name} if fmt == "native" else {}
    body = formats.serialize(fmt, questions, **options)
    return (body.encode("utf-8") if isinstance(body, str) else body), len(questions)


def export_bank(bank, fmt, actor=None, actor_name=None):
    """(bytes, download file name, mimetype). Every export is written to the audit log."""
    body, count = export_bytes(bank, fmt)
    record("questionbank.export", target=bank.name, actor=actor, actor_name=actor_name, format=fmt, questions=count)
    extension, mimetype = EXPORT_FILES[fmt]
    return body, f"{ascii_slug(bank.name) or 'ngan-hang'}.{extension}", mimetype


def ascii_slug(text):
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80]
