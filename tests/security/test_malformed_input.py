"""Injection and malformed input, each refused cleanly: SQL fragments and unknown sort keys in
every report page, export and /api/v1 parameter (enumerated from the routes and from the
OpenAPI document) are a 400, an out-of-scope unit a 404, never a 500 or another unit's rows;
the exam API's JSON ids, sequence numbers and upload ids out of range or of the wrong type are
a 400 or 404; XML external entities and billion laughs through the question import page are
refused; an upload over MAX_CONTENT_LENGTH is a 413 with its page; a certificate that is not a
PDF is "invalid", not an error."""
import io
import re

import pytest
from api_support import call, new_token
from exam_support import make_pool, make_session
from sqlalchemy import func, select

from lms.exams import starting
from lms.exams.models import AttemptAnswer
from lms.models_base import utcnow
from lms.questionbank.models import Question, QuestionBank
from lms.reports.filters import REPORTS

INJECTIONS = ("1 OR 1=1", "name; DROP TABLE users", "'--", "LB' UNION SELECT password_hash FROM users--", "\x00", "x" * 5000, "id desc")
# Looks like a code: a filter by code finds nothing (or "not found" for a unit); a choice refuses it.
CODE_LIKE = ("password_hash", "users", "1")
CODE_FILTERS = ("unit", "title", "module")
# The query parameters the report pages and exports read (lms.reports.filters.parse_filters).
REPORT_PARAMETERS = ("unit", "title", "group", "module", "level", "period", "deadline", "grain", "sort", "order", "page", "per_page")
EXPORT_FORMATS = ("xlsx", "csv", "pdf")
HUGE = (2**31, 2**63, 2**64, 10**30)
NOT_INTEGERS = (1.5, 1e300, True, False, "12", None, [], {}, -1, 0)


def expected_statuses(name, value):
    if value in CODE_LIKE and name in CODE_FILTERS:
        return (200, 302, 404)  # an export may run as a job (302)
    if value == "1" and name in ("page", "per_page"):
        return (200, 302)
    return (400,)


def users_table_intact(db):
    from lms.auth.models import User

    return db.session.execute(select(func.count(User.id))).scalar_one() > 0


# --- Report filters and sort keys ------------------------------------------------------------------


def test_every_report_page_and_export_refuses_sql_in_each_filter(client, demo, auth, db):
    auth.login("hr")
    pages = [(f"/reports/{report}", INJECTIONS + CODE_LIKE) for report in REPORTS]
    # The exports read the same filters (lms.reports.views.report_context): three values each.
    exports = [(f"/reports/{report}.{fmt}", (INJECTIONS[0], INJECTIONS[3], CODE_LIKE[0])) for report in REPORTS for fmt in EXPORT_FORMATS]
    failures = []
    for path, values in pages + exports:
        for name in REPORT_PARAMETERS:
            for value in values:
                answer = client.get(path, query_string={name: value})
                if answer.status_code not in expected_statuses(name, value):
                    failures.append((path, name, value[:30], answer.status_code))
    assert failures == []
    assert users_table_intact(db)


def test_a_report_filter_naming_a_unit_outside_the_scope_is_not_found_and_shows_nothing_of_it(client, demo, auth):
    auth.login("hr")  # Long Biên
    for path in ("/reports/units", "/reports/gaps", "/reports/units.csv"):
        answer = client.get(path, query_string={"unit": "GL"})
        assert answer.status_code == 404 and "Gia Lâm" not in answer.get_data(as_text=True), path


def api_queries(document):
    """(path, parameter name) for every query parameter of every GET operation the API publishes."""
    for path, item in document["paths"].items():
        operation = item.get("get")
        for parameter in (operation or {}).get("parameters", []):
            if "$ref" in parameter:
                parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
            if parameter["in"] == "query":
                yield path, parameter["name"], parameter["schema"]


def concrete(path, staff_id, unit_id):
    return path.replace("{staff_id}", str(staff_id)).replace("{unit_id}", str(unit_id))


def test_every_api_query_parameter_refuses_sql_and_unknown_values_as_documented(client, demo):
    from lms.org.models import Staff, Unit

    token = new_token("LB")[1]
    document = client.get("/api/v1/openapi.json").get_json()
    staff = _first_in_lb(Staff, Unit)
    unit_id = _unit_id(Unit, "LB-BODE")
    queries = list(api_queries(document))
    assert len(queries) > 20  # every report's filters, the profile's year, the rankings' bloc, period and version
    failures = []
    for path, name, _schema in queries:
        documented = set(document["paths"][path]["get"]["responses"])
        for value in INJECTIONS:
            answer = call(client, concrete(path, staff, unit_id), token, **{name: value})
            if answer.status_code >= 500 or str(answer.status_code) not in documented or answer.status_code == 200 or not answer.is_json:
                failures.append((path, name, value[:30], answer.status_code))
    assert failures == []


