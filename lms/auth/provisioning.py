"""An account for every staff member: created in bulk for a unit (or its subtree), for the people
of a staff import, or one at a time; the activation code e-mailed where the person has an
address, else printed on a login slip (lms.auth.slips). They flush; the caller commits.

A provisioned account is a learner's, linked to its staff member, without a usable password
until its owner activates it (lms.auth.passwords.NO_PASSWORD). Bulk work is a handful of
statements however many people: no row is loaded as an object and no password is hashed.

The accounts follow their staff member (`register`): leaving or retiring disables the account
and ends its sessions; coming back enables it again; a transfer changes nothing of it.
"""
from dataclasses import dataclass, field
from typing import Optional

from flask import current_app
from sqlalchemy import func, insert, select

from lms.audit.services import record
from lms.auth import activation
from lms.auth.models import RoleAssignment, User
from lms.auth.passwords import NO_PASSWORD
from lms.auth.services import set_enabled
from lms.extensions import db
from lms.localtime import format_local
from lms.mail import queue_many
from lms.messages import N_, Message
from lms.models_base import utcnow
from lms.org.events import staff_imported, staff_status_changed
from lms.org.models import Staff, Unit
from lms.text import tidy

WORKING = ("active", "on_leave")  # the statuses that get (and keep) an account
DEPARTED = ("left", "retired")
MAX_USERNAME = 80


@dataclass
class Person:
    """A staff member without an account, as provisioning reads them (no ORM object)."""

    staff_id: int
    full_name: str
    id_number: str
    email: str
    unit_id: int


@dataclass
class Provisioned:
    person: Person
    user_id: int
    username: str
    code: Optional[str] = None  # the activation code, in clear only here, when it was e-mailed


@dataclass
class ProvisionReport:
    created: list = field(default_factory=list)  # Provisioned
    already: int = 0  # people of the selection who had an account
    skipped: list = field(default_factory=list)  # (Person, Message): no username could be given

    @property
    def emailed(self):
        return sum(1 for item in self.created if item.code)

    @property
    def without_email(self):
        return len(self.created) - self.emailed


def _email_username(email):
    email = (email or "").strip().lower()
    return email if "@" in email and len(email) <= MAX_USERNAME else ""


def choose_usernames(people, mode, taken):
    """({staff_id: username}, {staff_id: reason}) for `people`: the ID number, or with mode
    "email" the e-mail address, falling back to the ID number when there is none or it is
    taken (by an account in `taken`, or by someone earlier in the list). An ID number that
    is taken is a reason to skip: that account is probably the person's, not yet linked."""
    chosen, reasons, used = {}, {}, set(taken)
    for person in people:
        candidates = [_email_username(person.email)] if mode == "email" else []
        candidates.append(person.id_number.strip().lower())
        username = next((name for name in candidates if name and name not in used), None)
        if username is None:
            reasons[person.staff_id] = Message(N_("tên đăng nhập «%(username)s» đã thuộc một tài khoản khác (chưa gắn với cán bộ này)"),
                                               username=candidates[-1])
            continue
        used.add(username)
        chosen[person.staff_id] = username
    return chosen, reasons


def unit_condition(unit, include_subunits=False):
    """Staff of the unit, or of its whole subtree (a prefix match on the materialised path)."""
    if include_subunits:
        return Staff.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))
    return Staff.unit_id == unit.id


def provision_unit(unit, include_subunits=False, actor=None, now=None):
    """Accounts for the working staff of `unit` (and its sub-units) who have none."""
    return _provision(unit_condition(unit, include_subunits), actor, now or utcnow(), unit.code)


def provision_staff(staff_ids, actor=None, now=None, label="", email_codes=True):
    """Accounts for these staff members (those working and without one); without `email_codes`
    nobody is sent a code (HR hands one over at once)."""
    staff_ids = list(staff_ids)
    report = ProvisionReport()
    for chunk in activation.in_chunks(staff_ids):
        part = _provision(Staff.id.in_(chunk), actor, now or utcnow(), label, email_codes)
        report.created += part.created
        report.skipped += part.skipped
        report.already += part.already
    return report


def _taken_usernames(names):
    taken = set()
    for chunk in activation.in_chunks(sorted(names)):
        taken.update(db.session.execute(select(User.username).where(User.username.in_(chunk))).scalars())
    return taken


