"""The units' indicator import (CSV and XLSX) on random and near-valid files: a report every
time, never an exception; each error names its row and column; a file with an error records no
figure, a valid one records exactly the figures it reports."""
from fuzz_support import CELLS, csv_bytes, encoded, mutated_lines, scaled, workbook_bytes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.rankings.indicator_import import import_indicators
from lms.rankings.models import IndicatorValue
from lms.scope import role_scope

PERIOD = "2017"
HEADER = ["Mã đơn vị", "Tên đơn vị", "online_procedures_pct", "one_stop_shop", "computers_per_staff"]
ROWS = [["LB-BODE", "Phường Bồ Đề", "87,5", "có", "1"], ["LB-NGOCLAM", "", 40, "không", ""], ["LB-GIATHUY", "", "100", 1, "0,5"]]
VALID_CSV = csv_bytes(HEADER, ROWS).decode()
HEADERS = st.lists(st.sampled_from([*HEADER, "Unit code", "official_email_pct", "enrolled_pct", "so_may_chu", "",
                                    "Sử dụng phần mềm một cửa điện tử dùng chung"]), min_size=1, max_size=7)


def recorded_all_or_nothing(db, filename, content):
    user = find_user("hr")
    scope = role_scope(db.session, user, "hr")
    count = select(func.count()).select_from(IndicatorValue)
    before = db.session.scalar(count)
    savepoint = db.session.begin_nested()
    try:
        report = import_indicators(filename, content, PERIOD, scope, user, apply=True)
        db.session.flush()
        after = db.session.scalar(count)
    finally:
        savepoint.rollback()
    for error in report.errors:
        assert error.row >= 1 and error.column and str(error), error
    assert after == before + (0 if report.errors else report.values), report.errors
    return report


def test_the_valid_file_records_its_figures(hanoi):
    report = recorded_all_or_nothing(hanoi, "chi-tieu.csv", VALID_CSV.encode())
    assert report.ok and report.values == 8


@settings(max_examples=scaled(30))
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
       filename=st.sampled_from(["chi-tieu.csv", "chi-tieu.xlsx", "chi-tieu.ods"]))
def test_random_files_get_a_report(hanoi, content, filename):
    recorded_all_or_nothing(hanoi, filename, content)


@settings(max_examples=scaled(40))
@given(content=encoded(mutated_lines([VALID_CSV])))
def test_near_valid_csv_files_record_all_or_nothing(hanoi, content):
    recorded_all_or_nothing(hanoi, "chi-tieu.csv", content.encode() if isinstance(content, str) else content)


@settings(max_examples=scaled(30))
@given(header=HEADERS, rows=st.lists(st.lists(st.one_of(CELLS, st.sampled_from([cell for row in ROWS for cell in row])), max_size=7),
                                     max_size=4))
def test_workbooks_of_random_cells_record_all_or_nothing(hanoi, header, rows):
    content = workbook_bytes(header, rows)
    assume(content is not None)
    recorded_all_or_nothing(hanoi, "chi-tieu.xlsx", content)
