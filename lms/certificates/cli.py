"""`flask --app wsgi certificates …`: list the register, write a PDF, revoke, verify a file,
issue a session's pending certificates with a progress bar. Operator level: the whole city."""
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.database import immediate_transactions
from lms.extensions import db
from lms.models_base import utcnow
from lms.scope import Scope

certificates_cli = AppGroup("certificates", help="Chứng chỉ: sổ gốc, cấp, thu hồi, kiểm tra.")


def _by_code(code):
    from lms.certificates import queries

    certificate = queries.by_code(code.strip().upper())
    if certificate is None:
        raise click.ClickException(f"Không có chứng chỉ mã {code}.")
    return certificate


@certificates_cli.command("list")
def list_command():
    """Mỗi dòng một chứng chỉ: mã tra cứu, số hiệu, số vào sổ, người được cấp, loại, tình trạng (cách nhau bằng tab)."""
    from lms.certificates import queries

    for certificate in db.session.execute(queries.register_query(Scope.city()).order_by(None).order_by(
            queries.Certificate.issue_year, queries.Certificate.register_seq)).scalars():
        click.echo("\t".join([certificate.code, certificate.serial, certificate.register_number, certificate.holder_name,
                              certificate.kind, certificate.status]))


@certificates_cli.command("pdf")
@click.argument("code")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def pdf_command(code, output):
    """Ghi bản PDF đã ký của chứng chỉ ra tệp."""
    from lms.certificates import queries

    output.write_bytes(queries.pdf_of(_by_code(code)).content)
    click.echo(f"Đã ghi {output}.")


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Lý do thu hồi (ghi vào sổ gốc).")
def revoke_command(code, reason):
    """Thu hồi chứng chỉ (vẫn giữ trong sổ gốc, có ngày và lý do)."""
    from lms.certificates import review

    with immediate_transactions():
        certificate = _by_code(code)
        try:
            review.revoke(certificate, utcnow(), None, reason)
        except review.ReviewError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(f"Đã thu hồi chứng chỉ {certificate.serial}.")


@certificates_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(path):
    """Kiểm tra tệp PDF chứng chỉ hoặc chứng chỉ số .jwt: chữ ký số, sửa đổi sau khi ký, đối chiếu sổ gốc, thu hồi. Mã thoát 0 khi hợp lệ."""
    from lms.certificates.verification import MESSAGES, check_upload

    certificate, check = check_upload(path.read_bytes())
    if check.valid:
        click.echo(f"Hợp lệ: {certificate.rule.title.lower()} số hiệu {certificate.serial}, cấp cho {certificate.holder_name}.")
        return
    click.echo(f"Không hợp lệ ({check.reason}): {MESSAGES.get(check.reason, check.reason)}", err=True)
    sys.exit(1)


@certificates_cli.command("issue")
@click.option("--session", "session_id", required=True, type=int, help="Mã kỳ thi (đã công bố kết quả).")
def issue_command(session_id):
    """Cấp tất cả chứng chỉ đang chờ của một kỳ thi."""
    from lms.certificates.jobs import issue_pending
    from lms.exams.models import ExamSession

    session = db.session.get(ExamSession, session_id)
    if session is None or session.results_released_at is None:
        raise click.ClickException("Không có kỳ thi này, hoặc kỳ thi chưa công bố kết quả.")
    bars = []

    def started(count):
        bars.append(click.progressbar(length=count, label="Cấp chứng chỉ"))
        bars[0].__enter__()

    with immediate_transactions():
        issued = issue_pending(session, Scope.city(), started=started, advanced=lambda: bars[0].update(1))
    if bars:
        bars[0].__exit__(None, None, None)
    click.echo(f"Đã cấp {issued} chứng chỉ.")
