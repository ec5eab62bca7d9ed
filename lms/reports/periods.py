"""The quarters or years a report over time runs through, as a small VALUES table the
aggregations join to (a UNION of literal rows, so every dialect buckets alike, in Hanoi time,
with no date function)."""
from datetime import date, timedelta

from sqlalchemy import Date, String, func, literal, select, union_all

from lms.exams.models import ExamAttempt
from lms.extensions import db
from lms.models_base import UTCDateTime
from lms.reports.filters import Period

FIRST_YEAR = 2016  # Document 3718 and the 2016 structure: nothing is reported before
MAX_YEARS = 15


def _periods(context):
    filters = context.filters
    if filters.period and filters.period.quarter:
        return [filters.period]
    if filters.period:
        years = [filters.period.year]
    else:
        first = db.session.execute(select(func.min(ExamAttempt.started_at))).scalar_one()
        last_year = context.today.year
        first_year = max(first.year if first else last_year, FIRST_YEAR, last_year - MAX_YEARS + 1)
        years = range(first_year, last_year + 1)
    if filters.grain == "year":
        return [Period(year) for year in years]
    return [Period(year, quarter) for year in years for quarter in (1, 2, 3, 4)
            if date(year, 3 * quarter - 2, 1) <= context.today]


def _first_day(period):
    return date(period.year, 1 if not period.quarter else 3 * period.quarter - 2, 1)


def period_table(context):
    """(label, start, end, first_day, after_day) per period, or None when there is none."""
    periods = _periods(context)
    if not periods:
        return None
    rows = [
        select(literal(p.label, String).label("label"), literal(p.start, UTCDateTime()).label("start"),
               literal(p.end, UTCDateTime()).label("end"), literal(_first_day(p), Date).label("first_day"),
               literal((p.end + timedelta(hours=7)).date(), Date).label("after_day"))
        for p in periods
    ]
    return union_all(*rows).cte("periods")
