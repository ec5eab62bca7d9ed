"""`flask --app wsgi ...` command groups."""
import getpass
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.cli_output import print_import_report
from lms.database import immediate_transactions
from lms.extensions import db
from lms.scope import Scope

users_cli = AppGroup("users", help="Tài khoản người dùng.")
org_cli = AppGroup("org", help="Cơ cấu tổ chức.")
staff_cli = AppGroup("staff", help="Hồ sơ cán bộ.")
demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")
catalogue_cli = AppGroup("catalogue", help="Danh mục: mô đun, chương trình, chức danh, khối thi đua.")

schedule_cli = AppGroup("schedule", help="Việc định kỳ.")


def register_cli(app):
    """The core's command groups and each area's."""
    from lms.certificates.cli import certificates_cli
    from lms.courses.cli import courses_cli
    from lms.exams.cli import exams_cli
    from lms.questionbank.cli import questions_cli
    from lms.rankings.cli import rankings_cli
    from lms.rankings.indicator_cli import indicators_cli
    from lms.reports.cli import reports_cli

    for group in (users_cli, org_cli, staff_cli, demo_cli, catalogue_cli, schedule_cli, questions_cli, courses_cli, exams_cli, certificates_cli, reports_cli, rankings_cli, indicators_cli):
        app.cli.add_command(group)


@users_cli.command("create-admin")
@click.option("--username", default=None, help="Mặc định: hỏi (trên terminal).")
@click.option("--name", "display_name", default="Quản trị hệ thống")
@click.option("--password", default=None, help="Nên tránh (lộ trong danh sách tiến trình); dùng --password-stdin.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ dòng đầu của đầu vào chuẩn (mặc định khi đầu vào không phải terminal).")
def create_admin(username, display_name, password, password_stdin):
    """Tạo tài khoản quản trị (the first administrator is created this way).

    In a script: `printf '%s\\n' "$PASSWORD" | flask --app wsgi users create-admin --username quantri`."""
    from lms.auth.services import AccountError, create_user

    from_stdin = password is None and (password_stdin or not sys.stdin.isatty())
    if username is None:
        if from_stdin:
            raise click.ClickException("Cần --username khi mật khẩu đọc từ đầu vào chuẩn.")
        username = click.prompt("Tên đăng nhập")
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("Đầu vào chuẩn không có mật khẩu.")
    elif password is None:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise click.ClickException("Hai mật khẩu không khớp.")
    try:
        with immediate_transactions():
            create_user(username, password, display_name, roles=["admin"])
            db.session.commit()
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Đã tạo quản trị viên '{username}'.")


MAIL_BATCH = 500


def _unit_or_fail(code):
    from lms.org.models import Unit

    unit = db.session.execute(select(Unit).where(Unit.code == code.strip())).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã {code}.")
    return unit


def _write_slips(unit, directory, include_emailed):
    """The unit's login slips as DIR/phieu-dang-nhap-CODE.pdf (codes issued now); how many slips."""
    from flask import current_app

    from lms.auth.provisioning import issue_slips
    from lms.auth.slips import render_slips

    slips = issue_slips(unit, include_emailed=include_emailed)
    if slips:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"phieu-dang-nhap-{unit.code}.pdf").write_bytes(render_slips(slips, unit.name, current_app.config["PUBLIC_URL"]))
    return len(slips)


