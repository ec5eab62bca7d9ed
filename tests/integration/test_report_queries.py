"""The competency reports' aggregations (lms.reports) checked against numbers worked out by
hand on a small organisation built here, through the real services: units created, closed
and merged; staff created and moved (postings); accounts provisioned; lessons completed;
assignments; exam sittings graded through the result events; certificates issued.

The organisation (codes; staff by the initial of their family name):

  HN city
  ├── DA district — Q (its own office)
  │   ├── DA-01 — N, T, L, and B since DA-04 merged into it (today)
  │   ├── DA-02 — H, V; P since 2017-06-15 (in DA-01 before); C (has left, still posted here)
  │   ├── DA-03 closed — K
  │   └── DA-04 merged into DA-01 — B until the merger
  └── DB district
      ├── DB-01 — M, G
      └── DB-02 — S

Titles: CC-VANPHONG (path IU01–IU06 + IU07) Q N P K M; CC-TAICHINH (+ IU08) T H V G C;
CC-CONGAN (+ IU14) L B S. Accounts: Q N T P H M S (and none else).

Exam facts (best passing module scores, through grading and the result events):
  N  2016-11-15 basic, all right: IU01–IU06 10; 2017-08-10 advanced, all right: IU07–IU09 10
  P  2016-11-15 basic, 19/30: IU01 10, IU02 10, IU03 8, IU04 6 (IU05 4, IU06 0 not passed)
  T  2016-11-20 IU01 2.0 (failed), 2017-02-10 IU01 7.0
  L  2017-02-20 IU01 6.0, 2017-05-15 IU01 8.5: one fact, 8.5
  Q  2017-05-20 basic, 19/30 (as P);  M 2017-05-20 basic, all right
Certificates: N basic 2017-05-10, N advanced 2017-10-05, M basic 2017-08-20.
Courses: IU01 (two published lessons, one unpublished), IU02 (one published lesson).
  N completed both IU01 lessons (2016-11-01); T completed one (2017-02-10) and opened IU02's
  (2017-02-11); P opened one (2016-10-10); S completed one (2017-03-05); Q completed only
  the unpublished one, which counts for nothing.
Assignments: IU01 to DA by 2017-03-31 (overdue: all of DA but N); IU02 to CC-TAICHINH
  city-wide by 2099-12-31; IU01 to DB-01 by 2099-06-30.
"""
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from exam_support import add_question, module_codes, single_choice
from sqlalchemy import event, select, text, update

from lms.auth.models import User
from lms.auth.provisioning import provision_staff
from lms.catalogue.loader import load_catalogues
from lms.catalogue.models import Module, Title
from lms.certificates import authority as authorities
from lms.certificates import issuance
from lms.courses import services as courses
from lms.database import begin_immediate
from lms.exams import attempts, design, starting
from lms.exams.manage.services import release_results
from lms.exams.models import ExamBlueprint, ExamCandidate
from lms.extensions import db
from lms.localtime import LOCAL_TIMEZONE
from lms.org import services as org
from lms.org.models import StaffPosting, Unit
from lms.questionbank.models import QuestionBank
from lms.reports import queries
from lms.reports.facts import build_context
from lms.reports.filters import ReportScopeError, parse_filters
from lms.scope import Scope

BASIC = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
ALL_RIGHT = {code: 5 for code in BASIC}
NINETEEN = {"IU01": 5, "IU02": 5, "IU03": 4, "IU04": 3, "IU05": 2, "IU06": 0}  # 6.33: IU01–IU04 passed
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def hanoi(year, month, day, hour=9):
    return datetime(year, month, day, hour, tzinfo=LOCAL_TIMEZONE)


# --- Building the organisation ----------------------------------------------------------------


