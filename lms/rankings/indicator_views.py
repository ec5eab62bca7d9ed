"""The IT-deployment figures units report for the 3718 ranking (HR officers for their subtree,
administrators city-wide): the list of the scope's bloc units for a period with what is
missing, a unit's form with the history of every figure, the file import (upload, preview,
confirm) and its template prefilled with the current figures."""
import secrets
from io import BytesIO

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import delete, select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.audit.services import record
from lms.auth.access import hr_scope, require_roles
from lms.downloads import XLSX, download
from lms.errors import abort_message
from lms.extensions import db
from lms.messages import MessageError
from lms.org.forms import ConfirmForm
from lms.org.models import PendingImport
from lms.rankings.indicator_import import import_indicators, indicator_template, shown_value
from lms.rankings.indicators import (
    IndicatorError,
    completeness,
    current_values,
    is_blank,
    plain_number,
    record_values,
    reported_indicators,
    reporting_unit,
    reporting_units_query,
    unit_staff_counts,
    valid_range,
    validate_value,
    value_history,
)
from lms.rankings.reading import RankingRequestError, read_period, scope_blocs
from lms.redirects import redirect_with
from lms.reports.filters import ReportFilterError, parse_period
from lms.routing import requested_page

bp = require_roles(Blueprint("indicators", __name__, url_prefix="/indicators"), "hr", "admin")
PREFIX = "value_"  # form fields are value_<indicator code>
PER_PAGE = 100


def _period():
    """The period of the request (?period=2017 or 2017-Q2); this year in Hanoi when not given; 400 when malformed."""
    try:
        return read_period(request.args.get("period"))
    except RankingRequestError as error:
        abort_message(400, error.translated(_))


def indicator_name(indicator):
    """The indicator's name in the reader's language (the catalogue has both)."""
    return indicator.name_en if str(get_locale() or "vi") == "en" and indicator.name_en else indicator.name


def _field_text(value):
    """A stored figure as a form field shows it: exact, with the decimal comma in Vietnamese."""
    text = plain_number(value)
    return text if str(get_locale() or "vi") == "en" else text.replace(".", ",")


def _template_globals():
    return {"indicator_name": indicator_name, "shown_value": lambda indicator, value: shown_value(indicator, value, empty="")}


# --- The list --------------------------------------------------------------------------


@bp.route("/")
def units():
    scope, period = hr_scope(), _period()
    blocs = scope_blocs(scope)
    bloc = None
    if request.args.get("bloc"):
        bloc = next((candidate for candidate in blocs if candidate.code == request.args["bloc"]), None)
        if bloc is None:
            abort(404)
    query = reporting_units_query(scope, period, bloc.id if bloc else None)
    page = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    values = current_values(scope, period, [unit.id for unit in page.items])
    complete, total = completeness(scope, period, bloc.id if bloc else None)
    return render_template("rankings/indicators_units.html", period=period, page=page, values=values, indicators=reported_indicators(),
                           blocs=blocs, bloc=bloc, blocs_by_id={b.id: b for b in blocs}, complete=complete, total=total,
                           **_template_globals())


# --- A unit's form and history ---------------------------------------------------------


def _checked(indicator, staff):
    """A field validator: the value as validate_value reads it, kept on the field as `figure`."""

    def check(form, field):
        field.figure = None
        if is_blank(field.data):
            return
        try:
            field.figure = validate_value(indicator, field.data, staff)
        except MessageError as error:
            raise ValidationError(error.translated(_)) from None

    return check


def values_form(indicators, current, staff):
    """A form with one field per reported indicator, filled with the unit's current figures."""

    class ValuesForm(FlaskForm):
        pass

    data = {}
    for indicator in indicators:
        check = _checked(indicator, staff)
        if indicator.kind == "boolean":
            field = SelectField(indicator_name(indicator), choices=[("", "—"), ("1", _l("Có")), ("0", _l("Không"))], validators=[check],
                                validate_choice=False)  # validate_value says what is wrong
        else:
            field = StringField(indicator_name(indicator), validators=[Length(max=40), check])
        setattr(ValuesForm, PREFIX + indicator.code, field)
        row = current.get(indicator.code)
        if row is not None and row.value is not None:
            data[PREFIX + indicator.code] = str(int(row.value)) if indicator.kind == "boolean" else _field_text(row.value)
    return ValuesForm(data=data)


