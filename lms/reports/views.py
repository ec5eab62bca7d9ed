"""The competency report pages (HR officers within their units, administrators city-wide):
by unit with drill-down, by title, by module, over time, the gaps, and each official's profile.
Every page reads its filters through parse_filters (a bad value is a 400 with the reason) and
its rows from lms.reports.tables, as the exports and the API do."""
from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.access import hr_scope
from lms.catalogue.models import TITLE_GROUPS, Module, Title
from lms.errors import abort_message
from lms.extensions import db
from lms.org.models import Unit
from lms.reports import charts, queries
from lms.reports.filters import SORTS, ReportFilterError, ReportScopeError, parse_filters, parse_year
from lms.reports.formatting import format_cell
from lms.reports.profile import competency_profile
from lms.reports.tables import TABLES, units_table
from lms.routing import Routes

routes = Routes()
TABS = (("units", "reports.units", "Theo đơn vị"), ("titles", "reports.titles", "Theo chức danh"),
        ("modules", "reports.modules", "Theo mô-đun"), ("periods", "reports.periods", "Theo thời gian"),
        ("gaps", "reports.gaps", "Còn thiếu"))


def report_context(report):
    """The filters of the request, checked, and the context they make in the reader's scope."""
    try:
        filters = parse_filters(report, request.args, title_groups=tuple(TITLE_GROUPS))
        return queries.build_context(hr_scope(), filters)
    except ReportFilterError as error:
        abort_message(400, error.translated(_))
    except ReportScopeError as error:
        abort_message(404, error.translated(_))


def cell(value, column):
    """A value as the page shows it; `column` is a Column or just its kind."""
    return format_cell(value, column if isinstance(column, str) else column.kind, _, str(get_locale() or "vi"))


def header(column):
    return _(column.header) % column.params if column.params else _(column.header)


def _choices(context):
    titles = db.session.execute(select(Title).order_by(Title.position)).scalars().all()
    modules = db.session.execute(select(Module).order_by(Module.position)).scalars().all()
    return {"titles": titles, "modules": modules, "groups": TITLE_GROUPS}


def _breadcrumb(context):
    """The root's ancestors the reader may open, city first."""
    if context.root is None:
        return []
    ids = [int(part) for part in context.root.path.strip("/").split("/")]
    units = {u.id: u for u in db.session.execute(select(Unit).where(Unit.id.in_(ids))).scalars()}
    return [units[i] for i in ids if i in units and context.scope.contains_unit(units[i])]


def sort_link(report, key, context):
    """The URL sorting by `key`; a second click on the current key reverses the order."""
    args = context.filters.as_query()
    descending = context.filters.sort == key and not context.filters.descending
    args.update(sort=key, order="desc" if descending else None)
    return url_for(f"reports.{report}", **{k: v for k, v in args.items() if v})


def _page(template, report, context, **values):
    return render_template(template, report=report, context=context, filters=context.filters, tabs=TABS,
                           breadcrumb=_breadcrumb(context), cell=cell, header=header, sortable=SORTS[report],
                           sort_link=sort_link, args=context.filters.as_query(), **_choices(context), **values)


def _unit_charts(table):
    rows = [row for row in table.rows if row["staff"]]
    bar = charts.pass_rate_bar_chart([(row["name"], row["basic_rate"]) for row in rows], _("Tỉ lệ đạt chuẩn cơ bản theo đơn vị"))
    modules = [column for column in table.columns if column.key.startswith("module:")]
    values = [[row[column.key] / row["staff"] for column in modules] for row in rows]
    heatmap = charts.coverage_heatmap([row["name"] for row in rows], [column.params["module"] for column in modules], values,
                                      _("Tỉ lệ cán bộ đạt từng mô-đun"))
    return [
        {"svg": charts.to_svg(bar, _("Tỉ lệ đạt chuẩn cơ bản theo đơn vị"), _("Biểu đồ cột; số liệu ở bảng bên cạnh.")),
         "headers": [_("Đơn vị"), _("Tỉ lệ đạt chuẩn cơ bản")],
         "rows": [(row["name"], format_cell(row["basic_rate"], "rate", _)) for row in rows]},
        {"svg": charts.to_svg(heatmap, _("Tỉ lệ cán bộ đạt từng mô-đun"), _("Bản đồ nhiệt đơn vị × mô-đun; số liệu ở bảng bên cạnh.")),
         "headers": [_("Đơn vị"), *[column.params["module"] for column in modules]],
         "rows": [(row["name"], *[format_cell(value, "rate", _) for value in line]) for row, line in zip(rows, values)]},
    ]


