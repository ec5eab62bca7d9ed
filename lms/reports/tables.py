"""Each report as a table: its columns (a key, a Vietnamese header marked for translation, a
kind saying how to format it) and its rows from the queries. The page, every export and the
API read the same tables, so a file always carries exactly what the page shows.

Kinds: text, count, score (out of 10, one decimal), rate (a share 0–1 shown as a percent),
date. Module columns ("IU01" …) are added per module in the catalogue, in its order."""
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from lms.catalogue.models import MODULE_LEVELS
from lms.messages import N_, Message
from lms.reports import gaps, queries
from lms.reports.facts import module_key


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # a msgid (Vietnamese)
    kind: str = "count"
    params: Optional[dict] = None  # for headers with values (a module code)


@dataclass
class ReportTable:
    title: str  # msgid
    columns: list
    rows: Iterable  # mappings with every column's key
    sheet: str = ""  # msgid of the XLSX sheet's name
    total: Optional[dict] = None  # the summary row, when the report has one

    def values(self, row):
        return [row.get(column.key) for column in self.columns]


TOTAL_LABEL = N_("Tổng cộng")
# Text columns holding names: the files give them wide columns.
WIDE_NAME_KEYS = ("name", "full_name", "unit_name", "title_name", "module_name", "status_label")


def header_text(column, gettext):
    """A column's header in the reader's language, with its values (a module's code)."""
    return Message(column.header, **(column.params or {})).translated(gettext)


MEASURE_COLUMNS = [
    Column("staff", N_("Số cán bộ")),
    Column("accounts", N_("Có tài khoản")),
    Column("enrolled", N_("Đã tham gia học")),
    Column("lessons", N_("Bài học đã hoàn thành")),
]
STANDARD_COLUMNS = [
    Column("basic", N_("Đạt chuẩn cơ bản")),
    Column("basic_rate", N_("Tỉ lệ đạt chuẩn cơ bản"), "rate"),
    Column("advanced", N_("Đạt chuẩn nâng cao")),
    Column("certified", N_("Có chứng chỉ cơ bản")),
    Column("certified_advanced", N_("Có chứng chỉ nâng cao")),
    Column("mean_score", N_("Điểm thi trung bình"), "score"),
    Column("overdue", N_("Nhiệm vụ học quá hạn")),
]
LEVEL_SHEETS = {1: N_("Cấp 1"), 2: N_("Cấp 2"), 3: N_("Cấp 3"), 4: N_("Cấp 4"), 5: N_("Cấp 5"), 6: N_("Cấp 6")}


def _module_columns(context):
    return [Column(module_key(code), N_("Đạt %(module)s"), "count", {"module": code}) for _id, code in context.modules]


def unit_note(row):
    """What a closed or merged unit became, for the note column."""
    if row["status"] == "merged" and row["merged_into_name"]:
        return Message(N_("Đã sáp nhập vào %(unit)s"), unit=row["merged_into_name"])
    if row["status"] in ("closed", "merged"):
        closed_on = row["closed_on"].strftime("%d/%m/%Y") if row["closed_on"] else ""
        return Message(N_("Đã giải thể %(date)s"), date=closed_on)
    return ""


def units_table(context, level=1):
    """The rows `level` below the root; `.total` everyone counted, `.direct` the root's own people."""
    report = queries.unit_report(context, level)
    rows = [{**row, "status_label": unit_note(row)} for row in report.rows]
    columns = [Column("code", N_("Mã đơn vị"), "text"), Column("name", N_("Tên đơn vị"), "text"), *MEASURE_COLUMNS,
               *_module_columns(context), *STANDARD_COLUMNS, Column("status_label", N_("Ghi chú"), "text")]
    table = ReportTable(N_("Năng lực CNTT theo đơn vị"), columns, rows, LEVEL_SHEETS.get(level, N_("Cấp 6")), total=dict(report.total))
    table.direct = dict(report.direct) if report.direct else None
    return table


def titles_table(context):
    columns = [Column("code", N_("Mã chức danh"), "text"), Column("name", N_("Chức danh"), "text"), *MEASURE_COLUMNS,
               *_module_columns(context), *STANDARD_COLUMNS]
    return ReportTable(N_("Năng lực CNTT theo chức danh"), columns, queries.title_rows(context), N_("Chức danh"))


