"""The API's OpenAPI 3.1 description, built here from the same constants the API checks its
input against (sort keys, levels, grains, code and period patterns, the page size limit) and
the column lists of lms.reports.tables, so that the document cannot promise other values.

Rows are closed objects (additionalProperties: false): a column added to a table without being
described here fails the tests that validate real answers against this document."""
from functools import cache

from lms.catalogue.models import TITLE_GROUPS
from lms.reports.filters import CODE_PATTERN, DEFAULT_SORT, GRAINS, LEVELS, MAX_PER_PAGE, PERIOD_PATTERN, REPORTS, SORTS
from lms.reports.openapi_rankings import ranking_schemas
from lms.reports.tables import GAP_COLUMNS, MEASURE_COLUMNS, STANDARD_COLUMNS
from lms.routing import MAX_DATABASE_ID

VERSION = "1.0.0"
KINDS = ("text", "count", "score", "rate", "date")
KIND_SCHEMAS = {
    "text": {"type": ["string", "null"]},
    "count": {"type": "integer", "minimum": 0},
    "rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "score": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
    "date": {"type": ["string", "null"], "format": "date"},
}
MODULE_COLUMN_PATTERN = r"^module:[A-Za-z0-9_.\-]{1,40}$"  # "module:IU01": people who passed it


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def closed(properties, required=None, **extra):
    return {"type": "object", "properties": properties, "required": list(required if required is not None else properties),
            "additionalProperties": False, **extra}


def _row(columns, with_modules=False):
    """A row's schema from (key, kind) pairs, with the per-module pass counts when the table has them."""
    schema = closed({key: KIND_SCHEMAS[kind] for key, kind in columns})
    if with_modules:
        schema["patternProperties"] = {MODULE_COLUMN_PATTERN: KIND_SCHEMAS["count"]}
    return schema


def _pairs(columns):
    return [(column.key, column.kind) for column in columns]


MEASURES_AND_STANDARDS = _pairs(MEASURE_COLUMNS) + _pairs(STANDARD_COLUMNS)
ROWS = {
    "units": _row([("code", "text"), ("name", "text"), *MEASURES_AND_STANDARDS, ("status_label", "text")], with_modules=True),
    "titles": _row([("code", "text"), ("name", "text"), *MEASURES_AND_STANDARDS], with_modules=True),
    "modules": _row([("code", "text"), ("name", "text"), ("level_label", "text"), ("required", "count"),
                     ("passed_required", "count"), ("pass_rate", "rate"), ("passed", "count"), ("mean_score", "score")]),
    "periods": _row([("period", "text"), ("graded", "count"), ("passed", "count"), ("pass_rate", "rate"),
                     ("people_passed", "count"), ("mean_score", "score"), ("certificates", "count")]),
    "gaps": _row(_pairs(GAP_COLUMNS)),
}
SUMMARIES = {
    "units": ("Năng lực CNTT theo đơn vị", "Các đơn vị ngay dưới đơn vị gốc (mặc định: đơn vị của mã truy cập), "
              "mỗi đơn vị cộng dồn mọi cán bộ thuộc cây đơn vị; kèm dòng tổng."),
    "titles": ("Năng lực CNTT theo chức danh", "Mỗi chức danh có cán bộ được tính."),
    "modules": ("Kết quả theo mô-đun", "Số người phải học, đã đạt, tỉ lệ đạt và điểm trung bình của mỗi mô-đun."),
    "periods": ("Kết quả theo thời gian", "Lượt thi, lượt đạt, chứng chỉ đã cấp theo quý hoặc năm."),
    "gaps": ("Cán bộ chưa đạt mô-đun theo lộ trình", "Mỗi dòng là một cán bộ và một mô-đun chưa đạt, phân trang."),
}
# Which query parameters each report reads (parse_filters checks all of them on every report).
REPORT_PARAMETERS = {
    "units": ("unit", "title", "group", "module", "level", "period"),
    "titles": ("unit", "title", "group", "module", "level", "period"),
    "modules": ("unit", "title", "group", "module", "level", "period"),
    "periods": ("unit", "module", "level", "period", "grain"),
    "gaps": ("unit", "title", "group", "module", "level", "period", "deadline"),
}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _parameters():
    code = {"type": "string", "pattern": CODE_PATTERN.pattern}
    parameters = {
        "unit": _query("unit", code, "Mã đơn vị gốc của báo cáo; phải nằm trong phạm vi của mã truy cập (nếu không: 404)."),
        "title": _query("title", code, "Mã chức danh."),
        "group": _query("group", {"type": "string", "enum": list(TITLE_GROUPS)}, "Nhóm chức danh."),
        "module": _query("module", code, "Mã mô-đun (ví dụ IU01)."),
        "level": _query("level", {"type": "string", "enum": list(LEVELS)}, "Trình độ mô-đun."),
        "period": _query("period", {"type": "string", "pattern": PERIOD_PATTERN.pattern},
                         "Kỳ báo cáo (năm 2017 hoặc quý 2017-Q2, giờ Hà Nội): số liệu tại thời điểm cuối kỳ."),
        "grain": _query("grain", {"type": "string", "enum": list(GRAINS), "default": "quarter"}, "Chia theo quý hay năm."),
        "deadline": _query("deadline", {"type": "string", "format": "date"}, "Chỉ các mô-đun có hạn hoàn thành đến ngày này."),
        "order": _query("order", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}, "Chiều sắp xếp."),
        "page": _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}, "Trang (từ 1)."),
        "per_page": _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 100},
                           "Số dòng mỗi trang."),
        "year": _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                       "Năm đánh giá: hồ sơ tại thời điểm cuối năm (mặc định: hiện tại)."),
        "staff_id": {"name": "staff_id", "in": "path", "required": True, "description": "Mã cán bộ.",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DATABASE_ID}},
        "unit_id": {"name": "unit_id", "in": "path", "required": True, "description": "Mã số (id) của đơn vị.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DATABASE_ID}},
        "bloc": _query("bloc", code, "Mã khối thi đua (mặc định: khối của đơn vị của mã truy cập)."),
        "ranking_period": _query("period", {"type": "string", "pattern": PERIOD_PATTERN.pattern},
                                 "Kỳ xếp hạng (năm hoặc quý; mặc định: năm hiện tại)."),
        "version": _query("version", {"type": "integer", "minimum": 1, "maximum": 1_000_000},
                          "Phiên bản đã công bố (mặc định: bản tính từ số liệu hiện có)."),
    }
    for report in REPORTS:
        parameters[f"sort_{report}"] = _query("sort", {"type": "string", "enum": list(SORTS[report]), "default": DEFAULT_SORT[report]},
                                              "Cột sắp xếp.")
    return parameters