def _provision(condition, actor, now, label, email_codes=True):
    report = ProvisionReport()
    selected = select(Staff.id, Staff.full_name, Staff.id_number, Staff.email, Staff.unit_id, User.id.label("user_id")).outerjoin(
        User, User.staff_id == Staff.id).where(condition, Staff.status.in_(WORKING)).order_by(Staff.unit_id, Staff.full_name, Staff.id)
    people = []
    for row in db.session.execute(selected):
        if row.user_id is None:
            people.append(Person(row.id, row.full_name, row.id_number, row.email or "", row.unit_id))
        else:
            report.already += 1
    if not people:
        return report
    mode = current_app.config["USERNAME_FROM"]
    candidates = {p.id_number.strip().lower() for p in people} | ({_email_username(p.email) for p in people} - {""} if mode == "email" else set())
    chosen, reasons = choose_usernames(people, mode, _taken_usernames(candidates))
    report.skipped = [(person, reasons[person.staff_id]) for person in people if person.staff_id in reasons]
    people = [person for person in people if person.staff_id in chosen]
    if not people:
        return report
    rows = [{"username": chosen[p.staff_id], "password_hash": NO_PASSWORD, "display_name": tidy(p.full_name), "staff_id": p.staff_id,
             "enabled": True, "created_at": now} for p in people]
    # One multi-row INSERT … RETURNING, ids in the order of the rows.
    user_ids = db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), rows).scalars().all()
    db.session.execute(insert(RoleAssignment), [{"user_id": user_id, "role": "learner", "unit_id": None} for user_id in user_ids])
    created = [Provisioned(person, user_id, chosen[person.staff_id]) for person, user_id in zip(people, user_ids)]
    if email_codes:
        _email_codes([item for item in created if item.person.email.strip()], actor, now)
    report.created = created
    record("account.provision", target=label, actor=actor, created=len(created), emailed=report.emailed,
           skipped=len(report.skipped), usernames=[item.username for item in created])
    return report


def _email_codes(items, actor, now):
    """Issue the activation codes of these new accounts and queue each e-mail (one INSERT each)."""
    if not items:
        return
    issued = activation.issue_codes([item.user_id for item in items], now, actor, delivery="email")
    expires = activation.code_expiry(now)
    messages = []
    for item in items:
        item.code = issued[item.user_id]
        subject, body = activation.activation_email(item.person.full_name, item.username, item.code, expires)
        messages.append({"to_address": item.person.email, "subject": subject, "body": body, "kind": "account.activation",
                         "staff_id": item.person.staff_id})
    queue_many(messages)


# --- Login slips and single codes ------------------------------------------------------------


@dataclass
class Slip:
    """One person's login slip: what lms.auth.slips prints."""

    full_name: str
    unit_name: str
    username: str
    code: str
    expires: str  # local date and time, as printed


def issue_slips(unit, include_emailed=False, actor=None, now=None):
    """Fresh activation codes for the accounts of `unit` (this unit only: one PDF per unit) not
    activated yet, of people without an e-mail address unless `include_emailed` (their e-mailed
    code stops working): the slips to print, by name."""
    now = now or utcnow()
    query = (
        select(User.id, User.username, Staff.full_name)
        .join(Staff, Staff.id == User.staff_id)
        .where(Staff.unit_id == unit.id, Staff.status.in_(WORKING), User.enabled.is_(True), User.password_hash.startswith(NO_PASSWORD))
        .order_by(Staff.full_name, Staff.id)
    )
    if not include_emailed:
        query = query.where(func.coalesce(Staff.email, "") == "")
    accounts = db.session.execute(query).all()
    issued = activation.issue_codes([row.id for row in accounts], now, actor, delivery="slip")
    expires = format_local(activation.code_expiry(now), "%d/%m/%Y")
    if accounts:
        record("account.slips", target=unit.code, actor=actor, slips=len(accounts))
    return [Slip(row.full_name, unit.name, row.username, issued[row.id], expires) for row in accounts]


def issue_code(user, actor=None, now=None):
    """A new activation code for one account (first sign-in, or a forgotten password), to tell
    its owner: its earlier codes stop working; the password, if any, works until the code is used."""
    now = now or utcnow()
    code = activation.issue_codes([user.id], now, actor, delivery="screen")[user.id]
    record("account.code", target=user.username, actor=actor)
    return code


# --- The accounts follow their staff member --------------------------------------------------


def register(_app):
    staff_status_changed.connect(_follow_status, weak=False)
    staff_imported.connect(_provision_imported, weak=False)


def _follow_status(staff, before=None, after=None):
    user = db.session.execute(select(User).where(User.staff_id == staff.id)).scalar_one_or_none()
    if user is None:
        return
    if after in DEPARTED and user.enabled:
        set_enabled(user, False, reason="staff." + after)  # ends every session of the account
    elif before in DEPARTED and after in WORKING and not user.enabled:
        set_enabled(user, True, reason="staff." + after)


def _provision_imported(imported, filename=""):
    if current_app.config["PROVISION_ON_IMPORT"] and imported:
        provision_staff([staff.id for staff in imported], label=filename)
