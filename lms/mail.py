"""E-mail that never blocks or fails a request: a message is queued in the database with
the transaction that causes it, and delivered afterwards (after a job, or by `schedule run`)
over SMTP when LMS_SMTP_HOST is set, else written as an .eml file to the outbox folder.
A message that cannot be sent stays queued and is retried, waiting longer after each failure
(1 minute, doubling, at most 4 hours; MAX_TRIES in all); every message sent is kept and logged.
"""
import logging
import secrets
import smtplib
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, Text, and_, insert, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models_base import UTCDateTime, utcnow
from lms.text import nfc

MAX_TRIES = 10
FIRST_RETRY, LONGEST_WAIT = timedelta(minutes=1), timedelta(hours=4)
CLAIM_FOR = timedelta(minutes=10)  # a sender that died while sending frees its message after this
log = logging.getLogger("lms.mail")


ONE_LINE_HEADERS = policy.default.clone(max_line_length=998)

class MailMessage(db.Model):
    __tablename__ = "mail_message"
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(60), default="")
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Not tried before this time: the wait after a failure, or another sender's claim. NULL: due.
    next_attempt_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


def retry_delay(tries):
    """The wait after the `tries`-th failed attempt."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_WAIT)


def _due(now):
    return and_(MailMessage.sent_at.is_(None), MailMessage.tries < MAX_TRIES,
                or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now))


def _claim(message_id, now):
    """Take the message for this sender (one UPDATE, committed): two senders at once (the
    schedule and a request's delivery) never send it twice."""
    claimed = db.session.execute(update(MailMessage).where(MailMessage.id == message_id, _due(now))
                                 .values(next_attempt_at=now + CLAIM_FOR)).rowcount
    db.session.commit()
    return claimed == 1


def queue(to_address, subject, body, kind="", staff_id=None):
    message = MailMessage(to_address=to_address.strip(), subject=nfc(subject), body=nfc(body), kind=kind, staff_id=staff_id)
    db.session.add(message)
    db.session.flush()
    return message


def queue_many(messages):
    """Queue many messages with one INSERT (accounts provisioned for a whole unit): dicts of
    queue()'s arguments. How many were queued."""
    rows = [{"to_address": m["to_address"].strip(), "subject": nfc(m["subject"]), "body": nfc(m["body"]), "kind": m.get("kind", ""),
             "staff_id": m.get("staff_id"), "created_at": utcnow()} for m in messages]
    if rows:
        db.session.execute(insert(MailMessage), rows)
    return len(rows)


def _as_email(message: MailMessage, sender):
    # Long Vietnamese subjects folded into several encoded words lose their spaces in mail
    # readers; a subject is kept on one line instead (RFC 5322 allows 998 characters).
    email = EmailMessage(policy=ONE_LINE_HEADERS)
    email["From"], email["To"], email["Subject"] = sender, message.to_address, message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"lms-{message.id}")
    email.set_content(message.body, charset="utf-8")
    return email


def deliver_pending(config, now=None, limit=200):
    """Send what is due (each message claimed, then committed on its own). Returns (sent, failed)."""
    now = now or utcnow()
    due = db.session.execute(select(MailMessage.id).where(_due(now)).order_by(MailMessage.id).limit(limit)).scalars().all()
    sent = failed = 0
    for message_id in due:
        if not _claim(message_id, now):
            continue
        message = db.session.get(MailMessage, message_id)
        message.tries += 1
        try:
            _send(_as_email(message, config["MAIL_FROM"]), message, config)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"
            message.next_attempt_at = now + retry_delay(message.tries)
            failed += 1
            log.warning("mail %s (%s) to %s not sent, try %s of %s: %s", message.id, message.kind, message.to_address, message.tries,
                        MAX_TRIES, message.last_error)
        else:
            message.sent_at, message.next_attempt_at = now, None
            sent += 1
            log.info("mail %s (%s) sent to %s", message.id, message.kind, message.to_address)
        db.session.commit()
    return sent, failed


def deliver_job(_params, _progress):
    """The job ("mail.deliver", lms.jobs) a request submits once it queued mail: sent after the
    request's transaction committed, never in the request itself."""
    from flask import current_app

    sent, failed = deliver_pending(current_app.config)
    return {"sent": sent, "failed": failed}


def _send(email, message, config):
    if config.get("SMTP_HOST"):
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(email)
        return
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    # A random tail: ids start again in a new database, and an existing file is never overwritten.
    (outbox / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id:06d}-{secrets.token_hex(4)}.eml").write_bytes(bytes(email))
