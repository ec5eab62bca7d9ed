"""Files in and out of the question banks: parsing uploads, exports (audited), stored images.

Writes flush; the caller commits."""
import re
import unicodedata
from hashlib import sha256

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.downloads import GIFT, XLSX, XML, YAML
from lms.extensions import db
from lms.messages import translated
from lms.questionbank import formats
from lms.questionbank.models import QuestionImage
from lms.questionbank.schema import nfc
from lms.questionbank.services import QuestionBankError, config_value, questions_for_export

EXPORT_FILES = {
    "native": ("yaml", YAML),
    "gift": ("gift", GIFT),
    "moodlexml": ("xml", XML),
    "xlsx": ("xlsx", XLSX),
}


def parse_upload(filename, content, default_module=None):
    """(questions, warnings, bank name in the file or None) of a file in any supported format;
    the warnings in the language of the request.

    Raises FormatError naming the line, row or element (Vietnamese as str(); the page
    shows error.translated(gettext))."""
    result = formats.parse_file(filename, content, default_module=default_module)
    return list(result), [str(translated(w, _)) for w in result.warnings], result.bank


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


IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image_type(content):
    """The content type by magic bytes (png, jpeg, gif, webp), whatever the file name claims."""
    for signature, content_type in IMAGE_SIGNATURES:
        if content.startswith(signature):
            return content_type
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def store_image(bank, filename, content, actor):
    limit = int(config_value("QUESTION_IMAGE_MAX_BYTES", 2 * 1024 * 1024))
    if len(content) > limit:
        raise QuestionBankError(_("Ảnh quá lớn (tối đa %(kb)d KB).", kb=limit // 1024))
    content_type = sniff_image_type(content)
    if content_type is None:
        raise QuestionBankError(_("Chỉ nhận ảnh PNG, JPEG, GIF hoặc WebP."))
    digest = sha256(content).hexdigest()
    existing = db.session.execute(
        select(QuestionImage).where(QuestionImage.bank_id == bank.id, QuestionImage.sha256 == digest)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    image = QuestionImage(bank_id=bank.id, filename=nfc(filename or "")[:255], content_type=content_type, size=len(content),
                          sha256=digest, content=content, uploaded_by_id=actor.id if actor else None)
    db.session.add(image)
    db.session.flush()
    return image