def _empty_tables_with_catalogues():
    """What the suite's `db` fixture does, once for this module: the reports only read, so
    every test shares one fixture instead of rebuilding it."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    load_catalogues()
    db.session.commit()


def _sit(candidate, part, correct, at):
    """Start, answer (the first `correct[code]` questions of each module right) and submit a
    theory attempt at `at`: graded at submit, which records the result event and the facts."""
    attempt, created = starting.start_attempt(candidate, part, at)
    assert created
    codes = module_codes(attempt)
    seen, entries = {}, []
    for question in attempt.questions:
        code = codes[question.id]
        seen[code] = seen.get(code, 0) + 1
        entries.append({"question": question.id, "seq": 1, "response": {"choice": 1 if seen[code] <= correct.get(code, 0) else 0}})
    attempts.save_answers(attempt, entries, at + timedelta(minutes=5))
    attempts.submit_attempt(attempt, at + timedelta(minutes=10))
    db.session.flush()
    return attempt


def _issue(session, staff, at):
    """Issue the certificate of `staff`'s sitting in `session` as on `at` (its issue date)."""
    [pending] = [p for p in issuance.pending_in_session(session, Scope.city())
                 if db.session.get(ExamCandidate, p.candidate_id).staff_id == staff.id]
    certificate, created = issuance.issue(pending, authorities.current(), at)
    assert created
    return certificate


def _organisation():
    """Units, staff and their postings, through the org services; the accounts provisioned."""
    units, people = {}, {}
    units["HN"] = org.create_unit("HN", "Thành phố Hà Nội", "city")
    for district in ("DA", "DB"):
        units[district] = org.create_unit(district, f"Huyện {district}", "rural_district", units["HN"])
    for code in ("DA-01", "DA-02", "DA-03", "DA-04", "DB-01", "DB-02"):
        units[code] = org.create_unit(code, f"Xã {code}", "commune", units[code[:2]])
    titles = {t.code: t for t in db.session.execute(select(Title)).scalars()}
    roster = [  # key, full name, unit, title, status
        ("Q", "Quách Văn Huyện", "DA", "CC-VANPHONG", "active"), ("N", "Nguyễn Thị An", "DA-01", "CC-VANPHONG", "active"),
        ("T", "Trần Văn Bình", "DA-01", "CC-TAICHINH", "active"), ("L", "Lê Văn Cường", "DA-01", "CC-CONGAN", "active"),
        ("P", "Phạm Văn Di", "DA-01", "CC-VANPHONG", "active"), ("H", "Hoàng Thị Em", "DA-02", "CC-TAICHINH", "active"),
        ("V", "Vũ Văn Giang", "DA-02", "CC-TAICHINH", "active"), ("C", "Cao Văn Phúc", "DA-02", "CC-TAICHINH", "left"),
        ("K", "Kiều Thị Hà", "DA-03", "CC-VANPHONG", "active"), ("B", "Bùi Văn Khánh", "DA-04", "CC-CONGAN", "active"),
        ("M", "Mai Thị Lan", "DB-01", "CC-VANPHONG", "active"), ("G", "Giáp Văn Minh", "DB-01", "CC-TAICHINH", "active"),
        ("S", "Sầm Thị Nga", "DB-02", "CC-CONGAN", "active"),
    ]
    for number, (key, name, unit, title, status) in enumerate(roster, start=1):
        people[key], _created = org.save_staff({"id_number": f"0010{number:08d}", "full_name": name, "status": status},
                                               units[unit], titles[title])
    # The services stamp a posting with the moment of the call; this organisation's history
    # starts on 2016-01-01, so the first postings are dated then.
    db.session.execute(update(StaffPosting).values(started_at=hanoi(2016, 1, 1, 0)))
    org.transfer_staff(people["P"], units["DA-02"], people["P"].title, reason="Điều động")
    moved_on = hanoi(2017, 6, 15)
    db.session.execute(update(StaffPosting).where(StaffPosting.staff_id == people["P"].id, StaffPosting.ended_at.is_not(None))
                       .values(ended_at=moved_on))
    db.session.execute(update(StaffPosting).where(StaffPosting.staff_id == people["P"].id, StaffPosting.ended_at.is_(None))
                       .values(started_at=moved_on))
    org.close_unit(units["DA-03"], date(2017, 12, 31), "Giải thể")
    org.merge_unit(units["DA-04"], units["DA-01"], reason="Sáp nhập")  # today: B moves to DA-01 now
    provision_staff([people[key].id for key in "QNTPHMS"], email_codes=False)  # no password: nothing to hash
    return units, people, titles