def _first_in_lb(Staff, Unit):
    from lms.extensions import db

    return db.session.execute(select(Staff.id).join(Unit, Unit.id == Staff.unit_id).where(Unit.code.startswith("LB-"))
                              .order_by(Staff.id).limit(1)).scalar_one()


def _unit_id(Unit, code):
    from lms.extensions import db

    return db.session.execute(select(Unit.id).where(Unit.code == code)).scalar_one()


def test_api_sort_keys_come_from_the_allow_list_only(client, demo):
    token = new_token("LB")[1]
    for report in REPORTS:
        for key in ("password_hash", "id", "1", "code;", "CODE", "name desc", "(select 1)"):
            answer = call(client, f"/reports/{report}", token, sort=key)
            assert answer.status_code == 400 and "sort" in answer.get_json()["error"], (report, key)


# --- The exam API's JSON -------------------------------------------------------------------------


@pytest.fixture()
def sitting(demo, auth, client):
    """The demo learner signed in on a started theory attempt: (attempt id, CSRF token, a question on the paper)."""
    make_pool()
    session, candidate = make_session()
    attempt, _created = starting.start_attempt(candidate, session.blueprint.parts[0], utcnow())
    question = attempt.questions[0].id
    from lms.extensions import db

    db.session.commit()
    auth.login("learner")
    state = client.get(f"/exams/api/attempts/{attempt.id}/state").get_json()
    return attempt.id, state["csrf_token"], question


def post_json(client, path, token, body):
    return client.post(path, json=body, headers={"X-CSRFToken": token})


def test_answer_batches_with_ids_and_seqs_out_of_range_or_of_the_wrong_type_are_refused(client, db, sitting):
    attempt_id, token, question = sitting
    path = f"/exams/api/attempts/{attempt_id}/answers"
    bodies = []
    for value in HUGE + NOT_INTEGERS:
        bodies.append({"answers": [{"question": value, "seq": 1, "response": {"choice": 0}}]})
        if value not in (None, 0) or value is False:  # {"choice": null} clears the answer, 0 is the first option
            bodies.append({"answers": [{"question": question, "seq": 1, "response": {"choice": value}}]})
        bodies.append({"question": value, "seq": 1, "response": {"choice": 0}})
    for value in (2**53 + 1, 2**63, 2**64, 10**30, -1, 1.5, 1e300, True, "12", None, []):  # a seq is a JavaScript counter
        bodies.append({"answers": [{"question": question, "seq": value, "response": {"choice": 0}}]})
    bodies += [{"answers": value} for value in (None, 1, "x", {}, [], [1], [[]], [None])] + [[], "x", 1, None]
    for body in bodies:
        answer = post_json(client, path, token, body)
        assert answer.status_code in (400, 404) and answer.is_json and answer.get_json()["error"], (body, answer.status_code)
    assert db.session.execute(select(func.count(AttemptAnswer.id))).scalar_one() == 0
    assert post_json(client, path, token, {"answers": [{"question": question, "seq": 2**53, "response": {"choice": 0}}]}).status_code == 200
    assert db.session.execute(select(AttemptAnswer.client_seq)).scalar_one() == 2**53


def test_a_flag_on_a_question_id_out_of_range_or_of_the_wrong_type_is_not_found(client, sitting):
    attempt_id, token, _question = sitting
    for value in HUGE + NOT_INTEGERS:
        answer = post_json(client, f"/exams/api/attempts/{attempt_id}/flag", token, {"question": value, "flagged": True})
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_on_paper", value


def test_a_practical_answer_naming_an_upload_id_out_of_range_is_refused(client, demo, auth, db):
    make_pool(practical=("IU03",))
    session, candidate = make_session(practical=True)
    attempt, _created = starting.start_attempt(candidate, session.blueprint.parts[1], utcnow())
    task = attempt.questions[0].id
    db.session.commit()
    auth.login("learner")
    token = client.get(f"/exams/api/attempts/{attempt.id}/state").get_json()["csrf_token"]
    for value in HUGE + NOT_INTEGERS:
        answer = post_json(client, f"/exams/api/attempts/{attempt.id}/answers", token,
                           {"answers": [{"question": task, "seq": 1, "response": {"upload_id": value}}]})
        assert answer.status_code in (200, 400) and answer.is_json, (value, answer.status_code)
        if answer.status_code == 200:  # only "no file" may be stored: None is the empty answer
            assert value is None
    assert all(row.response in ({}, None) for row in db.session.execute(select(AttemptAnswer)).scalars())


