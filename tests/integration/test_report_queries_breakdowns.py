"""The competency reports other than "now, by unit", on the organisation built in
test_report_queries (see its docstring for who did what, where and when): units as at the end
of a period, the filters, titles, modules, periods, the score distribution, gaps and one
person's profile, each against numbers worked out by hand."""
from datetime import date, timedelta

import pytest
import test_report_queries as organisation
from sqlalchemy import select
from test_report_queries import DISTRICT_B_NOW, by_code, context, district_a, expected, hanoi, measures

from lms.exams.models import ExamAttempt, ExamCandidate
from lms.exams.result_models import ModuleResult, StaffModuleResult
from lms.extensions import db
from lms.localtime import local_today
from lms.reports import gaps, profile, queries
from lms.reports.filters import ReportFilterError, ReportScopeError, parse_filters
from lms.scope import Scope

# The organisation's fixtures (`world`, `reports`), registered in this module too: built once for it.
shared_world, shared_reports = organisation.world_fixture, organisation.reports_fixture


def rounded(table):
    """{key: tuple} with every number as a float to six places, for exact comparison."""
    return {key: tuple(None if value is None else round(float(value), 6) for value in values) for key, values in table.items()}


# --- As at the end of a period ----------------------------------------------------------------


def test_a_past_report_counts_people_where_they_were_posted_and_only_what_they_had_done_by_then(reports):
    year_2016 = context(Scope.city(), unit="DA", period="2016")
    communes = by_code(queries.unit_rows(year_2016))
    # P is in DA-01 with his 2016 results; B still in DA-04; C (left since) in DA-02. Nothing
    # overdue yet (the deadline is in 2017), no certificate yet, T's 2016 attempt failed.
    assert measures(communes["DA-01"]) == expected(staff=4, accounts=3, enrolled=2, lessons=2, basic=1, mean_score=(60 + 34) / 10)
    assert measures(communes["DA-04"]) == expected(staff=1)
    assert measures(communes["DA-02"]) == expected(staff=3, accounts=1)
    assert measures(communes["DA-03"]) == expected(staff=1)
    assert measures(queries.direct_row(year_2016)) == expected(staff=1, accounts=1)  # Q sat in 2017
    assert queries.unit_totals(year_2016)["staff"] == 10


def test_the_member_who_moved_in_2017_counts_in_his_first_commune_before_the_move_and_in_the_second_after(reports):
    def posted(**args):
        rows = queries.staff_rows(context(Scope.city(), unit="DA", **args))
        return {row["staff_id"]: row["unit_code"] for row in rows}[reports.staff["P"]]

    assert (posted(period="2016"), posted(period="2017-Q1"), posted(period="2017-Q2"), posted()) == ("DA-01", "DA-01", "DA-02", "DA-02")
    q2 = by_code(queries.unit_rows(context(Scope.city(), unit="DA", period="2017-Q2")))
    assert (q2["DA-01"]["staff"], q2["DA-02"]["staff"]) == (3, 4)


def test_the_year_2017_counts_its_certificates_and_the_deadline_that_passed(reports):
    year_2017 = context(Scope.city(), period="2017")
    rows = by_code(queries.unit_rows(year_2017))
    # By the end of 2017 every exam and lesson of the fixture is done. Overdue counts the
    # assignment's reach by current unit, C included; B is still posted in DA-04.
    assert measures(rows["DA"]) == expected(staff=10, accounts=5, enrolled=3, lessons=3, basic=1, advanced=1, certified=1,
                                            certified_advanced=1, overdue=9, mean_score=173.5 / 19)
    assert measures(rows["DB"]) == expected(**DISTRICT_B_NOW)


def test_a_pass_before_a_better_retake_counts_in_a_report_standing_between_them(reports):
    """The fact keeps only the best result; a report as at a moment between two passes reads
    the results submitted before it instead."""
    rows = {row["staff_id"]: row for row in queries.staff_rows(context(Scope.city(), period="2017-Q1"))}
    assert rows[reports.staff["L"]]["basic_passed"] == 1  # 6.0 on 2017-02-20; the 8.5 came on 2017-05-15
    assert rows[reports.staff["L"]]["mean_score"] == 6.0
    later = {row["staff_id"]: row for row in queries.staff_rows(context(Scope.city(), period="2017"))}
    assert later[reports.staff["L"]]["mean_score"] == 8.5


