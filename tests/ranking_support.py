"""Figures for the ranking tests: reported indicator values written as a unit would report them."""
import pytest
from sqlalchemy import delete, select, update

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.org.models import PendingImport, Unit
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


@pytest.fixture(scope="module")
def seeded(app, clear_tables):
    """The demo's units, staff and accounts, seeded once for the module (the tests only add
    figures): import it as a fixture, with `clear_figures` after each test."""
    from lms.catalogue.loader import load_catalogues
    from lms.demo import seed

    with app.app_context():
        clear_tables()
        load_catalogues()
        seed.seed_units_staff_accounts()
        db.session.commit()
        db.session.remove()


def clear_figures():
    """After a test on `seeded`: its recorded figures and pending imports gone, the units and staff kept."""
    db.session.rollback()
    db.session.execute(delete(IndicatorValue))
    db.session.execute(delete(PendingImport))
    db.session.commit()
