"""The IT-deployment figures units report per period (Document 3718/UBND-KGVX): each value
checked against its indicator, recorded without overwriting anything (a new row, and the row it
replaces no longer current; an unchanged value adds nothing), read back as a scope's current
figures and as a unit's history. No Flask: the pages, the file import, the commands and the demo
share it; the scope is always a WHERE clause."""
import math
import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.messages import N_, Message, MessageError
from lms.org import queries as org_queries
from lms.org.models import Unit
from lms.rankings.inputs import period_start_day
from lms.rankings.models import VALUE_SOURCES, IndicatorValue
from lms.reports.filters import Period, parse_period
from lms.scope import Scope, role_scope
from lms.tabular import fold, text_value

KINDS = ("percent", "boolean", "ratio", "count")
NUMBER = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")  # 87,5 or 87.5; no thousands separator, no exponent
YES, NO = {"co", "yes"}, {"khong", "no"}  # folded: có, không
LEARNING_REFUSED = N_("chỉ tiêu «%(name)s» do hệ thống tính từ kết quả học tập, không nhập tay")
INACTIVE_REFUSED = N_("chỉ tiêu «%(name)s» không còn sử dụng")
OUTSIDE_SCOPE = N_("đơn vị «%(unit)s» nằm ngoài phạm vi quản lý của bạn")

Recorded = namedtuple("Recorded", "added unchanged")


class IndicatorError(MessageError):
    pass


class UnitOutOfScope(IndicatorError):
    pass


def plain_number(value) -> str:
    """A stored figure as text that reads back as exactly the same float: no exponent, no rounding."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def valid_range(indicator) -> Message:
    """What the indicator accepts, as the form and the file's instructions say it."""
    if indicator.kind == "boolean":
        return Message(N_("1 (có) hoặc 0 (không)"))
    if indicator.kind == "count":
        return Message(N_("số nguyên từ 0 đến số cán bộ đang công tác của đơn vị"))
    low, high = indicator.min_value, indicator.max_value
    if indicator.kind == "percent":
        low, high = max(0, low if low is not None else 0), min(100, high if high is not None else 100)
    if low is not None and high is not None:
        return Message(N_("từ %(min)s đến %(max)s"), min=plain_number(low), max=plain_number(high))
    if low is not None:
        return Message(N_("từ %(min)s trở lên"), min=plain_number(low))
    if high is not None:
        return Message(N_("không quá %(max)s"), max=plain_number(high))
    return Message(N_("số bất kỳ"))


def is_blank(raw) -> bool:
    return text_value(raw) == ""


def _number(raw, percent=False) -> Optional[float]:
    """A cell's number: an Excel number as it is, or text with a decimal point or comma ("87,5");
    None for anything else, NaN and infinities included."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float, Decimal)):
        try:
            value = float(raw)
        except OverflowError:
            return None
    else:
        text = text_value(raw).replace("\u00a0", "").replace(" ", "")
        if percent and text.endswith("%"):
            text = text[:-1]
        if not NUMBER.match(text):
            return None
        value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _yes_no(raw) -> Optional[float]:
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    folded = fold(raw)
    if folded in YES:
        return 1.0
    if folded in NO:
        return 0.0
    value = _number(raw)
    return value if value in (0.0, 1.0) else None


def _within(indicator, value):
    low, high = indicator.min_value, indicator.max_value
    if indicator.kind == "percent" and not 0 <= value <= 100:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def validate_value(indicator, raw, unit_staff=None) -> float:
    """The figure `raw` (a cell or a form field) as the float to store, or MessageError saying
    why not. A count is bounded by `unit_staff`, the unit's active staff, when it is given."""
    if indicator.source != "reported":
        raise IndicatorError(LEARNING_REFUSED, name=indicator.name)
    if indicator.kind not in KINDS:
        raise ValueError(f"unknown indicator kind {indicator.kind!r}")
    shown = text_value(raw)[:40]
    if not shown:
        raise IndicatorError(N_("không được để trống"))
    if indicator.kind == "boolean":
        value = _yes_no(raw)
        if value is None:
            raise IndicatorError(N_("chỉ nhận 1 (có) hoặc 0 (không), không nhận «%(value)s»"), value=shown)
        return value
    value = _number(raw, percent=indicator.kind == "percent")
    if value is None:
        raise IndicatorError(N_("«%(value)s» không phải là số"), value=shown)
    if indicator.kind == "count":
        if not value.is_integer():
            raise IndicatorError(N_("số người phải là số nguyên, không nhận %(value)s"), value=shown)
        if unit_staff is not None and value > unit_staff:
            raise IndicatorError(N_("%(value)s nhiều hơn số cán bộ đang công tác của đơn vị (%(staff)d)"), value=shown, staff=unit_staff)
        if value < 0:
            raise IndicatorError(N_("%(value)s nằm ngoài khoảng hợp lệ (%(range)s)"), value=shown, range=valid_range(indicator))
    if not _within(indicator, value):
        raise IndicatorError(N_("%(value)s nằm ngoài khoảng hợp lệ (%(range)s)"), value=shown, range=valid_range(indicator))
    return value + 0.0  # -0 as 0


