"""The audit log, filterable by administrators."""
from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from lms.audit.models import AuditEvent
from lms.audit.services import ACTIONS
from lms.auth.access import require_roles
from lms.extensions import db
from lms.forms import FilterForm, label_choices
from lms.routing import requested_page

bp = require_roles(Blueprint("audit", __name__, url_prefix="/admin/audit"), "admin")
VIETNAM = timezone(timedelta(hours=7))


class AuditFilterForm(FilterForm):
    action = SelectField(_l("Sự kiện"), choices=label_choices(ACTIONS, first=("", _l("Tất cả"))), validators=[Optional()])
    actor = StringField(_l("Người thực hiện"), validators=[Optional()])
    target = StringField(_l("Đối tượng"), validators=[Optional()])
    since = DateField(_l("Từ ngày"), validators=[Optional()])
    until = DateField(_l("Đến ngày"), validators=[Optional()])


@bp.route("/")
def events():
    form = AuditFilterForm(request.args)
    form.validate()
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.actor.data:
        query = query.where(AuditEvent.actor_name.ilike(f"%{form.actor.data.strip()}%"))
    if form.target.data:
        query = query.where(AuditEvent.target.ilike(f"%{form.target.data.strip()}%"))
    if form.since.data:
        query = query.where(AuditEvent.created_at >= datetime.combine(form.since.data, time.min, VIETNAM))
    if form.until.data:
        query = query.where(AuditEvent.created_at < datetime.combine(form.until.data + timedelta(days=1), time.min, VIETNAM))
    page = db.paginate(query, page=requested_page(), per_page=100, error_out=False)
    return render_template("admin/audit.html", form=form, page=page, actions=ACTIONS, tz=VIETNAM)