def modules_table(context):
    columns = [Column("code", N_("Mô-đun"), "text"), Column("name", N_("Tên mô-đun"), "text"),
               Column("level_label", N_("Trình độ"), "text"), Column("required", N_("Số người phải học")),
               Column("passed_required", N_("Đã đạt (trong số phải học)")), Column("pass_rate", N_("Tỉ lệ đạt"), "rate"),
               Column("passed", N_("Tổng số người đạt")), Column("mean_score", N_("Điểm trung bình"), "score")]
    rows = [{**row, "level_label": Message(MODULE_LEVELS[row["level"]])} for row in queries.module_rows(context)]
    return ReportTable(N_("Kết quả theo mô-đun"), columns, rows, N_("Mô-đun"))


def periods_table(context):
    columns = [Column("period", N_("Kỳ"), "text"), Column("graded", N_("Lượt thi mô-đun")), Column("passed", N_("Lượt đạt")),
               Column("pass_rate", N_("Tỉ lệ đạt"), "rate"), Column("people_passed", N_("Số người đạt ít nhất một mô-đun")),
               Column("mean_score", N_("Điểm trung bình"), "score"), Column("certificates", N_("Chứng chỉ đã cấp"))]
    return ReportTable(N_("Kết quả theo thời gian"), columns, queries.period_rows(context), N_("Theo kỳ"))


GAP_COLUMNS = [
    Column("unit_code", N_("Mã đơn vị"), "text"), Column("unit_name", N_("Tên đơn vị"), "text"),
    Column("staff_id", N_("Mã cán bộ"), "count"), Column("full_name", N_("Họ và tên"), "text"),
    Column("title_name", N_("Chức danh"), "text"), Column("module_code", N_("Mô-đun chưa đạt"), "text"), Column("module_name", N_("Tên mô-đun"), "text"),
    Column("deadline", N_("Hạn hoàn thành"), "date"),
]


def gaps_table(context, everything=False):
    """The page's slice (with `.page` for the pager), or every gap streamed for an export."""
    if everything:
        return ReportTable(N_("Cán bộ chưa đạt mô-đun theo lộ trình"), GAP_COLUMNS, gaps.all_gaps(context), N_("Chưa đạt"))
    page = gaps.gap_page(context)
    table = ReportTable(N_("Cán bộ chưa đạt mô-đun theo lộ trình"), GAP_COLUMNS, page.rows, N_("Chưa đạt"))
    table.page = page
    return table


STAFF_COLUMNS = [
    Column("unit_code", N_("Mã đơn vị"), "text"), Column("unit_name", N_("Tên đơn vị"), "text"),
    Column("staff_id", N_("Mã cán bộ"), "count"), Column("full_name", N_("Họ và tên"), "text"),
    Column("title_name", N_("Chức danh"), "text"), Column("has_account", N_("Có tài khoản")),
    Column("enrolled", N_("Đã tham gia học")), Column("lessons_done", N_("Bài học đã hoàn thành")),
    Column("basic_passed", N_("Số mô-đun cơ bản đạt")), Column("advanced_passed", N_("Số mô-đun nâng cao đạt")),
    Column("basic_standard", N_("Đạt chuẩn cơ bản")), Column("advanced_standard", N_("Đạt chuẩn nâng cao")),
    Column("certificate_basic", N_("Có chứng chỉ cơ bản")), Column("certificate_advanced", N_("Có chứng chỉ nâng cao")),
    Column("mean_score", N_("Điểm thi trung bình"), "score"), Column("overdue", N_("Nhiệm vụ học quá hạn")),
]


def staff_table(context):
    """Everyone counted, streamed: the units export's last sheet."""
    return ReportTable(N_("Từng cán bộ"), STAFF_COLUMNS, queries.staff_rows(context), N_("Cán bộ"))


def units_sheets(context):
    """The units export: one sheet per level under the root, then one row per person."""
    for level in range(1, queries.deepest_level(context) + 1):
        yield units_table(context, level)
    yield staff_table(context)


TABLES: dict[str, Callable] = {"units": units_table, "titles": titles_table, "modules": modules_table,
                               "periods": periods_table, "gaps": gaps_table}


def export_tables(context, report, fmt):
    """What an export of `report` holds: the page's table; for the units XLSX, a sheet per
    level and one per person; every gap, not the page's slice. Used by the page's export,
    the export job and the command alike."""
    if report == "units":
        return units_sheets(context) if fmt == "xlsx" else units_table(context)
    if report == "gaps":
        return gaps_table(context, everything=True)
    return TABLES[report](context)