def as_period(period) -> Period:
    """A Period from a Period or its label ("2017", "2017-Q2"); ReportFilterError for a bad label."""
    if isinstance(period, Period):
        return period
    parsed = parse_period(period)
    if parsed is None:
        raise ValueError("a period is required")
    return parsed


def reported_indicators():
    """The indicators units report, in catalogue order (those still in use)."""
    return db.session.execute(
        select(Indicator).where(Indicator.source == "reported", Indicator.active.is_(True)).order_by(Indicator.position, Indicator.code)
    ).scalars().all()


def reporting_condition(period):
    """Units that report figures for the period: members of an emulation bloc that existed during
    it (closed on or after its first day at the earliest), as the ranking counts them."""
    return Unit.bloc_id.is_not(None) & or_(Unit.closed_on.is_(None), Unit.closed_on >= period_start_day(as_period(period)))


def reporting_units_query(scope, period, bloc_id=None):
    """The statement of the scope's reporting units for the period, by bloc and code."""
    query = select(Unit).where(scope.unit_condition(), reporting_condition(period)).order_by(Unit.bloc_id, Unit.code)
    return query if bloc_id is None else query.where(Unit.bloc_id == bloc_id)


def reporting_unit(scope, period, unit_id):
    """One reporting unit of the scope, or None (missing, outside the scope, in no bloc, closed)."""
    return db.session.execute(reporting_units_query(scope, period).where(Unit.id == unit_id)).scalar_one_or_none()


def unit_staff_counts(unit_ids):
    """{unit id: active staff of its whole subtree} in one statement; 0 for a unit without staff."""
    unit_ids = list(unit_ids)
    counts = org_queries.unit_staff_counts(unit_ids)
    return {unit_id: counts.get(unit_id, 0) for unit_id in unit_ids}


def current_values(scope, period, unit_ids=None):
    """{(unit id, indicator code): IndicatorValue}: the current reported figures of the scope's
    units (or of `unit_ids` among them) for the period; a cleared figure has value None."""
    query = (select(IndicatorValue)
             .join(Unit, Unit.id == IndicatorValue.unit_id)
             .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
             .options(contains_eager(IndicatorValue.indicator))
             .where(IndicatorValue.period == as_period(period).label, IndicatorValue.current.is_(True),
                    Indicator.source == "reported", scope.unit_condition()))
    if unit_ids is not None:
        query = query.where(IndicatorValue.unit_id.in_(list(unit_ids)))
    return {(row.unit_id, row.indicator.code): row for row in db.session.execute(query).scalars()}


