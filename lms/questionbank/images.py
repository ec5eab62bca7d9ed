"""Images of question text, stored by the app (never hot-linked): checked by their bytes,
stored once per bank. Writes flush; the caller commits."""
from hashlib import sha256

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.questionbank.models import QuestionImage
from lms.questionbank.schema import nfc
from lms.questionbank.workflow import QuestionBankError, config_value

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
