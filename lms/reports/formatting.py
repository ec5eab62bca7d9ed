"""How a report's cell reads on a page: counts with thousands separators, scores to one
decimal, rates as percents, dates day/month/year, in the reader's language (decimal comma in
Vietnamese). Files keep the raw numbers with a number format instead (lms.reports.exports)."""
from datetime import date, datetime

from babel.numbers import format_decimal, format_percent

from lms.messages import Message

NO_VALUE = "—"


def format_cell(value, kind, gettext, locale="vi"):
    if isinstance(value, Message):
        return value.translated(gettext)
    if value is None or value == "":
        return NO_VALUE if kind in ("score", "rate", "date") else ""
    if kind == "count":
        return format_decimal(value, format="#,##0", locale=locale)
    if kind == "score":
        return format_decimal(value, format="0.0", locale=locale)
    if kind == "rate":
        return format_percent(value, format="0.0%", locale=locale)
    if kind == "date" and isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return str(value)