# --- Reading the filters ------------------------------------------------------------------------


@pytest.mark.parametrize("report, args", [
    ("units", {"sort": "salary"}), ("units", {"sort": "staff; DROP TABLE staff"}), ("gaps", {"sort": "mean_score"}),
    ("titles", {"sort": "code"}), ("units", {"order": "sideways"}), ("units", {"period": "2017-Q5"}), ("units", {"period": "abc"}),
    ("units", {"period": "1999"}), ("units", {"level": "expert"}), ("units", {"unit": "DA 01"}), ("units", {"unit": "../DA"}),
    ("units", {"unit": "x" * 41}), ("gaps", {"page": "0"}), ("gaps", {"page": str(10**12)}), ("gaps", {"page": "-1"}),
    ("gaps", {"per_page": "501"}), ("gaps", {"deadline": "2017-02-30"}), ("periods", {"grain": "month"}), ("people", {}),
])
def test_parse_filters_rejects_what_no_report_accepts(report, args):
    with pytest.raises(ReportFilterError):
        parse_filters(report, args)


def test_parse_filters_reads_well_formed_values():
    filters = parse_filters("gaps", {"unit": "DA-01", "period": "2017q2", "level": "basic", "sort": "name", "order": "desc",
                                     "page": "3", "per_page": "25", "deadline": "2018-01-01"})
    assert (filters.unit_code, filters.period.label, filters.level) == ("DA-01", "2017-Q2", "basic")
    assert (filters.sort, filters.descending) == ("name", True)
    assert (filters.page, filters.per_page, filters.deadline_before) == (3, 25, date(2018, 1, 1))
    assert parse_filters("units", {}).sort == "code" and parse_filters("units", {}).period is None



# --- One row per person ------------------------------------------------------------------------


def test_staff_rows_list_everyone_counted_with_their_own_facts(reports):
    rows = {row["staff_id"]: row for row in queries.staff_rows(context(Scope.city(), unit="DA-01"))}
    assert set(rows) == {reports.staff[key] for key in "NTLB"}
    learner = rows[reports.staff["N"]]
    assert (learner["basic_passed"], learner["advanced_passed"], learner["basic_standard"], learner["advanced_standard"]) == (6, 3, 1, 1)
    assert (learner["lessons_done"], learner["overdue"], learner["certificate_basic"], learner["certificate_advanced"]) == (2, 0, 1, 1)
    retaker = rows[reports.staff["L"]]
    assert (retaker["basic_passed"], retaker["mean_score"], retaker["overdue"]) == (1, 8.5, 1)


# --- Retakes: one fact per person and module, the best -------------------------------------------


def test_a_retake_leaves_one_fact_with_the_best_score_while_every_sitting_stays_a_module_result(reports):
    def results(key):
        facts = db.session.execute(select(StaffModuleResult.score, StaffModuleResult.achieved_at)
                                   .where(StaffModuleResult.staff_id == reports.staff[key])).all()
        sittings = db.session.execute(
            select(ModuleResult.score, ModuleResult.passed).join(ExamAttempt, ExamAttempt.id == ModuleResult.attempt_id)
            .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
            .where(ExamCandidate.staff_id == reports.staff[key]).order_by(ExamAttempt.started_at)).all()
        return [tuple(fact) for fact in facts], [tuple(sitting) for sitting in sittings]

    assert results("T") == ([(7.0, hanoi(2017, 2, 10) + timedelta(minutes=10))], [(2.0, False), (7.0, True)])
    assert results("L") == ([(8.5, hanoi(2017, 5, 15) + timedelta(minutes=10))], [(6.0, True), (8.5, True)])


# --- Titles -------------------------------------------------------------------------------------


