"""`flask --app wsgi indicators ...`: the units' IT-deployment figures from the command line,
city-wide (operator level, as an administrator's page).

    flask --app wsgi indicators import FILE --period 2017
        records the file's figures, all or nothing (source "command"); each error as
        "Dòng N, cột «X»: …" and exit status 1 when there is one
    flask --app wsgi indicators template --period 2017 -o FILE
        the import file: one row per bloc unit with its current figures, and the instructions"""
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.rankings.cli import read_period_option  # the rankings commands' --period: parsed, or a clear refusal

indicators_cli = AppGroup("indicators", help="Số liệu chỉ tiêu ứng dụng CNTT của đơn vị (xếp hạng thi đua).")


@indicators_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--period", required=True, help="Năm (2017) hoặc quý (2017-Q2).")
def import_command(path, period):
    """Nhập số liệu chỉ tiêu từ tệp .xlsx hoặc .csv (tất cả hoặc không)."""
    from lms.cli_output import print_import_report
    from lms.database import immediate_transactions
    from lms.extensions import db
    from lms.rankings.indicator_import import import_indicators
    from lms.scope import Scope

    period = read_period_option(period)
    with immediate_transactions():
        report = import_indicators(path.name, path.read_bytes(), period, Scope.city(), None, apply=True, source="command")
        (db.session.commit if report.ok else db.session.rollback)()
    print_import_report(report)
    click.echo(f"Kỳ {period.label}: {report.values} số liệu mới.")


@indicators_cli.command("template")
@click.option("--period", required=True, help="Năm (2017) hoặc quý (2017-Q2).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Tệp .xlsx (mặc định: chi-tieu-KỲ.xlsx).")
def template_command(period, output):
    """Ghi tệp mẫu .xlsx: mỗi đơn vị thuộc khối thi đua một dòng, kèm số liệu hiện có của kỳ."""
    from lms.rankings.indicator_import import indicator_template
    from lms.scope import Scope

    period = read_period_option(period)
    output = output or Path(f"chi-tieu-{period.label}.xlsx")
    output.write_bytes(indicator_template(Scope.city(), period))
    click.echo(f"Đã ghi {output}.")
