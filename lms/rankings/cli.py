"""`flask --app wsgi rankings ...`: the unit emulation ranking from the command line.

    flask --app wsgi rankings compute --period 2017 [--bloc CODE]
        one line per unit, tab-separated: bloc code, rank, unit code, unit name, index (4
        decimals), band; an unranked unit (missing data under the "exclude" rule) has an
        empty rank and index
    flask --app wsgi rankings publish --period 2017 [--bloc CODE] [--note TEXT]
    flask --app wsgi rankings formula --year 2017 [--load FILE]

Operator level: the whole city, as an administrator's page."""
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.messages import vietnamese

rankings_cli = AppGroup("rankings", help="Xếp hạng thi đua đơn vị (Văn bản 3718/UBND-KGVX).")


def read_period_option(text):
    """A command's --period, parsed, or a clear refusal."""
    from lms.reports.filters import ReportFilterError, parse_period

    try:
        period = parse_period(text)
    except ReportFilterError as error:
        raise click.ClickException(error.translated(vietnamese)) from None
    if period is None:
        raise click.ClickException("Cần --period (ví dụ 2017 hoặc 2017-Q2).")
    return period


def _bloc(code):
    from lms.rankings.service import RankingError, find_bloc

    try:
        return find_bloc(code) if code else None
    except RankingError as error:
        raise click.ClickException(error.translated(vietnamese)) from None


def ranking_lines(document):
    """The command's lines for one bloc's document."""
    for unit in document["units"]:
        index = "" if unit["index"] is None else format(Decimal(unit["index"]).quantize(Decimal("0.0001")), "f")
        rank = "" if unit["rank"] is None else str(unit["rank"])
        yield "\t".join((document["bloc"]["code"], rank, unit["code"], unit["name"], index, unit["band"] or ""))


@rankings_cli.command("compute")
@click.option("--period", required=True, help="Năm (2017) hoặc quý (2017-Q2).")
@click.option("--bloc", "bloc_code", help="Mã khối thi đua (mặc định: mọi khối).")
def compute_command(period, bloc_code):
    """In bảng xếp hạng tính từ số liệu hiện có (chưa công bố)."""
    from lms.rankings.formula import FormulaDocumentError
    from lms.rankings.service import compute_rankings

    try:
        views = compute_rankings(read_period_option(period), _bloc(bloc_code))
    except FormulaDocumentError as error:
        raise click.ClickException(error.translated(vietnamese)) from None
    for view in views:
        for line in ranking_lines(view.document):
            click.echo(line)


@rankings_cli.command("publish")
@click.option("--period", required=True, help="Năm (2017) hoặc quý (2017-Q2).")
@click.option("--bloc", "bloc_code", help="Mã khối thi đua (mặc định: mọi khối có đơn vị).")
@click.option("--note", default="", help="Ghi chú của phiên bản (lý do công bố lại).")
def publish_command(period, bloc_code, note):
    """Công bố bảng xếp hạng: đóng băng kết quả cùng số liệu đầu vào thành một phiên bản mới."""
    from lms.database import immediate_transactions
    from lms.extensions import db
    from lms.rankings.publishing import publish_safely
    from lms.rankings.service import RankingError, compute_rankings

    period, bloc = read_period_option(period), _bloc(bloc_code)
    blocs = [bloc] if bloc else [view.bloc for view in compute_rankings(period)]
    failed = False
    for current in blocs:
        try:
            with immediate_transactions():
                publication = publish_safely(period, current, None, note)
                db.session.commit()
            click.echo(f"{current.code}\t{period.label}\tphiên bản {publication.version}")
        except RankingError as error:
            db.session.rollback()
            failed = True
            click.echo(f"{current.code}\t{period.label}\t{error.translated(vietnamese)}", err=True)
    if failed:
        raise SystemExit(1)


@rankings_cli.command("formula")
@click.option("--year", type=int, required=True)
@click.option("--load", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Tệp YAML/JSON của công thức.")
def formula_command(year, path):
    """In công thức xếp hạng của năm; với --load, lưu công thức từ tệp (sau khi kiểm tra)."""
    import yaml

    from lms.extensions import db
    from lms.rankings.formula import FormulaDocumentError, formula_document, read_document_text, save_formula

    if not 2000 <= year <= 2100:
        raise click.ClickException(f"Năm không hợp lệ: {year}.")
    if path:
        try:
            save_formula(year, read_document_text(path.read_text(encoding="utf-8")))
        except (FormulaDocumentError, UnicodeDecodeError) as error:
            db.session.rollback()
            raise click.ClickException(error.translated(vietnamese) if isinstance(error, FormulaDocumentError) else str(error)) from None
        db.session.commit()
        click.echo(f"Đã lưu công thức năm {year}.")
        return
    document, own = formula_document(year)
    click.echo(f"# {'Công thức riêng của năm' if own else 'Công thức mặc định (năm chưa có công thức riêng)'} {year}")
    click.echo(yaml.safe_dump(document, allow_unicode=True, sort_keys=False).rstrip())
