"""Administrators' pages for the API's clients: the list, creating one (its token shown once,
on the answer to the creation itself, never stored nor put in the session), revoking one
after a confirmation."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.auth.access import load_or_404, require_roles
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Unit
from lms.redirects import redirect_with
from lms.reports import api_tokens
from lms.reports.models import ApiClient
from lms.routing import requested_page

bp = require_roles(Blueprint("api_clients", __name__, url_prefix="/admin/api-clients"), "admin")


class ApiClientForm(FlaskForm):
    name = StringField(_l("Tên hệ thống sử dụng"), validators=[DataRequired(), Length(max=200)])
    unit_code = StringField(_l("Mã đơn vị (để trống: toàn thành phố)"),
                            validators=[Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9._-]+$")])
    last_day = DateField(_l("Hiệu lực đến hết ngày"), validators=[DataRequired()])


class RevokeForm(FlaskForm):
    """The CSRF token of the confirmation: revoking is a POST from this site only."""


@bp.route("/")
def list_clients():
    query = select(ApiClient).options(joinedload(ApiClient.unit), joinedload(ApiClient.created_by)).order_by(
        ApiClient.created_at.desc(), ApiClient.id.desc())
    page = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("reports/api_clients.html", page=page, now=utcnow(), tokens=api_tokens)


def _unit(form):
    code = (form.unit_code.data or "").strip()
    if not code:
        return None, True
    unit = db.session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        form.unit_code.errors.append(_("Không có đơn vị mã %(code)s.", code=code))
        return None, False
    return unit, True


@bp.route("/new", methods=["GET", "POST"])
def create_client():
    form = ApiClientForm()
    if not form.is_submitted():
        form.last_day.data = api_tokens.default_expiry()
    if form.validate_on_submit():
        unit, found = _unit(form)
        if found:
            try:
                client, token = api_tokens.create_client(form.name.data, unit, form.last_day.data, created_by=current_user)
            except api_tokens.ApiClientError as error:
                form.last_day.errors.append(error.translated(_))
            else:
                # The only answer that carries the token; security headers keep it out of caches.
                return render_template("reports/api_client_form.html", form=None, client=client, token=token,
                                       last_day=api_tokens.last_valid_day(client))
    return render_template("reports/api_client_form.html", form=form, client=None, token=None,
                           latest=api_tokens.latest_expiry())


@bp.route("/<int:client_id>/revoke", methods=["GET", "POST"])
def revoke_client(client_id):
    client = load_or_404(ApiClient, client_id)
    form = RevokeForm()
    if form.validate_on_submit():
        if api_tokens.revoke_client(client, actor=current_user):
            return redirect_with(_("Đã thu hồi mã truy cập của %(name)s.", name=client.name), url_for("api_clients.list_clients"))
        return redirect_with(_("Mã truy cập này đã bị thu hồi từ trước."), url_for("api_clients.list_clients"), "info")
    return render_template("reports/api_client_revoke.html", client=client, form=form,
                           last_day=api_tokens.last_valid_day(client))
