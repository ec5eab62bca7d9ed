"""Tổ chức thi: blueprints and sessions (this module), proctoring, marking, results and item
analysis (manage_views_run). One blueprint "exam_admin" under /exams/manage for trainers and
administrators."""
from datetime import timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404, require_roles
from lms.exams import manage_queries as queries
from lms.exams import manage_services as services
from lms.exams.blueprint_rules import PRACTICAL, THEORY
from lms.exams.manage_forms import (
    REGISTERED,
    BlueprintForm,
    CandidateForm,
    CandidateImportForm,
    CandidatesByUnitForm,
    ConfirmForm,
    ExtraTimeForm,
    SessionForm,
)
from lms.exams.models import DEFAULT_PRACTICAL_QUOTAS, DEFAULT_THEORY_QUOTAS, ExamBlueprint, ExamCandidate, ExamSession
from lms.models_base import utcnow

bp = require_roles(Blueprint("exam_admin", __name__, url_prefix="/exams/manage"), "trainer", "admin")


def local_zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))


def to_utc(value):
    """A naive local time from a form → aware UTC."""
    return value.replace(tzinfo=local_zone()).astimezone(timezone.utc) if value else None


def to_local(value):
    return value.astimezone(local_zone()).replace(tzinfo=None) if value else None


def load_session(session_id):
    return load_or_404(ExamSession, session_id)


def load_candidate(session, candidate_id):
    candidate = load_or_404(ExamCandidate, candidate_id)
    if candidate.session_id != session.id:
        abort(404)
    return candidate


@bp.route("/")
def index():
    return render_template("exam_admin/index.html", blueprints=queries.blueprints(), sessions=queries.sessions_with_counts())


# --- Blueprints -----------------------------------------------------------------------------


def _module_choices(form):
    modules = queries.modules()
    choices = [("", "—")] + [(m.code, f"{m.code} – {m.name}") for m in modules] + [(REGISTERED, _("Mỗi mô đun thí sinh đăng ký"))]
    for entry in list(form.theory_quotas) + list(form.practical_quotas):
        entry.form.module.choices = choices
    form.offered_modules.choices = [(m.code, f"{m.code} – {m.name}") for m in modules if m.level == "advanced"]


def _fill_defaults(form):
    for entry, (module, count) in zip(form.theory_quotas, DEFAULT_THEORY_QUOTAS):
        entry.form.module.data, entry.form.count.data = module, count
    for entry, (module, count) in zip(form.practical_quotas, DEFAULT_PRACTICAL_QUOTAS):
        entry.form.module.data, entry.form.count.data = module, count


def _fill_from(form, blueprint):
    form.name.data, form.kind.data, form.description.data = blueprint.name, blueprint.kind, blueprint.description
    form.offered_modules.data = list(blueprint.offered_modules or [])
    parts = {part.kind: part for part in blueprint.parts}
    form.has_practical.data = PRACTICAL in parts
    for kind in (THEORY, PRACTICAL):
        part = parts.get(kind)
        if part is None:
            continue
        getattr(form, f"{kind}_title").data = part.title
        getattr(form, f"{kind}_minutes").data = part.minutes
        getattr(form, f"{kind}_max_score").data = part.max_score
        getattr(form, f"{kind}_pass_mark").data = part.pass_mark
        for entry, quota in zip(getattr(form, f"{kind}_quotas"), part.quotas):
            entry.form.module.data = quota.module.code if quota.module else REGISTERED
            entry.form.syllabus_prefix.data = quota.syllabus_prefix or ""
            entry.form.difficulty.data = quota.difficulty or ""
            entry.form.count.data = quota.count


def _part_input(form, kind):
    quotas = []
    for entry in getattr(form, f"{kind}_quotas"):
        module, count = entry.form.module.data, entry.form.count.data
        if not module or not count:
            continue
        quotas.append((None if module == REGISTERED else module, (entry.form.syllabus_prefix.data or "").strip().upper() or None,
                       entry.form.difficulty.data or None, count))
    pass_mark = getattr(form, f"{kind}_pass_mark").data
    return services.PartInput(
        kind=kind,
        title=getattr(form, f"{kind}_title").data or (_("Thực hành") if kind == PRACTICAL else _("Lý thuyết")),
        minutes=getattr(form, f"{kind}_minutes").data or 0,
        max_score=getattr(form, f"{kind}_max_score").data or 10.0,
        pass_mark=5.0 if pass_mark is None else pass_mark,
        quotas=quotas,
    )


