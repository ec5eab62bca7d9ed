"""Reads of the organisation: units in scope, staff lists, learning paths."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lms.catalogue.models import EmulationBloc, LearningPathModule, Module, Title
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.text import tidy


def learning_path(title_id):
    return (
        db.session.execute(
            select(Module)
            .join(LearningPathModule, LearningPathModule.module_id == Module.id)
            .where(LearningPathModule.title_id == title_id)
            .order_by(Module.position, Module.code)
        )
        .scalars()
        .all()
    )


def modules():
    return db.session.execute(select(Module).order_by(Module.position, Module.code)).scalars().all()


def titles(active_only=False):
    query = select(Title).options(joinedload(Title.path_modules).joinedload(LearningPathModule.module)).order_by(Title.position, Title.name)
    if active_only:
        query = query.where(Title.active.is_(True))
    return db.session.execute(query).unique().scalars().all()


def blocs():
    return db.session.execute(select(EmulationBloc).order_by(EmulationBloc.name)).scalars().all()


def scope_roots(scope):
    """The top units a scope may see: the city root for everyone-scope, else its subtree roots."""
    if scope.everything:
        return db.session.execute(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)).scalars().all()
    return db.session.execute(
        select(Unit).where(or_(*(Unit.path == path for path in scope.unit_paths))).order_by(Unit.name)
    ).scalars().all() if scope.unit_paths else []


def children(unit_id):
    return db.session.execute(select(Unit).where(Unit.parent_id == unit_id).order_by(Unit.status, Unit.kind, Unit.name)).scalars().all()


def units_in_scope(scope, include_closed=False):
    query = select(Unit).where(scope.unit_condition()).order_by(Unit.path)
    if not include_closed:
        query = query.where(Unit.status == "active")
    return db.session.execute(query).scalars().all()


def unit_staff_counts(unit_ids):
    """Active staff per unit subtree, one query (prefix match on the materialised path)."""
    if not unit_ids:
        return {}
    top = select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)).subquery()
    rows = db.session.execute(
        select(top.c.id, func.count(Staff.id))
        .select_from(top)
        .join(Unit, Unit.path.startswith(top.c.path))
        .join(Staff, (Staff.unit_id == Unit.id) & (Staff.status == "active"))
        .group_by(top.c.id)
    ).all()
    return dict(rows)


def staff_query(scope, text=None, unit=None, title_id=None, status=None):
    """Staff visible in the scope, filtered; `unit` limits to its subtree."""
    query = (
        select(Staff)
        .join(Unit, Staff.unit_id == Unit.id)
        .options(joinedload(Staff.unit), joinedload(Staff.title))
        .where(scope.unit_condition(Unit))
        .order_by(Staff.full_name, Staff.id)
    )
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    if title_id:
        query = query.where(Staff.title_id == title_id)
    if status:
        query = query.where(Staff.status == status)
    if text:
        pattern = f"%{tidy(text)}%"
        query = query.where(or_(Staff.full_name.ilike(pattern), Staff.id_number.ilike(pattern), Staff.email.ilike(pattern)))
    return query


def unit_by_code(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()


def code_taken(model, code, current=None) -> bool:
    """Whether another row of a catalogue `model` (a title, a bloc …) already has this code."""
    other = db.session.execute(select(model).where(model.code == tidy(code))).scalar_one_or_none()
    return other is not None and other is not current
