"""The read paths of exam administration that aggregate per-attempt rows stay one statement
(or a fixed number) and aggregate only their own session's rows.

On a database holding several sessions, each with candidates, attempts, answers, late saves
and practical marks:

- the proctor board and the practical marking queue are one statement each and show only
  the session's candidates, attempts, late saves and marker counts (and, with a district
  scope, only that district's candidates);
- the session list is one statement whatever the number of sessions, each session with its
  own candidates / started / finished counts;
- a question's usage statistics are one statement that fetches one row per finished theory
  attempt that drew the question, never every question of every paper;
- pre-drawing a session costs the same number of statements for N candidates as for 2N.

On SQLite the statements of the board, the queue and the usage statistics also go through
EXPLAIN QUERY PLAN: none may scan a whole per-attempt table (questions of papers, answers,
events, grades; nor the attempts and candidates of every session); each must reach them by
an index lookup.
"""
import itertools
import re
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from exam_support import loaded, make_pool
from sqlalchemy import event, func, select

from lms.auth.services import find_user
from lms.exams import attempts, design, papers, starting
from lms.exams.manage import board, queries, stats
from lms.exams.manage.marking import mark_practical
from lms.exams.models import AttemptQuestion, ExamAttempt, ExamBlueprint, ExamCandidate, ExamSession, PredrawnPaper
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff, Unit
from lms.questionbank.models import Question, QuestionVersion
from lms.scope import Scope

# The per-attempt tables, and the attempts and candidates of every session: none may be walked
# whole to answer for one session.
BIG_TABLES = ("exam_attempt_question", "exam_attempt_answer", "exam_attempt_event", "exam_attempt_grade", "exam_attempt", "exam_candidate")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


# --- Counting and explaining statements -------------------------------------------------------------


