"""An HR officer, a trainer or a proctor of Long Biên (A) reaching data of its sibling Gia Lâm (B):
every GET route of the app that takes an id, called with B's ids, answers 403/404 or a page
without B's person; so do the list pages searched, sorted and filtered for B, their exports
(CSV, XLSX read cell by cell, PDF text), the JSON API with a token of A, and the ranking and
indicator drill-downs into B's units. B's own officers reach the same data, which shows that the
sweeps do find it where it is."""
import csv
import io
import re
from datetime import timedelta

import pytest
from api_support import new_token
from openpyxl import Workbook
from scope_support import (  # noqa: F401  (the fixtures ctx and world)
    A_DISTRICT,
    A_PERSON,
    B_DISTRICT,
    B_MARKERS,
    B_PERSON,
    OFFICERS_OF_A,
    YEAR,
    ctx_fixture,
    get,
    id_routes,
    leaked,
    list_sweep,
    paths,
    signed_in,
    sweep,
    world_fixture,
)
from sqlalchemy import delete, func, select

from lms.courses.models import Assignment
from lms.exams.models import AttemptQuestion
from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import PendingImport, Staff, Unit
from lms.rankings.models import IndicatorValue
from tests.conftest import Auth

A_NAME, B_NAME = "Quận Long Biên", "Huyện Gia Lâm"  # the districts' rows of the district bloc's ranking
LIST_MARKERS = (*B_MARKERS, B_NAME)


def searches_for_b(ids):
    """(query, markers): query strings naming B every way a list takes it — a search for B's
    name, number or account, a sort, a unit by id or code, B's bloc and period — and B's data
    that must not come back. A page may echo a search: B's whole name is searched for once,
    with the other markers to find; else parts of what identifies B, with all of them."""
    others = tuple(marker for marker in LIST_MARKERS if marker != B_PERSON["full_name"])
    return [({}, LIST_MARKERS),
            ({"q": B_PERSON["full_name"], "sort": "name", "order": "desc", "per_page": "500"}, others),
            ({"q": B_PERSON["full_name"][3:], "unit": ids["unit_id"][0], "sort": "unit", "group": "unit"}, LIST_MARKERS),
            ({"q": B_PERSON["id_number"][:-3], "unit": ids["unit_id"][1], "status": "active", "course": ids["course_id"][0]}, LIST_MARKERS),
            ({"q": B_PERSON["username"][:-3], "unit": B_DISTRICT, "bloc": "KHOI-QUAN-HUYEN", "period": YEAR}, LIST_MARKERS)]


@pytest.mark.parametrize("username", OFFICERS_OF_A)
def test_every_id_route_called_with_bs_ids_answers_nothing_of_b(app, ctx, username):
    assert sweep(signed_in(app, username), app, ctx, api_token=new_token(A_DISTRICT)[1]) == []


@pytest.mark.parametrize("username", OFFICERS_OF_A)
def test_lists_searched_sorted_and_filtered_for_b_answer_nothing_of_b(app, ctx, username):
    found = list_sweep(signed_in(app, username), app, ctx, searches_for_b(ctx), api_token=new_token(A_DISTRICT)[1])
    assert found == []


@pytest.mark.parametrize("username", OFFICERS_OF_A)
def test_every_route_taking_a_unit_refuses_bs_units(app, ctx, username):
    """Not even a page without names: a unit of B is not found, or forbidden, wherever an id names it."""
    client, token = signed_in(app, username), new_token(A_DISTRICT)[1]
    tried = 0
    for rule in id_routes(app):
        if "unit_id" in rule.arguments:
            for path in paths(rule, ctx):
                assert get(client, path, token, {"period": YEAR}).status_code in (403, 404), path
                tried += 1
    assert tried >= 16  # 8 routes today, each with B's district and ward


def test_the_district_ranking_shows_a_its_rank_and_not_b_in_pages_exports_and_the_api(app, ctx):
    client, token = signed_in(app, "hr"), new_token(A_DISTRICT)[1]
    query = {"period": YEAR, "bloc": "KHOI-QUAN-HUYEN"}
    for path in ("/rankings/", "/rankings/export.xlsx", "/rankings/export.pdf", "/indicators/", "/indicators/template.xlsx",
                 "/api/v1/rankings"):
        answer = get(client, path, token, query)
        assert answer.status_code == 200 and leaked(answer, (A_NAME, B_NAME)) == [A_NAME], path
    units = get(client, "/api/v1/rankings", token, query).get_json()["units"]
    assert [row["code"] for row in units] == [A_DISTRICT]
    assert get(client, "/api/v1/rankings", token, query).get_json()["hidden_units"] > 0


