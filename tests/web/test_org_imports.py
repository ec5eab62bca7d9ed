"""Staff and unit imports: preview, all-or-nothing, row-numbered errors, updates by ID number."""
import csv
import html
import io
import re
import unicodedata

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.org.models import Staff, Unit

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Số CCCD", "Mã đơn vị", "Chức danh", "Email"]


def xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows():
    return [
        [1, "Nguyễn Thị Ánh Tuyết", "12/05/1988", "Gia Lâm, Hà Nội", "Nữ", "001188012345", "LB-BODE", "Tư pháp – hộ tịch", "tuyet.nta@longbien.hanoi.gov.vn"],
        [2, "Đặng Quốc Việt", "03/11/1979", "Hưng Yên", "Nam", "033079004567", "LB-NGOCLAM", "CC-TAICHINH", ""],
        [3, "Lưu Thị Huyền Trang", "1992-02-29", "Hà Nội", "nữ", "001192998877", "LB-VIETHUNG", "Văn hóa – xã hội", ""],
    ]


def csv_text(rows, header=HEADER):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header] + rows)
    return buffer.getvalue()


def upload(auth, content, filename="danh-sach.xlsx", kind="staff"):
    return auth.post(f"/org/import/{kind}", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def staff_count(db):
    return db.session.execute(select(func.count(Staff.id))).scalar_one()


def test_preview_then_confirm_imports_all_rows(client, demo, auth, db):
    before = staff_count(db)
    auth.login("hr")
    preview = upload(auth, xlsx(good_rows()))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 dòng hợp lệ" in html
    assert staff_count(db) == before  # nothing yet
    confirm_url = re.search(r'action="(/org/import/staff/[^"]+)"', html).group(1)
    done = auth.post(confirm_url, token_page="/org/staff/")
    assert done.status_code == 302
    db.session.expire_all()
    assert staff_count(db) == before + 3
    person = db.session.execute(select(Staff).where(Staff.id_number == "001188012345")).scalar_one()
    assert person.title.code == "CC-TUPHAP" and person.unit.code == "LB-BODE" and person.sex == "female"
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "import.staff")).first()


def test_one_bad_row_imports_nothing_and_names_the_row(client, demo, auth, db):
    rows = good_rows()
    rows[1][5] = "12345"  # not a CCCD number: spreadsheet row 3
    before = staff_count(db)
    auth.login("hr")
    preview = upload(auth, xlsx(rows)).get_data(as_text=True)
    assert "chưa nhập dòng nào" in preview
    assert re.search(r"<td>3</td><td>Số định danh</td><td>«12345» không phải số CMND", preview)
    assert "/org/import/staff/" not in preview.split("<form")[-1]  # no confirmation offered
    db.session.expire_all()
    assert staff_count(db) == before


def test_rows_outside_the_hr_scope_are_errors(client, demo, auth, db):
    rows = good_rows()
    rows[2][6] = "HK-HANGBAC"
    auth.login("hr")
    preview = upload(auth, xlsx(rows)).get_data(as_text=True)
    assert "<td>4</td><td>Mã đơn vị</td>" in preview and "ngoài phạm vi" in preview


