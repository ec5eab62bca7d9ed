"""Practice workbooks of IU04 (Sử dụng bảng tính cơ bản).

Each builder makes an .xlsx in memory with openpyxl and returns its bytes; nothing
touches the disk or the network. The people and the commune are fictional.
"""
from __future__ import annotations

import datetime as dt
import random
from io import BytesIO
from typing import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

UNIT = "ỦY BAN NHÂN DÂN XÃ ĐÔNG PHONG"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TO_FILL = PatternFill("solid", fgColor="FFF2CC")  # columns the learner fills in

# Họ và tên, chức danh, hệ số lương, hệ số phụ cấp chức vụ, ngày công trong tháng
STAFF: list[tuple[str, str, float, float, int]] = [
    ("Nguyễn Văn Hùng", "Chủ tịch UBND xã", 4.32, 0.25, 22),
    ("Trần Thị Lan", "Phó Chủ tịch UBND xã", 3.99, 0.20, 22),
    ("Lê Minh Tuấn", "Phó Chủ tịch UBND xã", 3.66, 0.20, 21),
    ("Phạm Thị Hồng Nhung", "Văn phòng – thống kê", 3.33, 0.0, 22),
    ("Đỗ Quang Huy", "Văn phòng – thống kê", 2.67, 0.0, 20),
    ("Vũ Thị Thu Hà", "Tài chính – kế toán", 3.66, 0.0, 22),
    ("Hoàng Văn Đức", "Tư pháp – hộ tịch", 3.00, 0.0, 22),
    ("Bùi Thị Ngọc Ánh", "Tư pháp – hộ tịch", 2.34, 0.0, 19),
    ("Ngô Văn Thắng", "Địa chính – nông nghiệp – xây dựng và môi trường", 3.33, 0.0, 22),
    ("Đặng Thị Mai", "Địa chính – nông nghiệp – xây dựng và môi trường", 2.67, 0.0, 22),
    ("Phan Văn Long", "Văn hóa – xã hội", 3.00, 0.0, 21),
    ("Trịnh Thị Thảo", "Văn hóa – xã hội", 2.34, 0.0, 22),
    ("Lý Văn Quyết", "Chỉ huy trưởng Quân sự", 3.33, 0.0, 22),
    ("Đinh Thị Hạnh", "Chủ tịch Hội Liên hiệp Phụ nữ", 2.67, 0.15, 22),
    ("Mai Xuân Trường", "Bí thư Đoàn TNCS Hồ Chí Minh", 2.34, 0.15, 18),
]

PAYROLL_HEADERS = [
    "STT",
    "Họ và tên",
    "Chức danh",
    "Hệ số lương",
    "Hệ số phụ cấp chức vụ",
    "Ngày công",
    "Lương tháng (đồng)",
    "Lương theo ngày công (đồng)",
    "Trích BHXH, BHYT (đồng)",
    "Thực lĩnh (đồng)",
    "Chuyên cần",
]


def _save(wb: Workbook) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _titled_sheet(name, title, size):
    """A workbook whose first sheet carries the unit's name in A1 and the title in A2."""
    wb = Workbook()
    ws = wb.active
    ws.title = name
    ws["A1"] = UNIT
    ws["A1"].font = Font(bold=True)
    ws["A2"] = title
    ws["A2"].font = Font(bold=True, size=size)
    return wb, ws