def test_title_rows_sum_each_titles_holders_in_catalogue_order(reports):
    rows = queries.title_rows(context(Scope.city(), "titles"))
    assert [row["code"] for row in rows] == ["CC-CONGAN", "CC-VANPHONG", "CC-TAICHINH"]  # positions 1, 3, 6
    titles = by_code(rows)
    assert measures(titles["CC-CONGAN"]) == expected(staff=3, accounts=1, enrolled=1, lessons=1, overdue=2, mean_score=8.5)
    assert measures(titles["CC-VANPHONG"]) == expected(staff=5, accounts=4, enrolled=2, lessons=2, basic=2, advanced=1, certified=2,
                                                       certified_advanced=1, overdue=3, mean_score=(34 + 90 + 34 + 60) / 23)
    assert measures(titles["CC-TAICHINH"]) == expected(staff=4, accounts=2, enrolled=1, lessons=1, overdue=3, mean_score=7.0)
    by_staff = queries.title_rows(context(Scope.city(), "titles", sort="staff", order="desc"))
    assert [row["code"] for row in by_staff] == ["CC-VANPHONG", "CC-TAICHINH", "CC-CONGAN"]
    only = queries.title_rows(context(Scope.city(), "titles", title="CC-TAICHINH"))
    assert [(row["code"], row["staff"]) for row in only] == [("CC-TAICHINH", 4)]
    own = by_code(queries.title_rows(context(district_a(reports), "titles")))
    assert {code: row["staff"] for code, row in own.items()} == {"CC-CONGAN": 2, "CC-VANPHONG": 4, "CC-TAICHINH": 3}


def test_title_heat_map_counts_passes_per_title(reports):
    passes = queries.title_module_passes(context(Scope.city(), "titles"))
    titles = {row["code"]: row["title_id"] for row in queries.title_rows(context(Scope.city(), "titles"))}
    iu = reports.module
    assert passes[titles["CC-VANPHONG"]] == {iu["IU01"]: 4, iu["IU02"]: 4, iu["IU03"]: 4, iu["IU04"]: 4, iu["IU05"]: 2, iu["IU06"]: 2,
                                             iu["IU07"]: 1, iu["IU08"]: 1, iu["IU09"]: 1}
    assert passes[titles["CC-TAICHINH"]] == {iu["IU01"]: 1} and passes[titles["CC-CONGAN"]] == {iu["IU01"]: 1}


# --- Modules ------------------------------------------------------------------------------------


def module_table(scope=None, **args):
    rows = queries.module_rows(context(scope or Scope.city(), "modules", **args))
    return rounded({row["code"]: (row["required"], row["passed_required"], row["passed"], row["pass_rate"], row["mean_score"])
                    for row in rows})


def test_module_rows_count_who_must_pass_each_module_who_did_and_who_passed_it_anyway(reports):
    table = module_table()
    assert list(table) == [f"IU{number:02d}" for number in range(1, 16)]
    assert table == rounded({
        "IU01": (12, 6, 6, 0.5, 55.5 / 6),  # Q N P M 10, T 7, L 8.5 (his 6.0 does not count)
        "IU02": (12, 4, 4, 1 / 3, 10.0), "IU03": (12, 4, 4, 1 / 3, 9.0), "IU04": (12, 4, 4, 1 / 3, 8.0),
        "IU05": (12, 2, 2, 1 / 6, 10.0), "IU06": (12, 2, 2, 1 / 6, 10.0),
        "IU07": (5, 1, 1, 0.2, 10.0),  # the path of CC-VANPHONG
        "IU08": (4, 0, 1, 0.0, 10.0),  # N passed it outside her path
        "IU09": (0, 0, 1, None, 10.0), "IU14": (3, 0, 0, 0.0, None),
        **{code: (0, 0, 0, None, None) for code in ("IU10", "IU11", "IU12", "IU13", "IU15")},
    })
    assert list(module_table(level="advanced")) == [f"IU{number:02d}" for number in range(7, 16)]
    assert module_table(module="IU08") == rounded({"IU08": (4, 0, 1, 0.0, 10.0)})
    assert module_table(district_a(reports), module="IU01") == rounded({"IU01": (9, 5, 5, 5 / 9, 45.5 / 5)})
    assert module_table(period="2016", module="IU01") == rounded({"IU01": (13, 2, 2, 2 / 13, 10.0)})  # C and B counted then