def test_reimport_updates_people_by_id_number(runner, demo, db, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(xlsx(good_rows()))
    first = runner.invoke(args=["staff", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 thêm mới" in first.output
    rows = good_rows()
    rows[0][6] = "LB-GIATHUY"  # moved to another ward
    path.write_bytes(xlsx(rows))
    second = runner.invoke(args=["staff", "import", str(path)])
    assert "0 thêm mới, 1 cập nhật, 2 không đổi" in second.output
    db.session.expire_all()
    people = db.session.execute(select(Staff).where(Staff.id_number == "001188012345")).scalars().all()
    assert len(people) == 1 and people[0].unit.code == "LB-GIATHUY"


def test_cli_import_with_bad_row_exits_non_zero_and_imports_nothing(runner, demo, db, tmp_path):
    rows = good_rows()
    rows[0][2] = "31/02/1990"
    path = tmp_path / "staff.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    before = staff_count(db)
    result = runner.invoke(args=["staff", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 2, cột «Ngày sinh»" in result.output
    assert staff_count(db) == before


def test_vietnamese_names_round_trip_in_nfc(client, demo, auth, db, runner, tmp_path):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert decomposed != "Nguyễn Thị Ánh Tuyết"
    rows = good_rows()
    rows[0][1] = decomposed
    path = tmp_path / "nfd.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    result = runner.invoke(args=["staff", "import", str(path)])
    assert result.exit_code == 0, result.output
    person = db.session.execute(select(Staff).where(Staff.id_number == "001188012345")).scalar_one()
    assert person.full_name == "Nguyễn Thị Ánh Tuyết"
    assert unicodedata.is_normalized("NFC", person.full_name)
    auth.login("hr")
    page = client.get(f"/org/staff/{person.id}").get_data(as_text=True)
    assert "Nguyễn Thị Ánh Tuyết" in page
    exported = client.get("/org/staff/export.csv").data.decode("utf-8-sig")
    assert "Nguyễn Thị Ánh Tuyết" in exported
    search = client.get("/org/staff/", query_string={"q": decomposed}).get_data(as_text=True)
    assert f'href="/org/staff/{person.id}"' in search
    # Case folds for Vietnamese letters on every database, not only for ASCII ones.
    for query in ("ÁNH TUYẾT", "nguyễn thị ánh"):
        search = client.get("/org/staff/", query_string={"q": query}).get_data(as_text=True)
        assert f'href="/org/staff/{person.id}"' in search, query


def test_missing_required_column_is_reported_on_row_one(client, demo, auth):
    auth.login("hr")
    content = xlsx([["Nguyễn Văn An", "LB-BODE"]], header=["Họ và tên", "Mã đơn vị"])
    preview = upload(auth, content).get_data(as_text=True)
    assert "<td>1</td><td>Số định danh</td><td>thiếu cột bắt buộc</td>" in preview


def test_unit_import_builds_the_tree_and_is_idempotent(runner, demo, db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Khối thi đua\n"
        "HN-MOI,Huyện Thử Nghiệm,Huyện,HN,Khối quận, huyện, thị xã\n".replace("Khối quận, huyện, thị xã", "KHOI-QUAN-HUYEN")
        + "HN-MOI-XA1,Xã Đông Hòa,Xã,HN-MOI,KHOI-XA\n"
        "HN-MOI-TT,Thị trấn Tây Đằng,Thị trấn,HN-MOI,KHOI-XA\n",
        encoding="utf-8",
    )
    first = runner.invoke(args=["org", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 thêm mới" in first.output
    again = runner.invoke(args=["org", "import", str(path)])
    assert "0 thêm mới, 0 cập nhật, 3 không đổi" in again.output
    commune = db.session.execute(select(Unit).where(Unit.code == "HN-MOI-XA1")).scalar_one()
    assert commune.parent.code == "HN-MOI" and commune.path.startswith(commune.parent.path)


def test_unit_import_with_unknown_parent_names_the_line(runner, demo, db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên\nX1,Xã Một,Xã,KHONG-CO\n", encoding="utf-8")
    result = runner.invoke(args=["org", "import", str(path)])
    assert result.exit_code == 1 and "Dòng 2, cột «Mã đơn vị cấp trên»" in result.output
    assert db.session.execute(select(Unit).where(Unit.code == "X1")).first() is None


def test_the_downloadable_template_imports_cleanly(client, demo, auth, db):
    auth.login("hr")
    template = client.get("/org/import/staff/template.xlsx")
    assert template.status_code == 200
    preview = upload(auth, template.data).get_data(as_text=True)
    assert "1 dòng hợp lệ" in preview


# --- the preview: values as they will be saved, in the interface's language; what each row does ----------

def preview_rows(html_text):
    """The preview table's body rows as lists of cell texts."""
    body = html.unescape(html_text).split('class="table import-preview"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def test_the_preview_shows_labels_not_stored_keys_in_the_interface_language(client, demo, auth):
    header = HEADER + ["Trạng thái"]
    rows = [row + ["Tạm nghỉ"] for row in good_rows()]
    auth.login("hr")
    page = upload(auth, xlsx(rows, header=header)).get_data(as_text=True)
    assert "<th scope=\"col\">Giới tính</th>" in page and "<th scope=\"col\">Trạng thái</th>" in page
    assert "<th scope=\"col\">Điện thoại</th>" not in page  # not in the file: not shown as if it were to be emptied
    assert preview_rows(page)[0] == ["Thêm mới", "Nguyễn Thị Ánh Tuyết", "12/05/1988", "Gia Lâm, Hà Nội", "Nữ", "001188012345", "Phường Bồ Đề",
                                     "Tư pháp – hộ tịch", "tuyet.nta@longbien.hanoi.gov.vn", "Tạm nghỉ"]
    assert "female" not in page and "on_leave" not in page and "1988-05-12" not in page

    assert auth.switch_language("en", "/org/staff/").status_code == 302
    page = upload(auth, xlsx(rows, header=header)).get_data(as_text=True)
    first, second = preview_rows(page)[:2]
    assert first[0] == "New" and "Female" in first and "On leave" in first and "Male" in second
    assert "Nữ" not in first and "Tạm nghỉ" not in first
    assert "3 valid rows. 3 new, 0 updated, 0 unchanged." in html.unescape(page)


def test_the_preview_of_a_reimport_labels_the_unchanged_rows(client, demo, auth, runner, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(xlsx(good_rows()))
    assert runner.invoke(args=["staff", "import", str(path)]).exit_code == 0
    rows = good_rows()
    rows[1][8] = "viet.dq@longbien.hanoi.gov.vn"  # one person gets an e-mail address
    auth.login("hr")
    page = upload(auth, xlsx(rows)).get_data(as_text=True)
    assert "3 dòng hợp lệ. 0 thêm mới, 1 cập nhật, 2 không đổi." in page
    assert [row[0] for row in preview_rows(page)] == ["Không đổi", "Cập nhật", "Không đổi"]
    assert page.count('<tr class="inactive">') == 2  # unchanged rows read as such at a glance


def test_an_impossible_date_is_reported_as_such_not_as_a_format_error(client, demo, auth, db):
    rows = good_rows()
    rows[0][2] = "31/02/1990"
    rows[1][2] = "12/13/1979"  # month and day swapped
    rows[2][2] = "1992/02/29"  # not a form the import reads
    before = staff_count(db)
    auth.login("hr")
    page = upload(auth, xlsx(rows)).get_data(as_text=True)
    assert "<td>2</td><td>Ngày sinh</td><td>ngày «31/02/1990» không có thật: tháng 2/1990 chỉ có 28 ngày</td>" in page
    assert "<td>3</td><td>Ngày sinh</td><td>ngày «12/13/1979» không có thật: không có tháng 13</td>" in page
    assert "<td>4</td><td>Ngày sinh</td><td>ngày «1992/02/29» không đúng dạng dd/mm/yyyy</td>" in page
    db.session.expire_all()
    assert staff_count(db) == before


def test_the_unit_preview_shows_the_kind_in_the_interface_language_and_what_each_row_does(client, demo, auth):
    content = ("Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Khối thi đua\n"
               "LB-MOI,Phường Mới,phuong,LB,KHOI-PHUONG\n"
               "LB,Quận Long Biên,Quận,HN,\n"  # as it is: an empty bloc keeps the unit's bloc
               "LB-BODE,Phường Bồ Đề,Phường,LB-MOI,\n").encode()  # moved under a unit new in the file
    auth.login("admin")
    assert auth.switch_language("en", "/admin/").status_code == 302
    page = upload(auth, content, "don-vi.csv", kind="units").get_data(as_text=True)
    assert "3 valid rows. 1 new, 1 updated, 1 unchanged." in html.unescape(page)
    new, same, moved = preview_rows(page)
    assert new[:5] == ["New", "LB-MOI", "Phường Mới", "Ward (phường)", "LB"] and new[5]  # the bloc's name
    assert same == ["Unchanged", "LB", "Quận Long Biên", "Urban district (quận)", "HN", ""]
    assert moved[0] == "Update"
