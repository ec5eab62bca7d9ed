"""Units' IT-deployment figures on a real database: the file import names every error by row and
column and records all or nothing; a unit outside the importer's scope is refused (by the
import and by the service itself); values are never overwritten (history kept, one current row)
and unchanged values add nothing; the template; the `indicators` commands."""
import io

import pytest
import table_files
from openpyxl import load_workbook
from ranking_support import clear_figures, seeded  # noqa: F401  (seeded: a fixture)
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.org.models import Unit
from lms.rankings.indicator_import import import_indicators, indicator_template
from lms.rankings.indicators import IndicatorError, UnitOutOfScope, completeness, current_values, record_values, value_history
from lms.rankings.models import IndicatorValue
from lms.scope import Scope, role_scope

PERIOD = "2017"
BOOLEAN_NAME = "Sử dụng phần mềm một cửa điện tử dùng chung"  # one_stop_shop, by its Vietnamese name


@pytest.fixture()
def ctx(app, seeded):  # noqa: F811  (the fixture imported above)
    """An app context over the seeded data; the figures a test recorded are removed after it."""
    with app.app_context():
        yield
        clear_figures()
        db.session.remove()


def csv_bytes(header, rows):
    return table_files.csv_bytes(header, rows, delimiter=";")


def hr():
    user = find_user("hr")
    return user, role_scope(db.session, user, "hr")


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def indicator(code):
    return db.session.execute(select(Indicator).where(Indicator.code == code)).scalar_one()


def stored():
    return db.session.execute(select(func.count(IndicatorValue.id))).scalar_one()


def errors(report):
    return [(error.row, error.column, error.message) for error in report.errors]


def test_every_error_names_its_row_and_column_and_nothing_is_recorded(ctx):
    user, scope = hr()
    header = ["Mã đơn vị", "Tên đơn vị", "online_procedures_pct", BOOLEAN_NAME, "enrolled_pct", "so_may_chu"]
    rows = [
        ["LB-BODE", "Phường Bồ Đề", "87,5", "có", "", ""],
        ["LB-GIATHUY", "", "abc", "2", "", ""],
        ["LB-BODE", "", "10", "", "", ""],
        ["HK-HANGBAC", "", "50", "", "", ""],
        ["ZZ-KHONGCO", "", "", "", "", ""],
        ["LB-PNV", "", "50", "", "", ""],
        ["", "", "50", "", "", ""],
        ["LB-NGOCLAM", "", 100.5, "không", "", ""],
    ]
    report = import_indicators("chi-tieu.xlsx", table_files.workbook_bytes(header, rows), PERIOD, scope, user, apply=True)
    assert errors(report) == [
        (1, "enrolled_pct", "chỉ tiêu «Tỉ lệ cán bộ đã tham gia học theo lộ trình» do hệ thống tính từ kết quả học tập, không nhập tay"),
        (1, "so_may_chu", "không có chỉ tiêu nào có mã hoặc tên này"),
        (3, "online_procedures_pct", "«abc» không phải là số"),
        (3, BOOLEAN_NAME, "chỉ nhận 1 (có) hoặc 0 (không), không nhận «2»"),
        (4, "Mã đơn vị", "trùng với dòng 2"),
        (5, "Mã đơn vị", "đơn vị «HK-HANGBAC» nằm ngoài phạm vi quản lý của bạn"),
        (6, "Mã đơn vị", "không có đơn vị mã «ZZ-KHONGCO»"),
        (7, "Mã đơn vị", "đơn vị «Phòng Nội vụ quận Long Biên» không thuộc khối thi đua nào"),
        (8, "Mã đơn vị", "không được để trống"),
        (9, "online_procedures_pct", "100.5 nằm ngoài khoảng hợp lệ (từ 0 đến 100)"),
    ]
    assert str(report.errors[2]) == "Dòng 3, cột «online_procedures_pct»: «abc» không phải là số"
    assert stored() == 0 and not report.preview  # all or nothing, and nothing of the units outside shown


