"""The read-only reports API (/api/v1/): bearer tokens and nothing else, the token's unit scope
(outside it is "not found"), refusals all alike, filters checked, gaps paged, and every real
answer validated against the OpenAPI 3.1 document the API publishes."""
import re
from datetime import timedelta

import pytest
from api_support import assert_valid, call, new_token, response_validator, unit
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.exams import design
from lms.extensions import db as _db
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.org import services as org
from lms.org.models import Staff, Unit
from lms.questionbank.cli import seed_question_banks
from lms.reports import api_tokens
from lms.reports.filters import GRAINS, LEVELS, SORTS
from lms.reports.models import ApiClient

REPORTS = ("units", "titles", "modules", "periods", "gaps")


def staff_under(code):
    return _db.session.execute(select(Staff).join(Unit, Unit.id == Staff.unit_id).where(Unit.path.startswith(unit(code).path))
                               .order_by(Staff.id)).scalars().all()


@pytest.fixture()
def long_bien(demo):
    return new_token("LB")[1]


@pytest.fixture()
def city(demo):
    return new_token(None)[1]


# --- Scope --------------------------------------------------------------------------------------


def test_a_long_bien_token_reports_on_long_bien_only(client, long_bien, city):
    answer = call(client, "/reports/units", long_bien)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["unit"] == {"code": "LB", "name": "Quận Long Biên", "kind": "urban_district", "status": "active"}
    codes = [row["code"] for row in body["items"]]
    assert codes and all(code.startswith("LB-") for code in codes)
    active_in_lb = [person for person in staff_under("LB") if person.status == "active"]
    assert body["total"]["staff"] == len(active_in_lb) == sum(row["staff"] for row in body["items"])
    assert body["count"] == len(codes) and body["page"] == 1
    assert [column["key"] for column in body["columns"]][:3] == ["code", "name", "staff"]
    assert all(set(row) == {column["key"] for column in body["columns"]} for row in body["items"])
    assert set(body["total"]) == {column["key"] for column in body["columns"] if column["kind"] != "text"}
    assert all(isinstance(row["basic_rate"], float) and 0 <= row["basic_rate"] <= 1 for row in body["items"] if row["staff"])

    whole = call(client, "/reports/units", city).get_json()
    assert whole["unit"]["code"] == "HN" and {"LB", "GL"} <= {row["code"] for row in whole["items"]}
    assert call(client, "/reports/units", city, unit="GL").get_json()["unit"]["name"] == "Huyện Gia Lâm"


def test_outside_the_scope_is_not_found_exactly_like_nothing(client, long_bien):
    outside, missing = call(client, "/reports/units", long_bien, unit="GL"), call(client, "/reports/units", long_bien, unit="KHONGCO")
    assert outside.status_code == missing.status_code == 404
    assert outside.get_json() == {"error": "Không tìm thấy đơn vị GL trong phạm vi của bạn."}
    assert missing.get_json() == {"error": "Không tìm thấy đơn vị KHONGCO trong phạm vi của bạn."}
    for report in REPORTS:
        assert call(client, f"/reports/{report}", long_bien, unit="GL").status_code == 404, report
    assert call(client, "/reports/gaps", long_bien, unit="LB-BODE").status_code == 200


def test_a_profile_outside_the_scope_is_not_found(client, long_bien):
    gia_lam_person, long_bien_person = staff_under("GL")[0], staff_under("LB")[0]
    refused = call(client, f"/staff/{gia_lam_person.id}/profile", long_bien)
    assert refused.status_code == 404 and refused.get_json() == {"error": f"Không tìm thấy cán bộ {gia_lam_person.id} trong phạm vi của bạn."}
    assert gia_lam_person.full_name not in refused.get_data(as_text=True)
    biggest = _db.session.execute(select(func.max(Staff.id))).scalar_one()
    for strange in (str(biggest + 1), "0", "-1", "abc", "1.5", str(2**31), str(2**63), "9" * 40, "١٢"):
        answer = call(client, f"/staff/{strange}/profile", long_bien)
        assert answer.status_code == 404 and set(answer.get_json()) == {"error"}, strange
    profile = call(client, f"/staff/{long_bien_person.id}/profile", long_bien).get_json()
    assert profile["staff"]["id"] == long_bien_person.id and profile["staff"]["full_name"] == long_bien_person.full_name
    assert profile["unit"]["code"] == long_bien_person.unit.code and profile["title"]["code"] == long_bien_person.title.code
    assert [m["code"] for m in profile["modules"]][:6] == ["IU01", "IU02", "IU03", "IU04", "IU05", "IU06"]
    assert profile["standard"]["basic_met"] is False and profile["standard"]["mean_score"] is None


