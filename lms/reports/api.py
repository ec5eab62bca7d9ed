"""The read-only JSON API for HR systems, under /api/v1/: the competency reports and one
person's profile, for the unit subtree (or the whole city) of the caller's token.

Authentication is an "Authorization: Bearer" token and nothing else: the gate never reads
the session or the signed-in user, so a browser's cookie opens nothing here. Every refusal
of a token is the same 401. A unit or person outside the token's scope is a 404 exactly like
one that does not exist. Rows come from lms.reports.tables, the tables the pages show.

Answers are in Vietnamese whatever the caller's language: they feed other systems."""
import json
import re

from flask import Blueprint, Response, current_app, g, request

from lms.auth.access import PUBLIC_ENDPOINT_ATTR, public
from lms.catalogue.models import TITLE_GROUPS
from lms.messages import N_, Message
from lms.reports import api_tokens
from lms.reports.facts import build_context
from lms.reports.filters import REPORTS, ReportFilterError, ReportScopeError, parse_filters, parse_year
from lms.reports.openapi import openapi_document
from lms.reports.profile import competency_profile
from lms.reports.tables import TABLES
from lms.routing import MAX_DATABASE_ID

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
# The app-wide route test wants every blueprint gated in one place: this one's gate is the token.
bp.lms_roles = ("api_client",)

UNAUTHORIZED = N_("Cần mã truy cập API hợp lệ (Authorization: Bearer <mã>).")
ID_PATTERN = re.compile(r"^[0-9]{1,19}$")


def json_response(payload, status=200, headers=None):
    # Vietnamese left as UTF-8 rather than \u escapes: people read these answers too.
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=headers, mimetype="application/json")


def error_response(message, status):
    headers = {"WWW-Authenticate": 'Bearer realm="lms-api"'} if status == 401 else None
    return json_response({"error": str(message)}, status, headers)


@bp.before_request
def _token_gate():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, PUBLIC_ENDPOINT_ATTR, False):
        return None
    client = api_tokens.authenticate(api_tokens.bearer_token(request.headers.get("Authorization")))
    if client is None:
        return error_response(UNAUTHORIZED, 401)
    g.api_client = client
    return None


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Values ------------------------------------------------------------------------------------


def _number(value):
    return None if value is None else float(value)


def _iso(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


CONVERTERS = {
    "text": lambda value: None if value is None else str(value),  # a Message is its Vietnamese text
    "count": lambda value: None if value is None else int(value),
    "rate": _number,
    "score": _number,
    "date": _iso,
}


def _cell(column, value):
    return CONVERTERS[column.kind](value)


def column_json(column):
    header = Message(column.header, **column.params) if column.params else column.header
    return {"key": column.key, "header": str(header), "kind": column.kind}


def row_json(columns, row):
    return {column.key: _cell(column, row.get(column.key)) for column in columns}


def unit_json(unit):
    if unit is None:
        return None
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "status": unit.status}


# --- Reports -----------------------------------------------------------------------------------


def _report(report):
    """A report's table as JSON, paginated like the gaps whatever the report."""
    try:
        filters = parse_filters(report, request.args, title_groups=tuple(TITLE_GROUPS))
        context = build_context(api_tokens.client_scope(g.api_client), filters)
    except ReportFilterError as error:
        return error_response(error, 400)
    except ReportScopeError as error:
        return error_response(error, 404)
    table = TABLES[report](context)
    if report == "gaps":
        rows, count = table.page.rows, table.page.total
    else:
        # These reports are a handful of rows (units one level down, titles, modules, periods):
        # sliced here, so that every report pages alike.
        every = list(table.rows)
        start = (filters.page - 1) * filters.per_page
        rows, count = every[start:start + filters.per_page], len(every)
    total = None
    if table.total is not None:
        # The summary's numbers only: its text cells (a unit's code and name) are empty there.
        total = {column.key: _cell(column, table.total[column.key]) for column in table.columns
                 if column.kind != "text" and column.key in table.total}
    return json_response({
        "report": report,
        "unit": unit_json(context.root),
        "period": filters.period.label if filters.period else None,
        "columns": [column_json(column) for column in table.columns],
        "items": [row_json(table.columns, row) for row in rows],
        "total": total,
        "page": filters.page,
        "per_page": filters.per_page,
        "count": count,
        "pages": max(1, -(-count // filters.per_page)),
    })


def report_table(report):
    return _report(report)


for _name in REPORTS:  # one rule per report, as the OpenAPI document lists them
    bp.add_url_rule(f"/reports/{_name}", _name, report_table, defaults={"report": _name})


# --- One person's profile ----------------------------------------------------------------------


def _staff_id(text):
    """The path's id as an int, or None (the API's own parse, so that a malformed id gets the
    API's JSON 404 rather than the site's)."""
    if not ID_PATTERN.match(text) or not 1 <= int(text) <= MAX_DATABASE_ID:
        return None
    return int(text)


def profile_json(profile):
    staff = profile.staff
    return {
        "staff": {"id": staff.id, "full_name": staff.full_name, "status": staff.status},
        "unit": unit_json(staff.unit),
        "title": {"code": staff.title.code, "name": staff.title.name} if staff.title else None,
        "year": profile.year,
        "as_at": profile.as_at.isoformat(),
        "modules": [
            {"code": m["code"], "name": m["name"], "level": m["level"], "required": m["required"],
             "score": _number(m["score"]), "achieved_at": _iso(m["achieved_at"])}
            for m in profile.modules
        ],
        "standard": {
            "path_met": profile.path_met, "basic_met": profile.basic_met, "advanced_met": profile.advanced_met,
            "advanced_passed": profile.advanced_passed, "mean_score": _number(profile.mean_score),
        },
        "certificates": [
            {"serial": c.serial, "kind": c.kind, "issue_date": c.issue_date.isoformat(), "status": c.status}
            for c in profile.certificates
        ],
        "courses": [
            {"module_code": c["module_code"], "course_id": c["course_id"], "title": c["title"],
             "done": int(c["done"]), "total": int(c["total"])}
            for c in profile.courses
        ],
    }


@bp.route("/staff/<staff_id>/profile")
def staff_profile(staff_id):
    number = _staff_id(staff_id)
    try:
        if number is None:
            raise ReportScopeError(N_("Không tìm thấy cán bộ %(id)s trong phạm vi của bạn."), id=staff_id[:30])
        year = parse_year(request.args.get("year"))
        profile = competency_profile(api_tokens.client_scope(g.api_client), number, year)
    except ReportFilterError as error:
        return error_response(error, 400)
    except ReportScopeError as error:
        return error_response(error, 404)
    return json_response(profile_json(profile))


# --- The description -------------------------------------------------------------------------


@bp.route("/openapi.json")
@public
def openapi():
    return json_response(openapi_document())