def test_the_sweeps_find_bs_person_where_bs_own_officers_look(app, ctx):
    """The same sweeps as B's officers: B's person is found in pages, JSON, XLSX, CSV and PDF."""
    staff_id, code, session_b = ctx["staff_id"][0], ctx["code"][0], ctx["session_b"]
    found = {path for path, _status, _markers in sweep(signed_in(app, "hr_gl"), app, ctx, api_token=new_token(B_DISTRICT)[1])}
    for expected in (f"/org/staff/{staff_id}", f"/reports/staff/{staff_id}", f"/reports/staff/{staff_id}.pdf",
                     f"/api/v1/staff/{staff_id}/profile", f"/certificates/{code}", f"/certificates/{code}.pdf",
                     f"/certificates/sessions/{session_b}", f"/courses/assignments/progress/{ctx['course_id'][0]}"):
        assert expected in found, expected
    found = {path for path, _status, _markers in sweep(signed_in(app, "trainer_gl"), app, ctx)}
    for expected in (f"/exams/manage/sessions/{session_b}", f"/exams/manage/sessions/{session_b}/results.xlsx",
                     f"/exams/manage/sessions/{session_b}/results.csv", f"/courses/assignments/progress/{ctx['course_id'][0]}"):
        assert expected in found, expected
    # A's trainer does see A's person in the session both sit: the page is there, B is not on it.
    results = get(signed_in(app, "trainer_lb"), f"/exams/manage/sessions/{ctx['session_a']}/results.xlsx")
    assert leaked(results, (A_PERSON["full_name"], B_PERSON["full_name"])) == [A_PERSON["full_name"]]
    client, query = signed_in(app, "hr_gl"), searches_for_b(ctx)[2][0]
    for path in ("/org/staff/", "/org/staff/export.xlsx", "/certificates/register.xlsx", "/courses/assignments/overdue"):
        assert B_PERSON["full_name"] in leaked(get(client, path, query=query)), path
    whole_name, others = searches_for_b(ctx)[1]  # B's row is found by what else it shows
    assert leaked(get(client, "/org/staff/", query=whole_name), others)
    admin = signed_in(app, "admin")
    for path in ("/rankings/export.xlsx", "/rankings/export.pdf", "/indicators/template.xlsx"):
        assert B_NAME in leaked(get(admin, path, query={"period": YEAR, "bloc": "KHOI-QUAN-HUYEN"}), LIST_MARKERS), path


def test_a_units_trainer_assigns_courses_within_the_unit_only(app, ctx):
    """Neither to B's district nor to the whole city (which reaches B): refused, nothing assigned."""
    client = signed_in(app, "trainer_lb")
    before = db.session.execute(select(func.count(Assignment.id))).scalar_one()
    form = {"course_id": ctx["course_id"][0], "title_id": 0, "deadline": (local_today() + timedelta(days=30)).isoformat()}
    for unit_id in (ctx["unit_id"][0], ctx["unit_id"][1], 0):
        answer = Auth(client).post("/courses/assignments/", {**form, "unit_id": unit_id})
        assert answer.status_code == 403, unit_id
    assert db.session.execute(select(func.count(Assignment.id))).scalar_one() == before
    page = get(client, "/courses/assignments/").get_data(as_text=True)
    assert "toàn thành phố" not in page and A_NAME in page
    ward = db.session.execute(select(Unit.id).where(Unit.code == "LB-BODE")).scalar_one()
    assert Auth(client).post("/courses/assignments/", {**form, "unit_id": ward}).status_code == 302
    made = db.session.execute(select(Assignment).order_by(Assignment.id.desc())).scalars().first()
    assert made.unit_id == ward and db.session.execute(select(func.count(Assignment.id))).scalar_one() == before + 1
    db.session.delete(made)  # the module's world as it was
    db.session.commit()


def test_the_item_analysis_of_a_shared_session_counts_the_readers_candidates_only(app, ctx):
    """Option counts over a few candidates tell their answers: B's are not in A's trainer's figures."""
    path = f"/exams/manage/sessions/{ctx['session_c']}/analysis.csv"
    own_a, theirs = (db.session.execute(select(func.count(AttemptQuestion.id)).where(AttemptQuestion.attempt_id == attempt_id)).scalar_one()
                     for attempt_id in ctx["sat_c"])

    def responses(username):  # the "Số lượt" column, summed: every question drawn, once per attempt counted
        answer = get(signed_in(app, username), path)
        assert answer.status_code == 200
        return sum(int(row[3]) for row in list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))[1:])

    assert responses("trainer_lb") == own_a
    assert responses("trainer") == own_a + theirs  # the city's trainer: both candidates


def sheet(headers, *rows):
    book = Workbook()
    for row in (headers, *rows):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("upload_path, content", [
    ("/indicators/import", sheet(["Mã đơn vị", "online_procedures_pct"], ["GL-BATTRANG", 77])),
    ("/org/import/staff", sheet(["Họ và tên", "Số định danh", "Mã đơn vị"], ["Trần Văn Mới", "001099777123", "GL-BATTRANG"])),
])
def test_bs_import_awaiting_confirmation_cannot_be_confirmed_by_a(app, ctx, upload_path, content):
    """A copied confirmation link of B's officer's import is not found for A's, and records nothing."""
    b_officer = Auth(signed_in(app, "hr_gl"))
    preview = b_officer.post(upload_path, {"period": YEAR, "file": (io.BytesIO(content), "tep.xlsx")}, content_type="multipart/form-data")
    confirm = re.search(r'action="(/(?:indicators|org)/import/[^"]+)"', preview.get_data(as_text=True)).group(1)
    figures, staff = (db.session.execute(select(func.count(model.id))).scalar_one() for model in (IndicatorValue, Staff))
    a_officer = Auth(signed_in(app, "hr"))
    assert a_officer.post(confirm, token_page=upload_path).status_code == 404
    db.session.expire_all()
    assert [db.session.execute(select(func.count(model.id))).scalar_one() for model in (IndicatorValue, Staff)] == [figures, staff]
    db.session.execute(delete(PendingImport))  # the module's world as it was
    db.session.commit()
