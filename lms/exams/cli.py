"""`flask --app wsgi exams …`: the scheduled finalizer and pre-drawing papers."""
import click
from flask.cli import AppGroup

from lms.cli import AREA_COMMANDS
from lms.database import immediate_transactions
from lms.extensions import db

exams_cli = AppGroup("exams", help="Thi trực tuyến.")


@exams_cli.command("close-overdue")
def close_overdue_command():
    """Nộp tự động các bài thi đã quá hạn (hạn + thời gian ân hạn) với các câu đã lưu; chạy mỗi phút."""
    from lms.exams.services import close_overdue
    from lms.models_base import utcnow

    with immediate_transactions():
        count = close_overdue(utcnow())
        db.session.commit()
    click.echo(f"Đã nộp tự động {count} bài thi quá hạn.")


@exams_cli.command("predraw")
@click.argument("session_id", type=int)
def predraw_command(session_id):
    """Tạo trước đề thi cho mọi thí sinh của một kỳ thi (kỳ thi đông thí sinh)."""
    from lms.exams.engine import PoolShortage
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


if exams_cli not in AREA_COMMANDS:
    AREA_COMMANDS.append(exams_cli)


def seed_exam_demo():
    """Demo seed step: the default blueprint and an open session with the demo learner."""
    from lms.auth.services import find_user
    from lms.exams.design import seed_demo_session
    from lms.models_base import utcnow

    learner = find_user("learner")
    if learner is None or learner.staff is None:
        return "Thi: bỏ qua (chưa có tài khoản learner)."
    session, missing = seed_demo_session(utcnow(), learner)
    if missing:
        detail = ", ".join(f"{s.quota.label()} thiếu {s.missing}" for s in missing)
        return f"Thi: kỳ thi «{session.name}» (learner dự thi); ngân hàng chưa đủ — {detail}."
    return f"Thi: kỳ thi «{session.name}» đang mở, learner dự thi."


# The question bank's seed step must run first: the demo session draws from its pool.
import lms.questionbank.cli  # noqa: E402,F401
from lms.demo.seed import SEED_STEPS  # noqa: E402

if seed_exam_demo not in SEED_STEPS:
    SEED_STEPS.append(seed_exam_demo)
