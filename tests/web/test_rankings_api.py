"""The ranking in the JSON API: the token's scope (rows of its units, ranks of the whole bloc,
others' units not found), published versions, and every answer valid against the document."""
import pytest
from api_support import assert_valid, call, new_token, unit
from ranking_support import FULL, report

from lms.extensions import db
from lms.localtime import local_today
from lms.rankings.publishing import publish_safely
from lms.rankings.service import find_bloc
from lms.reports.filters import parse_period

YEAR = str(local_today().year)


@pytest.fixture()
def reported(demo):
    report("LB-BODE", YEAR, FULL)
    report("GL-BATTRANG", YEAR, {**FULL, "online_applications_pct": 60})
    db.session.commit()


def test_a_units_token_reads_its_rows_and_breakdowns_and_nothing_of_others(client, reported):
    document = client.get("/api/v1/openapi.json").get_json()
    long_bien = new_token("LB")[1]
    answer = call(client, "/rankings", long_bien, period=YEAR, bloc="KHOI-PHUONG")
    assert_valid(document, "/rankings", answer)
    body = answer.get_json()
    codes = {row["code"] for row in body["units"]}
    assert "LB-BODE" in codes and not any(code.startswith("GL-") for code in codes) and body["hidden_units"] > 0
    bo_de = next(row for row in body["units"] if row["code"] == "LB-BODE")
    assert isinstance(bo_de["index"], float) and round(sum(s["contribution"] for s in bo_de["scores"]), 4) == bo_de["index"]
    breakdown = call(client, f"/rankings/units/{unit('LB-BODE').id}", long_bien, period=YEAR)
    assert_valid(document, "/rankings/units/{unit_id}", breakdown)
    assert breakdown.get_json()["unit"]["rank"] == bo_de["rank"]
    assert_valid(document, "/rankings/units/{unit_id}", call(client, f"/rankings/units/{unit('GL-BATTRANG').id}", long_bien), "404")
    assert_valid(document, "/rankings/units/{unit_id}", call(client, "/rankings/units/" + "9" * 5000, long_bien), "404")
    assert_valid(document, "/rankings", call(client, "/rankings", long_bien, bloc="KHOI-SO-NGANH"), "404")
    assert_valid(document, "/rankings", call(client, "/rankings", long_bien, period="20x7"), "400")
    assert_valid(document, "/rankings", call(client, "/rankings", None), "401")


def test_published_versions_are_served_frozen(client, reported):
    document = client.get("/api/v1/openapi.json").get_json()
    bloc = find_bloc("KHOI-PHUONG")
    publish_safely(parse_period(YEAR), bloc, None)
    db.session.commit()
    report("LB-BODE", YEAR, {"online_procedures_pct": 100})
    db.session.commit()
    city = new_token(None)[1]
    frozen = call(client, "/rankings", city, period=YEAR, bloc="KHOI-PHUONG", version="1")
    assert_valid(document, "/rankings", frozen)
    live = call(client, "/rankings", city, period=YEAR, bloc="KHOI-PHUONG").get_json()
    assert frozen.get_json()["version"] == 1 and live["version"] is None and live["current_version"] == 1
    raw = lambda body: next(s["raw"] for row in body["units"] if row["code"] == "LB-BODE"  # noqa: E731
                            for s in row["scores"] if s["code"] == "online_procedures_pct")
    assert raw(frozen.get_json()) == 40 and raw(live) == 100
    assert_valid(document, "/rankings", call(client, "/rankings", city, period=YEAR, bloc="KHOI-PHUONG", version="2"), "404")