def _learning(units, people, titles, modules):
    """The two courses, lesson progress and the assignments."""
    users = {key: db.session.execute(select(User).where(User.staff_id == people[key].id)).scalar_one() for key in "QNTPHMS"}
    iu01 = courses.create_course(modules["IU01"], published=True)
    iu02 = courses.create_course(modules["IU02"], published=True)
    lesson = {}
    for key, course, code, published in (("L1", iu01, "IU01.1.1", True), ("L2", iu01, "IU01.2.1", True),
                                         ("L3", iu01, "IU01.3.1", False), ("M1", iu02, "IU02.1.1", True)):
        lesson[key] = courses.save_lesson(course, {"syllabus_code": code, "slug": key.lower(), "title": f"Bài {key}", "body": "Nội dung",
                                                   "minutes": 10, "published": published})
    courses.mark_done(users["N"], lesson["L1"], now=hanoi(2016, 11, 1))
    courses.mark_done(users["N"], lesson["L2"], now=hanoi(2016, 11, 1, 10))
    courses.mark_done(users["T"], lesson["L1"], now=hanoi(2017, 2, 10))
    courses.open_lesson(users["T"], lesson["M1"], now=hanoi(2017, 2, 11))
    courses.open_lesson(users["P"], lesson["L1"], now=hanoi(2016, 10, 10))
    courses.mark_done(users["S"], lesson["L1"], now=hanoi(2017, 3, 5))
    courses.mark_done(users["Q"], lesson["L3"], now=hanoi(2016, 12, 1))  # unpublished: not counted anywhere
    courses.create_assignment(iu01, date(2017, 3, 31), None, unit=units["DA"])
    courses.create_assignment(iu02, date(2099, 12, 31), None, title=titles["CC-TAICHINH"])
    courses.create_assignment(iu01, date(2099, 6, 30), None, unit=units["DB-01"])


