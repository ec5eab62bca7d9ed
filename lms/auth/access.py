"""Access checks: the role once per blueprint, the unit scope once per object.

Every blueprint declares the roles it serves with `require_roles(bp, ...)`; a route
that needs to differ says so with `@roles_allowed(...)`. Objects are loaded with
`load_in_scope`, which answers 404 for a missing object and 403 outside the scope.
"""
from functools import wraps

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import false, or_, select, true

from lms.extensions import db
from lms.org.models import Unit

PUBLIC_ENDPOINT_ATTR = "_lms_public"
ROLES_ATTR = "_lms_roles"


def public(view):
    """Mark a view reachable without signing in."""
    setattr(view, PUBLIC_ENDPOINT_ATTR, True)
    return view


def roles_allowed(*roles):
    """Override the blueprint's roles for one view."""

    def decorate(view):
        setattr(view, ROLES_ATTR, roles)
        return view

    return decorate


def require_roles(blueprint, *roles):
    """Every view of the blueprint needs a signed-in user holding one of `roles`."""

    @blueprint.before_request
    def _check_role():
        view = _current_view()
        if getattr(view, PUBLIC_ENDPOINT_ATTR, False):
            return None
        if not current_user.is_authenticated:
            from lms.extensions import login_manager

            return login_manager.unauthorized()
        allowed = getattr(view, ROLES_ATTR, roles)
        if not current_user.has_role(*allowed):
            abort(403)
        return None

    blueprint.lms_roles = roles
    return blueprint


def _current_view():
    from flask import current_app

    return current_app.view_functions.get(request.endpoint)


class Scope:
    """The units a user may see in a role: everything (admin), or a union of subtrees."""

    def __init__(self, unit_paths, everything=False):
        self.unit_paths = tuple(unit_paths)
        self.everything = everything

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


def hr_scope(user=None):
    """Scope of a user acting as HR officer (administrators see the whole city)."""
    user = user or current_user
    cache = g.setdefault("_lms_scopes", {})
    if user.id in cache:
        return cache[user.id]
    if user.has_role("admin"):
        scope = Scope((), everything=True)
    else:
        unit_ids = [unit_id for unit_id in user.scope_units("hr") if unit_id is not None]
        if None in user.scope_units("hr"):
            scope = Scope((), everything=True)
        else:
            paths = db.session.execute(select(Unit.path).where(Unit.id.in_(unit_ids))).scalars().all() if unit_ids else []
            scope = Scope(paths)
    cache[user.id] = scope
    return scope


def load_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def load_unit_in_scope(unit_id, scope=None):
    unit = load_or_404(Unit, unit_id)
    if not (scope or hr_scope()).contains_unit(unit):
        abort(403)
    return unit


def login_required_json(view):
    """For JSON endpoints outside a role blueprint."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)

    return wrapper
