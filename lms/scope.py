"""The units a user may reach in a role, as SQL conditions: everything (an administrator, or
a role held for the whole city), or a union of unit subtrees. No Flask: reports, commands
and jobs build the same scope as a request does.

Units carry a materialised path ("/1/9/118/"), so a subtree is one indexed prefix match and
scope is always a WHERE clause, never a filter over loaded rows.
"""
from sqlalchemy import false, or_, select, true

from lms.org.models import Unit


class Scope:
    """Everything, or the subtrees under `unit_paths`."""

    def __init__(self, unit_paths, everything=False):
        self.unit_paths = tuple(unit_paths)
        self.everything = everything

    @classmethod
    def city(cls):
        return cls((), everything=True)

    def unit_condition(self, unit_entity=Unit):
        """A SQL condition on the Unit entity (joined by the caller)."""
        if self.everything:
            return true()
        if not self.unit_paths:
            return false()
        return or_(*(unit_entity.path.startswith(path) for path in self.unit_paths))

    def staff_condition(self, unit_id_column):
        """A SQL condition on a unit id column: the unit lies in the scope."""
        if self.everything:
            return true()
        return unit_id_column.in_(select(Unit.id).where(self.unit_condition()))

    def contains_unit(self, unit):
        if self.everything:
            return True
        return any(unit.path.startswith(path) for path in self.unit_paths)


def role_scope(session, user, *roles) -> Scope:
    """The scope of `user` acting in any of `roles`: the whole city for an administrator or a
    role held without a unit; else the subtrees of the units the roles are held for."""
    if user.has_role("admin"):
        return Scope.city()
    unit_ids = [assignment.unit_id for assignment in user.roles if assignment.role in roles]
    if None in unit_ids:
        return Scope.city()
    paths = session.execute(select(Unit.path).where(Unit.id.in_(unit_ids))).scalars().all() if unit_ids else []
    return Scope(paths)
