"""`flask --app wsgi ...` command groups."""
import getpass
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

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

    for group in (users_cli, org_cli, staff_cli, demo_cli, catalogue_cli, schedule_cli, questions_cli, courses_cli, exams_cli, certificates_cli):
        app.cli.add_command(group)


@users_cli.command("create-admin")
@click.option("--username", prompt="Tên đăng nhập")
@click.option("--name", "display_name", default="Quản trị hệ thống")
@click.option("--password", default=None, help="Mặc định: hỏi hai lần (không hiện trên màn hình).")
def create_admin(username, display_name, password):
    """Tạo tài khoản quản trị (the first administrator is created this way)."""
    from lms.auth.services import AccountError, create_user

    if password is None:
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


def _print_report(report):
    if report.errors:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"Không nhập gì: {len(report.errors)} lỗi.", err=True)
        sys.exit(1)
    click.echo(f"{report.total} dòng: {report.created} thêm mới, {report.updated} cập nhật, {report.unchanged} không đổi.")


@org_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units_command(path):
    """Nhập cây đơn vị từ tệp .xlsx hoặc .csv (tất cả hoặc không)."""
    from lms.org.imports import import_units

    with immediate_transactions():
        report = import_units(path.name, path.read_bytes(), apply=True)
        (db.session.commit if report.ok else db.session.rollback)()
    _print_report(report)


@staff_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_staff_command(path):
    """Nhập danh sách cán bộ từ tệp .xlsx hoặc .csv; cập nhật theo số định danh."""
    from lms.org.imports import import_staff

    with immediate_transactions():
        report = import_staff(path.name, path.read_bytes(), Scope((), everything=True), apply=True)
        (db.session.commit if report.ok else db.session.rollback)()
    _print_report(report)


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

        sent, _failed = deliver_pending(current_app.config)
    summary.append(f"Thư: {sent} thư báo cấp chứng chỉ trong {current_app.config['OUTBOX_DIR'] if not current_app.config['SMTP_HOST'] else 'SMTP'}.")
    for line in summary:
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
    """Chạy các việc định kỳ (mỗi phút một lần, từ cron hoặc systemd timer): nộp tự động bài thi quá hạn, xóa nhật ký đăng nhập sai đã hết hạn."""
    from flask import current_app

    from lms.auth.throttling import purge_old_failures
    from lms.certificates.review import react_to_result_events
    from lms.exams.attempts import close_overdue
    from lms.jobs import resume_stale
    from lms.mail import deliver_pending
    from lms.models_base import utcnow

    now = utcnow()
    with immediate_transactions():
        finalized = close_overdue(now)
        purged = purge_old_failures(now)
        _read, flagged = react_to_result_events(now)
        db.session.commit()
        resumed = resume_stale(now)
        sent, failed = deliver_pending(current_app.config, now)
    click.echo(f"Đã nộp tự động {finalized} bài thi quá hạn; đã xóa {purged} lần đăng nhập sai đã hết hạn theo dõi; "
               f"{len(flagged)} chứng chỉ cần xem xét lại; chạy lại {resumed} việc nền; gửi {sent} thư ({failed} chưa gửi được).")
