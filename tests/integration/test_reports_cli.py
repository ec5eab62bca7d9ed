"""`flask --app wsgi reports export`: the file the page's export gives for the same filters,
and a Vietnamese error line with a non-zero exit for a bad filter or an unknown unit."""
import io
import zipfile

import pytest
from openpyxl import load_workbook
from report_support import sat, seeded  # noqa: F401 — the data fixtures
from reportlab import rl_config

from lms.auth.services import find_user
from lms.messages import vietnamese
from lms.reports.export_jobs import write_export
from lms.reports.exports import write_report
from lms.reports.facts import build_context
from lms.reports.filters import parse_filters
from lms.reports.profile import competency_profile
from lms.reports.profile_pdf import profile_pdf, profile_table
from lms.scope import Scope

# Every test reads the data seeded once for the module, in an app context of its own.
pytestmark = pytest.mark.usefixtures("sat")


@pytest.fixture()
def export(app, tmp_path):
    """Run `reports export ARGS -o FILE`; (result, the file's path)."""
    runner = app.test_cli_runner()

    def run(*args, name=None):
        fmt = args[args.index("--format") + 1] if "--format" in args else "bin"
        path = tmp_path / (name or f"out.{fmt}")  # openpyxl opens a workbook by its extension
        return runner.invoke(args=["reports", "export", *args, "-o", str(path)]), path
    return run


@pytest.fixture()
def reproducible_pdf(monkeypatch):
    """PDFs without their creation time and random id, so two builds compare byte for byte."""
    monkeypatch.setattr(rl_config, "invariant", 1)


def page_export(report, fmt, **args):
    out = io.BytesIO()
    write_export(build_context(Scope.city(), parse_filters(report, args)), report, fmt, out, vietnamese)
    return out.getvalue()


def members(xlsx_bytes):
    """An XLSX's parts but its timestamp (docProps/core.xml holds the time it was written)."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_units_xlsx_equals_the_pages_export(export):
    result, path = export("units", "--unit", "LB", "--period", "2030", "--sort", "staff", "--order", "desc", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert "Đã ghi" in result.output
    assert members(path.read_bytes()) == members(page_export("units", "xlsx", unit="LB", period="2030", sort="staff", order="desc"))
    first = load_workbook(path)["Cấp 1"]
    assert [first["A1"].value, first["B1"].value] == ["Mã đơn vị", "Tên đơn vị"] and "Số cán bộ" in [c.value for c in first[1]]
    staff = [row[2] for row in first.iter_rows(min_row=2, max_row=first.max_row - 1, values_only=True)]
    assert staff == sorted(staff, reverse=True) and staff[0] > 0


def test_gaps_csv_equals_the_pages_export(export):
    result, path = export("gaps", "--unit", "LB", "--module", "IU06", "--sort", "name", "--format", "csv")
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data == page_export("gaps", "csv", unit="LB", module="IU06", sort="name")
    lines = data.decode("utf-8-sig").splitlines()
    assert data.startswith(b"\xef\xbb\xbf") and len(lines) > 1 and all(",IU06," in line for line in lines[1:])


@pytest.mark.parametrize("report,args", [("modules", {"level": "basic"}), ("periods", {"period": "2030"}),
                                         ("titles", {"unit": "LB", "title": "CC-TUPHAP"})])
def test_pdf_equals_the_pages_export(export, reproducible_pdf, report, args):
    options = [part for key, value in args.items() for part in (f"--{key}", value)]
    result, path = export(report, *options, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == page_export(report, "pdf", **args)
    assert path.read_bytes().startswith(b"%PDF")


def test_profile_pdf_and_xlsx(export, reproducible_pdf):
    learner = find_user("learner").staff
    result, path = export("profile", "--staff", str(learner.id), "--format", "pdf", name="profile.pdf")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == profile_pdf(competency_profile(Scope.city(), learner.id), vietnamese)

    result, path = export("profile", "--staff", str(learner.id), "--year", "2030", "--format", "xlsx", name="profile.xlsx")
    assert result.exit_code == 0, result.output
    out = io.BytesIO()
    write_report(profile_table(competency_profile(Scope.city(), learner.id, 2030)), "xlsx", out, vietnamese)
    assert members(path.read_bytes()) == members(out.getvalue())
    sheet = load_workbook(path)["Hồ sơ"]
    assert sheet.max_row == 16 and sheet["A2"].value == "IU01" and sheet["D2"].number_format == "0.0"


@pytest.mark.parametrize("args,message", [
    (["units", "--unit", "KHONGCO", "--format", "xlsx"], "Không tìm thấy đơn vị KHONGCO trong phạm vi của bạn."),
    (["units", "--unit", "LB", "--sort", "bogus", "--format", "csv"], "Giá trị “bogus” của sort không hợp lệ"),
    (["gaps", "--order", "sideways", "--format", "csv"], "Giá trị “sideways” của order không hợp lệ"),
    (["periods", "--period", "17", "--format", "pdf"], "Kỳ báo cáo không hợp lệ: 17"),
    (["units", "--level", "expert", "--format", "xlsx"], "Giá trị “expert” của level không hợp lệ"),
    (["units", "--unit", "LB; DROP", "--format", "xlsx"], "Mã đơn vị không hợp lệ"),
    (["bogus", "--format", "xlsx"], "Báo cáo không tồn tại: bogus"),
    (["units", "--format", "docx"], "Định dạng không hợp lệ: docx"),
    (["profile", "--format", "pdf"], "Báo cáo profile cần --staff"),
    (["profile", "--staff", "999999", "--format", "pdf"], "Không tìm thấy cán bộ 999999 trong phạm vi của bạn."),
])
def test_errors_are_vietnamese_exit_non_zero_and_write_nothing(export, args, message):
    result, path = export(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert not path.exists()