def completeness(scope, period, bloc_id=None):
    """(units with every reported indicator filled in, reporting units) of the scope for the period."""
    label = as_period(period).label
    wanted = select(func.count(Indicator.id)).where(Indicator.source == "reported", Indicator.active.is_(True)).scalar_subquery()
    filled = (select(IndicatorValue.unit_id, func.count(IndicatorValue.id).label("filled"))
              .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
              .where(IndicatorValue.period == label, IndicatorValue.current.is_(True), IndicatorValue.value.is_not(None),
                     Indicator.source == "reported", Indicator.active.is_(True))
              .group_by(IndicatorValue.unit_id).subquery())
    units = reporting_units_query(scope, period, bloc_id).order_by(None).subquery()
    complete, total = db.session.execute(
        select(func.coalesce(func.sum(case((filled.c.filled >= wanted, 1), else_=0)), 0), func.count(units.c.id))
        .select_from(units).outerjoin(filled, filled.c.unit_id == units.c.id)).one()
    return int(complete), int(total)


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded figure with the one it replaced (`first`: there was none before)."""

    indicator: Indicator
    value: Optional[float]
    previous: Optional[float]
    first: bool
    current: bool
    source: str
    entered_by: object  # the User, or None (a command, the demo)
    entered_at: datetime

    @property
    def source_label(self):
        return VALUE_SOURCES.get(self.source, self.source)


def value_history(unit_id, period):
    """Every figure the unit was given for the period, newest first, each with the value it
    replaced (SQL's LAG over the same indicator), who entered it and when. The caller has
    loaded the unit within the reader's scope (reporting_unit)."""
    order = (IndicatorValue.entered_at, IndicatorValue.id)
    window = dict(partition_by=IndicatorValue.indicator_id, order_by=order)
    rows = db.session.execute(
        select(IndicatorValue, func.lag(IndicatorValue.value).over(**window), func.lag(IndicatorValue.id).over(**window))
        .options(joinedload(IndicatorValue.indicator), joinedload(IndicatorValue.entered_by))
        .where(IndicatorValue.unit_id == unit_id, IndicatorValue.period == as_period(period).label)
        .order_by(IndicatorValue.entered_at.desc(), IndicatorValue.id.desc()))
    return [HistoryEntry(row.indicator, row.value, previous, previous_id is None, row.current, row.source, row.entered_by, row.entered_at)
            for row, previous, previous_id in rows]


def _refuse_outside(unit_ids, scopes):
    """Refuse the units that one of `scopes` does not reach; lock the units' rows (PostgreSQL), so
    that two writers of one unit's figures queue instead of both replacing the same current row."""
    reached = set(db.session.execute(
        select(Unit.id).where(Unit.id.in_(unit_ids), *(scope.unit_condition() for scope in scopes)).order_by(Unit.id).with_for_update()
    ).scalars())
    outside = [unit_id for unit_id in unit_ids if unit_id not in reached]
    if outside:
        code = db.session.execute(select(Unit.code).where(Unit.id == outside[0])).scalar()
        raise UnitOutOfScope(OUTSIDE_SCOPE, unit=code or str(outside[0]))


def is_change(row, value):
    """Whether `value` changes the current figure `row` (None: the unit has none)."""
    return value is not None if row is None else row.value != value


def record_values(entries, period, user, source, scope=None, now=None) -> Recorded:
    """Record (unit, indicator, value) entries for the period; value None clears a figure.

    A changed value adds a row and marks the one it replaces as no longer current; an unchanged
    one adds nothing. Refused as a whole (IndicatorError) for a unit outside `scope` or outside
    the HR scope of `user` (both when both are given; the city for a command, with neither), a
    learning indicator, or a value its indicator does not accept. Returns (added, unchanged)."""
    if source not in VALUE_SOURCES:
        raise ValueError(f"unknown source {source!r}")
    label = as_period(period).label
    entries = list(entries)
    if not entries:
        return Recorded(0, 0)
    keys = [(unit.id, indicator.id) for unit, indicator, _value in entries]
    if len(set(keys)) != len(keys):
        raise ValueError("an indicator of a unit is given twice")
    scopes = [scope] if scope is not None else []
    if user is not None:
        scopes.append(role_scope(db.session, user, "hr"))
    unit_ids = sorted({unit_id for unit_id, _indicator_id in keys})
    _refuse_outside(unit_ids, scopes or [Scope.city()])
    for _unit, indicator, _value in entries:
        if indicator.source != "reported":
            raise IndicatorError(LEARNING_REFUSED, name=indicator.name)
        if not indicator.active:
            raise IndicatorError(INACTIVE_REFUSED, name=indicator.name)
    counted = {unit.id for unit, indicator, value in entries if indicator.kind == "count" and value is not None}
    staff = unit_staff_counts(counted) if counted else {}
    entries = [(unit, indicator, None if value is None else validate_value(indicator, value, staff.get(unit.id)))
               for unit, indicator, value in entries]
    current = {(row.unit_id, row.indicator_id): row for row in db.session.execute(
        select(IndicatorValue).where(IndicatorValue.unit_id.in_(unit_ids), IndicatorValue.indicator_id.in_({key[1] for key in keys}),
                                     IndicatorValue.period == label, IndicatorValue.current.is_(True))).scalars()}
    changed = [(unit, indicator, value) for unit, indicator, value in entries if is_change(current.get((unit.id, indicator.id)), value)]
    if changed:
        replaced = [current[(unit.id, indicator.id)].id for unit, indicator, _value in changed if (unit.id, indicator.id) in current]
        if replaced:
            db.session.execute(update(IndicatorValue).where(IndicatorValue.id.in_(replaced)).values(current=False))
        now = now or datetime.now(timezone.utc)
        db.session.execute(insert(IndicatorValue), [
            {"unit_id": unit.id, "indicator_id": indicator.id, "period": label, "value": value, "current": True, "source": source,
             "entered_by_id": getattr(user, "id", None), "entered_at": now} for unit, indicator, value in changed])
    return Recorded(len(changed), len(entries) - len(changed))