def _exams(people):
    """Sittings graded through the real result path, their release and the certificates."""
    bank = QuestionBank(name="Ngân hàng báo cáo")
    db.session.add(bank)
    db.session.flush()
    for code, count in [("IU01", 20)] + [(code, 5) for code in BASIC[1:] + ("IU07", "IU08", "IU09")]:
        for index in range(count):
            add_question(bank, single_choice(f"{code}-{index}", code))
    basic = design.default_basic_blueprint(name="Cơ bản", with_practical=False)
    retake = ExamBlueprint(name="Thi lại IU01", kind="basic")  # 20 IU01 questions: scores in steps of 0.5
    db.session.add(retake)
    design.add_part(retake, "theory", "Lý thuyết IU01", 30, [("IU01", 20)])
    advanced = ExamBlueprint(name="Nâng cao", kind="advanced")
    db.session.add(advanced)
    design.add_part(advanced, "theory", "Lý thuyết nâng cao", 30, [("IU07", 5), ("IU08", 5), ("IU09", 5)])
    db.session.flush()
    s1 = design.create_session(basic, "Cơ bản 2016", hanoi(2016, 11, 1), hanoi(2016, 12, 31), council="Hội đồng 2016")
    s2 = design.create_session(basic, "Cơ bản 2017", hanoi(2017, 5, 1), hanoi(2017, 5, 31), council="Hội đồng 2017")
    s3 = design.create_session(advanced, "Nâng cao 2017", hanoi(2017, 8, 1), hanoi(2017, 8, 31), council="Hội đồng nâng cao")
    again = design.create_session(retake, "Thi lại", hanoi(2016, 11, 1), hanoi(2017, 6, 30), attempts_allowed=3)
    candidate = {key: design.add_candidate(session, people[key[0]]) for key, session in
                 (("N1", s1), ("P1", s1), ("Q2", s2), ("M2", s2), ("N3", s3), ("T", again), ("L", again))}
    _sit(candidate["N1"], basic.parts[0], ALL_RIGHT, hanoi(2016, 11, 15))
    _sit(candidate["P1"], basic.parts[0], NINETEEN, hanoi(2016, 11, 15))
    _sit(candidate["T"], retake.parts[0], {"IU01": 4}, hanoi(2016, 11, 20))  # 2.0: failed
    _sit(candidate["T"], retake.parts[0], {"IU01": 14}, hanoi(2017, 2, 10))  # 7.0
    _sit(candidate["L"], retake.parts[0], {"IU01": 12}, hanoi(2017, 2, 20))  # 6.0
    _sit(candidate["L"], retake.parts[0], {"IU01": 17}, hanoi(2017, 5, 15))  # 8.5: the one that counts
    _sit(candidate["Q2"], basic.parts[0], NINETEEN, hanoi(2017, 5, 20))
    _sit(candidate["M2"], basic.parts[0], ALL_RIGHT, hanoi(2017, 5, 20))
    _sit(candidate["N3"], advanced.parts[0], {"IU07": 5, "IU08": 5, "IU09": 5}, hanoi(2017, 8, 10))
    for session, released in ((s1, hanoi(2016, 12, 1)), (s2, hanoi(2017, 6, 1)), (s3, hanoi(2017, 8, 15))):
        release_results(session, released, None)
    _issue(s1, people["N"], hanoi(2017, 5, 10))
    _issue(s2, people["M"], hanoi(2017, 8, 20))
    _issue(s3, people["N"], hanoi(2017, 10, 5))  # needs N's basic certificate, issued above


def _build():
    units, people, titles = _organisation()
    modules = {m.code: m for m in db.session.execute(select(Module)).scalars()}
    _learning(units, people, titles, modules)
    _exams(people)
    db.session.commit()
    return SimpleNamespace(unit={code: u.id for code, u in units.items()}, path={code: u.path for code, u in units.items()},
                           staff={key: p.id for key, p in people.items()}, module={code: m.id for code, m in modules.items()})


@pytest.fixture(scope="module", name="world")  # named: test_report_queries_breakdowns shares it
def world_fixture(app):
    with app.app_context():
        _empty_tables_with_catalogues()
        built = _build()
        begin_immediate(False)  # the exam loader leaves SQLite's next transactions taking the write lock
        db.session.remove()
    return built


@pytest.fixture(name="reports")
def reports_fixture(app, world):
    """An app context over the shared organisation; whatever a test writes is rolled back."""
    with app.app_context():
        yield world
        db.session.rollback()
        db.session.remove()


def context(scope, report="units", **args):
    return build_context(scope, parse_filters(report, {key: str(value) for key, value in args.items()}))


def district_a(world):
    return Scope([world.path["DA"]])


MEASURE_KEYS = ("staff", "accounts", "enrolled", "lessons", "basic", "advanced", "certified", "certified_advanced", "overdue",
                "mean_score", "basic_rate")


def measures(row):
    return {key: row[key] for key in MEASURE_KEYS}


def expected(staff, accounts=0, enrolled=0, lessons=0, basic=0, advanced=0, certified=0, certified_advanced=0, overdue=0,
             mean_score=None):
    """The measures as worked out by hand; the rate follows from staff and basic."""
    return pytest.approx({"staff": staff, "accounts": accounts, "enrolled": enrolled, "lessons": lessons, "basic": basic,
                          "advanced": advanced, "certified": certified, "certified_advanced": certified_advanced,
                          "overdue": overdue, "mean_score": mean_score, "basic_rate": basic / staff if staff else None})


def by_code(rows):
    return {row["code"]: row for row in rows}