@bp.route("/blueprints/new", methods=["GET", "POST"])
@bp.route("/blueprints/<int:blueprint_id>/edit", methods=["GET", "POST"])
def blueprint_form(blueprint_id=None):
    blueprint = load_or_404(ExamBlueprint, blueprint_id) if blueprint_id else None
    form = BlueprintForm()
    _module_choices(form)
    problems = []
    if request.method == "GET":
        _fill_from(form, blueprint) if blueprint else _fill_defaults(form)
    elif form.validate_on_submit():
        parts = [_part_input(form, THEORY)] + ([_part_input(form, PRACTICAL)] if form.has_practical.data else [])
        try:
            blueprint = services.save_blueprint(blueprint, form.name.data, form.kind.data, form.description.data, form.offered_modules.data, parts, current_user)
            flash(_("Đã lưu cấu trúc đề."), "success")
            return redirect(url_for("exam_admin.blueprint_detail", blueprint_id=blueprint.id))
        except services.ManageError as error:
            problems = error.messages
    return render_template("exam_admin/blueprint_form.html", form=form, blueprint=blueprint, problems=problems), (422 if problems else 200)


@bp.route("/blueprints/<int:blueprint_id>")
def blueprint_detail(blueprint_id):
    blueprint = load_or_404(ExamBlueprint, blueprint_id)
    check = services.check_parts(
        [services.PartInput(p.kind, p.title, p.minutes, p.max_score, p.pass_mark,
                            [(q.module.code if q.module else None, q.syllabus_prefix, q.difficulty, q.count) for q in p.quotas]) for p in blueprint.parts],
        blueprint.offered_modules or (),
    )
    return render_template("exam_admin/blueprint_detail.html", blueprint=blueprint, check=check, shortfalls=check.messages_in(_),
                           confirm=ConfirmForm(), in_use=queries.blueprint_in_use(blueprint.id))


@bp.route("/blueprints/<int:blueprint_id>/delete", methods=["POST"])
def blueprint_delete(blueprint_id):
    blueprint = load_or_404(ExamBlueprint, blueprint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_blueprint(blueprint, current_user)
        flash(_("Đã xóa cấu trúc đề."), "success")
        return redirect(url_for("exam_admin.index"))
    except services.ManageError as error:
        flash(str(error), "danger")
        return redirect(url_for("exam_admin.blueprint_detail", blueprint_id=blueprint.id))


# --- Sessions -------------------------------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_form(session_id=None):
    session = load_session(session_id) if session_id else None
    form = SessionForm()
    form.blueprint_id.choices = [(b.id, b.name) for b in queries.blueprints()]
    problems = []
    if request.method == "GET" and session is not None:
        for name in ("name", "blueprint_id", "council", "location", "attempts_allowed", "grace_seconds", "status", "double_marking", "reconcile_threshold"):
            getattr(form, name).data = getattr(session, name)
        form.opens_at.data, form.closes_at.data = to_local(session.opens_at), to_local(session.closes_at)
        form.results_released_at.data = to_local(session.results_released_at)
        form.review_after_submit.data = (session.review_policy or {}).get("after_submit", "score")
        form.review_after_close.data = (session.review_policy or {}).get("after_close", "correctness")
        form.allowed_networks.data = "\n".join(session.allowed_networks or [])
        form.rooms.data = "\n".join(f"{r.name} | {r.capacity} | {r.proctors}".rstrip(" |") for r in session.rooms)
    elif form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "name", "blueprint_id", "council", "location", "attempts_allowed", "grace_seconds", "status", "double_marking",
            "reconcile_threshold", "review_after_submit", "review_after_close")}
        values.update(opens_at=to_utc(form.opens_at.data), closes_at=to_utc(form.closes_at.data), results_released_at=to_utc(form.results_released_at.data))
        load_or_404(ExamBlueprint, values["blueprint_id"])
        try:
            session = services.save_session(session, values, form.rooms.data, form.allowed_networks.data, form.access_code.data, form.clear_access_code.data, current_user)
            flash(_("Đã lưu kỳ thi."), "success")
            return redirect(url_for("exam_admin.session_detail", session_id=session.id))
        except services.ManageError as error:
            problems = error.messages
    return render_template("exam_admin/session_form.html", form=form, session=session, problems=problems), (422 if problems else 200)


