"""One official's competency profile (lms.reports.profile) as the one-page A4 sheet the annual
evaluation files: the person, every module with its best score, the standards met, the
certificates, the path's courses, then the place and date and the two signatures. Pure:
reportlab only, every word through the caller's gettext; DejaVu Serif for the diacritics.

Laid out for the usual case (fifteen modules, a few certificates and courses) to fit one
page; a longer profile flows onto a second page rather than losing a line."""
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.certificates.document import BOLD, ITALIC, REGULAR, register_fonts
from lms.localtime import local_date, local_today
from lms.messages import N_, Message
from lms.reports.report_pdf import NumberFormat
from lms.reports.tables import Column, ReportTable
from lms.text import nfc

BODY_SIZE, TABLE_SIZE = 9, 8.5
GRID_GREY, HEADER_GREY = colors.Color(0.55, 0.55, 0.55), colors.Color(0.88, 0.88, 0.88)
SIGNATURE_SPACE = 48  # points left blank under each signature title
STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=12.5, leading=15.5, alignment=TA_CENTER),
    "subtitle": ParagraphStyle("subtitle", fontName=REGULAR, fontSize=BODY_SIZE + 0.5, leading=13, alignment=TA_CENTER),
    "section": ParagraphStyle("section", fontName=BOLD, fontSize=BODY_SIZE + 0.5, leading=12.5, spaceBefore=7, spaceAfter=3),
    "body": ParagraphStyle("body", fontName=REGULAR, fontSize=BODY_SIZE, leading=11.5),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=TABLE_SIZE, leading=10),
    "header": ParagraphStyle("header", fontName=BOLD, fontSize=TABLE_SIZE, leading=10),
    "place": ParagraphStyle("place", fontName=ITALIC, fontSize=BODY_SIZE, leading=11.5, alignment=TA_RIGHT),
    "sign": ParagraphStyle("sign", fontName=BOLD, fontSize=BODY_SIZE, leading=11.5, alignment=TA_CENTER),
    "sign_note": ParagraphStyle("sign_note", fontName=ITALIC, fontSize=BODY_SIZE - 1, leading=10.5, alignment=TA_CENTER),
}


def _p(text, style="body"):
    return Paragraph(escape(nfc(str(text))), STYLES[style])


def _day(value):
    day = local_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def _grid(header, rows, widths, numeric=()):
    """A compact table: a grey header row, hairlines, figures right-aligned."""
    data = [[_p(text, "header") for text in header]]
    data += [[cell if isinstance(cell, Paragraph) else str(cell) for cell in row] for row in rows]
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, TABLE_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.35, GRID_GREY),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("ALIGN", (index, 1), (index, -1), "RIGHT") for index in numeric]
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


def _met(gettext, met):
    return gettext(N_("Đạt")) if met else gettext(N_("Chưa đạt"))


def _person(profile, gettext, width):
    staff = profile.staff
    label = lambda msgid: _p(gettext(msgid) + ":", "header")  # noqa: E731 — four labels alike
    rows = [
        [label(N_("Họ và tên")), _p(staff.full_name), label(N_("Ngày sinh")), _p(_day(staff.birth_date))],
        [label(N_("Đơn vị")), _p(staff.unit.name if staff.unit else ""), label(N_("Chức danh")),
         _p(staff.title.name if staff.title else "")],
    ]
    style = TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, BODY_SIZE), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    return Table(rows, colWidths=[width * 0.13, width * 0.45, width * 0.14, width * 0.28], style=style, hAlign="LEFT")


def _modules(profile, gettext, number, width):
    rows = [[module["code"], _p(module["name"], "cell"), gettext(N_("Có")) if module["required"] else "",
             number(module["score"], "score") if module["score"] is not None else "—", _day(module["achieved_at"])]
            for module in profile.modules]
    header = [gettext(N_("Mã")), gettext(N_("Tên mô-đun")), gettext(N_("Theo lộ trình")), gettext(N_("Điểm")),
              gettext(N_("Ngày đạt"))]
    return _grid(header, rows, [width * share for share in (0.1, 0.5, 0.14, 0.1, 0.16)], numeric=(3,))


def _standards(profile, gettext, number):
    mean = profile.mean_score
    parts = [
        Message(N_("Chuẩn kỹ năng cơ bản: %(result)s"), result=_met(gettext, profile.basic_met)).translated(gettext),
        Message(N_("Chuẩn kỹ năng nâng cao: %(result)s (%(passed)s mô-đun nâng cao đạt)"),
                result=_met(gettext, profile.advanced_met), passed=profile.advanced_passed).translated(gettext),
        Message(N_("Lộ trình của chức danh: %(result)s"), result=_met(gettext, profile.path_met)).translated(gettext),
        Message(N_("Điểm trung bình các mô-đun đạt: %(score)s"),
                score=number(mean, "score") if mean is not None else "—").translated(gettext),
    ]
    return _p(" · ".join(parts))


