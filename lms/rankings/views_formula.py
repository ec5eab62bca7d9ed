"""The year's ranking formula (administrators): read it, edit it as YAML, checked before it is
saved (an invalid formula is refused with where it is wrong and changes nothing). Published
rankings keep the formula they were computed with."""
import yaml
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lms.audit.services import record
from lms.auth.access import roles_allowed
from lms.catalogue.models import Indicator
from lms.errors import abort_message
from lms.extensions import db
from lms.localtime import local_today
from lms.rankings.formula import FormulaDocumentError, formula_document, read_document_text, save_formula
from lms.rankings.views import routes
from lms.reports.filters import ReportFilterError, parse_year


class FormulaForm(FlaskForm):
    text = TextAreaField(_l("Công thức (YAML)"), validators=[DataRequired(), Length(max=20_000)])


def _year():
    try:
        return parse_year(request.args.get("year")) or local_today().year
    except ReportFilterError as error:
        abort_message(400, error.translated(_))


@routes.route("/formula", methods=("GET", "POST"))
@roles_allowed("admin")
def formula():
    year = _year()
    document, own = formula_document(year)
    form = FormulaForm()
    if request.method == "GET":
        form.text.data = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    elif form.validate_on_submit():
        try:
            save_formula(year, read_document_text(form.text.data), current_user)
        except FormulaDocumentError as error:
            db.session.rollback()
            form.text.errors.append(error.translated(_))
        else:
            record("ranking.formula", target=str(year))
            db.session.commit()
            flash(_("Đã lưu công thức xếp hạng năm %(year)d.", year=year), "success")
            return redirect(url_for(".formula", year=year))
    indicators = db.session.execute(select(Indicator).order_by(Indicator.position)).scalars().all()
    return render_template("rankings/formula.html", form=form, year=year, own=own, indicators=indicators)