def build_bang_luong_thang() -> bytes:
    """Bảng lương tháng of 15 staff; columns G–K and the summary rows are left empty."""
    wb, ws = _titled_sheet("Bảng lương", "BẢNG LƯƠNG THÁNG 10 NĂM 2025", 14)
    ws["C3"] = "Lương cơ sở (đồng)"
    ws["D3"] = 2_340_000
    ws["C4"] = "Ngày công chuẩn của tháng"
    ws["D4"] = 22
    ws["C5"] = "Tỷ lệ trích BHXH (8%) + BHYT (1,5%)"
    ws["D5"] = 0.095
    ws["D3"].number_format = "#,##0"
    ws["D5"].number_format = "0.0%"

    header_row = 7
    _header(ws, header_row, PAYROLL_HEADERS)
    first = header_row + 1
    for i, (name, title, coef, allowance, days) in enumerate(STAFF):
        row = first + i
        values = [i + 1, name, title, coef, allowance, days]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = _BORDER
        ws.cell(row=row, column=4).number_format = "0.00"
        ws.cell(row=row, column=5).number_format = "0.00"
        for col in range(7, 12):  # formula columns, left for the learner
            cell = ws.cell(row=row, column=col)
            cell.border = _BORDER
            cell.fill = _TO_FILL
            cell.number_format = "#,##0"
    last = first + len(STAFF) - 1
    for offset, label in enumerate(["Tổng cộng", "Bình quân", "Cao nhất", "Thấp nhất"], start=1):
        row = last + offset
        ws.cell(row=row, column=2, value=label).font = Font(bold=True)
        for col in range(7, 11):
            cell = ws.cell(row=row, column=col)
            cell.fill = _TO_FILL
            cell.border = _BORDER
            cell.number_format = "#,##0"

    guide = wb.create_sheet("Hướng dẫn")
    steps = [
        "Yêu cầu bài thực hành (các ô tô màu vàng ở trang tính Bảng lương):",
        "1. G8: Lương tháng = (Hệ số lương + Hệ số phụ cấp chức vụ) × Lương cơ sở, dùng địa chỉ tuyệt đối $D$3.",
        "2. H8: Lương theo ngày công = Lương tháng ÷ Ngày công chuẩn ($D$4) × Ngày công, làm tròn đến đồng bằng ROUND.",
        "3. I8: Trích BHXH, BHYT = Lương tháng × $D$5, làm tròn đến đồng.",
        "4. J8: Thực lĩnh = Lương theo ngày công − Trích BHXH, BHYT.",
        "5. K8: dùng IF: nếu Ngày công ≥ $D$4 thì \"Đủ công\", ngược lại \"Thiếu công\".",
        "6. Sao chép công thức hàng 8 xuống đến hàng 22 bằng nút điền (fill handle).",
        "7. Hàng 23–26: dùng SUM, AVERAGE, MAX, MIN cho các cột G đến J.",
        "8. Định dạng số có dấu phân cách hàng nghìn, kẻ viền, thiết lập trang in A4 ngang.",
    ]
    for r, text in enumerate(steps, start=1):
        guide.cell(row=r, column=1, value=text)
    guide.column_dimensions["A"].width = 110

    widths = {"A": 5, "B": 24, "C": 44, "D": 11, "E": 12, "F": 10,
              "G": 16, "H": 18, "I": 16, "J": 16, "K": 12}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.row_dimensions[header_row].height = 45
    ws.freeze_panes = ws.cell(row=first, column=3)
    return _save(wb)


FIELDS: list[tuple[str, list[str], int]] = [
    # lĩnh vực, thủ tục, thời hạn giải quyết (ngày làm việc, để tạo số liệu)
    ("Hộ tịch", ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử",
                 "Cấp bản sao trích lục hộ tịch"], 3),
    ("Chứng thực", ["Chứng thực bản sao từ bản chính", "Chứng thực chữ ký",
                    "Chứng thực hợp đồng, giao dịch"], 2),
    ("Đất đai", ["Xác nhận nguồn gốc đất", "Hòa giải tranh chấp đất đai"], 10),
    ("Xây dựng", ["Xác nhận hiện trạng công trình"], 7),
    ("Bảo trợ xã hội", ["Trợ cấp xã hội hằng tháng", "Xác nhận hộ nghèo, hộ cận nghèo"], 7),
]
VILLAGES = ["Thôn Đông", "Thôn Đoài", "Thôn Trung", "Thôn Hạ", "Thôn Thượng", "Xóm Mới"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lương"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hương", "Khánh", "Linh",
         "Nam", "Oanh", "Phúc", "Quỳnh", "Sơn", "Tâm", "Uyên", "Việt", "Yến"]
CHANNELS = ["Trực tuyến", "Trực tiếp", "Bưu chính công ích"]

HOSO_HEADERS = ["STT", "Mã hồ sơ", "Ngày tiếp nhận", "Lĩnh vực", "Thủ tục", "Người nộp",
                "Thôn/xóm", "Hình thức nộp", "Ngày hẹn trả", "Ngày trả kết quả", "Kết quả"]


HOLIDAYS = {dt.date(2025, 9, 1), dt.date(2025, 9, 2)}  # Quốc khánh 2025


