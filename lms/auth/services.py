"""Account operations. They flush; the request (or CLI command) commits."""

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.models import ROLES, SCOPED_ROLES, RoleAssignment, User
from lms.auth.passwords import hash_password, policy_errors
from lms.auth.sessions import end_all_sessions
from lms.extensions import db
from lms.text import tidy


class AccountError(ValueError):
    """A refusal shown to the user, in the language of the request (Vietnamese outside one)."""


def find_user(username):
    return db.session.execute(select(User).where(User.username == username.strip().lower())).scalar_one_or_none()


def create_user(username, password, display_name, roles=(), unit=None, staff=None, enforce_policy=True, actor=None):
    username = username.strip().lower()
    if find_user(username):
        raise AccountError(_("Tên đăng nhập '%(username)s' đã tồn tại.", username=username))
    if enforce_policy:
        problems = policy_errors(password, username)
        if problems:
            raise AccountError(" ".join(str(p) for p in problems))
    user = User(
        username=username,
        password_hash=hash_password(password),
        display_name=tidy(display_name),
        staff_id=staff.id if staff else None,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", target=username, actor=actor)
    set_roles(user, roles, unit=unit, actor=actor)
    return user


def set_roles(user, roles, unit=None, actor=None):
    """Replace the user's roles. HR officers, trainers and proctors reach `unit`'s subtree
    (None: the whole city); learners and administrators have no unit."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(_("Vai trò không hợp lệ: %(roles)s", roles=", ".join(sorted(unknown))))
    wanted = {(role, unit.id if (role in SCOPED_ROLES and unit) else None) for role in roles}
    current = {(a.role, a.unit_id): a for a in user.roles}
    for key, assignment in current.items():
        if key not in wanted:
            user.roles.remove(assignment)
            record("role.revoke", target=user.username, actor=actor, role=key[0], unit_id=key[1])
    for role, unit_id in wanted - set(current):
        user.roles.append(RoleAssignment(role=role, unit_id=unit_id))
        record("role.grant", target=user.username, actor=actor, role=role, unit_id=unit_id)
    db.session.flush()


def set_enabled(user, enabled, actor=None, **details):
    if user.enabled == enabled:
        return
    user.enabled = enabled
    if not enabled:
        end_all_sessions(user.id)
    record("user.enable" if enabled else "user.disable", target=user.username, actor=actor, **details)


def set_password(user, password, actor=None):
    problems = policy_errors(password, user.username)
    if problems:
        raise AccountError(" ".join(str(p) for p in problems))
    user.password_hash = hash_password(password)
    end_all_sessions(user.id)
    record("user.password", target=user.username, actor=actor)
