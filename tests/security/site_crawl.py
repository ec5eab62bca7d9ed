"""What the security tests walk: every route of the URL map with sample arguments, the seeded
demo, and a crawl of the pages each demo role reaches (every parameterless GET route, then the
links and GET forms of what they answer), watching the SQL each request sends."""
import re
from collections import Counter, deque
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from lms.extensions import db

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# The demo's accounts and the home page each reaches first.
ROLES = (("admin", "/admin/"), ("hr", "/hr/"), ("trainer", "/trainer/"), ("proctor_gl", "/exams/manage/"), ("learner", "/learn/"))
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def sample_url(rule):
    """A URL of `rule` with 1 for every argument (its defaults stay as they are): the CSRF check
    answers before the view looks anything up, so nothing need exist."""
    return rule.build({name: 1 for name in rule.arguments - set(rule.defaults or {})}, append_unknown=False)[1]


def state_changing_rules(app):
    """(rule, method) for every method of the URL map that may change something."""
    return [(rule, method) for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            for method in STATE_CHANGING if method in rule.methods]


def parameterless_get_paths(app):
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static")


def seed_whole_demo():
    """What `demo seed` loads, on top of the `demo` fixture's units, staff and accounts."""
    from lms.demo import seed
    from lms.models_base import utcnow

    now = utcnow()
    seed.seed_question_banks()
    seed.seed_courses(now)
    seed.seed_exam_demo(now)
    seed.seed_finished_session(now)
    seed.seed_certificates()
    seed.seed_ward_accounts()
    db.session.commit()


@contextmanager
def written_tables():
    """The tables the statements sent inside the block write to (a Counter)."""
    tables = Counter()

    def watch(_conn, _cursor, statement, *_args):
        match = WRITE.match(statement)
        if match:
            tables[match.group(2).lower()] += 1

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        yield tables
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)


class PageLinks(HTMLParser):
    """The URLs a page points at (href, src, the action of GET forms) and its forms' fields."""

    def __init__(self):
        super().__init__()
        self.urls, self.get_forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "fields": []} if method == "get" else None
            if self._form is not None:
                self.get_forms.append(self._form)
                self.urls.append(self._form["action"])
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and attrs.get("name"):
            self._form["fields"].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def page_links(html):
    parser = PageLinks()
    parser.feed(html)
    return parser


def query_names(url):
    return {name for name, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True)}


class Crawl:
    """Visits, breadth first, the parameterless GET routes and the same-site links of the pages,
    at most `per_endpoint` URLs of each endpoint; `visit(path, response, written)` sees each answer
    with the tables its request wrote."""

    def __init__(self, app, client, visit, per_endpoint=2, skip=("static", "auth.logout")):
        self.app, self.client, self.visit = app, client, visit
        self.per_endpoint, self.skip = per_endpoint, set(skip)
        self.adapter = app.url_map.bind("localhost")
        self.seen, self.counts = set(), Counter()

    def endpoint(self, url):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return None
        try:
            return self.adapter.match(parts.path, method="GET")[0]
        except HTTPException:
            return None

    def run(self, starts):
        queue = deque(starts)
        while queue:
            url = queue.popleft()
            endpoint = self.endpoint(url)
            if url in self.seen or endpoint is None or endpoint in self.skip or self.counts[endpoint] >= self.per_endpoint:
                continue
            self.seen.add(url)
            self.counts[endpoint] += 1
            with written_tables() as written:
                response = self.client.get(url)
            self.visit(url, response, written)
            if response.mimetype == "text/html":
                queue.extend(link.split("#")[0] for link in page_links(response.get_data(as_text=True)).urls if link)
        return self.seen