def test_a_file_without_the_unit_code_column_is_refused_at_its_header(ctx):
    user, scope = hr()
    report = import_indicators("chi-tieu.csv", csv_bytes(["Tên đơn vị", "online_procedures_pct"], [["Phường Bồ Đề", "50"]]), PERIOD, scope, user)
    assert errors(report) == [(1, "Mã đơn vị", "thiếu cột bắt buộc")]
    only_units = import_indicators("chi-tieu.csv", csv_bytes(["Mã đơn vị"], [["LB-BODE"]]), PERIOD, scope, user)
    assert errors(only_units) == [(1, "-", "tệp không có cột chỉ tiêu nào")]
    wrong_type = import_indicators("chi-tieu.ods", b"...", PERIOD, scope, user)
    assert errors(wrong_type) == [(1, "-", "Chỉ nhận tệp .xlsx hoặc .csv.")]


def test_one_bad_cell_records_nothing_then_the_corrected_file_records_everything(ctx):
    user, scope = hr()
    header = ["Mã đơn vị", "online_procedures_pct", "computers_per_staff", "one_stop_shop"]
    rows = [["LB-BODE", "87,5", "0,9", "có"], ["LB-GIATHUY", "40", "7", "0"]]
    refused = import_indicators("chi-tieu.csv", csv_bytes(header, rows), PERIOD, scope, user, apply=True)
    assert errors(refused) == [(3, "computers_per_staff", "7 nằm ngoài khoảng hợp lệ (từ 0 đến 5)")]
    assert stored() == 0
    rows[1][2] = "1,1"
    preview = import_indicators("chi-tieu.csv", csv_bytes(header, rows), PERIOD, scope, user)
    assert preview.ok and (preview.total, preview.created, preview.values) == (2, 2, 6) and stored() == 0
    assert preview.preview[0].cells == ["LB-BODE", "Phường Bồ Đề", "87,5", "0,9", "Có"]
    done = import_indicators("chi-tieu.csv", csv_bytes(header, rows), PERIOD, scope, user, apply=True)
    assert done.ok and done.values == 6
    figures = current_values(scope, PERIOD)
    bo_de = unit("LB-BODE")
    assert figures[(bo_de.id, "online_procedures_pct")].value == 87.5 and figures[(bo_de.id, "one_stop_shop")].value == 1
    assert {row.source for row in figures.values()} == {"import"} and {row.entered_by_id for row in figures.values()} == {user.id}
    assert current_values(Scope([unit("HK").path]), PERIOD) == {}  # another district sees none of them


def test_a_unit_outside_the_scope_is_refused_by_the_service_even_when_the_caller_forgot(ctx):
    user, scope = hr()
    hang_bac, share = unit("HK-HANGBAC"), indicator("online_procedures_pct")
    with pytest.raises(UnitOutOfScope):
        record_values([(hang_bac, share, 50)], PERIOD, user, "form")  # the hr officer's own scope
    with pytest.raises(UnitOutOfScope):
        record_values([(hang_bac, share, 50)], PERIOD, user, "form", scope=Scope.city())  # a wider scope does not lift it
    with pytest.raises(UnitOutOfScope):
        record_values([(unit("LB-BODE"), share, 50), (hang_bac, share, 50)], PERIOD, None, "command", scope=scope)
    with pytest.raises(IndicatorError):
        record_values([(unit("LB-BODE"), indicator("enrolled_pct"), 50)], PERIOD, user, "form")
    assert stored() == 0
    assert record_values([(hang_bac, share, 50)], PERIOD, None, "command") == (1, 0)  # a command: the city


def test_history_is_kept_with_one_current_row_and_unchanged_values_add_nothing(ctx):
    user, scope = hr()
    bo_de, share, shop = unit("LB-BODE"), indicator("online_procedures_pct"), indicator("one_stop_shop")
    header = ["Mã đơn vị", "online_procedures_pct", "one_stop_shop"]
    first = import_indicators("a.csv", csv_bytes(header, [["LB-BODE", "87,5", "1"]]), PERIOD, scope, user, apply=True)
    again = import_indicators("a.csv", csv_bytes(header, [["LB-BODE", "87.5", "có"]]), PERIOD, scope, user, apply=True)
    assert (first.values, again.values, again.unchanged) == (2, 0, 1) and stored() == 2
    changed = import_indicators("b.csv", csv_bytes(header, [["LB-BODE", "90", ""]]), PERIOD, scope, user, apply=True)
    assert (changed.values, changed.updated) == (1, 1) and stored() == 3
    assert record_values([(bo_de, share, None), (bo_de, shop, 1)], PERIOD, user, "form", scope=scope) == (1, 1)  # cleared; unchanged
    rows = db.session.execute(select(IndicatorValue).where(IndicatorValue.unit_id == bo_de.id, IndicatorValue.indicator_id == share.id)
                              .order_by(IndicatorValue.id)).scalars().all()
    assert [(row.value, row.current, row.source) for row in rows] == [(87.5, False, "import"), (90.0, False, "import"), (None, True, "form")]
    history = value_history(bo_de.id, PERIOD)
    assert [(entry.indicator.code, entry.previous, entry.value, entry.first) for entry in history] == [
        ("online_procedures_pct", 90.0, None, False), ("online_procedures_pct", 87.5, 90.0, False),
        ("one_stop_shop", None, 1.0, True), ("online_procedures_pct", None, 87.5, True)]
    assert history[0].entered_by.username == "hr" and history[0].entered_at.tzinfo is not None
    assert value_history(bo_de.id, "2017-Q2") == []  # a quarter keeps figures of its own
    assert current_values(scope, PERIOD)[(bo_de.id, "online_procedures_pct")].value is None