@contextmanager
def counted_statements():
    """Every statement sent to the database inside the block, with its parameters, except the
    transaction control SQLite's BEGIN hook sends (not part of any read path)."""
    statements = []

    def count(_conn, _cursor, statement, parameters, _context, _executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def the_one_statement(call):
    """(what `call` returns, the one statement it sent with its parameters); fails if it sent
    any other number of statements."""
    with counted_statements() as statements:
        result = call()
    assert len(statements) == 1, "\n---\n".join(s for s, _p in statements)
    return result, statements[0]


def sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans depend on its statistics")


def query_plan(statement, parameters):
    """The detail column (the 4th) of EXPLAIN QUERY PLAN for a captured statement."""
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return [row[3] for row in rows]


def big_table_names(statement):
    """The names SQLite's plan gives the per-attempt tables in `statement`: their own, and any
    alias the statement gives them (the plan shows an aliased table by its alias alone)."""
    names = {table: table for table in BIG_TABLES}
    tables = "|".join(BIG_TABLES)
    for table, alias in re.findall(rf"\b({tables})\s+AS\s+(\w+)", statement):
        names[alias] = table
    return names


def index_tables():
    """{index name: its table} of the SQLite schema (a plan may name an index alone)."""
    return dict(db.session.connection().exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'").all())


def scans_of_big_tables(statement, plan, indexes=None):
    """Plan lines that walk a whole per-attempt table:

    - "SCAN <table>", bare (a full table scan) or "USING [COVERING] INDEX" (every entry of
      an index, no less whole);
    - "USING ROWID SEARCH ON TABLE <table> FOR IN-OPERATOR" (or "USING INDEX <index> FOR
      IN-OPERATOR"): a bare `IN (SELECT id FROM <table>)` whose list is the whole table.

    Only "SEARCH <table> USING … (column=?)" is a lookup."""
    names = big_table_names(statement)
    indexes = indexes or {}
    walks = []
    for detail in plan:
        scan = re.match(r"SCAN (\w+)", detail)
        in_list = re.match(r"USING (?:ROWID SEARCH ON TABLE (\w+)|(?:COVERING )?INDEX (\w+)) FOR IN-OPERATOR", detail)
        if scan and scan.group(1) in names:
            walks.append(detail)
        elif in_list and (in_list.group(1) in names or indexes.get(in_list.group(2)) in names):
            walks.append(detail)
    return walks


def assert_no_scan_of_big_tables(statement, parameters):
    plan = query_plan(statement, parameters)
    print("\n".join(plan))  # shown with -s
    assert any(detail.startswith("SEARCH exam_attempt_") for detail in plan), plan  # the plan reads them, by lookups
    assert scans_of_big_tables(statement, plan, index_tables()) == [], "\n".join(plan)


def test_the_scan_detector_reads_sqlites_plan_lines():
    """The detector itself, on plan lines as SQLite prints them (an aliased table by its alias)."""
    statement = "SELECT 1 FROM exam_attempt_question AS exam_attempt_question_1 JOIN exam_attempt_answer ON 1"
    bare = "SCAN exam_attempt_question_1"
    whole_index = "SCAN exam_attempt_event USING COVERING INDEX ix_exam_attempt_event_kind"
    attempts_of_every_session = "SCAN exam_attempt USING COVERING INDEX ix_exam_attempt_candidate_id"
    every_attempt_id = "USING ROWID SEARCH ON TABLE exam_attempt FOR IN-OPERATOR"
    every_candidate_id = "USING INDEX ix_exam_candidate_staff_id FOR IN-OPERATOR"
    plan = [bare, "SEARCH exam_attempt_answer USING INDEX sqlite_autoindex_exam_attempt_answer_1 (attempt_question_id=?)",
            whole_index, "SCAN exam_blueprint_part", "SCAN anon_1", "USE TEMP B-TREE FOR GROUP BY", attempts_of_every_session,
            "SEARCH exam_attempt USING INDEX ix_exam_attempt_part_id (part_id=?)", every_attempt_id, every_candidate_id,
            "USING ROWID SEARCH ON TABLE staff FOR IN-OPERATOR"]
    found = scans_of_big_tables(statement, plan, {"ix_exam_candidate_staff_id": "exam_candidate"})
    assert found == [bare, whole_index, attempts_of_every_session, every_attempt_id, every_candidate_id]


# --- Building the sessions ----------------------------------------------------------------------------

_id_numbers = itertools.count(1)


def person(unit, name):
    """A staff member of `unit` who has no user account (candidates need none)."""
    staff = Staff(full_name=name, id_number=f"099{next(_id_numbers):09d}", unit_id=unit.id)
    db.session.add(staff)
    db.session.flush()
    return staff


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def blueprint(name, theory_quotas, practical=True):
    """A small blueprint: every question of the pool's modules is on every paper, so that who
    drew what is known in advance."""
    plan = ExamBlueprint(name=name, kind="basic")
    db.session.add(plan)
    design.add_part(plan, "theory", "Lý thuyết", 30, theory_quotas)
    if practical:
        design.add_part(plan, "practical", "Thực hành", 90, [("IU03", 1)])
    db.session.flush()
    return plan


def session_of(plan, name, now, **options):
    return design.create_session(plan, name, now - timedelta(hours=1), now + timedelta(days=1), grace_seconds=30, **options)


class Sitting:
    """One candidate's attempt at one part, driven through the services as requests would."""

    def __init__(self, candidate, part, started):
        attempt, created = starting.start_attempt(candidate, part, started)
        assert created
        self.id, self.deadline = attempt.id, attempt.deadline_at
        self.attempt = attempt  # usable in this transaction
        self.questions = db.session.execute(
            select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
        ).scalars().all()
        self.seq = 0
        self.last_save = None

    def save(self, indexes, at):
        for index in indexes:
            self.seq += 1
            attempts.save_answers(self.attempt, [{"question": self.questions[index % len(self.questions)], "seq": self.seq,
                                                  "response": {"choice": 1}}], at)
            self.last_save = at

    def save_late(self, count):
        """`count` saves inside the grace after the deadline: each is late and logs a late_save."""
        at = self.deadline + timedelta(seconds=5)
        self.attempt = loaded(self.id, at)
        for index in range(count):
            self.save([index], at + timedelta(seconds=index))
        return at + timedelta(seconds=count)

    def submit(self, at):
        self.attempt = loaded(self.id, at)
        attempts.submit_attempt(self.attempt, at)
        db.session.commit()


def theory_sitting(candidate, plan, now, answers, late=0, submit=True, started_minutes_ago=50, saved_minutes_ago=49):
    """A theory attempt: `answers` saved in time, then `late` late saves, then the submit
    (at the last late save, or a minute after the in-time saves)."""
    sitting = Sitting(candidate, plan.parts[0], now - timedelta(minutes=started_minutes_ago))
    sitting.save(range(answers), now - timedelta(minutes=saved_minutes_ago))
    db.session.commit()
    finished_at = sitting.save_late(late) if late else now - timedelta(minutes=saved_minutes_ago - 1)
    db.session.commit()
    if submit:
        sitting.submit(finished_at)
    return sitting


def practical_sitting(candidate, plan, now, submit=True):
    sitting = Sitting(candidate, plan.parts[1], now - timedelta(minutes=45))
    db.session.commit()
    if submit:
        sitting.submit(now - timedelta(minutes=30))
    return sitting


def mark(sitting, score, now, username):
    attempt = loaded(sitting.id, now)
    mark_practical(attempt, {attempt.questions[0].id: [score]}, now, find_user(username))
    db.session.commit()


@pytest.fixture()
def sessions(demo):
    """Three sessions. A (double marking) and B (single marking) share a blueprint of six
    theory questions (all of IU01 and IU02) and one practical task; C's papers hold only IU02
    questions.

      A: a1 (GL) theory 3 answers + 2 late saves, submitted; practical marked by two markers (graded)
         a2 (GL) theory in progress, saved a minute ago (active); practical submitted, marked once
         a3 (BD) theory 1 answer + 1 late save, submitted; practical submitted, unmarked
         a4 (BD) not started
      B: b1 (GL) theory 2 answers + 4 late saves, submitted; practical marked (graded)
         b2 (BD) theory in progress, saved 3 minutes ago (not active); practical in progress
         b3 (BD) not started
      C: c1 (GL) theory 2 answers, submitted; c2 (BD) not started
    """
    now = utcnow()
    make_pool(per_module=3, modules=("IU01", "IU02"), practical=("IU03",))
    shared = blueprint("Cấu trúc A-B", [("IU01", 3), ("IU02", 3)])
    only_iu02 = blueprint("Cấu trúc C", [("IU02", 3)], practical=False)
    gl, bd = unit("GL"), unit("BD")
    a = session_of(shared, "Kỳ thi A", now, double_marking=True, reconcile_threshold=1.0)
    b = session_of(shared, "Kỳ thi B", now, organiser=gl)
    c = session_of(only_iu02, "Kỳ thi C", now)
    people = {}
    for session, prefix, units in ((a, "a", (gl, gl, bd, bd)), (b, "b", (gl, bd, bd)), (c, "c", (gl, bd))):
        for number, place in enumerate(units, start=1):
            key = f"{prefix}{number}"
            people[key] = design.add_candidate(session, person(place, f"Thí sinh {key.upper()}"), candidate_number=key.upper())
    db.session.commit()

    theory = {
        "a1": theory_sitting(people["a1"], shared, now, answers=3, late=2),
        "a2": theory_sitting(people["a2"], shared, now, answers=2, submit=False, started_minutes_ago=10, saved_minutes_ago=1),
        "a3": theory_sitting(people["a3"], shared, now, answers=1, late=1),
        "b1": theory_sitting(people["b1"], shared, now, answers=2, late=4),
        "b2": theory_sitting(people["b2"], shared, now, answers=1, submit=False, started_minutes_ago=5, saved_minutes_ago=3),
        "c1": theory_sitting(people["c1"], only_iu02, now, answers=2),
    }
    practical = {key: practical_sitting(people[key], shared, now, submit=key != "b2") for key in ("a1", "a2", "a3", "b1", "b2")}
    mark(practical["a1"], 8.0, now - timedelta(minutes=20), "trainer")
    mark(practical["a1"], 7.5, now - timedelta(minutes=19), "admin")  # within the threshold: the mean counts
    mark(practical["a2"], 6.0, now - timedelta(minutes=18), "trainer")  # one blind mark: still waiting
    mark(practical["b1"], 9.0, now - timedelta(minutes=17), "trainer")  # single marking: graded at once

    iu01 = db.session.execute(select(Question.id).where(Question.key == "IU01-0")).scalar_one()
    task = db.session.execute(select(Question.id).where(Question.type == "practical")).scalar_one()
    data = SimpleNamespace(
        now=now, gl_path=gl.path, sessions={"A": a.id, "B": b.id, "C": c.id},
        candidates={key: candidate.id for key, candidate in people.items()},
        theory={key: sitting.id for key, sitting in theory.items()},
        practical={key: sitting.id for key, sitting in practical.items()},
        last_save={key: sitting.last_save for key, sitting in theory.items()},
        iu01_question=iu01, practical_task=task,
    )
    db.session.commit()
    db.session.expunge_all()  # nothing the reads below need is already loaded
    return data


def rows_by_attempt(rows):
    return {row["attempt_id"]: row for row in rows}


# --- 1. The proctor board -----------------------------------------------------------------------------


def test_the_proctor_board_is_one_statement_showing_only_its_sessions_candidates_and_late_saves(sessions):
    rows, _statement = the_one_statement(lambda: board.proctor_board(sessions.sessions["A"], sessions.now, Scope.city()))
    mine = {sessions.candidates[key] for key in ("a1", "a2", "a3", "a4")}
    assert {row["candidate_id"] for row in rows} == mine
    # One row per (candidate, attempt), in candidate-number then part order; a4 has not started.
    assert [(row["candidate_number"], row["part"]) for row in rows] == [
        ("A1", "theory"), ("A1", "practical"), ("A2", "theory"), ("A2", "practical"), ("A3", "theory"), ("A3", "practical"), ("A4", None)]
    by_attempt = rows_by_attempt(rows)
    theory, practical = sessions.theory, sessions.practical
    assert set(by_attempt) == {theory["a1"], theory["a2"], theory["a3"], practical["a1"], practical["a2"], practical["a3"], None}
    # Late saves and answers of each attempt, from its own rows only (B's b1 has 4 late saves).
    assert {key: by_attempt[theory[key]]["late_saves"] for key in ("a1", "a2", "a3")} == {"a1": 2, "a2": 0, "a3": 1}
    assert {key: by_attempt[theory[key]]["answered"] for key in ("a1", "a2", "a3")} == {"a1": 3, "a2": 2, "a3": 1}
    assert all(by_attempt[practical[key]]["late_saves"] == 0 and by_attempt[practical[key]]["answered"] == 0 for key in ("a1", "a2", "a3"))
    assert {key: by_attempt[theory[key]]["last_save_at"] for key in ("a1", "a2", "a3")} == {
        key: sessions.last_save[key].isoformat() for key in ("a1", "a2", "a3")}
    assert {key: by_attempt[theory[key]]["state"] for key in ("a1", "a2", "a3")} == {"a1": "graded", "a2": "in_progress", "a3": "graded"}
    assert by_attempt[None]["state"] == "not_started" and by_attempt[None]["late_saves"] == 0
    assert board.board_summary(rows) == {"candidates": 4, "started": 3, "active": 1, "submitted": 3, "late_saves": 3}

    other = board.proctor_board(sessions.sessions["B"], sessions.now, Scope.city())
    assert {row["candidate_id"] for row in other} == {sessions.candidates[key] for key in ("b1", "b2", "b3")}
    assert rows_by_attempt(other)[theory["b1"]]["late_saves"] == 4 and rows_by_attempt(other)[theory["b1"]]["answered"] == 4
    assert board.board_summary(other) == {"candidates": 3, "started": 2, "active": 0, "submitted": 1, "late_saves": 4}


def test_the_proctor_board_of_a_district_scope_shows_only_that_districts_candidates(sessions):
    rows, _statement = the_one_statement(lambda: board.proctor_board(sessions.sessions["A"], sessions.now, Scope([sessions.gl_path])))
    assert {row["candidate_id"] for row in rows} == {sessions.candidates["a1"], sessions.candidates["a2"]}
    assert board.board_summary(rows) == {"candidates": 2, "started": 2, "active": 1, "submitted": 2, "late_saves": 2}


def test_the_proctor_board_reaches_the_per_attempt_tables_by_index(sessions):
    sqlite_only()
    _rows, (statement, parameters) = the_one_statement(lambda: board.proctor_board(sessions.sessions["A"], sessions.now, Scope.city()))
    assert_no_scan_of_big_tables(statement, parameters)


def test_the_proctor_boards_late_saves_are_looked_up_by_the_sessions_attempts(sessions):
    sqlite_only()
    _rows, (statement, parameters) = the_one_statement(lambda: board.proctor_board(sessions.sessions["A"], sessions.now, Scope.city()))
    events = [detail for detail in query_plan(statement, parameters) if "exam_attempt_event" in detail]
    assert events and all("attempt_id=?" in detail for detail in events), events


# --- 2. The practical marking queue -------------------------------------------------------------------


def test_the_practical_queue_is_one_statement_listing_only_its_sessions_finished_practical_attempts(sessions):
    queue, _statement = the_one_statement(lambda: board.practical_queue(sessions.sessions["A"], Scope.city()))
    practical = sessions.practical
    # Not yet graded first (oldest submit first), graded last; theory attempts never appear.
    assert [entry["attempt"].id for entry in queue] == [practical["a2"], practical["a3"], practical["a1"]]
    progress = {entry["attempt"].id: (entry["number"], entry["tasks"], entry["marker1"], entry["marker2"], entry["attempt"].state)
                for entry in queue}
    assert progress == {
        practical["a1"]: ("A1", 1, 1, 1, "graded"),
        practical["a2"]: ("A2", 1, 1, 0, "submitted"),
        practical["a3"]: ("A3", 1, 0, 0, "submitted"),
    }
    other = board.practical_queue(sessions.sessions["B"], Scope.city())
    # b2's practical attempt is still open: not in the queue.
    assert [(entry["attempt"].id, entry["tasks"], entry["marker1"], entry["marker2"]) for entry in other] == [(practical["b1"], 1, 1, 0)]
    assert board.practical_queue(sessions.sessions["C"], Scope.city()) == []


def test_the_practical_queue_of_a_district_scope_lists_only_that_districts_candidates(sessions):
    queue, _statement = the_one_statement(lambda: board.practical_queue(sessions.sessions["A"], Scope([sessions.gl_path])))
    assert {entry["attempt"].id for entry in queue} == {sessions.practical["a1"], sessions.practical["a2"]}


def test_the_practical_queue_reaches_the_per_attempt_tables_by_index(sessions):
    sqlite_only()
    _queue, (statement, parameters) = the_one_statement(lambda: board.practical_queue(sessions.sessions["A"], Scope.city()))
    assert_no_scan_of_big_tables(statement, parameters)


# --- 3. The session list ------------------------------------------------------------------------------


def counts_by_name(rows):
    return {row["session"].name: (row["candidates"], row["started"], row["finished"]) for row in rows}


def test_the_session_list_is_one_statement_with_each_sessions_own_counts(sessions):
    def listing():
        rows = queries.sessions_with_counts(Scope.city())
        # What the list page shows of each row: loaded with it, no statement per session.
        return rows, [(row["session"].blueprint.name, row["session"].organiser.code) for row in rows]

    (rows, shown), _statement = the_one_statement(listing)
    # candidates, candidates who started, finished attempts (of any part)
    assert counts_by_name(rows) == {"Kỳ thi A": (4, 3, 5), "Kỳ thi B": (3, 2, 2), "Kỳ thi C": (2, 1, 1)}
    assert sorted(shown) == [("Cấu trúc A-B", "GL"), ("Cấu trúc A-B", "HN"), ("Cấu trúc C", "HN")]
    # The organiser's scope: Gia Lâm reaches the session it organises, with the same counts.
    assert counts_by_name(queries.sessions_with_counts(Scope([sessions.gl_path]))) == {"Kỳ thi B": (3, 2, 2)}


def test_the_session_list_stays_one_statement_as_sessions_are_added(sessions):
    now = sessions.now
    plan = db.session.execute(select(ExamBlueprint).where(ExamBlueprint.name == "Cấu trúc C")).scalar_one()
    staff = db.session.execute(select(Staff).where(Staff.full_name == "Thí sinh C1")).scalar_one()
    for number in range(5):
        extra = session_of(plan, f"Kỳ thi thêm {number}", now - timedelta(days=number + 1))
        design.add_candidate(extra, staff)
    db.session.commit()
    db.session.expunge_all()
    rows, _statement = the_one_statement(lambda: queries.sessions_with_counts(Scope.city()))
    assert len(rows) == 8
    counts = counts_by_name(rows)
    assert all(counts[f"Kỳ thi thêm {number}"] == (1, 0, 0) for number in range(5))
    assert counts["Kỳ thi A"] == (4, 3, 5)
    # Newest first.
    assert [row["session"].opens_at for row in rows] == sorted((row["session"].opens_at for row in rows), reverse=True)


# --- 4. A question's usage statistics -----------------------------------------------------------------


def finished_theory_attempts_showing(question_id):
    """The expectation, read independently: finished theory attempts whose paper has the question."""
    return set(db.session.execute(
        select(ExamAttempt.id)
        .join(AttemptQuestion, AttemptQuestion.attempt_id == ExamAttempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .where(QuestionVersion.question_id == question_id, ExamAttempt.state.in_(("submitted", "auto_submitted", "graded")),
               ExamAttempt.part.has(kind="theory"))
    ).scalars())


def test_question_usage_stats_is_one_statement_fetching_one_row_per_finished_theory_attempt_that_drew_it(sessions):
    question_id = sessions.iu01_question
    theory = sessions.theory
    expected = {theory["a1"], theory["a3"], theory["b1"]}  # c1's papers have no IU01; a2 and b2 are still open
    assert finished_theory_attempts_showing(question_id) == expected
    drew_it = db.session.execute(
        select(func.count(func.distinct(AttemptQuestion.attempt_id)))
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id).where(QuestionVersion.question_id == question_id)
    ).scalar_one()
    assert drew_it == 5  # the open attempts drew it too
    figures, (statement, parameters) = the_one_statement(lambda: stats.question_usage_stats(question_id))
    assert figures["Số lượt thi"] == 3
    fractions = db.session.execute(
        select(AttemptQuestion.fraction).join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .where(QuestionVersion.question_id == question_id, AttemptQuestion.attempt_id.in_(expected))
    ).scalars().all()
    assert figures["Độ khó (tỉ lệ làm đúng)"] == pytest.approx(sum(fractions) / 3, abs=1e-3)

    # What the statement itself brings back: one row per such attempt, with the whole paper's
    # points of that attempt (six questions) summed in SQL.
    fetched = db.session.connection().exec_driver_sql(statement, parameters).all()
    all_paper_rows = db.session.execute(select(func.count(AttemptQuestion.id))).scalar_one()
    assert len(fetched) == 3 < all_paper_rows
    assert {row[0] for row in fetched} == expected
    points = db.session.execute(select(ExamAttempt.id, ExamAttempt.earned_points, ExamAttempt.possible_points)
                                .where(ExamAttempt.id.in_(expected))).all()
    assert {(row[0], round(row[1], 6), round(row[2], 6)) for row in fetched} == {(a, round(e, 6), round(p, 6)) for a, e, p in points}
    assert all(row[2] == 6.0 for row in fetched)


def test_question_usage_stats_counts_no_practical_attempt_and_no_question_nobody_drew(sessions):
    # The practical task is on five practical papers (four finished, b2's still open), none of them theory.
    drew_task = db.session.execute(
        select(func.count(AttemptQuestion.id)).join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .where(QuestionVersion.question_id == sessions.practical_task)
    ).scalar_one()
    assert drew_task == 5
    figures, _statement = the_one_statement(lambda: stats.question_usage_stats(sessions.practical_task))
    assert figures == {}
    # An IU02 question is on C's paper too: four finished theory attempts (a1, a3, b1, c1).
    iu02 = db.session.execute(select(Question.id).where(Question.key == "IU02-0")).scalar_one()
    assert stats.question_usage_stats(iu02)["Số lượt thi"] == 4


def test_question_usage_stats_reaches_the_per_attempt_tables_by_index(sessions):
    sqlite_only()
    _figures, (statement, parameters) = the_one_statement(lambda: stats.question_usage_stats(sessions.iu01_question))
    assert_no_scan_of_big_tables(statement, parameters)


# --- 5. Pre-drawing a session -------------------------------------------------------------------------


def predraw_statements(candidate_count, name):
    """Pre-draw a fresh session of `candidate_count` candidates (its own blueprint, nothing
    loaded beforehand): (the statements sent with their parameters, papers drawn, the session's id)."""
    now = utcnow()
    plan = blueprint(f"Cấu trúc {name}", [("IU01", 3), ("IU02", 3)])
    session = session_of(plan, f"Kỳ thi {name}", now)
    place = unit("GL")
    for number in range(candidate_count):
        design.add_candidate(session, person(place, f"Thí sinh {name}-{number}"))
    db.session.commit()
    session_id = session.id
    db.session.expunge_all()
    session = db.session.get(ExamSession, session_id)
    with counted_statements() as statements:
        drawn = papers.predraw_session(session, now)
        db.session.flush()
    db.session.commit()
    return statements, drawn, session_id


def papers_of(session_id):
    return set(db.session.execute(
        select(PredrawnPaper.candidate_id, PredrawnPaper.part_id)
        .join(ExamCandidate, ExamCandidate.id == PredrawnPaper.candidate_id).where(ExamCandidate.session_id == session_id)
    ).all())


def test_predrawing_a_session_costs_the_same_statements_for_n_and_2n_candidates(demo):
    make_pool(per_module=3, modules=("IU01", "IU02"), practical=("IU03",))
    db.session.commit()
    small, drawn_small, small_id = predraw_statements(3, "N")
    large, drawn_large, large_id = predraw_statements(6, "2N")
    assert (drawn_small, drawn_large) == (6, 12)  # a theory and a practical paper each
    print(f"\npre-draw: {len(small)} statements for 3 candidates, {len(large)} for 6")
    assert len(small) == len(large), "\n---\n".join([s for s, _p in small] + ["=== 2N ==="] + [s for s, _p in large])
    for statements, drawn in ((small, drawn_small), (large, drawn_large)):
        inserts = [(s, p) for s, p in statements if s.lstrip().upper().startswith("INSERT")]
        # One INSERT into exam_predrawn_paper, sent once with every paper's row.
        assert len(inserts) == 1 and "exam_predrawn_paper" in inserts[0][0], [s for s, _p in inserts]
        assert len(inserts[0][1]) == drawn
    assert len(papers_of(small_id)) == 6 and len(papers_of(large_id)) == 12
    # Pre-drawing again keeps every paper and inserts none.
    session = db.session.get(ExamSession, large_id)
    with counted_statements() as again:
        assert papers.predraw_session(session, utcnow()) == 0
    assert not any("INSERT" in statement.upper() for statement, _p in again)