def _report_schema(report):
    total = ref("UnitTotals") if report == "units" else {"type": "null"}
    return closed({
        "report": {"const": report},
        "unit": nullable(ref("Unit")),
        "period": {"type": ["string", "null"]},
        "columns": {"type": "array", "items": ref("Column")},
        "items": {"type": "array", "items": ref(f"{report.capitalize()}Row")},
        "total": total,
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "count": {"type": "integer", "minimum": 0, "description": "Tổng số dòng của báo cáo (mọi trang)."},
        "pages": {"type": "integer", "minimum": 1},
    })


def _profile_schemas():
    date_time = {"type": "string", "format": "date-time"}
    return {
        "ProfileModule": closed({
            "code": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string", "enum": list(LEVELS)},
            "required": {"type": "boolean"}, "score": KIND_SCHEMAS["score"], "achieved_at": nullable(date_time),
        }),
        "ProfileCertificate": closed({
            "serial": {"type": "string"}, "kind": {"type": "string"}, "issue_date": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["valid", "revoked", "replaced"]},
        }),
        "ProfileCourse": closed({
            "module_code": {"type": "string"}, "course_id": {"type": "integer"}, "title": {"type": "string"},
            "done": {"type": "integer", "minimum": 0}, "total": {"type": "integer", "minimum": 0},
        }),
        "StaffProfile": closed({
            "staff": closed({"id": {"type": "integer"}, "full_name": {"type": "string"}, "status": {"type": "string"}}),
            "unit": ref("Unit"),
            "title": nullable(closed({"code": {"type": "string"}, "name": {"type": "string"}})),
            "year": {"type": ["integer", "null"]},
            "as_at": date_time,
            "modules": {"type": "array", "items": ref("ProfileModule")},
            "standard": closed({
                "path_met": {"type": "boolean"}, "basic_met": {"type": "boolean"}, "advanced_met": {"type": "boolean"},
                "advanced_passed": {"type": "integer", "minimum": 0}, "mean_score": KIND_SCHEMAS["score"],
            }),
            "certificates": {"type": "array", "items": ref("ProfileCertificate")},
            "courses": {"type": "array", "items": ref("ProfileCourse")},
        }),
    }


