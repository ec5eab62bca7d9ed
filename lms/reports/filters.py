"""What a report is asked for, read from a page's query string, a command's options or an API
call: allow-listed sort keys, filters checked before any query runs. A malformed value raises
ReportFilterError (400 on a page, an error line in a command); a unit outside the reader's
scope raises ReportScopeError (404: nobody learns that it exists). No Flask."""
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Optional

from lms.localtime import LOCAL_TIMEZONE
from lms.messages import N_, MessageError

REPORTS = ("units", "titles", "modules", "periods", "gaps")
# Sort keys per report: the name in a URL → the column a query orders by.
SORTS = {
    "units": ("code", "name", "staff", "accounts", "enrolled", "lessons", "basic", "advanced", "certified", "mean_score", "overdue", "basic_rate"),
    "titles": ("position", "name", "staff", "accounts", "enrolled", "lessons", "basic", "advanced", "certified", "mean_score", "overdue", "basic_rate"),
    "modules": ("position", "code", "required", "passed_required", "passed", "pass_rate", "mean_score"),
    "periods": ("period",),
    "gaps": ("deadline", "unit", "name", "title", "module"),
}
DEFAULT_SORT = {"units": "code", "titles": "position", "modules": "position", "periods": "period", "gaps": "deadline"}
LEVELS = ("basic", "advanced")
GRAINS = ("year", "quarter")
MAX_PER_PAGE = 500
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-?Q([1-4]))?$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


class ReportFilterError(MessageError):
    pass


class ReportScopeError(MessageError):
    pass


@dataclass(frozen=True)
class Period:
    """A year or a quarter, in Hanoi time; `end` is exclusive, in UTC."""

    year: int
    quarter: Optional[int] = None

    @property
    def label(self):
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def start(self):
        month = 1 if not self.quarter else 3 * (self.quarter - 1) + 1
        return datetime(self.year, month, 1, tzinfo=LOCAL_TIMEZONE).astimezone(timezone.utc)

    @property
    def end(self):
        if not self.quarter or self.quarter == 4:
            return datetime(self.year + 1, 1, 1, tzinfo=LOCAL_TIMEZONE).astimezone(timezone.utc)
        return datetime(self.year, 3 * self.quarter + 1, 1, tzinfo=LOCAL_TIMEZONE).astimezone(timezone.utc)


@dataclass(frozen=True)
class ReportFilters:
    """`unit_code` narrows to a subtree (checked against the scope by the query layer);
    `period` makes a report "as at the end of" that year or quarter."""

    report: str
    unit_code: Optional[str] = None
    title_code: Optional[str] = None
    title_group: Optional[str] = None
    module_code: Optional[str] = None
    level: Optional[str] = None
    period: Optional[Period] = None
    deadline_before: Optional[date] = None
    grain: str = "quarter"
    sort: str = ""
    descending: bool = False
    page: int = 1
    per_page: int = 100
    extra: dict = field(default_factory=dict)

    def with_unit(self, code):
        return replace(self, unit_code=code)

    def as_query(self):
        """The filters as query-string arguments: the page's export links carry exactly these."""
        values = {
            "unit": self.unit_code, "title": self.title_code, "group": self.title_group, "module": self.module_code,
            "level": self.level, "period": self.period.label if self.period else None,
            "deadline": self.deadline_before.isoformat() if self.deadline_before else None,
            "grain": self.grain if self.report == "periods" else None,
            "sort": self.sort if self.sort != DEFAULT_SORT[self.report] else None,
            "order": "desc" if self.descending else None,
        }
        return {key: value for key, value in values.items() if value}


def parse_period(text) -> Optional[Period]:
    if text in (None, ""):
        return None
    match = PERIOD_PATTERN.match(str(text).strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ReportFilterError(N_("Kỳ báo cáo không hợp lệ: %(value)s (ví dụ 2017 hoặc 2017-Q2)."), value=text)
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def parse_year(text) -> Optional[int]:
    """The year of a profile ("2017"), or None when not given."""
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{4}", text) or not 2000 <= int(text) <= 2100:
        raise ReportFilterError(N_("Năm không hợp lệ: %(value)s (ví dụ 2017)."), value=text[:20])
    return int(text)


def _code(args, name, label):
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not CODE_PATTERN.match(value):
        raise ReportFilterError(N_("Mã %(what)s không hợp lệ: %(value)s."), what=label, value=value[:60])
    return value


def _choice(args, name, allowed, default=None):
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if value not in allowed:
        raise ReportFilterError(N_("Giá trị “%(value)s” của %(name)s không hợp lệ; cho phép: %(allowed)s."),
                                value=value[:60], name=name, allowed=", ".join(allowed))
    return value


def _positive_int(args, name, default, maximum):
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= maximum:  # str.isdigit() takes "١" too
        raise ReportFilterError(N_("%(name)s phải là số nguyên từ 1 đến %(maximum)s."), name=name, maximum=maximum)
    return int(value)


def _date(args, name):
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportFilterError(N_("Ngày không hợp lệ: %(value)s (định dạng YYYY-MM-DD)."), value=value[:60]) from None


def parse_filters(report, args, title_groups=()) -> ReportFilters:
    """Read `args` (a dict-like of strings) for `report`; every value is checked here."""
    if report not in REPORTS:
        raise ReportFilterError(N_("Báo cáo không tồn tại: %(value)s."), value=str(report)[:60])
    group = (args.get("group") or "").strip() or None
    if group and title_groups and group not in title_groups:
        raise ReportFilterError(N_("Nhóm chức danh không hợp lệ: %(value)s."), value=group[:60])
    return ReportFilters(
        report=report,
        unit_code=_code(args, "unit", "đơn vị"),
        title_code=_code(args, "title", "chức danh"),
        title_group=group,
        module_code=_code(args, "module", "mô-đun"),
        level=_choice(args, "level", LEVELS),
        period=parse_period(args.get("period")),
        deadline_before=_date(args, "deadline"),
        grain=_choice(args, "grain", GRAINS, "quarter"),
        sort=_choice(args, "sort", SORTS[report], DEFAULT_SORT[report]),
        descending=_choice(args, "order", ("asc", "desc"), "asc") == "desc",
        page=_positive_int(args, "page", 1, 1_000_000),
        per_page=_positive_int(args, "per_page", 100, MAX_PER_PAGE),
    )