def test_module_rows_sort_on_a_measure_with_modules_without_one_last(reports):
    def order(**args):
        return [row["code"] for row in queries.module_rows(context(Scope.city(), "modules", **args))]

    assert order(sort="passed", order="desc") == ["IU01", "IU02", "IU03", "IU04", "IU05", "IU06", "IU07", "IU08", "IU09",
                                                  "IU10", "IU11", "IU12", "IU13", "IU14", "IU15"]
    assert order(sort="pass_rate", order="desc") == ["IU01", "IU02", "IU03", "IU04", "IU07", "IU05", "IU06", "IU08", "IU14",
                                                     "IU09", "IU10", "IU11", "IU12", "IU13", "IU15"]
    assert order(sort="required") == ["IU09", "IU10", "IU11", "IU12", "IU13", "IU15", "IU14", "IU08", "IU07",
                                      "IU01", "IU02", "IU03", "IU04", "IU05", "IU06"]
    assert order(sort="code", order="desc")[0] == "IU15"


# --- Periods ------------------------------------------------------------------------------------


def period_table(scope=None, **args):
    rows = queries.period_rows(context(scope or Scope.city(), "periods", **args))
    columns = ("graded", "passed", "people_passed", "mean_score", "pass_rate", "certificates")
    return rounded({row["period"]: tuple(row[column] for column in columns) for row in rows})


NOTHING = (0, 0, 0, None, None, 0)


def test_period_rows_by_year_count_module_sittings_passes_and_certificates_issued(reports):
    table = period_table(grain="year")
    this_year = local_today().year
    assert list(table) == [str(year) for year in range(2016, this_year + 1)]
    # 2016: N six passes, P four of six, T's failed 2.0. 2017: T 7.0, L 6.0 and 8.5 (both
    # sittings count here), Q four of six, M six, N three advanced; three certificates.
    assert {year: table[year] for year in ("2016", "2017")} == rounded({"2016": (13, 10, 2, 100 / 13, 10 / 13, 0),
                                                                        "2017": (18, 16, 5, 149.5 / 18, 16 / 18, 3)})
    assert all(table[str(year)] == NOTHING for year in range(2018, this_year + 1))
    assert list(period_table(grain="year", order="desc"))[-1] == "2016"


def test_period_rows_by_quarter_within_a_year_or_one_quarter(reports):
    table = period_table(period="2017")
    assert table == rounded({"2017-Q1": (2, 2, 2, 6.5, 1.0, 0), "2017-Q2": (13, 11, 3, 106.5 / 13, 11 / 13, 1),
                                   "2017-Q3": (3, 3, 1, 10.0, 1.0, 1), "2017-Q4": (0, 0, 0, None, None, 1)})
    assert period_table(period="2017-Q2") == {"2017-Q2": table["2017-Q2"]}
    every_quarter = period_table()
    today = local_today()
    assert list(every_quarter)[0] == "2016-Q1" and list(every_quarter)[-1] == f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    assert {label for label, row in every_quarter.items() if row != NOTHING} == {"2016-Q4", "2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"}


def test_period_rows_follow_the_scope_and_the_module_filters(reports):
    assert period_table(district_a(reports), period="2017", grain="year") == rounded({"2017": (12, 10, 4, 89.5 / 12, 10 / 12, 2)})
    assert period_table(Scope([reports.path["DB"]]), period="2017", grain="year") == rounded({"2017": (6, 6, 1, 10.0, 1.0, 1)})
    assert period_table(period="2017", grain="year", level="advanced") == rounded({"2017": (3, 3, 1, 10.0, 1.0, 3)})
    assert period_table(period="2017", grain="year", module="IU01") == rounded({"2017": (5, 5, 4, 41.5 / 5, 1.0, 3)})