def _score_chart(context):
    bins = queries.score_bins(context)
    drawing = charts.score_histogram(bins, _("Phân bố điểm thi (điểm cao nhất mỗi mô-đun)"))
    return {"svg": charts.to_svg(drawing, _("Phân bố điểm thi"), _("Biểu đồ cột; số liệu ở bảng bên cạnh.")),
            "headers": [_("Khoảng điểm"), _("Số kết quả")], "rows": [(label, format_cell(n, "count", _)) for label, n in bins]}


@routes.route("/")
@routes.route("/units")
def units():
    context = report_context("units")
    table = units_table(context)
    return _page("reports/units.html", "units", context, table=table, direct=table.direct,
                 figures=[*_unit_charts(table), _score_chart(context)])


@routes.route("/titles")
def titles():
    context = report_context("titles")
    table = TABLES["titles"](context)
    rows = [row for row in table.rows if row["staff"]]
    bar = charts.pass_rate_bar_chart([(row["name"], row["basic_rate"]) for row in rows], _("Tỉ lệ đạt chuẩn cơ bản theo chức danh"))
    figure = {"svg": charts.to_svg(bar, _("Tỉ lệ đạt chuẩn cơ bản theo chức danh"), _("Biểu đồ cột; số liệu ở bảng bên cạnh.")),
              "headers": [_("Chức danh"), _("Tỉ lệ đạt chuẩn cơ bản")],
              "rows": [(row["name"], format_cell(row["basic_rate"], "rate", _)) for row in rows]}
    return _page("reports/table.html", "titles", context, table=table, figures=[figure])


@routes.route("/modules")
def modules():
    context = report_context("modules")
    table = TABLES["modules"](context)
    bar = charts.pass_rate_bar_chart([(row["code"], row["pass_rate"]) for row in table.rows], _("Tỉ lệ đạt theo mô-đun"))
    figure = {"svg": charts.to_svg(bar, _("Tỉ lệ đạt theo mô-đun"), _("Biểu đồ cột; số liệu ở bảng bên cạnh.")),
              "headers": [_("Mô-đun"), _("Tỉ lệ đạt")],
              "rows": [(row["code"], format_cell(row["pass_rate"], "rate", _)) for row in table.rows]}
    return _page("reports/table.html", "modules", context, table=table, figures=[figure, _score_chart(context)])


@routes.route("/periods")
def periods():
    context = report_context("periods")
    table = TABLES["periods"](context)
    labels = (_("Lượt đạt"), _("Chứng chỉ đã cấp"))
    drawing = charts.progress_line_chart([(row["period"], row["passed"], row["certificates"]) for row in table.rows],
                                         _("Kết quả theo thời gian"), labels)
    figure = {"svg": charts.to_svg(drawing, _("Kết quả theo thời gian"), _("Biểu đồ đường; số liệu ở bảng bên cạnh.")),
              "headers": [_("Kỳ"), *labels], "rows": [(row["period"], row["passed"], row["certificates"]) for row in table.rows]}
    return _page("reports/table.html", "periods", context, table=table, figures=[figure])


@routes.route("/gaps")
def gaps():
    context = report_context("gaps")
    table = TABLES["gaps"](context)
    from lms.org.queries import units_in_scope

    return _page("reports/gaps.html", "gaps", context, table=table, page=table.page, units=units_in_scope(context.scope))


def profile_of(staff_id):
    try:
        return competency_profile(hr_scope(), staff_id, parse_year(request.args.get("year")))
    except ReportFilterError as error:
        abort_message(400, error.translated(_))
    except ReportScopeError as error:
        abort_message(404, error.translated(_))


@routes.route("/staff/<int:staff_id>")
def profile(staff_id):
    return render_template("reports/profile.html", profile=profile_of(staff_id), cell=cell)


@routes.route("/staff/<int:staff_id>.pdf")
def profile_pdf(staff_id):
    from lms.downloads import PDF, download
    from lms.reports.profile_pdf import profile_pdf as render_profile

    found = profile_of(staff_id)
    year = f"-{found.year}" if found.year else ""
    return download(render_profile(found, _), f"ho-so-nang-luc-{found.staff.id}{year}.pdf", PDF)
