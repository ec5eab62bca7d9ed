"""The ranking's inputs, gathered in SQL, one statement per component: the figures units
reported for the period, and the learning results of each ranked unit's people (its whole
subtree: a district answers for its communes' staff) from the competency reports' facts."""
from dataclasses import dataclass
from datetime import date, datetime, timezone
from fractions import Fraction

from sqlalchemy import Integer, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.org.models import Unit
from lms.rankings.compute_numbers import units_at
from lms.rankings.models import IndicatorValue
from lms.reports.facts import build_context, staff_facts
from lms.reports.filters import ReportFilters
from lms.scope import Scope

INPUT_PLACES = 4  # the decimals of a computed input, as lms.rankings.document.RAW_PLACES shows it


@dataclass(frozen=True)
class RankedUnit:
    id: int
    code: str
    name: str
    bloc_id: int
    path: str


def period_start_day(period):
    return date(period.year, 1 if not period.quarter else 3 * (period.quarter - 1) + 1, 1)


def ranked_units(period, bloc_id=None):
    """The units of every emulation bloc (or of one) that existed during the period, by code."""
    query = (select(Unit.id, Unit.code, Unit.name, Unit.bloc_id, Unit.path)
             .where(Unit.bloc_id.is_not(None), or_(Unit.closed_on.is_(None), Unit.closed_on >= period_start_day(period)))
             .order_by(Unit.code))
    if bloc_id is not None:
        query = query.where(Unit.bloc_id == bloc_id)
    return [RankedUnit(*row) for row in db.session.execute(query)]


def exact(value):
    """A stored float as the exact number it was entered as (its shortest decimal text)."""
    return None if value is None else Fraction(str(value))


def reported_values(period, unit_ids):
    """{unit id: {indicator code: Fraction or None}}: the current reported figures."""
    found = {unit_id: {} for unit_id in unit_ids}
    rows = db.session.execute(
        select(IndicatorValue.unit_id, Indicator.code, IndicatorValue.value)
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.period == period.label, IndicatorValue.current.is_(True), Indicator.source == "reported",
               IndicatorValue.unit_id.in_(select(Unit.id).where(Unit.bloc_id.is_not(None)))))
    for unit_id, code, value in rows:
        if unit_id in found:
            found[unit_id][code] = exact(value)
    return found


def learning_context(period, now=None):
    """The reports' context for the ranking: the whole city, as at the period's end (or now
    while the period runs, which reads the maintained best results instead of recomputing)."""
    now = now or datetime.now(timezone.utc)
    filters = ReportFilters(report="units", period=period if period.end <= now else None)
    return build_context(Scope.city(), filters, now=now)


def unit_lineage():
    """(member_id, ancestor_id) for every unit and each of its ancestors, itself included: a
    recursive walk up parent_id, a few rows per unit, where a path-prefix join would compare
    every ranked unit with every unit."""
    parent = aliased(Unit, name="parent")
    lineage = select(Unit.id.label("member_id"), Unit.id.label("ancestor_id"), Unit.parent_id.label("next_id")).cte("lineage", recursive=True)
    return lineage.union_all(select(lineage.c.member_id, parent.id, parent.parent_id).join(parent, parent.id == lineage.c.next_id))


LEARNING_SUMS = ("staff", "enrolled", "basic_passed", "basic_standard", "advanced_standard", "score_sum", "score_count", "on_time")


def learning_sums(period, bloc_id=None, now=None):
    """{ranked unit id: {sum: value}} over the people of each ranked unit's subtree, in one statement."""
    context = learning_context(period, now)
    facts = staff_facts(context, holdings=False)
    per_unit = (select(facts.c.unit_id, func.count(facts.c.staff_id).label("staff"),
                       *(func.sum(facts.c[name]).label(name) for name in
                         ("enrolled", "basic_passed", "basic_standard", "advanced_standard", "score_sum", "score_count")),
                       func.sum(case((facts.c.overdue == 0, 1), else_=0)).label("on_time"))
                .group_by(facts.c.unit_id).cte("per_unit"))
    ranked = aliased(Unit, name="ranked")
    lineage = unit_lineage()
    condition = ranked.bloc_id.is_not(None) if bloc_id is None else ranked.bloc_id == bloc_id
    # Integer casts: PostgreSQL's SUM of integers is numeric; the score sum stays a float.
    query = (select(ranked.id, *(func.coalesce(func.sum(per_unit.c[name]), 0) if name == "score_sum"
                                 else cast(func.coalesce(func.sum(per_unit.c[name]), 0), Integer) for name in LEARNING_SUMS))
             .select_from(ranked)
             .join(lineage, lineage.c.ancestor_id == ranked.id)
             .join(per_unit, per_unit.c.unit_id == lineage.c.member_id)
             .where(and_(condition, or_(ranked.closed_on.is_(None), ranked.closed_on >= period_start_day(period))))
             .group_by(ranked.id))
    return {row[0]: dict(zip(LEARNING_SUMS, row[1:])) for row in db.session.execute(query)}, context


def as_stated(value):
    """A computed figure at the four decimals it is shown and frozen with, so that a published
    version's inputs give back exactly its results."""
    return None if value is None else Fraction(units_at(value, INPUT_PLACES), 10 ** INPUT_PLACES)


def learning_values(sums, basic_module_count):
    """The learning indicators of one unit from its sums, at four decimals; None (missing)
    without staff or scores."""
    staff = sums.get("staff", 0) if sums else 0
    if not staff:
        return {code: None for code in ("enrolled_pct", "modules_passed_pct", "basic_standard_pct", "advanced_standard_pct",
                                        "mean_score", "on_time_pct")}
    share = lambda count: Fraction(100 * int(count), staff)  # noqa: E731
    values = {
        "enrolled_pct": share(sums["enrolled"]),
        "modules_passed_pct": Fraction(100 * int(sums["basic_passed"]), staff * basic_module_count) if basic_module_count else None,
        "basic_standard_pct": share(sums["basic_standard"]),
        "advanced_standard_pct": share(sums["advanced_standard"]),
        "mean_score": exact(sums["score_sum"]) / sums["score_count"] if sums["score_count"] else None,
        "on_time_pct": share(sums["on_time"]),
    }
    return {code: as_stated(value) for code, value in values.items()}


def gather_inputs(period, bloc_id=None, now=None):
    """(ranked units, {unit id: {indicator code: value}}) for the period: every indicator the
    catalogue has, reported or learned; a value of None is missing data."""
    units = ranked_units(period, bloc_id)
    ids = [unit.id for unit in units]
    values = reported_values(period, ids)
    sums, context = learning_sums(period, bloc_id, now)
    for unit in units:
        values[unit.id].update(learning_values(sums.get(unit.id), context.basic_module_count))
    return units, values
