"""URL rules declared beside their views, without the views importing their blueprint.

A view module holds `routes = Routes()` and decorates its views with `@routes.route(...)`;
the area's URL table (its blueprint.py) creates the blueprint and registers the routes of
the view modules it imports. So the table imports the views, never the reverse, and no
import cycle is needed to register a route (Indico's blueprint.py, with the rule beside
the view as Flask readers expect).
"""
from werkzeug.routing import IntegerConverter


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