@contextmanager
def counted_statements():
    """The statements sent to the database inside the block (transaction control aside)."""
    statements = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# --- The units report, now --------------------------------------------------------------------

# N 60+30 (nine modules), P and Q 34 (four), T 7, L 8.5 (one each); M 60 (six).
DISTRICT_A_NOW = dict(staff=9, accounts=5, enrolled=3, lessons=3, basic=1, advanced=1, certified=1, certified_advanced=1,
                      overdue=8, mean_score=(90 + 34 + 34 + 7 + 8.5) / 19)
DISTRICT_B_NOW = dict(staff=3, accounts=2, enrolled=1, lessons=1, basic=1, certified=1, mean_score=10.0)


def test_city_units_are_the_districts_with_everyone_under_them_rolled_up(reports):
    city = context(Scope.city())
    rows = queries.unit_rows(city)
    assert [row["code"] for row in rows] == ["DA", "DB"]
    assert measures(rows[0]) == expected(**DISTRICT_A_NOW)
    assert measures(rows[1]) == expected(**DISTRICT_B_NOW)
    # C has left: counted nowhere now. Nobody is attached to the city itself.
    assert measures(queries.unit_totals(city)) == expected(staff=12, accounts=7, enrolled=4, lessons=4, basic=2, advanced=1, certified=2,
                                                           certified_advanced=1, overdue=8, mean_score=(173.5 + 60) / 25)
    assert queries.direct_row(city) is None


def test_city_heat_map_counts_each_passed_module_once_per_person(reports):
    passes = queries.unit_module_passes(context(Scope.city()))
    iu = reports.module
    assert passes[reports.unit["DA"]] == {iu["IU01"]: 5, iu["IU02"]: 3, iu["IU03"]: 3, iu["IU04"]: 3, iu["IU05"]: 1, iu["IU06"]: 1,
                                          iu["IU07"]: 1, iu["IU08"]: 1, iu["IU09"]: 1}
    assert passes[reports.unit["DB"]] == {iu[code]: 1 for code in BASIC}
    only_advanced = queries.unit_module_passes(context(Scope.city(), level="advanced"))
    assert only_advanced == {reports.unit["DA"]: {iu["IU07"]: 1, iu["IU08"]: 1, iu["IU09"]: 1}}


def test_drilling_into_a_district_gives_its_communes_the_merged_one_beside_its_target_and_its_own_office(reports):
    district = context(Scope.city(), unit="DA")
    rows = queries.unit_rows(district)
    assert [(row["code"], row["status"], row["merged_into_code"]) for row in rows] == [
        ("DA-01", "active", None), ("DA-04", "merged", "DA-01"), ("DA-02", "active", None), ("DA-03", "closed", None)]
    assert by_code(rows)["DA-03"]["closed_on"] == date(2017, 12, 31)
    communes = by_code(rows)
    assert measures(communes["DA-01"]) == expected(staff=4, accounts=2, enrolled=2, lessons=3, basic=1, advanced=1, certified=1,
                                                   certified_advanced=1, overdue=3, mean_score=(90 + 7 + 8.5) / 11)
    assert measures(communes["DA-04"]) == expected(staff=0)  # its people moved with the merger
    assert measures(communes["DA-02"]) == expected(staff=3, accounts=2, enrolled=1, overdue=3, mean_score=8.5)
    assert measures(communes["DA-03"]) == expected(staff=1, overdue=1)  # closed, its staff member still counted there
    assert measures(queries.direct_row(district)) == expected(staff=1, accounts=1, overdue=1, mean_score=8.5)  # Q: lesson unpublished
    assert measures(queries.unit_totals(district)) == expected(**DISTRICT_A_NOW)
    assert queries.unit_module_passes(district)[reports.unit["DA-01"]] == {
        reports.module[code]: 1 for code in BASIC[1:] + ("IU07", "IU08", "IU09")} | {reports.module["IU01"]: 3}


