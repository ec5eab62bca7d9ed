"""The IT-deployment figures pages through the test client: HR of Long Biên enters Phường Bồ Đề's
figures and reads their history; a unit of another district is a 404; the file import is
previewed, then confirmed; a learner is refused; a form without its CSRF token changes nothing."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from ranking_support import clear_figures, seeded  # noqa: F401  (seeded: a fixture)
from sqlalchemy import func, select

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.org.models import PendingImport, Unit
from lms.rankings.models import IndicatorValue

PASSWORD = "Demo@2017"
PERIOD = "2017"


@pytest.fixture()
def site(app, seeded):  # noqa: F811  (the fixture imported above)
    """A test client and an app context over the seeded data; the figures recorded are removed after the test."""
    with app.app_context():
        yield app.test_client()
        clear_figures()
        db.session.remove()


def token(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def login(client, username):
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token(client, "/login")})
    assert answer.status_code == 302


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def figures(code, indicator_code):
    return db.session.execute(
        select(IndicatorValue.value, IndicatorValue.current, IndicatorValue.source).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.unit_id == unit(code).id, Indicator.code == indicator_code).order_by(IndicatorValue.id)).all()


def test_hr_enters_bo_des_figures_and_reads_their_history(site):
    login(site, "hr")
    listing = site.get("/indicators/", query_string={"period": PERIOD}).get_data(as_text=True)
    assert "Phường Bồ Đề" in listing and "Phường Hàng Bạc" not in listing and "thiếu số liệu" in listing
    assert "/indicators/" in site.get("/hr/").get_data(as_text=True)
    path = f"/indicators/unit/{unit('LB-BODE').id}?period={PERIOD}"
    saved = site.post(path, data={"csrf_token": token(site, path), "value_online_procedures_pct": "87,5", "value_one_stop_shop": "1"})
    assert saved.status_code == 302
    assert figures("LB-BODE", "online_procedures_pct") == [(87.5, True, "form")]
    page = site.get(path).get_data(as_text=True)
    assert "Đã lưu số liệu kỳ 2017: 2 thay đổi" in page
    assert 'value="87,5"' in page and "Nhập trên biểu mẫu" in page and "Lê Minh Tuấn" in page
    changed = site.post(path, data={"csrf_token": token(site, path), "value_online_procedures_pct": "90", "value_one_stop_shop": "1"})
    assert changed.status_code == 302
    assert figures("LB-BODE", "online_procedures_pct") == [(87.5, False, "form"), (90.0, True, "form")]
    assert figures("LB-BODE", "one_stop_shop") == [(1.0, True, "form")]  # unchanged: no new row
    history = site.get(path).get_data(as_text=True).split("Lịch sử số liệu", 1)[1]
    assert re.search(r">87,5</td>\s*<td class=\"num\">90</td>", history)
    listing = site.get("/indicators/", query_string={"period": PERIOD, "bloc": "KHOI-PHUONG"}).get_data(as_text=True)
    assert re.search(r"Phường Bồ Đề</a>.*?<td class=\"num\">90</td>", listing, re.S)


def test_a_bad_value_is_shown_on_its_field_and_saves_nothing(site):
    login(site, "hr")
    path = f"/indicators/unit/{unit('LB-BODE').id}?period={PERIOD}"
    answer = site.post(path, data={"csrf_token": token(site, path), "value_online_procedures_pct": "87,5", "value_computers_per_staff": "9"})
    assert answer.status_code == 200
    assert "9 nằm ngoài khoảng hợp lệ (từ 0 đến 5)" in answer.get_data(as_text=True)
    assert figures("LB-BODE", "online_procedures_pct") == []


def test_a_unit_of_another_district_or_outside_any_bloc_is_not_found(site):
    login(site, "hr")
    path = f"/indicators/unit/{unit('LB-BODE').id}?period={PERIOD}"
    csrf = token(site, path)
    for other in (unit("HK-HANGBAC").id, unit("LB-PNV").id, 2**31 - 1, 2**63):
        assert site.get(f"/indicators/unit/{other}").status_code == 404
        assert site.post(f"/indicators/unit/{other}", data={"csrf_token": csrf, "value_online_procedures_pct": "50"}).status_code == 404
    assert figures("HK-HANGBAC", "online_procedures_pct") == []
    assert site.get("/indicators/", query_string={"period": "2017-Q7"}).status_code == 400
    assert site.get("/indicators/", query_string={"bloc": "KHOI-SO-NGANH"}).status_code == 404  # no unit of Long Biên in it


def xlsx(rows):
    workbook = Workbook()
    workbook.active.append(["Mã đơn vị", "Tên đơn vị", "online_procedures_pct", "one_stop_shop"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(site, content, period=PERIOD):
    data = {"csrf_token": token(site, "/indicators/import"), "period": period, "file": (io.BytesIO(content), "chi-tieu.xlsx")}
    return site.post("/indicators/import", data=data, content_type="multipart/form-data")


def test_an_import_is_previewed_then_confirmed(site):
    login(site, "hr")
    preview = upload(site, xlsx([["LB-BODE", "Phường Bồ Đề", "60,5", "có"], ["LB-GIATHUY", "", 30, 0]]))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 dòng hợp lệ" in html and "4 số liệu sẽ được ghi" in html
    assert figures("LB-BODE", "online_procedures_pct") == []  # nothing yet
    confirm = re.search(r'action="(/indicators/import/[^"]+)"', html).group(1)
    assert site.post(confirm, data={}).status_code == 400  # no CSRF token
    done = site.post(confirm, data={"csrf_token": token(site, "/indicators/import")})
    assert done.status_code == 302 and done.headers["Location"].endswith("/indicators/?period=2017")
    assert figures("LB-BODE", "online_procedures_pct") == [(60.5, True, "import")]
    assert figures("LB-GIATHUY", "one_stop_shop") == [(0.0, True, "import")]
    assert site.post(confirm, data={"csrf_token": token(site, "/indicators/import")}).status_code == 404  # used up
    template = site.get("/indicators/template.xlsx", query_string={"period": PERIOD})
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    rows = {row[0]: row for row in load_workbook(io.BytesIO(template.data))["Số liệu"].iter_rows(min_row=2, values_only=True)}
    assert rows["LB-BODE"][2] == 60.5 and "HK-HANGBAC" not in rows


def test_an_import_with_errors_lists_them_and_offers_no_confirmation(site):
    login(site, "hr")
    html = upload(site, xlsx([["LB-BODE", "", "60,5", "có"], ["HK-HANGBAC", "", 30, 1], ["LB-GIATHUY", "", 130, 1]])).get_data(as_text=True)
    assert "chưa nhập dòng nào" in html and "/indicators/import/" not in html.split("</table>")[-1]
    assert re.search(r"<td>3</td><td>Mã đơn vị</td><td>đơn vị «HK-HANGBAC» nằm ngoài phạm vi", html)
    assert re.search(r"<td>4</td><td>online_procedures_pct</td><td>130 nằm ngoài khoảng hợp lệ", html)
    assert "Phường Hàng Bạc" not in html
    assert db.session.execute(select(func.count(PendingImport.id))).scalar_one() == 0
    bad_period = upload(site, xlsx([["LB-BODE", "", "60,5", "có"]]), period="2017-Q9").get_data(as_text=True)
    assert "Kỳ báo cáo không hợp lệ" in bad_period


def test_an_administrator_reaches_every_district(site):
    login(site, "admin")
    listing = site.get("/indicators/", query_string={"period": PERIOD, "bloc": "KHOI-PHUONG"}).get_data(as_text=True)
    assert "Phường Hàng Bạc" in listing and "Phường Bồ Đề" in listing
    path = f"/indicators/unit/{unit('HK-HANGBAC').id}?period={PERIOD}"
    assert site.post(path, data={"csrf_token": token(site, path), "value_official_email_pct": "100"}).status_code == 302
    assert figures("HK-HANGBAC", "official_email_pct") == [(100.0, True, "form")]


def test_a_learner_is_refused(site):
    login(site, "learner")
    assert site.get("/indicators/").status_code == 403
    assert site.get("/indicators/import").status_code == 403
    assert site.get("/indicators/template.xlsx").status_code == 403
    data = {"csrf_token": token(site, "/learn/"), "value_online_procedures_pct": "50"}
    assert site.post(f"/indicators/unit/{unit('LB-BODE').id}", data=data).status_code == 403
    assert figures("LB-BODE", "online_procedures_pct") == []


def test_a_form_without_its_csrf_token_changes_nothing(site):
    login(site, "hr")
    answer = site.post(f"/indicators/unit/{unit('LB-BODE').id}?period={PERIOD}", data={"value_online_procedures_pct": "50"})
    assert answer.status_code == 400
    assert figures("LB-BODE", "online_procedures_pct") == []