def test_score_bins_count_the_best_scores(reports):
    # Q and P: 10 10 8 6; N nine 10s; M six 10s; T 7; L 8.5.
    assert queries.score_bins(context(Scope.city())) == [("< 5", 0), ("5–6", 0), ("6–7", 2), ("7–8", 1), ("8–9", 3), ("9–10", 19)]
    district_b = queries.score_bins(context(Scope([reports.path["DB"]])))
    assert district_b == [("< 5", 0), ("5–6", 0), ("6–7", 0), ("7–8", 0), ("8–9", 0), ("9–10", 6)]


# --- Gaps ---------------------------------------------------------------------------------------

# Each counted person's path modules not passed: Q P 3 (IU05 IU06 IU07), T L 6, M 1 (IU07),
# B H V K G S 7, N none.
GAPS_PER_PERSON = {"Q": 3, "T": 6, "L": 6, "B": 7, "P": 3, "H": 7, "V": 7, "K": 7, "M": 1, "G": 7, "S": 7}


def gap_page(scope=None, **args):
    return gaps.gap_page(context(scope or Scope.city(), "gaps", **args))


def who(reports, rows):
    keys = {staff_id: key for key, staff_id in reports.staff.items()}
    return [(keys[row["staff_id"]], row["module_code"]) for row in rows]


def test_gaps_list_who_misses_which_module_of_their_path(reports):
    page = gap_page(per_page=500)
    assert page.total == len(page.rows) == sum(GAPS_PER_PERSON.values()) == 61
    counted = {}
    for key, _module in who(reports, page.rows):
        counted[key] = counted.get(key, 0) + 1
    assert counted == GAPS_PER_PERSON
    assert sorted(code for key, code in who(reports, page.rows) if key == "Q") == ["IU05", "IU06", "IU07"]
    assert sorted(code for key, code in who(reports, page.rows) if key == "M") == ["IU07"]
    assert sorted(who(reports, gap_page(level="advanced").rows)) == sorted(
        [("Q", "IU07"), ("P", "IU07"), ("K", "IU07"), ("M", "IU07"), ("T", "IU08"), ("H", "IU08"), ("V", "IU08"), ("G", "IU08"),
         ("L", "IU14"), ("B", "IU14"), ("S", "IU14")])
    assert sorted(who(reports, gap_page(module="IU01", level="basic").rows)) == sorted(
        [("B", "IU01"), ("H", "IU01"), ("V", "IU01"), ("K", "IU01"), ("G", "IU01"), ("S", "IU01")])
    # At the end of 2016 C (who has left since) and B (in DA-04 then) were counted; N had no IU07 yet.
    rows_2016 = gap_page(period="2016", per_page=500).rows
    past = [(row["unit_code"], *pair) for row, pair in zip(rows_2016, who(reports, rows_2016))]
    assert ("DA-02", "C", "IU01") in past and ("DA-04", "B", "IU14") in past and ("DA-01", "N", "IU07") in past


def test_gaps_sort_by_the_earliest_deadline_reaching_each_gap_with_no_deadline_last(reports):
    overdue = [("B", "IU01"), ("H", "IU01"), ("V", "IU01"), ("K", "IU01")]  # DA's IU01 by 2017-03-31, unit then name order
    later = [("G", "IU01")]  # DB-01's IU01 by 2099-06-30
    latest = [("T", "IU02"), ("H", "IU02"), ("V", "IU02"), ("G", "IU02")]  # CC-TAICHINH's IU02 by 2099-12-31
    rows = gap_page(per_page=500).rows
    assert who(reports, rows[:9]) == overdue + later + latest
    assert [row["deadline"] for row in rows[:9]] == [date(2017, 3, 31)] * 4 + [date(2099, 6, 30)] + [date(2099, 12, 31)] * 4
    assert all(row["deadline"] is None for row in rows[9:])
    descending = gap_page(per_page=500, order="desc").rows
    assert who(reports, descending[:9]) == latest + later + overdue and all(row["deadline"] is None for row in descending[9:])
    assert who(reports, gap_page(deadline="2018-01-01").rows) == overdue
    assert gap_page(deadline="2099-06-30").total == 5