# --- Sort keys ----------------------------------------------------------------------------------


def codes_sorted(**args):
    return [row["code"] for row in queries.unit_rows(context(Scope.city(), unit="DA", **args))]


def test_units_sort_by_a_measure_either_way_with_the_code_breaking_ties(reports):
    assert codes_sorted(sort="staff", order="desc") == ["DA-01", "DA-02", "DA-03", "DA-04"]
    assert codes_sorted(sort="staff") == ["DA-04", "DA-03", "DA-02", "DA-01"]
    assert codes_sorted(sort="overdue") == ["DA-04", "DA-03", "DA-01", "DA-02"]  # DA-01 and DA-02 tie at 3
    assert codes_sorted(sort="lessons", order="desc") == ["DA-01", "DA-02", "DA-03", "DA-04"]
    assert codes_sorted(sort="name", order="desc") == ["DA-04", "DA-03", "DA-02", "DA-01"]
    assert codes_sorted(order="desc") == ["DA-03", "DA-02", "DA-01", "DA-04"]  # the merged one still beside its target


def test_units_without_a_score_or_a_rate_sort_last_either_way_on_every_database(reports):
    assert codes_sorted(sort="mean_score", order="desc") == ["DA-01", "DA-02", "DA-03", "DA-04"]
    assert codes_sorted(sort="mean_score") == ["DA-02", "DA-01", "DA-03", "DA-04"]
    assert codes_sorted(sort="basic_rate", order="desc") == ["DA-01", "DA-02", "DA-03", "DA-04"]
    assert codes_sorted(sort="basic_rate") == ["DA-02", "DA-03", "DA-01", "DA-04"]


# --- Scope --------------------------------------------------------------------------------------


def test_a_district_hr_scope_sees_its_own_communes_and_nothing_of_the_other_district(reports):
    scope = district_a(reports)
    own = context(scope)
    assert [row["code"] for row in queries.unit_rows(own)] == ["DA-01", "DA-04", "DA-02", "DA-03"]
    assert measures(queries.unit_totals(own)) == expected(**DISTRICT_A_NOW)
    assert queries.direct_row(own)["staff"] == 1
    assert set(queries.unit_module_passes(own)) <= {reports.unit[code] for code in ("DA-01", "DA-02", "DA-03", "DA-04")}
    counted = {row["staff_id"] for row in queries.staff_rows(own)}
    assert counted == {reports.staff[key] for key in "QNTLPHVKB"}
    for unit in ("DB", "DB-01", "DB-02", "HN", "XX"):
        with pytest.raises(ReportScopeError):
            context(scope, unit=unit)
        with pytest.raises(ReportScopeError):
            context(scope, "gaps", unit=unit, period="2016")


# --- A bounded number of statements -------------------------------------------------------------


def city_units_report():
    city = context(Scope.city())
    return queries.unit_rows(city), queries.unit_totals(city), queries.direct_row(city), queries.unit_module_passes(city)


def test_the_city_units_report_runs_the_same_few_statements_however_many_units_there_are(reports):
    with counted_statements() as before:
        rows, _totals, _direct, _passes = city_units_report()
    assert len(rows) == 2
    district = db.session.get(Unit, reports.unit["DB"])
    title = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one()
    for number in range(12):  # rolled back with the test
        commune = org.create_unit(f"DB-{number + 10}", f"Xã thêm {number}", "commune", district)
        org.save_staff({"id_number": f"0020{number:08d}", "full_name": f"Người thêm {number}"}, commune, title)
        org.create_unit(f"DC-{number}", f"Huyện thêm {number}", "rural_district", db.session.get(Unit, reports.unit["HN"]))
    db.session.flush()
    with counted_statements() as after:
        rows, totals, _direct, _passes = city_units_report()
    assert len(rows) == 14 and totals["staff"] == 24 and by_code(rows)["DB"]["staff"] == 15
    assert len(after) == len(before) <= 6, "\n---\n".join(after)
