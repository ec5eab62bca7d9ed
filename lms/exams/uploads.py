"""Files handed in for practical tasks: checked by extension AND content, stored under
UPLOAD_DIR/exams/<attempt>/, recorded as the task's answer. Writes flush, never commit."""
import hashlib
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from lms.archives import ArchiveError, content_matches
from lms.exams.attempts import ExamError, log_refusal, require_loaded, save_answers
from lms.exams.core import engine
from lms.exams.models import PracticalUpload
from lms.extensions import db
from lms.questionbank.types import PRACTICAL_EXTENSIONS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def store_upload(attempt, attempt_question, filename: str, content: bytes, now, allowed_extensions=None):
    """Check and store a practical file, and make it the task's answer."""
    allowed = [e.lower() for e in (allowed_extensions or PRACTICAL_EXTENSIONS)]
    extension = Path(filename or "").suffix.lower()
    if extension not in allowed:
        raise ExamError(_("Chỉ nhận tệp %(ext)s.", ext=", ".join(allowed)), "file_type", 400)
    limit = min(MAX_UPLOAD_BYTES, current_app.config.get("MAX_CONTENT_LENGTH") or MAX_UPLOAD_BYTES)
    if not content:
        raise ExamError(_("Tệp rỗng."), "file_empty", 400)
    if len(content) > limit:
        raise ExamError(_("Tệp lớn quá %(mb)d MB.", mb=limit // (1024 * 1024)), "file_size", 413)
    try:
        matches = content_matches(extension, content)
    except ArchiveError as error:  # a zip bomb, or an archive of too many members
        raise ExamError(error.translated(_), "file_content", 400) from None
    if not matches:
        raise ExamError(_("Nội dung tệp không đúng định dạng %(ext)s.", ext=extension), "file_content", 400)
    require_loaded(attempt)
    decision = engine.save_decision(attempt.clock())
    if not decision.allowed:
        log_refusal(attempt, "upload_refused", now, question=attempt_question.id, reason=decision.reason)
        raise ExamError(_("Đã hết giờ hoặc bài đã nộp: tệp không được nhận. Các tệp đã nộp trước đó vẫn được giữ."), "finished")
    directory = Path(current_app.config["UPLOAD_DIR"]) / "exams" / str(attempt.id)
    directory.mkdir(parents=True, exist_ok=True)
    stored = directory / f"{attempt_question.id}-{secrets.token_hex(8)}{extension}"
    stored.write_bytes(content)
    upload = PracticalUpload(
        attempt_question_id=attempt_question.id,
        filename=Path(filename).name[:255],
        stored_path=str(stored),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=now,
        late=decision.late,
    )
    db.session.add(upload)
    db.session.flush()
    sequence = int(now.timestamp() * 1000)  # newer than any earlier upload of this task
    save_answers(attempt, [{"question": attempt_question.id, "seq": sequence, "response": {"upload_id": upload.id}}], now)
    return upload
