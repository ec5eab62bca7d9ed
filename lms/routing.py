"""URL rules declared beside their views, without the views importing their blueprint.

A view module holds `routes = Routes()` and decorates its views with `@routes.route(...)`;
the area's URL table (its blueprint.py) creates the blueprint and registers the routes of
the view modules it imports. So the table imports the views, never the reverse, and no
import cycle is needed to register a route (Indico's blueprint.py, with the rule beside
the view as Flask readers expect).

Every integer a request carries is bounded here too: `<int:…>` ids (DatabaseIdConverter), ids
in a form or a JSON body (database_id), numbers and list pages in the query string (query_int,
requested_page): out of range is "not found" or a 400, never a database driver's overflow.
"""
import re

from flask import request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from lms.errors import abort_message


class Routes:
    def __init__(self):
        self._rules = []

    def route(self, rule, methods=("GET",)):
        def declare(view):
            self._rules.append((rule, view, tuple(methods)))
            return view

        return declare

    def register(self, blueprint):
        for rule, view, methods in self._rules:
            blueprint.add_url_rule(rule, view_func=view, methods=methods)


MAX_DATABASE_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL (above it the driver raises, a 500)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every URL: ASCII digits (werkzeug's \\d also takes "١٢" as 12) and an id a
    database column can hold, so a number above 2^31 is "not found", never a driver overflow."""

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


MAX_PAGE = 1_000_000  # of a list page (the reports' too): far past any list's end, far below an OFFSET's overflow
DIGITS = re.compile(r"[0-9]{1,10}")


def database_id(value):
    """A JSON value as an id an INTEGER column can hold, else None: a bool, a float, a string or
    2^63 is no id (above 2^31 the database driver overflows, a 500)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DATABASE_ID:
        return None
    return value


def text_id(text):
    """A form's id in ASCII digits ("١٢" is 12 to int()), bounded as database_id, else None."""
    return database_id(int(text)) if DIGITS.fullmatch(text or "") else None


def query_int(name, maximum=MAX_DATABASE_ID):
    """The query string's `name` as an int from 1 to `maximum` (ids and numbers stored in INTEGER
    columns), None when absent; anything else, in ASCII digits or not, is a 400 rather than a
    driver's overflow (Python's int() takes 10^30, "١٢" and " 12 ")."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not DIGITS.fullmatch(text) or not 1 <= int(text) <= maximum:
        abort_message(400, _("Giá trị %(name)s không hợp lệ: phải là số nguyên từ 1 đến %(max)d.", name=name, max=maximum))
    return int(text)


def requested_page() -> int:
    """The `?page=` of a list (1 when absent), for db.paginate(page=…): a page of 10^20
    overflowed the OFFSET; a page past the list's end is an empty page."""
    return query_int("page", MAX_PAGE) or 1