def test_gaps_hold_only_long_bien_people_and_page_stably(client, long_bien, city):
    first = call(client, "/reports/gaps", long_bien, per_page=5).get_json()
    second = call(client, "/reports/gaps", long_bien, per_page=5, page=2).get_json()
    assert first["count"] == second["count"] > 10 and first["pages"] == second["pages"] == -(-first["count"] // 5)
    assert len(first["items"]) == len(second["items"]) == 5 and first["items"] != second["items"]
    assert (first["page"], second["page"], first["per_page"]) == (1, 2, 5)
    everything = call(client, "/reports/gaps", long_bien, per_page=500).get_json()["items"]
    assert len(everything) == first["count"] and everything[:10] == first["items"] + second["items"]
    assert all(row["unit_code"].startswith("LB") for row in everything)
    from_the_city = call(client, "/reports/gaps", city, unit="LB", per_page=500).get_json()
    assert from_the_city["items"] == everything
    assert all(row["unit_code"].startswith("GL") for row in call(client, "/reports/gaps", city, unit="GL").get_json()["items"])
    beyond = call(client, "/reports/gaps", long_bien, per_page=5, page=first["pages"] + 1).get_json()
    assert beyond["items"] == [] and beyond["count"] == first["count"]


def test_closed_units_and_levels_are_labelled_in_vietnamese(client, long_bien):
    ward = unit("LB-VIETHUNG")
    org.close_unit(ward, closed_on=local_today())
    _db.session.commit()
    rows = {row["code"]: row for row in call(client, "/reports/units", long_bien).get_json()["items"]}
    assert rows["LB-VIETHUNG"]["status_label"] == f"Đã giải thể {local_today().strftime('%d/%m/%Y')}"
    modules = call(client, "/reports/modules", long_bien, level="advanced").get_json()["items"]
    assert modules and {row["level_label"] for row in modules} == {"Nâng cao"}


# --- Tokens -------------------------------------------------------------------------------------


def test_every_refused_token_gets_the_same_401(client, auth, demo):
    expired_client, expired = new_token("LB")
    expired_client.expires_at = utcnow() - timedelta(seconds=1)
    revoked_client, revoked = new_token("LB")
    api_tokens.revoke_client(revoked_client)
    _db.session.commit()
    unknown = "lms_" + "A" * 43
    answers = [call(client, "/reports/units"), call(client, "/reports/units", unknown), call(client, "/reports/units", expired),
               call(client, "/reports/units", revoked), call(client, "/reports/units", "not-a-token"),
               client.get("/api/v1/reports/units", headers={"Authorization": f"Basic {unknown}"})]
    auth.login("admin")  # a signed-in browser's session cookie opens nothing either
    answers += [call(client, "/reports/units"), call(client, f"/staff/{staff_under('LB')[0].id}/profile")]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.get_json() == {"error": "Cần mã truy cập API hợp lệ (Authorization: Bearer <mã>)."}
        assert answer.headers["WWW-Authenticate"] == 'Bearer realm="lms-api"' and answer.headers["Cache-Control"] == "no-store"


def test_last_use_is_written_at_most_once_a_minute(client, demo):
    holder, token = new_token("LB")
    assert holder.last_used_at is None
    assert call(client, "/reports/modules", token).status_code == 200
    _db.session.expire_all()
    first = _db.session.get(ApiClient, holder.id).last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    recent = utcnow() - timedelta(seconds=30)
    _db.session.get(ApiClient, holder.id).last_used_at = recent
    _db.session.commit()
    call(client, "/reports/modules", token)
    _db.session.expire_all()
    assert _db.session.get(ApiClient, holder.id).last_used_at == recent
    _db.session.get(ApiClient, holder.id).last_used_at = utcnow() - timedelta(minutes=2)
    _db.session.commit()
    call(client, "/reports/modules", token)
    _db.session.expire_all()
    assert utcnow() - _db.session.get(ApiClient, holder.id).last_used_at < timedelta(seconds=30)


def test_bad_filters_are_400_with_the_reason(client, long_bien):
    bad_sort = call(client, "/reports/units", long_bien, sort="password")
    assert bad_sort.status_code == 400
    assert bad_sort.get_json() == {"error": "Giá trị “password” của sort không hợp lệ; cho phép: " + ", ".join(SORTS["units"]) + "."}
    for path, params in (("/reports/gaps", {"per_page": "501"}), ("/reports/gaps", {"page": "0"}), ("/reports/units", {"period": "1999"}),
                         ("/reports/periods", {"grain": "month"}), ("/reports/titles", {"group": "khong-co"}),
                         ("/reports/modules", {"unit": "LB;DROP"}), ("/reports/gaps", {"deadline": "31/12/2017"})):
        answer = call(client, path, long_bien, **params)
        assert answer.status_code == 400 and answer.get_json()["error"], (path, params)
    person = staff_under("LB")[0]
    assert call(client, f"/staff/{person.id}/profile", long_bien, year="2017-Q2").get_json() == {
        "error": "Năm không hợp lệ: 2017-Q2 (ví dụ 2017)."}


# --- The OpenAPI document -------------------------------------------------------------------------


def references(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolve(document, pointer):
    assert pointer.startswith("#/"), pointer
    node = document
    for part in pointer[2:].split("/"):
        assert part in node, pointer
        node = node[part]
    return node





def test_the_openapi_document_is_a_3_1_document_whose_references_all_resolve(client, app):
    answer = client.get("/api/v1/openapi.json")  # public: no token
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    document = answer.get_json()
    assert document["openapi"] == "3.1.0" and document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearer"] == {**document["components"]["securitySchemes"]["bearer"],
                                                                    "type": "http", "scheme": "bearer"}
    for pointer in set(references(document)):
        resolve(document, pointer)
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    api_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert {"/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path) for path in document["paths"]} == api_rules
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert all("description" in response for response in responses.values())
        assert responses["200"]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/"), path
        if path != "/openapi.json":
            assert {"400", "401", "404"} <= set(responses) and responses["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
    parameters = document["components"]["parameters"]
    for report in REPORTS:
        assert parameters[f"sort_{report}"]["schema"]["enum"] == list(SORTS[report])
    assert parameters["level"]["schema"]["enum"] == list(LEVELS) and parameters["grain"]["schema"]["enum"] == list(GRAINS)


def test_the_validation_itself_refuses_what_the_document_does_not_allow(client, long_bien):
    """The checks below prove something only if the references really resolve."""
    document = client.get("/api/v1/openapi.json").get_json()
    body = call(client, "/reports/units", long_bien).get_json()
    validator = response_validator(document, "/reports/units", "200")
    assert validator.is_valid(body)
    assert not validator.is_valid({**body, "secret": 1})
    assert not validator.is_valid({**body, "items": [{**body["items"][0], "basic_rate": 1.5}]})
    assert not validator.is_valid({**body, "columns": [{"key": "code", "header": "Mã", "kind": "colour"}]})
    assert not response_validator(document, "/reports/units", "401").is_valid({"error": 401})


@pytest.fixture()
def results(demo):
    """The demo's finished session (graded, released) and its certificates: scores and dates to check."""
    from lms.demo.finished_exam import seed_finished_session

    seed_question_banks()
    design.seed_exam_demo(utcnow())
    seed_finished_session(utcnow())
    demo.seed_certificates()
    _db.session.commit()


def test_every_answer_validates_against_its_documented_schema(client, results):
    document = client.get("/api/v1/openapi.json").get_json()
    tokens = {"LB": new_token("LB")[1], "HN": new_token(None)[1]}
    this_year = str(local_today().year)
    for token in tokens.values():
        for report in REPORTS:
            assert_valid(document, f"/reports/{report}", call(client, f"/reports/{report}", token))
            assert_valid(document, f"/reports/{report}", call(client, f"/reports/{report}", token, period=this_year, level="basic",
                                                             order="desc", per_page="3", page="2"))
        assert_valid(document, "/reports/periods", call(client, "/reports/periods", token, grain="year"))
        assert_valid(document, "/reports/units", call(client, "/reports/units", token, unit="LB-BODE", sort="mean_score"))
    learner = find_user("learner").staff
    for year in (None, this_year, "2016"):
        answer = call(client, f"/staff/{learner.id}/profile", tokens["LB"], **({"year": year} if year else {}))
        assert_valid(document, "/staff/{staff_id}/profile", answer)
    profile = call(client, f"/staff/{learner.id}/profile", tokens["LB"]).get_json()
    assert profile["standard"]["basic_met"] is True and all(isinstance(m["score"], float) for m in profile["modules"][:6])
    assert profile["certificates"] and profile["certificates"][0]["kind"] == "basic"
    modules = call(client, "/reports/modules", tokens["LB"]).get_json()["items"]
    assert any(isinstance(row["mean_score"], float) and isinstance(row["pass_rate"], float) for row in modules)
    assert_valid(document, "/reports/units", call(client, "/reports/units", tokens["LB"], sort="nope"), "400")
    assert_valid(document, "/staff/{staff_id}/profile", call(client, f"/staff/{learner.id}/profile", tokens["LB"], year="x"), "400")
    assert_valid(document, "/reports/gaps", call(client, "/reports/gaps", "lms_" + "B" * 43), "401")
    assert_valid(document, "/reports/gaps", call(client, "/reports/gaps", tokens["LB"], unit="GL"), "404")
    assert_valid(document, "/staff/{staff_id}/profile", call(client, f"/staff/{2**64}/profile", tokens["LB"]), "404")
