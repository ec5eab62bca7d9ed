"""One-time secrets that set an account's password: activation codes (first sign-in, or a new
code from HR for a forgotten password) and e-mailed reset links. They flush; the request or
command commits.

A code or token is stored only as its keyed hash (lms.auth.codes), with its expiry; using one
marks it used and revokes every other outstanding one of the account, issuing one revokes the
earlier ones of its kind, so at most one of each kind opens the account at any time.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from lms.audit.services import record
from lms.auth import codes
from lms.auth.models import ACTIVATION, RESET, AccountToken, User
from lms.auth.services import find_user, set_password
from lms.extensions import db
from lms.localtime import format_local
from lms.mail import queue
from lms.org.models import Staff

CHUNK = 500  # ids per IN (...) list, well inside every database's limit of bound parameters
RESET_COOLDOWN = timedelta(minutes=2)  # one reset e-mail per account in that time, however often asked


def _hash(purpose, value):
    return codes.keyed_hash(current_app.config["SECRET_KEY"], purpose, value)


def in_chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def code_expiry(now):
    return now + timedelta(days=current_app.config["ACTIVATION_CODE_DAYS"])


def _revoke(user_ids, purposes, now):
    for chunk in in_chunks(user_ids):
        db.session.execute(
            update(AccountToken)
            .where(AccountToken.user_id.in_(chunk), AccountToken.purpose.in_(purposes),
                   AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )


def issue_codes(user_ids, now, actor=None, delivery=""):
    """A fresh activation code for each account, its earlier unused codes revoked, in one
    UPDATE and one INSERT per chunk: {user_id: code}. The codes exist in clear only in what
    this returns (to e-mail or print them)."""
    user_ids = list(user_ids)
    _revoke(user_ids, (ACTIVATION,), now)
    issued = {user_id: codes.new_code() for user_id in user_ids}
    expires = code_expiry(now)
    rows = [{"user_id": user_id, "purpose": ACTIVATION, "token_hash": _hash(ACTIVATION, code), "delivery": delivery,
             "created_at": now, "expires_at": expires, "issued_by_id": actor.id if actor is not None else None}
            for user_id, code in issued.items()]
    if rows:
        db.session.execute(insert(AccountToken), rows)
    return issued


def _open_tokens(user_id, purpose, now):
    return db.session.execute(
        select(AccountToken).where(AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
                                   AccountToken.revoked_at.is_(None), AccountToken.expires_at > now)
    ).scalars().all()


def _use(token, user, password, now, action):
    """Set the password (the policy applies: AccountError), mark the token used, revoke the
    others of the account. Every session of the account ends (set_password)."""
    set_password(user, password, actor=user)
    token.used_at = now
    db.session.flush()
    _revoke([user.id], (ACTIVATION, RESET), now)
    record(action, target=user.username, actor=user, delivery=token.delivery)
    return user


def redeem_code(username, typed_code, password, now):
    """The account whose valid activation code this is, its password now set; None when the
    username, the code or the account does not fit (used, revoked, expired, disabled) — the
    caller counts that as a failed sign-in."""
    code = codes.normalised(typed_code)
    user = find_user(username or "")
    if not code or user is None or not user.enabled:
        return None
    candidate = _hash(ACTIVATION, code)
    token = next((t for t in _open_tokens(user.id, ACTIVATION, now) if codes.same_hash(t.token_hash, candidate)), None)
    if token is None:
        return None
    return _use(token, user, password, now, "user.activate")


def reset_token(token_text, now):
    """The valid reset token for this link, or None."""
    if not token_text or len(token_text) > 100:
        return None
    token = db.session.execute(
        select(AccountToken).where(AccountToken.token_hash == _hash(RESET, token_text), AccountToken.purpose == RESET)
    ).scalar_one_or_none()
    if token is None or token.used_at or token.revoked_at or token.expires_at <= now:
        return None
    user = db.session.get(User, token.user_id)
    return token if user is not None and user.enabled else None


def redeem_reset(token_text, password, now):
    token = reset_token(token_text, now)
    if token is None:
        return None
    return _use(token, db.session.get(User, token.user_id), password, now, "user.password_reset")


def accounts_matching(identifier):
    """Enabled accounts of staff members with an e-mail address, found by username or by that
    address (several people may share one): at most 5."""
    identifier = (identifier or "").strip().lower()
    if not identifier:
        return []
    return db.session.execute(
        select(User, Staff).join(Staff, Staff.id == User.staff_id)
        .where(User.enabled.is_(True), Staff.email != "", (User.username == identifier) | (func.lower(Staff.email) == identifier))
        .order_by(User.id).limit(5)
    ).all()


def request_reset(identifier, now):
    """E-mail a reset link to each account the identifier names (none: nothing happens, and
    the page says the same either way). How many e-mails were queued."""
    queued = 0
    for user, staff in accounts_matching(identifier):
        recent = db.session.execute(
            select(AccountToken.id).where(AccountToken.user_id == user.id, AccountToken.purpose == RESET,
                                          AccountToken.created_at > now - RESET_COOLDOWN).limit(1)
        ).first()
        if recent:
            continue  # one link per account in the cool-down: asking again is no way to flood a mailbox
        _revoke([user.id], (RESET,), now)
        token_text = codes.new_token()
        expires = now + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
        db.session.add(AccountToken(user_id=user.id, purpose=RESET, token_hash=_hash(RESET, token_text), delivery="email",
                                    created_at=now, expires_at=expires))
        subject, body = reset_email(staff.full_name, user.username, token_text, expires)
        queue(staff.email, subject, body, kind="account.reset", staff_id=staff.id)
        record("user.password_reset_request", target=user.username, actor_name=user.username)
        queued += 1
    db.session.flush()
    return queued


def public_url(path):
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def activation_email(full_name, username, code, expires):
    """(subject, body) of the e-mail carrying an activation code, in Vietnamese."""
    with force_locale("vi"):
        subject = _("Tài khoản học tập của bạn trên hệ thống bồi dưỡng kỹ năng CNTT Hà Nội")
        body = "\n\n".join([
            _("Kính gửi %(name)s,", name=full_name),
            _("Đơn vị của bạn đã tạo tài khoản cho bạn trên hệ thống bồi dưỡng và sát hạch kỹ năng CNTT của thành phố Hà Nội."),
            _("Tên đăng nhập: %(username)s\nMã kích hoạt: %(code)s", username=username, code=codes.grouped(code)),
            _("Mở %(url)s, nhập tên đăng nhập và mã kích hoạt, rồi tự đặt mật khẩu của bạn. Mã chỉ dùng được một lần, "
              "đến hết %(expires)s.", url=public_url("/activate"), expires=format_local(expires)),
            _("Không chuyển mã này cho người khác. Nếu mã hết hạn, hãy đề nghị cán bộ tổ chức của đơn vị cấp mã mới."),
        ])
    return subject, body


def reset_email(full_name, username, token_text, expires):
    """(subject, body) of the e-mail carrying a reset link, in Vietnamese."""
    with force_locale("vi"):
        subject = _("Đặt lại mật khẩu trên hệ thống bồi dưỡng kỹ năng CNTT Hà Nội")
        body = "\n\n".join([
            _("Kính gửi %(name)s,", name=full_name),
            _("Có yêu cầu đặt lại mật khẩu cho tài khoản %(username)s. Mở liên kết sau để đặt mật khẩu mới "
              "(dùng được một lần, đến hết %(expires)s):", username=username, expires=format_local(expires)),
            public_url(f"/password/reset/{token_text}"),
            _("Nếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu hiện tại vẫn giữ nguyên."),
        ])
    return subject, body
