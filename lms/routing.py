"""URL rules declared beside their views, without the views importing their blueprint.

A view module holds `routes = Routes()` and decorates its views with `@routes.route(...)`;
the area's URL table (its blueprint.py) creates the blueprint and registers the routes of
the view modules it imports. So the table imports the views, never the reverse, and no
import cycle is needed to register a route (Indico's blueprint.py, with the rule beside
the view as Flask readers expect).
"""


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