def _schemas():
    schemas = {
        "Error": closed({"error": {"type": "string", "description": "Thông báo lỗi (tiếng Việt)."}}),
        "Unit": closed({"code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "status": {"type": "string"}}),
        "Column": closed({"key": {"type": "string"}, "header": {"type": "string", "description": "Tiêu đề cột (tiếng Việt)."},
                          "kind": {"type": "string", "enum": list(KINDS)}}),
        "UnitTotals": _row(MEASURES_AND_STANDARDS, with_modules=True),
        "OpenApiDocument": {"type": "object", "required": ["openapi", "info", "paths"]},
    }
    for report in REPORTS:
        schemas[f"{report.capitalize()}Row"] = ROWS[report]
        schemas[f"{report.capitalize()}Report"] = _report_schema(report)
    schemas.update(_profile_schemas())
    schemas.update(ranking_schemas())
    return schemas


def _json(schema_name, description):
    return {"description": description, "content": {"application/json": {"schema": ref(schema_name)}}}


def _responses(schema_name, description):
    return {
        "200": _json(schema_name, description),
        "400": _json("Error", "Tham số không hợp lệ."),
        "401": _json("Error", "Thiếu mã truy cập, hoặc mã không đúng, đã hết hạn hay đã bị thu hồi."),
        "404": _json("Error", "Đơn vị hoặc cán bộ không tồn tại hay nằm ngoài phạm vi của mã truy cập."),
    }


def _parameter_refs(names):
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _paths():
    paths = {}
    for report in REPORTS:
        summary, description = SUMMARIES[report]
        names = [*REPORT_PARAMETERS[report], f"sort_{report}", "order", "page", "per_page"]
        paths[f"/reports/{report}"] = {"get": {
            "operationId": f"report_{report}", "summary": summary, "description": description, "tags": ["reports"],
            "parameters": _parameter_refs(names), "responses": _responses(f"{report.capitalize()}Report", summary),
        }}
    paths["/staff/{staff_id}/profile"] = {"get": {
        "operationId": "staff_profile", "summary": "Hồ sơ năng lực CNTT của một cán bộ", "tags": ["staff"],
        "description": "Từng mô-đun (điểm cao nhất đã đạt, ngày đạt), chuẩn cơ bản / nâng cao, chứng chỉ, tiến độ khóa học.",
        "parameters": _parameter_refs(["staff_id", "year"]), "responses": _responses("StaffProfile", "Hồ sơ năng lực"),
    }}
    paths["/rankings"] = {"get": {
        "operationId": "ranking", "summary": "Xếp hạng thi đua của một khối", "tags": ["rankings"],
        "description": "Thứ hạng, chỉ số, xếp loại và chi tiết từng chỉ tiêu của các đơn vị trong phạm vi mã truy cập; "
                       "thứ hạng tính trong toàn khối (Văn bản 3718/UBND-KGVX).",
        "parameters": _parameter_refs(["ranking_period", "bloc", "version"]), "responses": _responses("Ranking", "Bảng xếp hạng"),
    }}
    paths["/rankings/units/{unit_id}"] = {"get": {
        "operationId": "ranking_unit", "summary": "Chi tiết xếp hạng của một đơn vị", "tags": ["rankings"],
        "description": "Giá trị, giá trị chuẩn hóa, trọng số và đóng góp của từng chỉ tiêu; điều kiện đạt mức xếp loại kế tiếp.",
        "parameters": _parameter_refs(["unit_id", "ranking_period", "version"]), "responses": _responses("RankingBreakdown", "Chi tiết"),
    }}
    paths["/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "Tài liệu OpenAPI này", "tags": ["meta"], "security": [],
        "responses": {"200": _json("OpenApiDocument", "Tài liệu OpenAPI 3.1")},
    }}
    return paths


@cache
def _document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "API báo cáo năng lực CNTT – Hà Nội",
            "version": VERSION,
            "description": ("API chỉ đọc cho hệ thống quản lý nhân sự: báo cáo năng lực CNTT và hồ sơ từng cán bộ trong "
                            "phạm vi đơn vị của mã truy cập. Xác thực: `Authorization: Bearer <mã>`; mã do quản trị viên cấp. "
                            "Tỉ lệ là số thực 0–1, điểm là số thực thang 10 hoặc null, ngày theo ISO 8601."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [{"name": "reports"}, {"name": "staff"}, {"name": "rankings"}, {"name": "meta"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "lms_<43 ký tự>",
                                           "description": "Mã truy cập do quản trị viên cấp tại /admin/api-clients."}},
            "parameters": _parameters(),
            "schemas": _schemas(),
        },
    }


def openapi_document():
    """The document (built once; callers must not modify it)."""
    return _document()
