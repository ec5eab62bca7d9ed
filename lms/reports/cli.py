"""`flask --app wsgi reports ...`: the reports' exports from the command line.

    flask --app wsgi reports export REPORT --unit CODE [--period 2017] [--title CODE]
        [--module CODE] [--level basic|advanced] [--sort KEY] [--order asc|desc]
        --format xlsx|csv|pdf -o FILE
    flask --app wsgi reports export profile --staff ID [--year 2017] --format pdf -o FILE

Operator level: the whole city (Scope.city()). The file is the one the page would give for
the same filters, in Vietnamese: the same write_report call. A bad filter or a unit that does
not exist is an error line and a non-zero exit, nothing is written."""
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.messages import vietnamese

reports_cli = AppGroup("reports", help="Báo cáo năng lực CNTT: xuất tệp như trang báo cáo.")

REPORT_CHOICES = ("units", "titles", "modules", "periods", "gaps", "profile")
FORMAT_CHOICES = ("xlsx", "csv", "pdf")


def _write_profile(staff_id, year, fmt, output):
    from lms.reports.exports import write_report
    from lms.reports.filters import ReportScopeError
    from lms.reports.profile import competency_profile
    from lms.reports.profile_pdf import profile_pdf, profile_table
    from lms.scope import Scope

    if staff_id is None:
        raise click.ClickException("Báo cáo profile cần --staff (mã cán bộ).")
    if year is not None and not 2000 <= year <= 2100:
        raise click.ClickException(f"Năm không hợp lệ: {year}.")
    try:
        profile = competency_profile(Scope.city(), staff_id, year)
    except ReportScopeError as error:
        raise click.ClickException(str(error)) from None
    with output.open("wb") as out:
        if fmt == "pdf":
            out.write(profile_pdf(profile, vietnamese))
        else:
            write_report(profile_table(profile), fmt, out, vietnamese)


@reports_cli.command("export")
@click.argument("report")
@click.option("--unit", "unit", help="Mã đơn vị (mặc định: toàn thành phố).")
@click.option("--period", help="Kỳ báo cáo: 2017 hoặc 2017-Q2 (mặc định: hiện tại).")
@click.option("--title", "title", help="Mã chức danh.")
@click.option("--module", "module", help="Mã mô-đun, ví dụ IU01.")
@click.option("--level", help="Trình độ: basic hoặc advanced.")
@click.option("--sort", help="Cột sắp xếp (như trên trang báo cáo).")
@click.option("--order", help="asc hoặc desc.")
@click.option("--staff", "staff_id", type=int, help="Mã cán bộ (báo cáo profile).")
@click.option("--year", type=int, help="Năm đánh giá (báo cáo profile).")
@click.option("--format", "fmt", required=True, help="xlsx, csv hoặc pdf.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(report, unit, period, title, module, level, sort, order, staff_id, year, fmt, output):
    """Xuất báo cáo REPORT (units, titles, modules, periods, gaps, profile) ra tệp."""
    from lms.reports.export_jobs import write_export
    from lms.reports.facts import build_context
    from lms.reports.filters import ReportFilterError, ReportScopeError, parse_filters
    from lms.scope import Scope

    if report not in REPORT_CHOICES:
        raise click.ClickException(f"Báo cáo không tồn tại: {report} (chọn một trong: {', '.join(REPORT_CHOICES)}).")
    if fmt not in FORMAT_CHOICES:
        raise click.ClickException(f"Định dạng không hợp lệ: {fmt} (chọn xlsx, csv hoặc pdf).")
    if report == "profile":
        _write_profile(staff_id, year, fmt, output)
        click.echo(f"Đã ghi {output}.")
        return
    args = {"unit": unit, "period": period, "title": title, "module": module, "level": level, "sort": sort, "order": order}
    try:
        # Everything is checked and the unit found before the file is opened.
        context = build_context(Scope.city(), parse_filters(report, {key: value for key, value in args.items() if value}))
    except (ReportFilterError, ReportScopeError) as error:
        raise click.ClickException(str(error)) from None
    with output.open("wb") as out:
        write_export(context, report, fmt, out, vietnamese)
    click.echo(f"Đã ghi {output}.")
