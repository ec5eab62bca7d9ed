"""The competency report pages through the web: the demo HR officer of Long Biên sees its
units, charts, gaps and profiles and exports them; an HR officer of Gia Lâm reaches nothing of
Long Biên by any parameter; bad filters are 400s; a long export runs as a job."""
import csv
import io
import re

import pytest
from certificate_support import PASSING, released_session
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.org.queries import unit_by_code

GIA_LAM_ID_NUMBER = "001083006128"


@pytest.fixture()
def results(demo):
    """The demo learner (Phường Bồ Đề, Long Biên) and a Gia Lâm official passed a basic exam."""
    gia_lam = db.session.execute(select(Staff).where(Staff.id_number == GIA_LAM_ID_NUMBER)).scalar_one()
    released_session([PASSING, PASSING], extra_staff=[gia_lam])
    create_user("hr_gl", "Demo@2017", "TCCB huyện Gia Lâm", roles=["hr"], unit=unit_by_code("GL"), enforce_policy=False)
    db.session.commit()
    return {"learner": find_user("learner").staff, "gia_lam": gia_lam}


def test_hr_sees_long_bien_units_with_charts_and_drills_down(results, auth, client):
    auth.login("hr")
    page = client.get("/reports/units").get_data(as_text=True)
    assert "Quận Long Biên" in page and "LB-BODE" in page and "Phường Bồ Đề" in page
    assert "GL-" not in page and "Huyện Gia Lâm" not in page
    assert page.count('role="img"') == 3 and "style=" not in re.search(r"<svg.*</svg>", page, re.S).group(0)
    assert "Số liệu của biểu đồ" in page  # each chart's numbers as a table
    drilled = client.get("/reports/units?unit=LB-BODE").get_data(as_text=True)
    assert "Phường Bồ Đề" in drilled and "LB-NGOCLAM" not in drilled
    for path in ("/reports/titles", "/reports/modules", "/reports/periods?grain=year", "/reports/gaps?level=basic"):
        assert client.get(path).status_code == 200, path
    learner = results["learner"]
    profile = client.get(f"/reports/staff/{learner.id}").get_data(as_text=True)
    assert learner.full_name in profile and "IU01" in profile
    assert re.search(r"<td>IU01</td><td>[^<]*</td><td>Bắt buộc</td>\s*<td>\d+,\d</td>", profile), "IU01 passed with its score"
    staff_page = client.get(f"/org/staff/{learner.id}").get_data(as_text=True)
    assert "Năng lực CNTT" in staff_page and f"/reports/staff/{learner.id}" in staff_page
    pdf = client.get(f"/reports/staff/{learner.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_another_district_reaches_nothing_of_long_bien(results, auth, client):
    auth.login("hr_gl")
    learner = results["learner"]
    for path in ("/reports/units?unit=LB", "/reports/units?unit=LB-BODE", "/reports/gaps?unit=LB", "/reports/units.csv?unit=LB",
                 "/reports/titles?unit=LB", "/reports/periods?unit=LB", f"/reports/staff/{learner.id}",
                 f"/reports/staff/{learner.id}.pdf", "/reports/units?unit=HN"):
        assert client.get(path).status_code == 404, path
    own = client.get("/reports/units").get_data(as_text=True)
    assert "Huyện Gia Lâm" in own and "LB-" not in own
    gaps = client.get("/reports/gaps?per_page=500").get_data(as_text=True)
    people = set(re.findall(r'/reports/staff/(\d+)"', gaps))
    gia_lam_path = unit_by_code("GL").path
    in_gia_lam = {str(i) for i in db.session.execute(select(Staff.id).join(Unit, Unit.id == Staff.unit_id)
                                                     .where(Unit.path.startswith(gia_lam_path))).scalars()}
    assert people and people <= in_gia_lam
    exported = client.get("/reports/gaps.csv").data.decode("utf-8-sig")
    assert "LB-" not in exported


def test_bad_sort_and_filters_answer_400_with_the_reason(results, auth, client):
    auth.login("hr")
    for path, reason in (("/reports/units?sort=password", "sort"), ("/reports/units?period=2017-Q5", "2017-Q5"),
                         ("/reports/gaps?level=expert", "expert"), ("/reports/gaps?deadline=31/12/2017", "YYYY-MM-DD"),
                         ("/reports/units?unit=%27%20OR%201=1", "không hợp lệ"), ("/reports/gaps?page=0", "page"),
                         ("/reports/units.xlsx?sort=1;drop", "sort"), ("/reports/staff/1?year=20x7", "20x7")):
        response = client.get(path)
        assert response.status_code == 400, path
        assert reason in response.get_data(as_text=True), path
    assert client.get("/reports/staff/99999999999999999999").status_code == 404
    assert client.get("/reports/staff/١٢").status_code == 404  # ids are ASCII digits, not any Unicode digit
    assert client.get("/reports/units.docx").status_code == 404


def test_exports_carry_the_page_rows_in_its_sort(results, auth, client):
    auth.login("hr")
    page = client.get("/reports/units?sort=staff&order=desc").get_data(as_text=True)
    page_codes = re.findall(r'<td class="text"><a href="/reports/units\?[^"]*unit=(LB-[A-Z0-9]+)', page)
    rows = list(csv.reader(io.StringIO(client.get("/reports/units.csv?sort=staff&order=desc").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Tên đơn vị", "Số cán bộ"]
    assert [row[0] for row in rows[1:len(page_codes) + 1]] == page_codes
    workbook = load_workbook(io.BytesIO(client.get("/reports/units.xlsx?sort=staff&order=desc").data), read_only=True)
    first = workbook.worksheets[0]
    assert [row[0] for row in first.iter_rows(min_row=2, max_row=len(page_codes) + 1, values_only=True)] == page_codes
    assert workbook.sheetnames[-1] == "Cán bộ"  # one sheet per level, then everyone
    pdf = client.get("/reports/modules.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_long_export_runs_as_a_job_only_its_owner_downloads(results, auth, client, monkeypatch):
    from lms.reports import export_jobs

    monkeypatch.setattr(export_jobs, "JOB_ROWS", 0)  # every export is "long"
    auth.login("hr")
    response = client.get("/reports/units.xlsx")
    assert response.status_code == 302 and "/reports/exports/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tải tệp báo cáo" in job_page
    job_id = int(re.search(r"/reports/exports/(\d+)", response.headers["Location"]).group(1))
    status = client.get(f"/reports/exports/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] >= status["total"] > 0
    download = client.get(f"/reports/exports/{job_id}/file")
    assert download.status_code == 200 and "bao-cao-don-vi-LB.xlsx" in download.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(download.data), read_only=True).sheetnames[0] == "Cấp 1"
    auth.logout()
    auth.login("hr_gl")
    assert client.get(f"/reports/exports/{job_id}/file").status_code == 404
    assert client.get(f"/reports/exports/{job_id}").status_code == 404


def test_learners_and_trainers_have_no_reports(results, auth, client):
    auth.login("learner")
    assert client.get("/reports/units").status_code == 403
    assert client.get("/reports/units.xlsx").status_code == 403