def test_the_template_lists_the_scopes_bloc_units_with_their_figures_and_reads_back_unchanged(ctx):
    user, scope = hr()
    bo_de = unit("LB-BODE")
    record_values([(bo_de, indicator("online_procedures_pct"), 72.5), (bo_de, indicator("one_stop_shop"), 1)], PERIOD, user, "form")
    bo_de.name = "=HYPERLINK(\"http://x\")"  # a name a spreadsheet would run; rolled back after the test
    db.session.flush()
    content = indicator_template(scope, PERIOD)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Số liệu", "Hướng dẫn"]
    rows = [[cell.value for cell in row] for row in workbook["Số liệu"].iter_rows()]
    assert rows[0] == ["Mã đơn vị", "Tên đơn vị", "online_procedures_pct", "online_applications_pct", "official_email_pct",
                       "one_stop_shop", "computers_per_staff"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["LB-BODE"][1].startswith("'=") and by_code["LB-BODE"][2:] == [72.5, None, None, 1, None]
    assert "LB" in by_code and "LB-TH-BODE" in by_code and "LB-PNV" not in by_code and "HK-HANGBAC" not in by_code
    assert len(by_code) == completeness(scope, PERIOD)[1]
    guide = {row[0]: row for row in workbook["Hướng dẫn"].iter_rows(values_only=True) if row and row[0]}
    assert guide["computers_per_staff"][1:] == ("Số máy tính trên một cán bộ, công chức", "máy/người", "Tỉ số", "từ 0 đến 5", "Càng cao càng tốt")
    assert "enrolled_pct" not in guide
    reread = import_indicators("chi-tieu-2017.xlsx", content, PERIOD, scope, user, apply=True)
    assert reread.ok and reread.values == 0 and reread.unchanged == reread.total == len(by_code)


def test_the_commands_write_the_template_and_import_city_wide_all_or_nothing(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "chi-tieu-2017.xlsx"
    written = runner.invoke(args=["indicators", "template", "--period", PERIOD, "-o", str(path)])
    assert written.exit_code == 0, written.output
    workbook = load_workbook(path)
    sheet = workbook["Số liệu"]
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "HK-HANGBAC" in codes and "LB-BODE" in codes  # the city
    hang_bac = codes.index("HK-HANGBAC") + 2
    sheet.cell(row=hang_bac, column=3, value="101")
    workbook.save(path)
    refused = runner.invoke(args=["indicators", "import", str(path), "--period", PERIOD])
    assert refused.exit_code == 1
    assert f"Dòng {hang_bac}, cột «online_procedures_pct»: 101 nằm ngoài khoảng hợp lệ (từ 0 đến 100)" in refused.output
    assert "Không nhập gì: 1 lỗi." in refused.output and stored() == 0
    sheet.cell(row=hang_bac, column=3, value="45,5")
    workbook.save(path)
    done = runner.invoke(args=["indicators", "import", str(path), "--period", PERIOD])
    assert done.exit_code == 0, done.output
    assert f"{len(codes)} dòng: 1 thêm mới, 0 cập nhật, {len(codes) - 1} không đổi." in done.output and "1 số liệu mới" in done.output
    row = db.session.execute(select(IndicatorValue)).scalar_one()
    assert (row.value, row.source, row.entered_by_id, row.period, row.current) == (45.5, "command", None, PERIOD, True)
    bad_period = runner.invoke(args=["indicators", "import", str(path), "--period", "2017-Q5"])
    assert bad_period.exit_code != 0 and "Kỳ báo cáo không hợp lệ" in bad_period.output
