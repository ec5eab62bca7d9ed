"""Tổ chức thi: the sessions list, a session's form and page, its candidates (by unit, from a
file, one by one), pre-drawing papers and releasing results. Registered by blueprint.py; every
session, candidate and unit is loaded within the reader's exam scope."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import exam_scope, load_or_404, load_unit_in_scope, roles_allowed
from lms.exams.manage import queries, services
from lms.exams.manage.access import load_candidate, load_session
from lms.exams.manage.forms import CandidateForm, CandidateImportForm, CandidatesByUnitForm, ConfirmForm, ExtraTimeForm, SessionForm
from lms.exams.models import ExamBlueprint
from lms.localtime import from_local, to_local
from lms.models_base import utcnow
from lms.redirects import flash_outcome, redirect_with
from lms.routing import Routes

routes = Routes()

SESSION_FIELDS = ("name", "blueprint_id", "organiser_unit_id", "council", "location", "attempts_allowed", "grace_seconds", "status",
                  "double_marking", "reconcile_threshold")


@routes.route("/")
@roles_allowed("trainer", "admin", "proctor")
def index():
    designer = current_user.has_role("trainer", "admin")
    return render_template("exam_admin/index.html", blueprints=queries.blueprints() if designer else [],
                           sessions=queries.sessions_with_counts(exam_scope()))


def _unit_choices(scope):
    return [(u.id, "— " * max(0, u.depth) + u.name) for u in queries.units(scope)]


@routes.route("/sessions/<int:session_id>/edit", methods=("GET", "POST"))
@routes.route("/sessions/new", methods=("GET", "POST"))
def session_form(session_id=None):
    session = load_session(session_id) if session_id else None
    scope = exam_scope()
    units = _unit_choices(scope)
    # Organised by default by the top unit the reader reaches (the city for a city trainer).
    form = SessionForm(organiser_unit_id=session.organiser_unit_id if session else (units[0][0] if units else None))
    form.blueprint_id.choices = [(b.id, b.name) for b in queries.blueprints()]
    form.organiser_unit_id.choices = units
    problems = []
    if request.method == "GET" and session is not None:
        for name in SESSION_FIELDS:
            getattr(form, name).data = getattr(session, name)
        form.opens_at.data, form.closes_at.data = to_local(session.opens_at), to_local(session.closes_at)
        form.results_released_at.data = to_local(session.results_released_at)
        form.review_after_submit.data = (session.review_policy or {}).get("after_submit", "score")
        form.review_after_close.data = (session.review_policy or {}).get("after_close", "correctness")
        form.allowed_networks.data = "\n".join(session.allowed_networks or [])
        form.rooms.data = "\n".join(f"{r.name} | {r.capacity} | {r.proctors}".rstrip(" |") for r in session.rooms)
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SESSION_FIELDS + ("review_after_submit", "review_after_close")}
        values.update(opens_at=from_local(form.opens_at.data), closes_at=from_local(form.closes_at.data),
                      results_released_at=from_local(form.results_released_at.data))
        load_or_404(ExamBlueprint, values["blueprint_id"])
        load_unit_in_scope(values["organiser_unit_id"], scope)
        try:
            session = services.save_session(session, values, form.rooms.data, form.allowed_networks.data, form.access_code.data,
                                            form.clear_access_code.data, current_user)
            return redirect_with(_("Đã lưu kỳ thi."), url_for("exam_admin.session_detail", session_id=session.id))
        except services.ManageError as error:
            problems = error.messages
    return render_template("exam_admin/session_form.html", form=form, session=session, problems=problems), (422 if problems else 200)


def _candidate_form(session):
    form = CandidateForm()
    form.room_id.choices = [(0, "—")] + [(r.id, r.name) for r in session.rooms]
    form.registered_modules.choices = [(code, code) for code in sorted(queries.advanced_module_codes())]
    return form


def _by_unit_form(scope):
    form = CandidatesByUnitForm()
    form.unit_id.choices = _unit_choices(scope)
    form.title_id.choices = [(0, _("Mọi chức danh"))] + [(t.id, t.name) for t in queries.titles()]
    return form


@routes.route("/sessions/<int:session_id>")
def session_detail(session_id):
    session = load_session(session_id)
    scope = exam_scope()
    return render_template(
        "exam_admin/session_detail.html",
        session=session,
        candidates=queries.candidates(session.id, scope),
        by_unit=_by_unit_form(scope),
        import_form=CandidateImportForm(),
        candidate_form=_candidate_form(session),
        confirm=ConfirmForm(),
        extra_form=ExtraTimeForm(),
        now=utcnow(),
    )


def _back_to(session):
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@routes.route("/sessions/<int:session_id>/candidates/by-unit", methods=("POST",))
def candidates_by_unit(session_id):
    session = load_session(session_id)
    scope = exam_scope()
    form = _by_unit_form(scope)
    if not form.validate_on_submit():
        flash(_("Chọn đơn vị."), "danger")
    else:
        unit = load_unit_in_scope(form.unit_id.data, scope)
        added = services.add_candidates_by_unit(session, unit, form.title_id.data or None, current_user)
        flash(_("Đã thêm %(n)d thí sinh.", n=added), "success")
    return _back_to(session)


@routes.route("/sessions/<int:session_id>/candidates/import", methods=("POST",))
def candidates_import(session_id):
    session = load_session(session_id)
    form = CandidateImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "danger")
        return _back_to(session)
    upload = form.file.data
    report = services.import_candidates(session, upload.filename, upload.read(), current_user, exam_scope(),
                                        max_rows=current_app.config.get("IMPORT_MAX_ROWS", 50_000))
    if not report.ok:
        return render_template("exam_admin/import_errors.html", session=session, errors=report.errors), 422
    flash(_("Đã nhập: %(a)d thí sinh mới, %(u)d cập nhật.", a=report.added, u=report.updated), "success")
    return _back_to(session)


@routes.route("/sessions/<int:session_id>/candidates/<int:candidate_id>", methods=("POST",))
def candidate_update(session_id, candidate_id):
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    form = _candidate_form(session)
    if form.validate_on_submit():
        flash_outcome(lambda: services.update_candidate(candidate, form.room_id.data, form.registered_modules.data or [], current_user),
                      _("Đã lưu thí sinh."), services.ManageError)
    return _back_to(session)


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@routes.route("/sessions/<int:session_id>/candidates/<int:candidate_id>/remove", methods=("POST",))
def candidate_remove(session_id, candidate_id):
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    _confirmed()
    flash_outcome(lambda: services.remove_candidate(candidate, current_user), _("Đã xóa thí sinh khỏi danh sách."), services.ManageError)
    return _back_to(session)


@routes.route("/sessions/<int:session_id>/predraw", methods=("POST",))
def session_predraw(session_id):
    session = load_session(session_id)
    _confirmed()
    # Refused: nothing of a partial draw is kept.
    flash_outcome(lambda: services.predraw(session, utcnow(), current_user), lambda drawn: _("Đã tạo trước %(n)d đề.", n=drawn),
                  services.ManageError)
    return _back_to(session)


@routes.route("/sessions/<int:session_id>/release", methods=("POST",))
def session_release(session_id):
    session = load_session(session_id)
    _confirmed()
    services.release_results(session, utcnow(), current_user)
    return redirect_with(_("Đã công bố kết quả."), url_for("exam_admin.results", session_id=session.id))