@bp.route("/unit/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id):
    scope, period = hr_scope(), _period()
    target = reporting_unit(scope, period, unit_id)
    if target is None:
        abort(404)  # missing, outside the scope, in no bloc: nobody learns which
    indicators = reported_indicators()
    current = {code: row for (_unit_id, code), row in current_values(scope, period, [target.id]).items()}
    staff = unit_staff_counts([target.id])[target.id]
    form = values_form(indicators, current, staff)
    if form.validate_on_submit():
        entries = [(target, indicator, form[PREFIX + indicator.code].figure) for indicator in indicators
                   if PREFIX + indicator.code in request.form]  # a field not sent is left as it is
        try:
            recorded = record_values(entries, period, current_user._get_current_object(), "form", scope=scope)
        except IndicatorError as error:
            abort_message(403, error.translated(_))
        if recorded.added:
            record("indicators.record", target=target.code, period=period.label, source="form", added=recorded.added, unchanged=recorded.unchanged)
        message = _("Đã lưu số liệu kỳ %(period)s: %(added)d thay đổi, %(unchanged)d không đổi.", period=period.label,
                    added=recorded.added, unchanged=recorded.unchanged)
        return redirect_with(message, url_for(".unit", unit_id=target.id, period=period.label))
    return render_template("rankings/indicators_unit.html", unit=target, period=period, form=form, indicators=indicators, prefix=PREFIX,
                           current=current, staff=staff, ranges={i.code: valid_range(i).translated(_) for i in indicators},
                           history=value_history(target.id, period), bloc=target.bloc, **_template_globals())


# --- Import and template ---------------------------------------------------------------


class IndicatorImportForm(FlaskForm):
    period = StringField(_l("Kỳ (năm hoặc quý)"), validators=[DataRequired(), Length(max=10)])
    file = FileField(_l("Tệp số liệu (.xlsx hoặc .csv)"),
                     validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))])

    def validate_period(self, field):
        try:
            parse_period(field.data)
        except ReportFilterError as error:
            raise ValidationError(error.translated(_)) from None


def _preview(report, filename, pending=None):
    return render_template("rankings/indicators_import_preview.html", report=report, filename=filename, pending=pending,
                           confirm=ConfirmForm() if pending else None, period=parse_period(report.period))


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    form = IndicatorImportForm()
    if request.method == "GET":
        form.period.data = _period().label
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        period = parse_period(form.period.data)
        report = import_indicators(upload.filename, content, period, hr_scope(), current_user._get_current_object())
        pending = None
        if report.ok:
            pending = PendingImport(token=secrets.token_urlsafe(24), kind="indicators", filename=upload.filename, content=content,
                                    options={"period": period.label}, user_id=current_user.id)
            db.session.add(pending)
        return _preview(report, upload.filename, pending)
    return render_template("rankings/indicators_import.html", form=form, period=_period())


@bp.route("/import/<token>", methods=["POST"])
def import_confirm(token):
    pending = db.session.execute(
        select(PendingImport).where(PendingImport.token == token, PendingImport.kind == "indicators", PendingImport.user_id == current_user.id)
    ).scalar_one_or_none()
    if pending is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report = import_indicators(pending.filename, pending.content, pending.options["period"], hr_scope(), current_user._get_current_object(),
                               apply=True)
    db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    if not report.ok:  # the data or the scope changed between preview and confirmation
        db.session.rollback()
        return _preview(report, pending.filename)
    message = _("Đã nhập số liệu kỳ %(period)s: %(values)d số liệu mới; %(c)d đơn vị thêm mới, %(u)d cập nhật, %(n)d không đổi.",
                period=report.period, values=report.values, c=report.created, u=report.updated, n=report.unchanged)
    return redirect_with(message, url_for(".units", period=report.period))


@bp.route("/template.xlsx")
def template():
    period = _period()
    content = indicator_template(hr_scope(), period, gettext=_)
    return download(BytesIO(content), f"chi-tieu-{period.label}.xlsx", XLSX)
