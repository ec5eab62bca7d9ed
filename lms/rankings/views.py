"""The ranking pages (HR officers for their units, administrators city-wide): a bloc's
ranking for a period, computed now or as published, each unit's breakdown, the exports;
publishing (administrators) and the year's formula (administrators)."""
from io import BytesIO

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.access import hr_scope, roles_allowed
from lms.database import immediate_transactions
from lms.downloads import download
from lms.errors import abort_message
from lms.extensions import db
from lms.rankings import charts
from lms.rankings.exports import breakdown_xlsx, component_sums, ranking_xlsx
from lms.rankings.labels import MISSING_RULE_LABELS, NORMALISATION_LABELS
from lms.rankings.publishing import publish_safely
from lms.rankings.ranking_pdf import breakdown_pdf, ranking_pdf
from lms.rankings.reading import (
    RankingNotFound,
    RankingRequestError,
    read_bloc,
    read_period,
    read_ranking,
    read_version,
    scope_blocs,
    unit_bloc,
    unit_row,
)
from lms.rankings.service import RankingError
from lms.routing import Routes

routes = Routes()
EXPORTS = {"xlsx": (ranking_xlsx, breakdown_xlsx), "pdf": (ranking_pdf, breakdown_pdf)}


def _selection(bloc_code=None, unit_id=None):
    """The ranking the request asks for, in the reader's scope; 400/404 with the reason."""
    scope = hr_scope()
    try:
        period, version = read_period(request.args.get("period")), read_version(request.args.get("version"))
        bloc = unit_bloc(scope, unit_id) if unit_id is not None else read_bloc(scope, bloc_code or request.args.get("bloc"))
        return read_ranking(scope, period, bloc, version), scope
    except RankingRequestError as error:
        abort_message(400, error.translated(_))
    except RankingNotFound as error:
        abort_message(404, error.translated(_))


def _unit(selection, unit_id):
    try:
        return unit_row(selection, unit_id)
    except RankingNotFound as error:
        abort_message(404, error.translated(_))


def _args(selection):
    args = {"period": selection.period.label, "bloc": selection.bloc.code}
    if selection.version:
        args["version"] = selection.version
    return args


def _indicators(document):
    return {indicator["code"]: indicator for component in document["components"] for indicator in component["indicators"]}


@routes.route("/")
def ranking():
    selection, scope = _selection()
    document = selection.document
    ranked = [unit for unit in document["units"] if not unit["excluded"]]
    figure = charts.index_bar_svg([(unit["name"], float(unit["index"]), unit["rank"]) for unit in ranked],
                                  _("Chỉ số xếp hạng %(bloc)s, kỳ %(period)s", bloc=document["bloc"]["name"], period=document["period"]),
                                  locale=str(get_locale() or "vi")) if ranked else None
    codes = {unit["code"] for unit in document["units"]}
    return render_template("rankings/ranking.html", selection=selection, document=document, args=_args(selection),
                           blocs=scope_blocs(scope), indicators=_indicators(document), component_sums=lambda unit: component_sums(unit, document), figure=figure,
                           missing_rule_labels=MISSING_RULE_LABELS, visible=codes.__contains__)


@routes.route("/unit/<int:unit_id>")
def breakdown(unit_id):
    selection, _scope = _selection(unit_id=unit_id)
    unit = _unit(selection, unit_id)
    return render_template("rankings/breakdown.html", selection=selection, document=selection.document, unit=unit,
                           args=_args(selection), indicators=_indicators(selection.document), component_sums=component_sums(unit, selection.document),
                           missing_rule_labels=MISSING_RULE_LABELS, normalisations=NORMALISATION_LABELS)


def _filename(selection, suffix, fmt):
    version = f"-v{selection.version}" if selection.version else ""
    return f"xep-hang-{selection.bloc.code}-{selection.period.label}{version}{suffix}.{fmt}"


@routes.route("/export.<fmt>")
def export(fmt):
    if fmt not in EXPORTS:
        abort_message(404, _("Không có định dạng xuất %(fmt)s.", fmt=fmt[:10]))
    selection, _scope = _selection()
    record("ranking.export", target=f"{selection.bloc.code}/{selection.period.label}", fmt=fmt, version=selection.version)
    return download(BytesIO(EXPORTS[fmt][0](selection.document, _)), _filename(selection, "", fmt))


@routes.route("/unit/<int:unit_id>/export.<fmt>")
def export_breakdown(unit_id, fmt):
    if fmt not in EXPORTS:
        abort_message(404, _("Không có định dạng xuất %(fmt)s.", fmt=fmt[:10]))
    selection, _scope = _selection(unit_id=unit_id)
    unit = _unit(selection, unit_id)
    record("ranking.export", target=f"{selection.bloc.code}/{selection.period.label}/{unit['code']}", fmt=fmt, version=selection.version)
    return download(BytesIO(EXPORTS[fmt][1](selection.document, unit_id, _)), _filename(selection, f"-{unit['code']}", fmt))


@routes.route("/publish", methods=("POST",))
@roles_allowed("admin")
def publish():
    # Only the period and bloc: publish() computes the ranking it freezes, once. The bloc is
    # named, never the reader's default: a form without it must not publish another bloc.
    if not (request.form.get("bloc") or "").strip():
        abort_message(400, _("Cần chọn khối thi đua để công bố."))
    try:
        period, bloc = read_period(request.args.get("period")), read_bloc(hr_scope(), request.form.get("bloc"))
    except RankingRequestError as error:
        abort_message(400, error.translated(_))
    except RankingNotFound as error:
        abort_message(404, error.translated(_))
    note = (request.form.get("note") or "").strip()[:1000]
    try:
        with immediate_transactions():
            publication = publish_safely(period, bloc, current_user, note)
            db.session.commit()
    except RankingError as error:
        db.session.rollback()
        flash(error.translated(_), "danger")
        return redirect(url_for(".ranking", period=period.label, bloc=bloc.code))
    flash(_("Đã công bố phiên bản %(version)d.", version=publication.version), "success")
    return redirect(url_for(".ranking", period=period.label, bloc=bloc.code, version=publication.version))