def _add_workdays(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS:
            n -= 1
    return day


def hoso_rows(count: int = 48) -> list[list]:
    """Deterministic list of applications received in quý III/2025."""
    rng = random.Random(2025)
    rows = []
    day = dt.date(2025, 7, 1)
    for i in range(count):
        day = _add_workdays(day, rng.choice([0, 1, 1, 2, 2, 1])) if i else day
        field, procedures, limit = rng.choice(FIELDS)
        procedure = rng.choice(procedures)
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        channel = rng.choices(CHANNELS, weights=[5, 4, 1])[0]
        due = _add_workdays(day, limit)
        late = rng.random() < 0.12
        done = _add_workdays(day, limit + (rng.randint(1, 3) if late else -rng.randint(0, limit - 1)))
        result = "Trễ hạn" if done > due else "Đúng hạn"
        rows.append([i + 1, f"XDP-2025-{i + 1:04d}", day, field, procedure, name,
                     rng.choice(VILLAGES), channel, due, done, result])
    return rows


def build_thong_ke_ho_so() -> bytes:
    """Sổ theo dõi hồ sơ một cửa quý III/2025, for sorting, filtering, COUNTIF and charts."""
    wb, ws = _titled_sheet("Hồ sơ quý III", "SỔ THEO DÕI HỒ SƠ TẠI BỘ PHẬN MỘT CỬA – QUÝ III NĂM 2025", 13)
    header_row = 4
    _header(ws, header_row, HOSO_HEADERS)
    rows = hoso_rows()
    for r, values in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = _BORDER
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    widths = {"A": 5, "B": 15, "C": 14, "D": 15, "E": 32, "F": 22,
              "G": 12, "H": 19, "I": 14, "J": 16, "K": 11}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    summary = wb.create_sheet("Tổng hợp")
    summary["A1"] = "TỔNG HỢP HỒ SƠ THEO LĨNH VỰC – QUÝ III NĂM 2025"
    summary["A1"].font = Font(bold=True)
    _header(summary, 3, ["Lĩnh vực", "Tổng số hồ sơ", "Nộp trực tuyến", "Trễ hạn", "Tỷ lệ trực tuyến"])
    for r, (field, _, _) in enumerate(FIELDS, start=4):
        summary.cell(row=r, column=1, value=field).border = _BORDER
        for c in range(2, 6):
            cell = summary.cell(row=r, column=c)
            cell.fill = _TO_FILL
            cell.border = _BORDER
        summary.cell(row=r, column=5).number_format = "0.0%"
    total_row = 4 + len(FIELDS)
    summary.cell(row=total_row, column=1, value="Cộng").font = Font(bold=True)
    summary.cell(row=total_row + 2, column=1,
                 value="Gợi ý: B4 =COUNTIF('Hồ sơ quý III'!$D$5:$D$52,A4); "
                       "C4 =COUNTIFS('Hồ sơ quý III'!$D$5:$D$52,A4,'Hồ sơ quý III'!$H$5:$H$52,\"Trực tuyến\")")
    for col, width in {"A": 18, "B": 15, "C": 15, "D": 11, "E": 16}.items():
        summary.column_dimensions[col].width = width

    monthly = wb.create_sheet("Theo tháng")
    monthly["A1"] = "SỐ HỒ SƠ TIẾP NHẬN THEO THÁNG VÀ HÌNH THỨC NỘP (dùng để vẽ biểu đồ)"
    monthly["A1"].font = Font(bold=True)
    _header(monthly, 3, ["Tháng", "Trực tuyến", "Trực tiếp", "Bưu chính công ích"])
    counts = {m: {c: 0 for c in CHANNELS} for m in (7, 8, 9)}
    for values in rows:
        month = values[2].month
        if month in counts:
            counts[month][values[7]] += 1
    for r, month in enumerate((7, 8, 9), start=4):
        monthly.cell(row=r, column=1, value=f"Tháng {month}").border = _BORDER
        for c, channel in enumerate(CHANNELS, start=2):
            monthly.cell(row=r, column=c, value=counts[month][channel]).border = _BORDER
    for col, width in {"A": 12, "B": 12, "C": 12, "D": 20}.items():
        monthly.column_dimensions[col].width = width
    return _save(wb)


FILES: dict[str, Callable[[], bytes]] = {
    "IU04-bang-luong-thang.xlsx": build_bang_luong_thang,
    "IU04-thong-ke-ho-so.xlsx": build_thong_ke_ho_so,
}
