"""Figures for the ranking tests: reported indicator values written as a unit would report them."""
from sqlalchemy import select, update

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.org.models import Unit
from lms.rankings.models import IndicatorValue

FULL = {"online_procedures_pct": 40, "online_applications_pct": 20, "official_email_pct": 100, "one_stop_shop": 1,
        "computers_per_staff": 1}


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def report(code, period, values):
    """Set `values` ({indicator code: value}) for the unit `code`, replacing current ones."""
    target = unit(code)
    indicators = {row.code: row for row in db.session.execute(select(Indicator)).scalars()}
    for name, value in values.items():
        db.session.execute(update(IndicatorValue).where(
            IndicatorValue.unit_id == target.id, IndicatorValue.indicator_id == indicators[name].id, IndicatorValue.period == period,
        ).values(current=False))
        db.session.add(IndicatorValue(unit_id=target.id, indicator_id=indicators[name].id, period=period, value=value, source="demo"))
    db.session.flush()
