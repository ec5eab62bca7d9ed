"""Assignments of courses to units and titles with a deadline, overdue lists and progress
per unit or title. Administrators and the city's trainers act city-wide; HR officers and a
unit's trainers within their units."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404, load_unit_in_scope, require_roles
from lms.catalogue.models import Title
from lms.courses import queries, services
from lms.courses.forms import ActionForm, AssignmentForm, ProgressFilterForm
from lms.courses.models import Assignment, Course
from lms.localtime import local_today
from lms.org import queries as org_queries
from lms.redirects import redirect_with
from lms.routing import query_int

bp = require_roles(Blueprint("course_assignments", __name__, url_prefix="/courses/assignments"), "trainer", "hr", "admin")


def _city_wide():
    return queries.manager_scope(current_user).everything


def _assignment_form(scope):
    form = AssignmentForm()
    form.course_id.choices = [(c.id, f"{c.module.code} – {c.title}") for c in queries.published_courses()]
    units = [(u.id, "— " * u.depth + u.name) for u in org_queries.units_in_scope(scope)]
    form.unit_id.choices = ([(0, _("(Không giới hạn đơn vị – toàn thành phố)"))] if _city_wide() else []) + units
    form.title_id.choices = [(0, _("(Mọi chức danh)"))] + [(t.id, t.name) for t in org_queries.titles(active_only=True)]
    return form


def _list_page(form, scope):
    return render_template("courses/assignments.html", form=form, rows=queries.assignments_summary(scope), today=local_today(),
                           action=ActionForm(), city_wide=_city_wide())


@bp.route("/", methods=["GET", "POST"])
def assignments():
    scope = queries.manager_scope(current_user)
    form = _assignment_form(scope)
    if form.validate_on_submit():
        course = load_or_404(Course, form.course_id.data)
        # HR officers may only target a unit of their own subtree (403 otherwise).
        unit = load_unit_in_scope(form.unit_id.data, scope) if form.unit_id.data else None
        title = load_or_404(Title, form.title_id.data) if form.title_id.data else None
        if unit is None and not _city_wide():
            abort(403)
        try:
            services.create_assignment(course, form.deadline.data, current_user, unit=unit, title=title, note=form.note.data or "")
        except services.CourseError as error:
            form.unit_id.errors.append(str(error))
            return _list_page(form, scope)
        return redirect_with(_("Đã giao khóa học %(c)s, hạn %(d)s.", c=course.module.code, d=form.deadline.data.strftime("%d/%m/%Y")), url_for("course_assignments.assignments"))
    return _list_page(form, scope)


@bp.route("/<int:assignment_id>/delete", methods=["POST"])
def delete_assignment(assignment_id):
    assignment = load_or_404(Assignment, assignment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    scope = queries.manager_scope(current_user)
    in_scope = assignment.unit is not None and scope.contains_unit(assignment.unit)
    if not (current_user.has_role("admin") or assignment.created_by_id == current_user.id or (current_user.has_role("hr") and in_scope)):
        abort(403)
    services.delete_assignment(assignment)
    return redirect_with(_("Đã hủy giao khóa học."), url_for("course_assignments.assignments"))


@bp.route("/overdue")
def overdue():
    scope = queries.manager_scope(current_user)
    course_id = query_int("course")
    rows = queries.overdue(scope, local_today(), course_id=course_id)
    return render_template("courses/overdue.html", rows=rows, courses=queries.published_courses(), course_id=course_id)


@bp.route("/progress/<int:course_id>")
def progress(course_id):
    course = load_or_404(Course, course_id)
    form = ProgressFilterForm(request.args)
    group = form.group.data if form.group.data in ("unit", "title") else "unit"
    total, rows = queries.course_progress_by(course, queries.manager_scope(current_user), group)
    return render_template("courses/progress.html", course=course, form=form, group=group, total=total, rows=rows,
                           courses=queries.published_courses())
