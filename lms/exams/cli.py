"""`flask --app wsgi exams …`: the scheduled finalizer and pre-drawing papers."""
import click
from flask.cli import AppGroup

from lms.database import immediate_transactions
from lms.extensions import db

exams_cli = AppGroup("exams", help="Thi trực tuyến.")


@exams_cli.command("close-overdue")
def close_overdue_command():
    """Nộp tự động các bài thi đã quá hạn (hạn + thời gian ân hạn) với các câu đã lưu; chạy mỗi phút."""
    from lms.exams.attempts import close_overdue
    from lms.models_base import utcnow

    with immediate_transactions():
        count = close_overdue(utcnow())
        db.session.commit()
    click.echo(f"Đã nộp tự động {count} bài thi quá hạn.")


@exams_cli.command("predraw")
@click.argument("session_id", type=int)
def predraw_command(session_id):
    """Tạo trước đề thi cho mọi thí sinh của một kỳ thi (kỳ thi đông thí sinh)."""
    from lms.exams.core.drawing import PoolShortage
    from lms.exams.models import ExamSession
    from lms.exams.papers import predraw_session
    from lms.models_base import utcnow

    with immediate_transactions():
        session = db.session.get(ExamSession, session_id)
        if session is None:
            raise click.ClickException(f"Không có kỳ thi số {session_id}.")
        try:
            count = predraw_session(session, utcnow())
        except PoolShortage as shortage:
            db.session.rollback()
            raise click.ClickException(f"Ngân hàng câu hỏi chưa đủ: {shortage}") from None
        db.session.commit()
    click.echo(f"Đã tạo trước {count} đề thi cho kỳ thi «{session.name}».")
