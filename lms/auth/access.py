"""Access checks: the role once per blueprint, the unit scope once per object.

Every blueprint declares the roles it serves with `require_roles(bp, ...)`; a route
that needs to differ says so with `@roles_allowed(...)`. Objects are loaded with
`load_unit_in_scope` (404 for a missing unit, 403 outside the scope); the exam
administration loads its sessions within `exam_scope` likewise.
"""
from flask import abort, g, request
from flask_login import current_user

from lms.extensions import db
from lms.org.models import Unit
from lms.routing import database_id
from lms.scope import role_scope

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


EXAM_ROLES = ("trainer", "proctor")


def _cached_scope(user, key, *roles):
    cache = g.setdefault("_lms_scopes", {})
    if (user.id, key) not in cache:
        cache[(user.id, key)] = role_scope(db.session, user, *roles)
    return cache[(user.id, key)]


def hr_scope(user=None):
    """Scope of a user acting as HR officer (administrators see the whole city)."""
    return _cached_scope(user or current_user, "hr", "hr")


def exam_scope(user=None):
    """Scope of a trainer or proctor: the sessions organised in it, the candidates working in it."""
    return _cached_scope(user or current_user, "exam", *EXAM_ROLES)


def load_or_404(model, object_id):
    # An id from a form or a body may be any int: past an INTEGER column it is simply not found.
    obj = db.session.get(model, object_id) if database_id(object_id) else None
    if obj is None:
        abort(404)
    return obj


def load_unit_in_scope(unit_id, scope=None):
    unit = load_or_404(Unit, unit_id)
    if not (scope or hr_scope()).contains_unit(unit):
        abort(403)
    return unit
