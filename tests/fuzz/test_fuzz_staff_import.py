"""The staff import (CSV and XLSX) on random and near-valid files: it always answers with a
report, never an exception; every error names its row and column; and a file with an error
writes nobody (all or nothing), while a valid one adds exactly the people it reports. The unit
list import of the same module, likewise: a refused file moves, renames and adds no unit."""
from fuzz_support import CELLS, csv_bytes, encoded, mutated_lines, scaled, workbook_bytes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.org.imports import STAFF_COLUMNS, import_staff, import_units
from lms.org.models import Staff, StaffPosting, Unit
from lms.scope import Scope

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Nơi sinh", "Giới tính", "Số CCCD", "Mã đơn vị", "Chức danh", "Email", "Trạng thái"]
ROWS = [
    [1, "Nguyễn Thị Ánh Tuyết", "12/05/1988", "Gia Lâm, Hà Nội", "Nữ", "001188012345", "LB-BODE", "Tư pháp – hộ tịch",
     "tuyet.nta@longbien.hanoi.gov.vn", ""],
    [2, "Đặng Quốc Việt", "03/11/1979", "Hưng Yên", "Nam", "033079004567", "LB-NGOCLAM", "CC-TAICHINH", "", ""],
    [3, "Lưu Thị Huyền Trang", "1992-02-29", "Hà Nội", "nữ", "001192998877", "LB-VIETHUNG", "", "", "Đang công tác"],
]
VALID_CSV = csv_bytes(HEADER, ROWS).decode()
HEADERS = st.lists(st.sampled_from(["STT", "Ghi chú", *(alias for aliases in STAFF_COLUMNS.values() for alias in aliases)]),
                   min_size=1, max_size=12)


def _counts(db):
    return (db.session.scalar(select(func.count()).select_from(Staff)), db.session.scalar(select(func.count()).select_from(StaffPosting)))


def imported_all_or_nothing(db, filename, content):
    """Import with `apply`, in a savepoint rolled back after: the report's promise holds in the database."""
    before = _counts(db)
    savepoint = db.session.begin_nested()
    try:
        report = import_staff(filename, content, Scope.city(), apply=True)
        db.session.flush()
        after = _counts(db)
    finally:
        savepoint.rollback()
    for error in report.errors:
        assert error.row >= 1 and error.column and str(error), error
    if report.errors:
        assert after == before, report.errors
    else:
        assert after[0] == before[0] + report.created
        assert report.created + report.updated + report.unchanged == report.total
    return report


def test_the_valid_file_imports(hanoi):
    """The mutations start from a file that imports, so their refusals are the mutations' doing."""
    report = imported_all_or_nothing(hanoi, "ds.csv", VALID_CSV.encode())
    assert report.ok and report.created == len(ROWS)


@settings(max_examples=scaled(30))
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
       filename=st.sampled_from(["ds.csv", "ds.xlsx", "ds.txt", "DS.CSV"]))
def test_random_files_get_a_report(hanoi, content, filename):
    imported_all_or_nothing(hanoi, filename, content)


@settings(max_examples=scaled(40))
@given(content=encoded(mutated_lines([VALID_CSV])))
def test_near_valid_csv_files_import_all_or_nothing(hanoi, content):
    if isinstance(content, str):
        content = content.encode()
    imported_all_or_nothing(hanoi, "ds.csv", content)


@settings(max_examples=scaled(30))
@given(header=HEADERS, rows=st.lists(st.lists(st.one_of(CELLS, st.sampled_from([cell for row in ROWS for cell in row])), max_size=12),
                                     max_size=4))
def test_workbooks_of_random_cells_import_all_or_nothing(hanoi, header, rows):
    content = workbook_bytes(header, rows)
    assume(content is not None)
    imported_all_or_nothing(hanoi, "ds.xlsx", content)