def test_question_ids_of_a_bulk_change_out_of_range_or_not_ascii_digits_are_a_400(client, demo, auth):
    auth.login("trainer")
    for ids in (["\u00b2"], ["\u0661\u0662"], [str(2**63)], ["99999999999999999999"], ["-1"], ["1", "x"]):
        answer = auth.post("/questionbank/questions/bulk-status", {"question_ids": ids, "status": "approved"},
                           token_page="/questionbank/questions/")
        assert answer.status_code == 400, (ids, answer.status_code)


def test_a_unit_or_title_id_of_a_form_out_of_range_is_not_found(client, demo, auth, db):
    """Select fields that take any unit id (the unit picker of a wide tree) coerce to int without a bound."""
    from lms.catalogue.models import Module
    from lms.courses import services

    course = services.create_course(db.session.execute(select(Module).where(Module.code == "IU06")).scalar_one(), published=True)
    db.session.commit()
    auth.login("trainer")
    for field in ("unit_id", "title_id"):
        for value in map(str, HUGE):
            answer = auth.post("/courses/assignments/", {"course_id": course.id, field: value, "deadline": "2030-09-30"},
                               token_page="/courses/assignments/")
            assert answer.status_code in (400, 404), (field, value, answer.status_code)


# --- XML imports -----------------------------------------------------------------------------------

XXE = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><name><text>Q1</text></name><questiontext format="html"><text>&secret;</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<quiz><question type="truefalse"><name><text>Q1</text></name><questiontext format="html"><text>&i;</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://attacker.example/quiz.dtd">
<quiz><question type="truefalse"><name><text>Q1</text></name><questiontext format="html"><text>x</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"""


@pytest.mark.parametrize("payload", (XXE, BILLION_LAUGHS, EXTERNAL_DTD), ids=("external entity", "billion laughs", "external DTD"))
def test_xml_attacks_through_the_import_page_are_refused_and_import_nothing(client, demo, auth, db, payload):
    bank = QuestionBank(name="Ngân hàng XML", owner_id=None)
    db.session.add(bank)
    db.session.commit()
    auth.login("admin")
    page = auth.post(f"/questionbank/banks/{bank.id}/import", {"file": (io.BytesIO(payload.encode()), "cau-hoi.xml")},
                     token_page=f"/questionbank/banks/{bank.id}/import", content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code in (200, 400) and "root:" not in text and "haha" not in text
    assert re.search(r"DOCTYPE|thực thể|entit", text, re.IGNORECASE), text[-2000:]
    assert "/import/" not in text.split("<form")[-1]  # no confirmation offered
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


# --- Upload size and type ------------------------------------------------------------------------------


def test_an_upload_over_the_size_limit_is_a_413_with_its_page(app, client, demo, auth):
    auth.login("hr")
    token = auth.csrf_token("/org/import/staff")
    too_big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    page = client.post("/org/import/staff", data={"csrf_token": token, "file": (io.BytesIO(too_big), "danh-sach.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 413 and "Tệp tải lên quá lớn" in page.get_data(as_text=True) and page.mimetype == "text/html"
    answer = client.post("/org/import/staff", data={"csrf_token": token, "file": (io.BytesIO(too_big), "danh-sach.csv")},
                         content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert answer.status_code == 413 and answer.get_json()["error"] == 413


@pytest.mark.parametrize("content, filename", (
    (b"MZ\x90\x00\x03" + bytes(200), "chung-chi.pdf"), (b"<!DOCTYPE html><html><body>x</body></html>", "chung-chi.pdf"),
    (b"%PDF-1.7\n%broken", "chung-chi.pdf"), (b"PK\x03\x04" + bytes(100), "chung-chi.pdf"), (b"", "chung-chi.pdf"),
    (b"eyJhbGciOiJub25lIn0.e30.", "chung-chi.jwt"), (b"a.b.c" * 1000, "chung-chi.jwt"), ("ồ.ồ.ồ".encode(), "chung-chi.jwt"),
))
def test_a_certificate_check_of_a_file_that_is_not_a_signed_certificate_says_invalid(client, db, auth, content, filename):
    token = auth.csrf_token("/verify/")
    page = client.post("/verify/", data={"csrf_token": token, "document": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")
    assert page.status_code in (400, 422) and page.mimetype == "text/html", page.status_code
