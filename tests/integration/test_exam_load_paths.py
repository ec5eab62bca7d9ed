"""The hot paths of an exam sitting (start, lock, submit, the exam page) stay cheap and keep
their rules: statement counts bounded whatever the paper's length, the pre-drawn paper
taken as drawn with the deadline fixed at start, the render cache never answering for
other content."""
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from exam_support import make_pool, make_session
from sqlalchemy import event, func, select

from lms.exams import attempts, papers, starting
from lms.exams.models import AttemptEvent, AttemptGrade, AttemptQuestion, PredrawnPaper
from lms.exams.result_models import ModuleResult
from lms.exams.take import queries
from lms.extensions import db
from lms.models_base import utcnow


@contextmanager
def counted_statements():
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def predrawn_session(**options):
    make_pool()
    session, candidate = make_session(**options)
    papers.predraw_session(session, utcnow())
    db.session.commit()
    return session, candidate


def test_a_predrawn_start_takes_the_paper_as_drawn_with_the_deadline_fixed_at_start(demo):
    session, candidate = predrawn_session(minutes=30)
    candidate.extra_minutes, candidate.extra_multiplier = 5, 1.5
    db.session.commit()
    paper = db.session.execute(select(PredrawnPaper)).scalar_one()
    now = utcnow()
    attempt, created = starting.start_attempt(candidate, session.blueprint.parts[0], now)
    db.session.commit()
    assert created and attempt.seed == paper.seed and attempt.open_slot == 1
    assert attempt.started_at == now and attempt.deadline_at == now + timedelta(minutes=30 * 1.5 + 5)
    stored = db.session.execute(
        select(AttemptQuestion.position, AttemptQuestion.question_version_id, AttemptQuestion.module_id, AttemptQuestion.presentation,
               AttemptQuestion.points, AttemptQuestion.flagged, AttemptQuestion.fraction)
        .where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
    ).all()
    assert [tuple(row) for row in stored] == [
        (index, item["version_id"], item["module_id"], item["order"], item["points"], False, None) for index, item in enumerate(paper.items, start=1)
    ]
    # A later start resumes: same attempt, same deadline, no second paper.
    again, created = starting.start_attempt(candidate, session.blueprint.parts[0], now + timedelta(minutes=3))
    assert not created and again.id == attempt.id and again.deadline_at == attempt.deadline_at
    assert db.session.execute(select(func.count()).select_from(AttemptQuestion)).scalar_one() == 30


def test_the_session_close_still_caps_a_predrawn_start(demo):
    session, candidate = predrawn_session(minutes=30, closes_in=timedelta(minutes=10))
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    assert attempt.deadline_at == session.closes_at


def test_a_start_costs_a_fixed_number_of_statements(demo):
    session, candidate = predrawn_session()
    part = session.blueprint.parts[0]
    assert candidate.session is session and part.blueprint_id == session.blueprint_id  # loaded, as the start view has them
    with counted_statements() as statements:
        attempt, created = starting.start_attempt(candidate, part, utcnow())
    assert created
    # attempts so far with the pre-drawn paper, INSERT attempt ON CONFLICT DO NOTHING, the
    # 30 questions in one executemany INSERT, the start event.
    assert len(statements) == 4, statements
    assert "ON CONFLICT DO NOTHING" in statements[1]
    assert sum(1 for s in statements if "INSERT INTO exam_attempt_question" in s) == 1


def test_the_start_request_reads_its_context_in_one_statement_and_answers_with_the_page(demo, auth, client):
    session, candidate = predrawn_session()
    auth.login("learner")
    url = f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start"
    token = auth.csrf_token(f"/exams/sessions/{session.id}")
    with counted_statements() as statements:
        response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 200 and response.get_data(as_text=True).count('class="exam-q card"') == 30
    # The sign-in check; candidate, session, part, attempts so far and the pre-drawn paper;
    # the attempt; its paper; the start event; the page's questions.
    statements = [s for s in statements if not s.startswith("BEGIN")]  # SQLite: the write lock a POST takes first
    assert len(statements) == 6, "\n".join(statements)
    assert "exam_predrawn_paper" in statements[1] and "exam_blueprint_part" in statements[1]