def _certificates(profile, gettext, width):
    if not profile.certificates:
        return _p(gettext(N_("Chưa có chứng chỉ.")))
    rows = [[certificate.serial, _p(gettext(certificate.kind_label), "cell"), _day(certificate.issue_date),
             gettext(certificate.status_label)] for certificate in profile.certificates]
    header = [gettext(N_("Số hiệu")), gettext(N_("Loại chứng chỉ")), gettext(N_("Ngày cấp")), gettext(N_("Tình trạng"))]
    return _grid(header, rows, [width * share for share in (0.22, 0.42, 0.14, 0.22)])


def _courses(profile, gettext, number, width):
    if not profile.courses:
        return _p(gettext(N_("Không có khóa học theo lộ trình.")))
    rows = []
    for course in profile.courses:
        share = course["done"] / course["total"] if course["total"] else None
        rows.append([course["module_code"], _p(course["title"], "cell"), f"{course['done']}/{course['total']}",
                     number(share, "rate") if share is not None else "—"])
    header = [gettext(N_("Mô-đun")), gettext(N_("Khóa học")), gettext(N_("Bài đã hoàn thành")), gettext(N_("Tiến độ"))]
    return _grid(header, rows, [width * share for share in (0.1, 0.58, 0.18, 0.14)], numeric=(2, 3))


def _signatures(gettext, place, today, width):
    date_line = Message(N_("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s"), place=place,
                        day=f"{today:%d}", month=f"{today:%m}", year=f"{today:%Y}").translated(gettext)
    blocks = [[_p(gettext(N_("Người lập biểu")), "sign"), _p(gettext(N_("Thủ trưởng đơn vị")), "sign")],
              [_p(gettext(N_("(Ký, ghi rõ họ tên)")), "sign_note"), _p(gettext(N_("(Ký tên, đóng dấu)")), "sign_note")],
              ["", ""]]
    table = Table(blocks, colWidths=[width / 2, width / 2], rowHeights=[None, None, SIGNATURE_SPACE],
                  style=TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, BODY_SIZE), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    # The date and the signatures stay together: a signature never opens a page alone.
    return KeepTogether([Spacer(1, 8), _p(date_line, "place"), Spacer(1, 4), table])


def profile_pdf(profile, gettext, place="Hà Nội", today=None, locale="vi") -> bytes:
    """The profile as a PDF: A4 portrait, the margins of Nghị định 30/2020; `place` and
    `today` (the Hanoi date by default) make the date line above the signatures."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, initialFontName=REGULAR, initialFontSize=BODY_SIZE, title=nfc(f"{gettext(N_('Hồ sơ năng lực CNTT'))} – {profile.staff.full_name}"))
    width = document.width - 12  # the frame's own padding
    number = NumberFormat(locale)
    period = (Message(N_("Năm đánh giá: %(year)s"), year=profile.year) if profile.year else
              Message(N_("Số liệu đến ngày %(date)s"), date=_day(profile.as_at)))
    story = [
        _p(gettext(N_("PHIẾU ĐÁNH GIÁ NĂNG LỰC ỨNG DỤNG CÔNG NGHỆ THÔNG TIN")), "title"),
        _p(period.translated(gettext), "subtitle"),
        Spacer(1, 8),
        _person(profile, gettext, width),
        _p(gettext(N_("1. Kết quả các mô-đun kỹ năng")), "section"),
        _modules(profile, gettext, number, width),
        _p(gettext(N_("2. Chuẩn kỹ năng sử dụng CNTT")), "section"),
        _standards(profile, gettext, number),
        _p(gettext(N_("3. Chứng chỉ")), "section"),
        _certificates(profile, gettext, width),
        _p(gettext(N_("4. Khóa học theo lộ trình")), "section"),
        _courses(profile, gettext, number, width),
        _signatures(gettext, place, today or local_today(), width),
    ]
    document.build(story)
    return buffer.getvalue()


def profile_table(profile):
    """The profile's modules as a ReportTable, for its XLSX and CSV (write_report)."""
    columns = [Column("code", N_("Mô-đun"), "text"), Column("name", N_("Tên mô-đun"), "text"),
               Column("required_label", N_("Theo lộ trình"), "text"), Column("score", N_("Điểm"), "score"),
               Column("achieved_on", N_("Ngày đạt"), "date")]
    rows = [{**module, "required_label": Message(N_("Có")) if module["required"] else "",
             "achieved_on": local_date(module["achieved_at"])} for module in profile.modules]
    return ReportTable(N_("Hồ sơ năng lực CNTT"), columns, rows, N_("Hồ sơ"))
