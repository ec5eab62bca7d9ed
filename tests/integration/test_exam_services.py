"""Exam services against the database: pre-drawn papers, practical uploads, regrading."""
import pytest
from exam_support import docx_bytes, make_pool, make_session
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.exams import attempts, starting, uploads
from lms.exams.grading import regrade_attempt
from lms.exams.models import AttemptGrade, AttemptQuestion, PredrawnPaper
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.models import Question, QuestionVersion


def test_predraw_command_draws_once_and_start_uses_the_predrawn_paper(demo, runner):
    make_pool()
    session, candidate = make_session()
    result = runner.invoke(args=["exams", "predraw", str(session.id)])
    assert result.exit_code == 0 and "1 đề" in result.output
    assert "0 đề" in runner.invoke(args=["exams", "predraw", str(session.id)]).output
    paper = db.session.execute(select(PredrawnPaper)).scalar_one()
    attempt, created = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    assert created and attempt.seed == paper.seed
    assert [q.question_version_id for q in attempt.questions] == [item["version_id"] for item in paper.items]


def test_predraw_refuses_with_the_missing_counts(demo, runner):
    make_pool(per_module=4)
    session, _ = make_session()
    result = runner.invoke(args=["exams", "predraw", str(session.id)])
    assert result.exit_code != 0 and "IU01: thiếu 1" in result.output


@pytest.mark.parametrize(
    "filename, content, accepted",
    [
        ("bai-lam.docx", docx_bytes(), True),
        ("bai-lam.pdf", b"%PDF-1.4 ...", True),
        ("bai-lam.docx", b"%PDF-1.4 renamed", False),  # extension and content disagree
        ("bai-lam.exe", b"MZ....", False),
        ("bai-lam.xlsx", docx_bytes(), False),  # a zip, but not a workbook
        ("bai-lam.pdf", b"", False),
    ],
)
def test_practical_upload_checks_extension_and_content(demo, filename, content, accepted):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    task = attempt.questions[0]
    if accepted:
        upload = uploads.store_upload(attempt, task, filename, content, utcnow())
        db.session.commit()
        assert task.answer.response == {"upload_id": upload.id}
        with open(upload.stored_path, "rb") as stored:
            assert stored.read() == content
    else:
        with pytest.raises(attempts.ExamError):
            uploads.store_upload(attempt, task, filename, content, utcnow())


def test_a_practical_part_waits_for_a_person_after_submit(demo):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    assert attempt.state == "submitted" and attempt.score is None


def test_regrade_after_a_correction_keeps_old_grades_and_logs_the_change(demo):
    make_pool()
    session, candidate = make_session()
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    first = attempt.questions[0]
    attempts.save_answers(attempt, [{"question": first.id, "seq": 1, "response": {"choice": 0}}], utcnow())
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    assert attempt.score == 0.0
    # The key was wrong: choice 0 is the right one. A new version corrects it.
    version = db.session.get(QuestionVersion, first.question_version_id)
    data = dict(version.data)
    data["choices"] = [dict(choice, correct=index == 0) for index, choice in enumerate(data["choices"])]
    corrected = QuestionVersion(question_id=version.question_id, number=2, data=data)
    db.session.add(corrected)
    db.session.flush()
    db.session.get(Question, version.question_id).current_version_id = corrected.id
    before, after = regrade_attempt(attempt, utcnow(), find_user("trainer"), "Đáp án câu 1 bị sai")
    db.session.commit()
    assert (before, after) == (0.0, 0.33)
    grades = db.session.execute(select(AttemptGrade.fraction, AttemptGrade.current, AttemptGrade.source).where(AttemptGrade.attempt_question_id == first.id).order_by(AttemptGrade.id)).all()
    assert [tuple(g) for g in grades] == [(0.0, False, "auto"), (1.0, True, "regrade")]
    assert db.session.execute(select(func.count()).select_from(AttemptGrade).join(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id, AttemptGrade.current.is_(True))).scalar_one() == 30
