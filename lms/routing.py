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


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every URL: an id a database column can hold (a signed 64-bit integer),
    so a number above 2^63 in a URL is "not found", never an overflow in the driver."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
