"""Reads of the staff accounts for HR's page: per unit of a subtree, how many have an account,
have activated it, wait for a slip; per person of a unit, the account's state."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, case, func, select

from lms.auth.models import ACTIVATION, AccountToken, User
from lms.auth.passwords import NO_PASSWORD
from lms.auth.provisioning import WORKING
from lms.extensions import db
from lms.i18n import N_
from lms.models_base import utcnow
from lms.org.models import Staff, Unit

DELIVERIES = {"email": N_("mã đã gửi qua thư điện tử"), "slip": N_("mã đã in trên phiếu đăng nhập"), "screen": N_("mã do cán bộ tổ chức cấp")}


@dataclass
class UnitAccounts:
    unit: Unit
    staff: int  # working staff (active or on leave)
    accounts: int
    activated: int
    waiting: int  # enabled accounts not activated yet
    waiting_for_slip: int  # of those, the people without an e-mail address
    disabled: int

    @property
    def without_account(self):
        return self.staff - self.accounts


def subtree_summary(unit):
    """UnitAccounts of each active unit of `unit`'s subtree that has working staff, in tree order: one statement."""
    working = and_(Staff.unit_id == Unit.id, Staff.status.in_(WORKING))
    no_password = User.password_hash.startswith(NO_PASSWORD)
    rows = db.session.execute(
        select(Unit, func.count(Staff.id), func.count(User.id),
               func.count(case((and_(User.enabled.is_(True), ~no_password), User.id))),
               func.count(case((and_(User.enabled.is_(True), no_password), User.id))),
               func.count(case((and_(User.enabled.is_(True), no_password, func.coalesce(Staff.email, "") == ""), User.id))),
               func.count(case((User.enabled.is_(False), User.id))))
        .join(Staff, working)
        .outerjoin(User, User.staff_id == Staff.id)
        .where(Unit.path.startswith(unit.path), Unit.status == "active")
        .group_by(Unit.id)
        .order_by(Unit.path)
    ).all()
    return [UnitAccounts(*row) for row in rows]


@dataclass
class StaffAccount:
    staff: Staff
    user: Optional[User]
    code_delivery: str = ""  # how the open activation code went out ('' when there is none)
    code_expires_at: Optional[object] = None

    @property
    def working(self):
        return self.staff.status in WORKING


def unit_staff_accounts(unit, now=None):
    """StaffAccount of every staff member of `unit` (not its sub-units), by name: two statements."""
    now = now or utcnow()
    pairs = db.session.execute(
        select(Staff, User).outerjoin(User, User.staff_id == Staff.id).where(Staff.unit_id == unit.id).order_by(Staff.full_name, Staff.id)
    ).all()
    waiting = [user.id for _staff, user in pairs if user is not None and not user.has_password]
    open_codes = {}
    if waiting:
        for user_id, delivery, expires_at in db.session.execute(
            select(AccountToken.user_id, AccountToken.delivery, AccountToken.expires_at)
            .where(AccountToken.user_id.in_(waiting), AccountToken.purpose == ACTIVATION, AccountToken.used_at.is_(None),
                   AccountToken.revoked_at.is_(None), AccountToken.expires_at > now)
            .order_by(AccountToken.created_at)
        ):
            open_codes[user_id] = (delivery, expires_at)  # the newest wins
    return [StaffAccount(staff, user, *open_codes.get(user.id if user else None, ("", None))) for staff, user in pairs]


def account_of_staff(staff_id):
    return db.session.execute(select(User).where(User.staff_id == staff_id)).scalar_one_or_none()