@bp.route("/sessions/<int:session_id>")
def session_detail(session_id):
    session = load_session(session_id)
    by_unit = CandidatesByUnitForm()
    by_unit.unit_id.choices = [(u.id, "— " * max(0, u.depth) + u.name) for u in queries.units()]
    by_unit.title_id.choices = [(0, _("Mọi chức danh"))] + [(t.id, t.name) for t in queries.titles()]
    candidate_form = CandidateForm()
    candidate_form.room_id.choices = [(0, "—")] + [(r.id, r.name) for r in session.rooms]
    candidate_form.registered_modules.choices = [(m.code, m.code) for m in queries.modules() if m.level == "advanced"]
    return render_template(
        "exam_admin/session_detail.html",
        session=session,
        candidates=queries.candidates(session.id),
        by_unit=by_unit,
        import_form=CandidateImportForm(),
        candidate_form=candidate_form,
        confirm=ConfirmForm(),
        extra_form=ExtraTimeForm(),
        now=utcnow(),
    )


@bp.route("/sessions/<int:session_id>/candidates/by-unit", methods=["POST"])
def candidates_by_unit(session_id):
    session = load_session(session_id)
    form = CandidatesByUnitForm()
    form.unit_id.choices = [(u.id, u.name) for u in queries.units()]
    form.title_id.choices = [(0, "")] + [(t.id, t.name) for t in queries.titles()]
    if not form.validate_on_submit():
        flash(_("Chọn đơn vị."), "danger")
    else:
        from lms.org.models import Unit

        unit = load_or_404(Unit, form.unit_id.data)
        added = services.add_candidates_by_unit(session, unit, form.title_id.data or None, current_user)
        flash(_("Đã thêm %(n)d thí sinh.", n=added), "success")
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/candidates/import", methods=["POST"])
def candidates_import(session_id):
    session = load_session(session_id)
    form = CandidateImportForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(str(error), "danger")
        return redirect(url_for("exam_admin.session_detail", session_id=session.id))
    upload = form.file.data
    report = services.import_candidates(session, upload.filename, upload.read(), current_user, max_rows=current_app.config.get("IMPORT_MAX_ROWS", 50_000))
    if not report.ok:
        return render_template("exam_admin/import_errors.html", session=session, errors=report.errors), 422
    flash(_("Đã nhập: %(a)d thí sinh mới, %(u)d cập nhật.", a=report.added, u=report.updated), "success")
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/candidates/<int:candidate_id>", methods=["POST"])
def candidate_update(session_id, candidate_id):
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    form = CandidateForm()
    form.room_id.choices = [(0, "—")] + [(r.id, r.name) for r in session.rooms]
    if form.validate_on_submit():
        try:
            services.update_candidate(candidate, form.room_id.data, form.registered_modules.data or [], current_user)
            flash(_("Đã lưu thí sinh."), "success")
        except services.ManageError as error:
            flash(str(error), "danger")
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/candidates/<int:candidate_id>/remove", methods=["POST"])
def candidate_remove(session_id, candidate_id):
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_candidate(candidate, current_user)
        flash(_("Đã xóa thí sinh khỏi danh sách."), "success")
    except services.ManageError as error:
        flash(str(error), "danger")
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/predraw", methods=["POST"])
def session_predraw(session_id):
    session = load_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        drawn = services.predraw(session, utcnow(), current_user)
        flash(_("Đã tạo trước %(n)d đề.", n=drawn), "success")
    except services.ManageError as error:
        flash(str(error), "danger")
    return redirect(url_for("exam_admin.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/release", methods=["POST"])
def session_release(session_id):
    session = load_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.release_results(session, utcnow(), current_user)
    flash(_("Đã công bố kết quả."), "success")
    return redirect(url_for("exam_admin.results", session_id=session.id))


# The running session's pages live beside; importing registers their routes on `bp`.
from lms.exams import manage_views_run  # noqa: E402,F401