@users_cli.command("provision")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị.")
@click.option("--include-subunits", is_flag=True, help="Cả các đơn vị trực thuộc.")
@click.option("--slips-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Ghi phiếu đăng nhập (PDF, mỗi đơn vị một tệp) của người chưa có thư điện tử vào thư mục này.")
def provision_command(unit_code, include_subunits, slips_dir):
    """Tạo tài khoản cho mọi cán bộ đang công tác chưa có tài khoản; gửi mã kích hoạt qua thư điện tử."""
    from flask import current_app

    from lms.auth.provisioning import provision_unit
    from lms.mail import deliver_pending
    from lms.org.models import Unit

    with immediate_transactions():
        unit = _unit_or_fail(unit_code)
        report = provision_unit(unit, include_subunits)
        printed = []
        if slips_dir is not None:
            units = [unit] if not include_subunits else db.session.execute(
                select(Unit).where(Unit.path.startswith(unit.path)).order_by(Unit.path)).scalars().all()
            printed = [(each.code, count) for each in units if (count := _write_slips(each, slips_dir, False))]
        db.session.commit()
    sent = failed = 0
    while True:  # every code of the unit, however many: deliver_pending sends a batch at a time
        batch_sent, batch_failed = deliver_pending(current_app.config, limit=MAIL_BATCH)
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent == 0 or batch_sent + batch_failed < MAIL_BATCH:
            break
    for person, reason in report.skipped:
        click.echo(f"Bỏ qua {person.full_name} ({person.id_number}): {reason}", err=True)
    click.echo(f"{unit.name}: tạo {len(report.created)} tài khoản ({report.emailed} nhận mã qua thư, {report.without_email} cần phiếu "
               f"đăng nhập); {report.already} người đã có tài khoản; bỏ qua {len(report.skipped)}. Gửi {sent} thư ({failed} chưa gửi được).")
    for code, count in printed:
        click.echo(f"Phiếu đăng nhập {code}: {count} người, {slips_dir / f'phieu-dang-nhap-{code}.pdf'}")


@users_cli.command("slips")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị (chỉ đơn vị này: mỗi đơn vị một tệp).")
@click.option("--all-pending", is_flag=True, help="Cả người đã nhận mã qua thư (mã trong thư hết hiệu lực).")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def slips_command(unit_code, all_pending, output_dir):
    """In phiếu đăng nhập (cấp mã kích hoạt mới) cho tài khoản chưa kích hoạt của một đơn vị."""
    with immediate_transactions():
        unit = _unit_or_fail(unit_code)
        count = _write_slips(unit, output_dir, all_pending)
        db.session.commit()
    if not count:
        raise click.ClickException(f"{unit.name}: không có ai cần phiếu đăng nhập.")
    click.echo(f"Phiếu đăng nhập {unit.code}: {count} người, {output_dir / f'phieu-dang-nhap-{unit.code}.pdf'}")


@org_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units_command(path):
    """Nhập cây đơn vị từ tệp .xlsx hoặc .csv (tất cả hoặc không)."""
    from lms.org.imports import import_units

    with immediate_transactions():
        report = import_units(path.name, path.read_bytes(), apply=True)
        (db.session.commit if report.ok else db.session.rollback)()
    print_import_report(report)


@staff_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--provision/--no-provision", default=None, help="Tạo tài khoản cho người được nhập (mặc định: LMS_PROVISION_ON_IMPORT).")
def import_staff_command(path, provision):
    """Nhập danh sách cán bộ từ tệp .xlsx hoặc .csv; cập nhật theo số định danh."""
    from flask import current_app

    from lms.org.imports import import_staff

    configured = current_app.config["PROVISION_ON_IMPORT"]
    provision = configured if provision is None else provision
    current_app.config["PROVISION_ON_IMPORT"] = provision  # read by the import's hook (lms.auth.provisioning)
    try:
        with immediate_transactions():
            report = import_staff(path.name, path.read_bytes(), Scope((), everything=True), apply=True)
            (db.session.commit if report.ok else db.session.rollback)()
    finally:
        current_app.config["PROVISION_ON_IMPORT"] = configured  # the option holds for this command only
    print_import_report(report)
    if provision:
        from lms.mail import deliver_pending

        sent, failed = deliver_pending(current_app.config)
        click.echo(f"Tài khoản cho người được nhập: đã tạo cho người chưa có; gửi {sent} thư mã kích hoạt ({failed} chưa gửi được).")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Chỉ nạp khi cơ sở dữ liệu chưa có đơn vị nào.")
def seed_command(if_empty):
    """Nạp dữ liệu mẫu (Hà Nội 2016, cán bộ, tài khoản demo)."""
    from lms.demo import seed
    from lms.org.models import Unit

    if if_empty and db.session.execute(select(Unit.id).limit(1)).first():
        click.echo("Cơ sở dữ liệu đã có dữ liệu; bỏ qua dữ liệu mẫu.")
        return
    with immediate_transactions():
        summary = seed.seed_all()
        db.session.commit()
        from flask import current_app

        from lms.mail import deliver_pending
        from lms.models_base import utcnow
        from lms.notifications.services import scheduled as scheduled_notices

        scheduled_notices(utcnow())  # what the first `schedule run` would send: the demo sessions' invitations
        db.session.commit()
        sent, _failed = deliver_pending(current_app.config, limit=1000)
    where = current_app.config["OUTBOX_DIR"] if not current_app.config["SMTP_HOST"] else "SMTP"
    summary.append(f"Thư: {sent} thư (báo cấp chứng chỉ, mã kích hoạt tài khoản, thông báo) trong {where}.")
    for line in summary:
        click.echo(line)


