"""Tổ chức thi: exam blueprints (cấu trúc đề), checked against the approved pool before they
are saved. Blueprints are shared designs, not tied to a unit. Registered by blueprint.py."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404
from lms.exams.core.blueprint_rules import PRACTICAL, THEORY
from lms.exams.manage import queries, services
from lms.exams.manage.forms import REGISTERED, BlueprintForm, ConfirmForm
from lms.exams.models import DEFAULT_PRACTICAL_QUOTAS, DEFAULT_THEORY_QUOTAS, ExamBlueprint
from lms.redirects import flash_outcome, redirect_with
from lms.routing import Routes

routes = Routes()


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


@routes.route("/blueprints/<int:blueprint_id>/edit", methods=("GET", "POST"))
@routes.route("/blueprints/new", methods=("GET", "POST"))
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
            return redirect_with(_("Đã lưu cấu trúc đề."), url_for("exam_admin.blueprint_detail", blueprint_id=blueprint.id))
        except services.ManageError as error:
            problems = error.messages
    return render_template("exam_admin/blueprint_form.html", form=form, blueprint=blueprint, problems=problems), (422 if problems else 200)


@routes.route("/blueprints/<int:blueprint_id>")
def blueprint_detail(blueprint_id):
    blueprint = load_or_404(ExamBlueprint, blueprint_id)
    check = services.check_parts(
        [services.PartInput(p.kind, p.title, p.minutes, p.max_score, p.pass_mark,
                            [(q.module.code if q.module else None, q.syllabus_prefix, q.difficulty, q.count) for q in p.quotas]) for p in blueprint.parts],
        blueprint.offered_modules or (),
    )
    return render_template("exam_admin/blueprint_detail.html", blueprint=blueprint, check=check, shortfalls=check.messages_in(_),
                           confirm=ConfirmForm(), in_use=queries.blueprint_in_use(blueprint.id))


@routes.route("/blueprints/<int:blueprint_id>/delete", methods=("POST",))
def blueprint_delete(blueprint_id):
    blueprint = load_or_404(ExamBlueprint, blueprint_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if flash_outcome(lambda: services.delete_blueprint(blueprint, current_user), _("Đã xóa cấu trúc đề."), services.ManageError):
        return redirect(url_for("exam_admin.index"))
    return redirect(url_for("exam_admin.blueprint_detail", blueprint_id=blueprint.id))