def test_a_cell_of_another_type_in_any_column_is_read_or_refused_by_row(hanoi):
    """Numbers, booleans and formulas where text is expected (as Excel stores them) are read or refused by row."""
    for column in range(1, len(HEADER)):
        for value in (12345678901, 3.5, True, "=1+1"):
            rows = [list(row) for row in ROWS]
            rows[1][column] = value
            imported_all_or_nothing(hanoi, "ds.xlsx", workbook_bytes(HEADER, rows))
    rows = [list(row) for row in ROWS]
    rows[1][5] = 33079004567  # the ID number as Excel keeps a number: its leading zero lost
    report = imported_all_or_nothing(hanoi, "ds.xlsx", workbook_bytes(HEADER, rows))
    assert [(error.row, error.column) for error in report.errors] == [(3, "Số định danh")]


def test_csv_files_the_csv_module_cannot_read_are_refused_not_raised(hanoi):
    """A bare CR before a NUL, and a field past the csv module's size limit, raised csv.Error out of the import;
    a NUL byte in a cell reached PostgreSQL, which cannot store it (a DataError)."""
    for content, line in ((b"\r\x00", 2), (VALID_CSV.replace("LB-NGOCLAM", "LB-\x00").encode(), 3)):
        assert [str(error) for error in imported_all_or_nothing(hanoi, "ds.csv", content).errors] == [
            f"Dòng 1, cột «-»: Dòng {line}: tệp có ký tự NUL (mã 0) nên không phải văn bản."]
    huge = VALID_CSV.encode() + b'4,"' + b"x" * 200_000 + b'",001188012346,LB-BODE\r\n'
    report = imported_all_or_nothing(hanoi, "ds.csv", huge)
    assert not report.ok and "Dòng 5: không đọc được tệp CSV (field larger than field limit" in str(report.errors[0])
    mac = VALID_CSV.replace("\r\n", "\r").encode()  # old Mac line ends: read as lines, not refused
    assert imported_all_or_nothing(hanoi, "ds.csv", mac).created == len(ROWS)


UNITS_CSV = ("Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Khối thi đua\n"
             "LB-MOI,Phường Mới,phuong,LB,KHOI-PHUONG\n"
             "LB,Quận Long Biên,Quận,HN,\n"
             "LB-BODE,Phường Bồ Đề,Phường,LB-MOI,\n")


def test_the_valid_unit_list_imports(hanoi):
    report = import_units("don-vi.csv", UNITS_CSV.encode())
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 1)


@settings(max_examples=scaled(40))
@given(content=encoded(mutated_lines([UNITS_CSV])))
def test_near_valid_unit_lists_import_all_or_nothing(hanoi, content):
    tree = select(Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.path, Unit.bloc_id).order_by(Unit.code)
    before = hanoi.session.execute(tree).all()
    savepoint = hanoi.session.begin_nested()
    try:
        report = import_units("don-vi.csv", content.encode() if isinstance(content, str) else content, apply=True)
        hanoi.session.flush()
        after = hanoi.session.execute(tree).all()
    finally:
        savepoint.rollback()
    for error in report.errors:
        assert error.row >= 1 and error.column and str(error), error
    if report.errors:
        assert after == before, report.errors
    else:
        assert len(after) == len(before) + report.created


def test_values_longer_than_their_columns_are_errors_of_their_cells(hanoi):
    """Found on PostgreSQL, which enforces the column lengths SQLite ignores: the import failed with a DataError."""
    rows = [list(row) for row in ROWS]
    rows[0][1], rows[1][3], rows[2][8] = "Nguyễn Văn " * 25, "Hà Nội " * 40, "a" * 200 + "@hanoi.gov.vn"
    report = imported_all_or_nothing(hanoi, "ds.xlsx", workbook_bytes(HEADER, rows))
    assert [(error.row, error.column, error.message) for error in report.errors] == [
        (2, "Họ và tên", "dài quá 200 ký tự"), (3, "Nơi sinh", "dài quá 200 ký tự"), (4, "Email", "dài quá 200 ký tự")]
    units = UNITS_CSV.replace("Phường Mới", "Phường " * 40).replace("LB-MOI", "LB-" + "X" * 40).encode()
    report = import_units("don-vi.csv", units, apply=True)
    assert [(error.row, error.column) for error in report.errors] == [(2, "Mã đơn vị"), (2, "Tên đơn vị")]
