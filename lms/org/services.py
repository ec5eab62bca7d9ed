"""Writes to the organisation. They flush; the caller commits."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import String, func, literal, select, update

from lms.audit.services import record
from lms.catalogue.models import TITLE_GROUPS, EmulationBloc, LearningPathModule, Module, Title
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.events import staff_status_changed
from lms.org.models import UNIT_KINDS, Staff, StaffPosting, Unit
from lms.text import tidy as nfc


class OrgError(ValueError):
    """A refusal shown to the user, in the language of the request (Vietnamese outside one)."""


def create_unit(code, name, kind, parent=None, bloc=None):
    if kind not in UNIT_KINDS:
        raise OrgError(_("Loại đơn vị không hợp lệ: %(kind)s", kind=kind))
    unit = Unit(code=code.strip(), name=nfc(name), kind=kind, parent=parent, bloc=bloc, status="active")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def move_unit(unit, new_parent):
    """Re-parent a unit and rewrite the materialised paths of its whole subtree in one statement."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise OrgError(_("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    if old_path == new_path:
        return
    unit.parent = new_parent
    db.session.flush()
    db.session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_path))
        .values(path=literal(new_path, String()).concat(func.substr(Unit.path, len(old_path) + 1)))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def close_unit(unit, closed_on=None, reason=""):
    """Giải thể: the unit stays with its staff and results; it just stops taking new ones."""
    if unit.status != "active":
        raise OrgError(_("Đơn vị không còn hoạt động."))
    unit.status = "closed"
    unit.closed_on = closed_on or date.today()
    record("unit.close", target=unit.code, reason=reason)


def merge_unit(unit, target, merged_on=None, reason=""):
    """Sáp nhập `unit` into `target`: active staff and sub-units move, their history stays."""
    if unit.id == target.id or target.path.startswith(unit.path):
        raise OrgError(_("Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."))
    if unit.status != "active" or target.status != "active":
        raise OrgError(_("Chỉ sáp nhập được các đơn vị đang hoạt động."))
    moved = db.session.execute(select(Staff).where(Staff.unit_id == unit.id, Staff.status == "active")).scalars().all()
    for staff in moved:
        transfer_staff(staff, target, staff.title, reason=f"Sáp nhập {unit.name} vào {target.name}")
    for child in db.session.execute(select(Unit).where(Unit.parent_id == unit.id)).scalars().all():
        move_unit(child, target)
    unit.status = "merged"
    unit.merged_into = target
    unit.closed_on = merged_on or date.today()
    record("unit.merge", target=unit.code, into=target.code, staff_moved=len(moved), reason=reason)


def transfer_staff(staff, unit, title, reason=""):
    """Close the current posting and open a new one when the unit or the title changes."""
    if staff.unit_id == (unit.id if unit else None) and staff.title_id == (title.id if title else None):
        return
    now = utcnow()
    db.session.execute(
        update(StaffPosting)
        .where(StaffPosting.staff_id == staff.id, StaffPosting.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    staff.unit = unit
    staff.title = title
    db.session.add(StaffPosting(staff_id=staff.id, unit_id=unit.id, title_id=title.id if title else None, started_at=now, reason=reason))


STAFF_FIELDS = ("full_name", "birth_date", "birth_place", "sex", "email", "phone", "status")


def save_staff(values, unit, title, staff=None):
    """Create or update a staff record from validated values (see org.forms / org.imports)."""
    created = staff is None
    if created:
        staff = Staff(id_number=values["id_number"].strip(), unit=unit, title=title)
        db.session.add(staff)
    status_before = None if created else staff.status
    for field in STAFF_FIELDS:
        if field in values:
            value = values[field]
            setattr(staff, field, nfc(value) if isinstance(value, str) else value)
    db.session.flush()
    if created:
        db.session.add(StaffPosting(staff_id=staff.id, unit_id=unit.id, title_id=title.id if title else None, reason="Tạo hồ sơ"))
    else:
        transfer_staff(staff, unit, title, reason="Cập nhật hồ sơ")
    if staff.status != status_before:
        staff_status_changed.send(staff, before=status_before, after=staff.status)  # e.g. the account follows a departure
    return staff, created


def set_learning_path(title, module_ids):
    wanted = set(module_ids)
    current = {link.module_id: link for link in title.path_modules}
    for module_id, link in current.items():
        if module_id not in wanted:
            title.path_modules.remove(link)
    for module_id in wanted - set(current):
        title.path_modules.append(LearningPathModule(module_id=module_id))
    db.session.flush()
    record("catalogue.update", target=f"title:{title.code}", modules=sorted(wanted))


def update_module(module, name, name_en, level):
    module.name, module.name_en, module.level = nfc(name), nfc(name_en), level
    record("catalogue.update", target=f"module:{module.code}")


def module_ids_by_code(codes):
    return dict(db.session.execute(select(Module.code, Module.id).where(Module.code.in_(list(codes)))).all())


def save_title(title, code, name, group, active):
    if group not in TITLE_GROUPS:
        raise OrgError(_("Nhóm chức danh không hợp lệ: %(group)s", group=group))
    if title is None:
        title = Title(code=code.strip(), name=nfc(name), group=group, active=active)
        db.session.add(title)
    else:
        title.code, title.name, title.group, title.active = code.strip(), nfc(name), group, active
    db.session.flush()
    record("catalogue.update", target=f"title:{title.code}", name=title.name, active=active)
    return title


def save_bloc(bloc, code, name):
    if bloc is None:
        bloc = EmulationBloc(code=code.strip(), name=nfc(name))
        db.session.add(bloc)
    else:
        bloc.code, bloc.name = code.strip(), nfc(name)
    db.session.flush()
    record("catalogue.update", target=f"bloc:{bloc.code}", name=bloc.name)
    return bloc
