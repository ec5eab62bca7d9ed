"""Several worker processes at the same moment on one database (a SQLite file; PostgreSQL when
LMS_TEST_DATABASE_URL is set): one submit of an attempt, one certificate per sitting, and
register numbers without a gap or a duplicate. The same in threads of one process:
tests/integration/test_certificate_issuance.py (issuance), test_sqlite_writer_queue.py (the queue)."""
from collections import Counter

import pytest
from certificate_support import PASSING, released_session
from exam_support import BASIC, answer, make_pool, make_session
from processes import Workers
from sqlalchemy import func, select

from lms.certificates import authority as authorities
from lms.certificates import issuance, numbering
from lms.certificates.models import Certificate
from lms.database import immediate_transactions
from lms.exams import starting
from lms.exams.attempts import load_attempt, submit_attempt
from lms.exams.models import AttemptEvent, AttemptGrade, AttemptQuestion
from lms.extensions import db
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.scope import Scope

WORKERS = 3


@pytest.fixture(scope="module")
def workers(served_config):
    pool = Workers(served_config, WORKERS)
    yield pool
    pool.close()


# --- what each worker does (module level: the worker processes import it) -----------------------------


def submit_in_a_worker(attempt_id):
    """What a submit request does: (whether it found the attempt already submitted, its state)."""
    with immediate_transactions():
        attempt, already = submit_attempt(load_attempt(attempt_id, utcnow(), writes=True), utcnow())
        state = attempt.state
        db.session.commit()
    return already, state


def issue_in_a_worker(pending):
    """What a certificate batch does: each pending sitting issued and committed; [(candidate, issued now)]."""
    issued = []
    with immediate_transactions():
        for item in pending:
            certificate, created = issuance.issue(item, authorities.current(), utcnow())
            issued.append((certificate.candidate_id, created))
            db.session.commit()
    return issued


def number_in_a_worker(counter, count):
    """`count` numbers taken from the counter, one transaction each, every third rolled back
    (its number must come back); the numbers committed."""
    kept = []
    with immediate_transactions():
        for index in range(count):
            value = numbering.next_value(counter)
            if index % 3 == 2:
                db.session.rollback()
            else:
                db.session.commit()
                kept.append(value)
    return kept


# --- the tests --------------------------------------------------------------------------------------------


def test_an_attempt_submitted_by_several_workers_at_once_is_submitted_and_graded_once(demo, workers):
    make_pool()
    session, candidate = make_session()
    attempt, created = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    assert created
    answer(attempt, dict.fromkeys(BASIC, 3))
    db.session.commit()
    attempt_id = attempt.id

    results = workers.run(submit_in_a_worker, attempt_id)
    assert sorted(already for already, _state in results) == [False] + [True] * (WORKERS - 1)
    assert len({state for _already, state in results}) == 1
    db.session.rollback()  # this session's next reads see what the workers committed
    kinds = Counter(db.session.execute(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)).scalars())
    assert kinds["submitted"] == 1 and kinds["auto_submitted"] == 0, kinds
    questions = db.session.execute(select(func.count(AttemptQuestion.id)).where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
    grades = db.session.execute(select(func.count(AttemptGrade.id)).join(AttemptQuestion, AttemptQuestion.id == AttemptGrade.attempt_question_id)
                                .where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
    assert grades == questions  # one grade per question, not one per worker


def test_certificates_issued_by_several_workers_at_once_are_one_per_sitting_numbered_without_a_gap(demo, workers):
    session, candidates, _attempts = released_session([PASSING] * 5)
    authorities.current()  # the development CA made once, before the workers sign with it
    pending = issuance.pending_in_session(session, Scope.city())
    assert len(pending) == 5
    db.session.commit()

    results = workers.run(issue_in_a_worker, pending)
    created = Counter(candidate for issued in results for candidate, now in issued if now)
    assert created == dict.fromkeys(candidates, 1)  # each sitting issued by exactly one worker
    db.session.rollback()
    rows = db.session.execute(select(Certificate.candidate_id, Certificate.register_seq, Certificate.register_number, Certificate.status_index)
                              .order_by(Certificate.register_seq)).all()
    assert sorted(candidate for candidate, *_rest in rows) == sorted(candidates)
    assert [seq for _candidate, seq, _number, _index in rows] == [1, 2, 3, 4, 5]
    assert len({number for _candidate, _seq, number, _index in rows}) == 5
    assert sorted(index for *_rest, index in rows) == [0, 1, 2, 3, 4]


def test_register_numbers_taken_by_several_workers_at_once_have_no_gap_and_no_duplicate(db, workers):
    counter = numbering.register_counter(local_today().year)  # a new year: the workers also race to create its counter
    results = workers.run(number_in_a_worker, counter, 12)
    kept = [value for values in results for value in values]
    assert len(kept) == WORKERS * 8
    assert sorted(kept) == list(range(1, len(kept) + 1))  # the rolled-back numbers were given again
    assert all(values == sorted(values) for values in results)  # each worker's numbers rise