def test_gaps_are_paginated_with_the_total_of_every_page(reports):
    pages = [gap_page(per_page=25, page=number) for number in (1, 2, 3, 4)]
    assert [(len(page.rows), page.total, page.pages) for page in pages] == [(25, 61, 3), (25, 61, 3), (11, 61, 3), (0, 61, 3)]
    assert who(reports, [row for page in pages for row in page.rows]) == who(reports, list(gaps.all_gaps(context(Scope.city(), "gaps"))))
    by_name = who(reports, gap_page(sort="name", per_page=500).rows)
    assert [key for index, (key, _m) in enumerate(by_name) if index == 0 or by_name[index - 1][0] != key] == list("BGHKLMPQSTV")


def test_a_district_scope_sees_only_its_own_peoples_gaps(reports):
    page = gap_page(district_a(reports), per_page=500)
    assert page.total == 46 and {key for key, _m in who(reports, page.rows)} == set("QTLBPHVK")
    assert gap_page(district_a(reports), unit="DA-02").total == 17  # P (moved there), H and V


# --- One person's profile -----------------------------------------------------------------------


def scores(person):
    return {m["code"]: (m["score"], m["required"]) for m in person.modules if m["score"] is not None or m["required"]}


def test_the_profile_lists_every_module_with_the_best_score_and_date_certificates_and_course_progress(reports):
    person = profile.competency_profile(Scope.city(), reports.staff["N"])
    assert [m["code"] for m in person.modules] == [f"IU{number:02d}" for number in range(1, 16)]
    assert scores(person) == {**{code: (10.0, True) for code in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06", "IU07")},
                              "IU08": (10.0, False), "IU09": (10.0, False)}
    achieved = {m["code"]: m["achieved_at"] for m in person.modules}
    submitted = timedelta(minutes=10)  # after the start, as the fixture sits
    assert (achieved["IU01"], achieved["IU07"], achieved["IU10"]) == (hanoi(2016, 11, 15) + submitted, hanoi(2017, 8, 10) + submitted, None)
    assert (person.basic_met, person.advanced_passed, person.advanced_met, person.path_met) == (True, 3, True, True)
    assert person.mean_score == 10.0
    assert [(c.kind, c.issue_date) for c in person.certificates] == [("basic", date(2017, 5, 10)), ("advanced", date(2017, 10, 5))]
    assert [(c["module_code"], c["done"], c["total"]) for c in person.courses] == [("IU01", 2, 2), ("IU02", 0, 1)]


def test_a_profile_for_a_year_stands_at_its_end(reports):
    person = profile.competency_profile(Scope.city(), reports.staff["N"], 2016)
    assert scores(person) == {**{code: (10.0, True) for code in ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")}, "IU07": (None, True)}
    assert (person.basic_met, person.advanced_passed, person.advanced_met, person.path_met) == (True, 0, False, False)
    assert person.certificates == []  # issued in 2017
    retaker = profile.competency_profile(Scope.city(), reports.staff["T"], 2016)
    assert scores(retaker)["IU01"] == (None, True)  # failed in 2016; passed in 2017
    assert [(c["module_code"], c["done"], c["total"]) for c in retaker.courses] == [("IU01", 0, 2), ("IU02", 0, 1)]
    later = profile.competency_profile(Scope.city(), reports.staff["L"], 2017)
    assert scores(later)["IU01"] == (8.5, True) and later.basic_met is False and later.mean_score == 8.5
    assert [(c["module_code"], c["done"], c["total"]) for c in later.courses] == [("IU01", 0, 2), ("IU02", 0, 1)]  # no account


def test_a_profile_outside_the_readers_scope_is_not_found(reports):
    scope = district_a(reports)
    assert profile.competency_profile(scope, reports.staff["T"]).staff.id == reports.staff["T"]
    for staff_id in (reports.staff["M"], reports.staff["S"], 10**9):
        with pytest.raises(ReportScopeError):
            profile.competency_profile(scope, staff_id)