def test_a_submit_costs_a_fixed_number_of_statements_and_grades_every_question(demo):
    session, candidate = predrawn_session()
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    first = db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == 1)).scalar_one()
    attempts.save_answers(attempt, [{"question": first, "seq": 1, "response": {"choice": 0}}], utcnow())
    db.session.commit()
    with counted_statements() as statements:
        attempt = attempts.load_attempt(attempt.id, utcnow(), writes=True)  # what the request does first
        attempt, already = attempts.submit_attempt(attempt, utcnow())
        db.session.flush()
    assert not already and attempt.state == "graded" and attempt.score is not None
    assert len(statements) <= 14, statements
    assert db.session.execute(select(func.count()).select_from(AttemptGrade).join(AttemptQuestion)
                              .where(AttemptQuestion.attempt_id == attempt.id, AttemptGrade.current.is_(True))).scalar_one() == 30
    assert db.session.execute(select(func.count()).select_from(ModuleResult).where(ModuleResult.attempt_id == attempt.id)).scalar_one() == 6
    assert db.session.execute(select(func.count()).select_from(AttemptQuestion)
                              .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.fraction.is_(None))).scalar_one() == 0
    # Idempotent: a second submit changes nothing and grades nothing again.
    again, already = attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    assert already and again.score == attempt.score
    assert db.session.execute(select(func.count()).select_from(AttemptGrade).join(AttemptQuestion)
                              .where(AttemptQuestion.attempt_id == attempt.id)).scalar_one() == 30
    assert db.session.execute(select(func.count()).select_from(AttemptEvent)
                              .where(AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "submitted")).scalar_one() == 1


def test_an_attempt_is_read_and_locked_once_per_transaction_and_again_in_the_next(demo):
    session, candidate = predrawn_session()
    attempt, _ = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    attempt_id, session_id = attempt.id, session.id
    db.session.commit()
    with counted_statements() as statements:
        locked = attempts.lock_attempt(attempt_id)
        assert locked.candidate.session.id == session_id  # loaded with the lock, no further statement
        assert attempts.lock_attempt(attempt_id) is locked
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    db.session.commit()
    with counted_statements() as statements:
        attempts.lock_attempt(attempt_id)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def question(text, choices):
    return {"key": "K", "type": "single_choice", "text": text, "module": "IU01", "points": 1.0, "shuffle": True,
            "choices": [{"text": choice, "correct": index == 0, "feedback": "BÍ-MẬT"} for index, choice in enumerate(choices)]}


def body_of(version_id, data, order, locale="vi"):
    content = json.dumps(data, ensure_ascii=False)
    return queries._question_parts(version_id, content, locale).body(version_id, content, json.dumps(order), locale)


def choice_texts(html):
    return re.findall(r'<span class="letter"></span> <span>([^<]*)</span>', html)


def test_the_render_cache_never_answers_for_other_content_or_another_order(app):
    first = question("Câu thứ nhất", ["A1", "B1", "C1"])
    other = question("Câu khác hẳn", ["A2", "B2", "C2"])
    with app.test_request_context("/"):
        html = body_of(7, first, {"choices": [2, 0, 1]})
        assert "Câu thứ nhất" in html and choice_texts(html) == ["C1", "A1", "B1"]
        assert re.findall(r'value="(\d)"', html) == ["0", "1", "2"]  # the positions shown, never the options' own indexes
        # The same id with other content (a recreated database reuses ids) is rendered afresh.
        assert "Câu khác hẳn" in body_of(7, other, {"choices": [2, 0, 1]})
        # The same version in another candidate's order, from the same cached parts.
        assert choice_texts(body_of(7, first, {"choices": [1, 2, 0]})) == ["B1", "C1", "A1"]
        content = json.dumps(first, ensure_ascii=False)
        assert queries._question_parts(7, content, "vi") is queries._question_parts(7, content, "vi")
        assert "BÍ-MẬT" not in html and "correct" not in html and "checked" not in html
        # Each language has its own entry; an order that is not a permutation is refused.
        assert queries._question_parts(7, content, "en") is not queries._question_parts(7, content, "vi")
        with pytest.raises(ValueError):
            body_of(7, first, {"choices": [0, 0, 1]})
