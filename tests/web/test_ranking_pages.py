"""The ranking pages through the test client: HR of Long Biên reads their units' rows of a
bloc with its breakdown and exports it; an administrator publishes and republishes; a bloc,
unit or version out of reach is a 404, a bad period or version a 400; a learner is refused."""
from io import BytesIO

import pytest
import yaml
from openpyxl import load_workbook
from ranking_support import FULL, report, unit

from lms.extensions import db
from lms.localtime import local_today
from lms.rankings.formula import default_document, formula_document
from lms.rankings.models import RankingPublication

YEAR = str(local_today().year)


@pytest.fixture()
def reported(demo):
    report("LB-BODE", YEAR, FULL)
    report("LB-GIATHUY", YEAR, {**FULL, "online_procedures_pct": 80})
    report("GL-BATTRANG", YEAR, FULL)
    db.session.commit()


def page(client, path, **args):
    return client.get(path, query_string=args)


def test_hr_reads_the_rows_of_their_units_with_ranks_of_the_whole_bloc(client, auth, reported):
    auth.login("hr")
    answer = page(client, "/rankings/", period=YEAR, bloc="KHOI-PHUONG")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Phường Bồ Đề" in html and "Phường Gia Thụy" in html and "Phường Hàng Bạc" not in html
    assert "ngoài phạm vi của bạn" in html and "<svg" in html and 'style="' not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Công bố phiên bản" not in html  # publishing is for administrators
    default = page(client, "/rankings/").get_data(as_text=True)
    assert "Khối quận, huyện, thị xã" in default and "Quận Long Biên" in default  # the bloc of the reader's own unit


def test_the_breakdown_adds_up_to_the_index_and_says_what_reaches_the_next_band(client, auth, reported):
    auth.login("hr")
    bo_de = unit("LB-BODE")
    html = page(client, f"/rankings/unit/{bo_de.id}", period=YEAR).get_data(as_text=True)
    assert "Tổng đóng góp = chỉ số" in html and "Tỉ lệ thủ tục hành chính cung cấp trực tuyến mức độ 3, 4" in html
    assert "Để đạt mức" in html
    assert page(client, f"/rankings/unit/{unit('GL-BATTRANG').id}", period=YEAR).status_code == 404
    for huge in (2**31, 2**63):
        assert page(client, f"/rankings/unit/{huge}", period=YEAR).status_code == 404
    assert page(client, "/rankings/", bloc="KHOI-SO-NGANH").status_code == 404  # no unit of Long Biên in it
    assert page(client, "/rankings/", period="2017-Q7").status_code == 400
    assert page(client, "/rankings/", version="x").status_code == 400
    assert page(client, "/rankings/", version="3", bloc="KHOI-PHUONG").status_code == 404


def test_exports_carry_the_readers_rows_only(client, auth, reported):
    auth.login("hr")
    xlsx = page(client, "/rankings/export.xlsx", period=YEAR, bloc="KHOI-PHUONG")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(xlsx.data), read_only=True).worksheets[0]
    names = {row[2] for row in sheet.iter_rows(values_only=True) if row and len(row) > 2}
    assert "Phường Bồ Đề" in names and "Phường Bát Tràng" not in names
    pdf = page(client, "/rankings/export.pdf", period=YEAR, bloc="KHOI-PHUONG")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    one = page(client, f"/rankings/unit/{unit('LB-BODE').id}/export.xlsx", period=YEAR)
    assert one.status_code == 200
    assert page(client, f"/rankings/unit/{unit('GL-BATTRANG').id}/export.pdf", period=YEAR).status_code == 404
    assert page(client, "/rankings/export.docx", period=YEAR).status_code == 404


def test_an_administrator_publishes_then_republishes_after_a_change_keeping_the_old_version(client, auth, reported):
    auth.login("admin")
    path = f"/rankings/?period={YEAR}&bloc=KHOI-PHUONG"
    first = auth.post(f"/rankings/publish?period={YEAR}", {"bloc": "KHOI-PHUONG"}, token_page=path)
    assert first.status_code == 302 and "version=1" in first.headers["Location"]
    same = auth.post(f"/rankings/publish?period={YEAR}", {"bloc": "KHOI-PHUONG"}, token_page=path)
    assert same.status_code == 302 and "version" not in same.headers["Location"]
    assert db.session.query(RankingPublication).count() == 1
    report("LB-GIATHUY", YEAR, {"online_procedures_pct": 95})
    db.session.commit()
    live = client.get(path).get_data(as_text=True)
    assert "Số liệu đã thay đổi so với phiên bản này" in live
    second = auth.post(f"/rankings/publish?period={YEAR}", {"bloc": "KHOI-PHUONG", "note": "Gia Thụy sửa số liệu"}, token_page=path)
    assert "version=2" in second.headers["Location"]
    versions = client.get(path).get_data(as_text=True)
    assert "Phiên bản 2" in versions and "Phiên bản 1" in versions and "Gia Thụy sửa số liệu" in versions
    old = client.get(path + "&version=1").get_data(as_text=True)
    assert "Phiên bản hiện hành là 2" in old
    unnamed = auth.post(f"/rankings/publish?period={YEAR}", {}, token_page=path)
    assert unnamed.status_code == 400 and db.session.query(RankingPublication).count() == 2
    elsewhere = auth.post(f"/rankings/publish?period={YEAR}", {"bloc": "NOPE"}, token_page=path)
    assert elsewhere.status_code == 404 and db.session.query(RankingPublication).count() == 2
    refused = client.post(f"/rankings/publish?period={YEAR}", data={"bloc": "KHOI-PHUONG"})  # no CSRF token
    assert refused.status_code == 400 and db.session.query(RankingPublication).count() == 2


def test_only_administrators_publish_or_edit_the_formula_and_learners_see_nothing(client, auth, reported):
    auth.login("hr")
    path = f"/rankings/?period={YEAR}&bloc=KHOI-PHUONG"
    assert auth.post(f"/rankings/publish?period={YEAR}", {"bloc": "KHOI-PHUONG"}, token_page=path).status_code == 403
    assert client.get("/rankings/formula").status_code == 403
    auth.logout()
    auth.login("learner")
    assert client.get("/rankings/").status_code == 403


def test_the_formula_page_refuses_an_invalid_formula_and_saves_a_valid_one(client, auth, reported):
    auth.login("admin")
    form = client.get(f"/rankings/formula?year={YEAR}").get_data(as_text=True)
    assert "missing_rule: lowest" in form and "chưa có công thức riêng" in form
    bad = auth.post(f"/rankings/formula?year={YEAR}", {"text": "components: [{code: x, indicators: [{code: nope}]}]"})
    assert bad.status_code == 200 and "nope" in bad.get_data(as_text=True)
    assert formula_document(int(YEAR))[1] is False
    text = yaml.safe_dump({**default_document(), "missing_rule": "exclude"}, allow_unicode=True)
    saved = auth.post(f"/rankings/formula?year={YEAR}", {"text": text})
    assert saved.status_code == 302
    assert formula_document(int(YEAR))[0]["missing_rule"] == "exclude"
    html = client.get(f"/rankings/?period={YEAR}&bloc=KHOI-PHUONG").get_data(as_text=True)
    assert "không được xếp hạng" in html
