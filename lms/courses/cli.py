"""`flask --app wsgi courses ...`: loading the shipped lessons."""
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.database import immediate_transactions
from lms.extensions import db

courses_cli = AppGroup("courses", help="Khóa học và bài giảng.")


@courses_cli.command("load")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def load_command(directory):
    """Nạp bài giảng từ thư mục (mặc định course_content/); chạy lại không thay đổi gì nếu tệp không đổi."""
    from lms.courses.loader import ContentError, load_course_content

    with immediate_transactions():
        try:
            report = load_course_content(directory)
        except ContentError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(report.summary())
