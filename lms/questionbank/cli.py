"""`flask --app wsgi questions import|export`, and the demo seed step loading question_banks/."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.database import immediate_transactions
from lms.extensions import db

questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi: nhập, xuất.")
SHIPPED_BANKS = Path(__file__).resolve().parents[2] / "question_banks"
CLI_ACTOR = "cli"


MODULE_HINT = "Dùng --module IUxx (ví dụ --module IU01) cho các câu hỏi này."


def find_bank(name):
    """The bank named `name` or whose short code it is (`IU01` for "IU01 – Hiểu biết…"); None when
    there is none. Several banks with that code: a ClickException naming them."""
    from lms.questionbank import queries

    banks = queries.banks_by_name_or_code(name)
    if len(banks) > 1:
        raise click.ClickException(f"Mã '{name}' ứng với nhiều ngân hàng: {', '.join(b.name for b in banks)}; hãy ghi tên đầy đủ.")
    return banks[0] if banks else None


def _bank_for_import(name, owner):
    from lms.questionbank import services

    bank = find_bank(name)
    return bank if bank is not None else services.create_bank(name, owner)


def import_file(path, bank_name=None, default_module=None, owner=None):
    """Parse and import one file into a bank (created if missing); the caller commits.

    Returns (bank name, report) or raises FormatError. Without --bank, the bank is the
    one named in a native file's header, else the file name."""
    from lms.questionbank import services, transfer

    questions, warnings, name_in_file, images = transfer.parse_upload(path.name, path.read_bytes(), default_module=default_module)
    name = bank_name or name_in_file or path.stem
    bank = _bank_for_import(name, owner)
    report = services.import_questions(bank, questions, owner, keep_status=True, default_module=default_module, module_hint=MODULE_HINT,
                                       images=images)
    report.warnings[:0] = warnings
    return bank.name, report


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", default=None,
              help="Tên hoặc mã ngắn của ngân hàng, vd. IU01 (mặc định: tên ghi trong tệp, hoặc tên tệp).")
@click.option("--module", "default_module", default=None,
              help="Mô đun cho câu hỏi mà tệp không ghi ($CATEGORY, tên câu như IU01-007); sau đó là mô đun của ngân hàng.")
def import_command(path, bank_name, default_module):
    """Nhập câu hỏi từ tệp (YAML gốc, GIFT, Aiken, Moodle XML, XLSX); tất cả hoặc không."""
    from lms.audit.services import record
    from lms.questionbank.formats import FormatError

    with immediate_transactions():
        try:
            name, report = import_file(path, bank_name, default_module and default_module.upper())
        except FormatError as error:
            db.session.rollback()
            click.echo(f"{path.name}: {error}", err=True)
            click.echo("Không nhập câu hỏi nào.", err=True)
            sys.exit(1)
        if not report.ok:
            db.session.rollback()
            for problem in report.errors:
                click.echo(f"{path.name}: {problem}", err=True)
            click.echo(f"Không nhập câu hỏi nào: {len(report.errors)} lỗi.", err=True)
            sys.exit(1)
        record("questionbank.import", target=name, actor_name=CLI_ACTOR, file=path.name,
               added=report.added, updated=report.updated, unchanged=report.unchanged)
        db.session.commit()
    for warning in report.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    click.echo(f"{name}: {report.added} thêm mới, {report.updated} cập nhật, {report.unchanged} không đổi.")


@questions_cli.command("export")
@click.option("--bank", "bank_name", required=True, help="Tên hoặc mã ngắn của ngân hàng (vd. IU01).")
@click.option("--format", "fmt", type=click.Choice(["native", "gift", "moodlexml", "xlsx"]), default="native", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
def export_command(bank_name, fmt, output):
    """Xuất một ngân hàng câu hỏi ra tệp (ghi vào nhật ký hệ thống)."""
    from lms.questionbank import transfer

    with immediate_transactions():
        bank = find_bank(bank_name)
        if bank is None:
            raise click.ClickException(f"Không có ngân hàng '{bank_name}'.")
        body, _, _ = transfer.export_bank(bank, fmt, actor_name=CLI_ACTOR)
        output.write_bytes(body)
        db.session.commit()
    click.echo(f"Đã xuất ngân hàng '{bank.name}' ra {output}.")


def seed_question_banks(directory=SHIPPED_BANKS, owner_username="trainer"):
    """Seed step: every shipped IU*.yaml, owned by the demo trainer, statuses as in the files."""
    from lms.auth.services import find_user

    owner = find_user(owner_username)
    total, banks = 0, []
    for path in sorted(Path(directory).glob("IU*.yaml")):
        name, report = import_file(path, owner=owner)
        if not report.ok:
            raise click.ClickException(f"{path.name}: " + "; ".join(report.errors[:5]))
        total += report.total
        banks.append(path.stem)
    db.session.flush()
    return f"Ngân hàng câu hỏi: {total} câu hỏi trong {len(banks)} ngân hàng ({', '.join(banks) or 'không có tệp'})"