@demo_cli.command("generate")
@click.option("--staff", "staff_count", type=click.IntRange(1), default=120000, show_default=True, help="Số cán bộ sinh ra.")
@click.option("--attempts", "attempt_count", type=click.IntRange(0), default=1000000, show_default=True,
              help="Số lượt thi (mỗi phần thi của một thí sinh là một lượt).")
@click.option("--seed", type=int, default=2017, show_default=True, help="Cùng seed, cùng tham số: cùng dữ liệu.")
@click.option("--batch", "batch_size", type=click.IntRange(100, 10000), default=1000, show_default=True,
              help="Số cán bộ mỗi giao dịch (làm tròn lên bội số của 100).")
def generate_command(staff_count, attempt_count, seed, batch_size):
    """Sinh dữ liệu mô phỏng cỡ thành phố (đơn vị, cán bộ, tài khoản, lượt thi, chứng chỉ) để đo hiệu năng báo cáo.

    Thêm vào dữ liệu đã có (kể cả sau `demo seed`). Bị dừng giữa chừng: chạy lại đúng lệnh đó để làm tiếp."""
    from lms.demo.generate import GenerationError, generate

    with click.progressbar(length=staff_count, label="Cán bộ", file=sys.stderr, show_pos=True) as bar:
        def progress(done, _added):
            bar.update(done - bar.pos)
            if not sys.stderr.isatty():  # a log gets a line per batch instead of the bar
                click.echo(f"Cán bộ {done}/{staff_count}", err=True)

        try:
            with immediate_transactions():
                line = generate(staff_count, attempt_count, seed, batch_size, progress)
        except GenerationError as error:
            raise click.ClickException(str(error)) from None
    click.echo(line)



@catalogue_cli.command("load")
def load_catalogue_command():
    """Nạp danh mục chuẩn (bổ sung phần còn thiếu, không ghi đè phần đã sửa)."""
    from lms.catalogue.loader import load_catalogues

    with immediate_transactions():
        added = load_catalogues()
        db.session.commit()
    click.echo(", ".join(f"{key}: +{value}" for key, value in added.items()))



@schedule_cli.command("run")
def schedule_run_command():
    """Chạy các việc định kỳ (mỗi phút một lần, từ cron hoặc systemd timer): nộp tự động bài thi quá hạn, xóa nhật ký đăng nhập sai đã hết hạn,
    gửi thông báo (giấy mời thi, kết quả, nhắc hạn học mỗi ngày, danh sách quá hạn cho tổ chức cán bộ mỗi tuần) và thư."""
    from flask import current_app

    from lms.auth.throttling import purge_old_failures
    from lms.certificates.review import react_to_result_events
    from lms.exams.attempts import close_overdue
    from lms.jobs import resume_stale
    from lms.mail import deliver_pending
    from lms.models_base import utcnow
    from lms.notifications.services import scheduled as scheduled_notices

    now = utcnow()
    with immediate_transactions():
        finalized = close_overdue(now)
        purged = purge_old_failures(now)
        _read, flagged = react_to_result_events(now)
        db.session.commit()
        notices = scheduled_notices(now)
        db.session.commit()
        resumed = resume_stale(now)
        sent, failed = deliver_pending(current_app.config, now)
    click.echo(f"Đã nộp tự động {finalized} bài thi quá hạn; đã xóa {purged} lần đăng nhập sai đã hết hạn theo dõi; "
               f"{len(flagged)} chứng chỉ cần xem xét lại; thông báo: {notices['exam.invitation']} giấy mời thi, {notices['exam.results']} "
               f"báo kết quả, {notices['course.reminder']} nhắc hạn, {notices['hr.overdue']} danh sách quá hạn; chạy lại {resumed} việc nền; "
               f"gửi {sent} thư ({failed} chưa gửi được).")
