"""Login slips as a PDF: A4 pages of eight slips (two columns, four rows) with cutting lines,
one slip per person: name, unit, username, activation code, the site's address and what to do.

Pure: reportlab only. The slip is a paper handed out in a Vietnamese office, so its text is
Vietnamese whatever the interface language (like the certificate), in the DejaVu Serif faces
shipped in lms/fonts, embedded, so that every diacritic prints and extracts exactly.
"""
import io
from functools import lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lms.auth.codes import grouped
from lms.text import nfc

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
# Names of their own: the certificate module registers the same files under its names.
REGULAR, BOLD, ITALIC = "LMS-Slip-DejaVuSerif", "LMS-Slip-DejaVuSerif-Bold", "LMS-Slip-DejaVuSerif-Italic"
FONT_FILES = {REGULAR: "DejaVuSerif.ttf", BOLD: "DejaVuSerif-Bold.ttf", ITALIC: "DejaVuSerif-Italic.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
MARGIN = 24
SLIP_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS
SLIP_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS
PADDING = 14
LABEL_WIDTH = 78
INK, GREY, NAVY = (0.08, 0.08, 0.10), (0.40, 0.40, 0.45), (0.11, 0.20, 0.42)

HEADING = "PHIẾU ĐĂNG NHẬP"
SYSTEM = "Hệ thống bồi dưỡng, sát hạch kỹ năng CNTT – Hà Nội"


@lru_cache(maxsize=1)
def register_fonts() -> tuple:
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return tuple(FONT_FILES)


def _fitted(text, font, size, width, smallest=8.5):
    """The largest size down to `smallest` at which `text` fits on one line, else its lines at `smallest`."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size, simpleSplit(text, font, size, width)


def _draw_slip(canvas, slip, x, y, activate_url):
    """One slip whose lower-left corner is (x, y)."""
    left, top, width = x + PADDING, y + SLIP_HEIGHT - PADDING, SLIP_WIDTH - 2 * PADDING
    canvas.setFillColorRGB(*NAVY)
    canvas.setFont(BOLD, 11.5)
    canvas.drawString(left, top - 11, HEADING)
    canvas.setFont(REGULAR, 7.5)
    canvas.setFillColorRGB(*GREY)
    canvas.drawString(left, top - 23, SYSTEM)
    line_y = top - 44
    value_x, value_width = left + LABEL_WIDTH, width - LABEL_WIDTH
    fields = (("Họ và tên", slip.full_name, BOLD, 11), ("Đơn vị", slip.unit_name, REGULAR, 9.5),
              ("Tên đăng nhập", slip.username, BOLD, 11), ("Mã kích hoạt", grouped(slip.code), BOLD, 14))
    for label, value, font, size in fields:
        canvas.setFillColorRGB(*GREY)
        canvas.setFont(REGULAR, 8)
        canvas.drawString(left, line_y, label + ":")
        canvas.setFillColorRGB(*INK)
        size, lines = _fitted(nfc(value), font, size, value_width)
        canvas.setFont(font, size)
        for index, line in enumerate(lines[:2]):
            canvas.drawString(value_x, line_y - index * (size + 2), line)
        line_y -= max(17, size + 6) + (size + 2) * (min(len(lines), 2) - 1)
    canvas.setFillColorRGB(*GREY)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(left, line_y, "Địa chỉ:")
    canvas.setFillColorRGB(*INK)
    size, lines = _fitted(activate_url, REGULAR, 9, value_width)
    canvas.setFont(REGULAR, size)
    canvas.drawString(value_x, line_y, lines[0])
    note = (f"Mở địa chỉ trên, nhập tên đăng nhập và mã kích hoạt rồi tự đặt mật khẩu. Mã chỉ dùng một lần, đến hết ngày "
            f"{slip.expires}. Giữ phiếu cẩn thận, không đưa mã cho người khác.")
    canvas.setFont(ITALIC, 7.5)
    canvas.setFillColorRGB(*GREY)
    for index, line in enumerate(simpleSplit(note, ITALIC, 7.5, width)[:4]):
        canvas.drawString(left, line_y - 16 - index * 9.5, line)


def _cutting_lines(canvas):
    canvas.saveState()
    canvas.setStrokeColorRGB(*GREY)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    for column in range(COLUMNS + 1):
        x = MARGIN + column * SLIP_WIDTH
        canvas.line(x, MARGIN, x, PAGE_HEIGHT - MARGIN)
    for row in range(ROWS + 1):
        y = MARGIN + row * SLIP_HEIGHT
        canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    canvas.restoreState()


def render_slips(slips, unit_name, public_url) -> bytes:
    """The PDF of `slips` (lms.auth.provisioning.Slip), eight to a page, in their order."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1, initialFontName=REGULAR)  # no built-in Helvetica
    canvas.setTitle(f"Phiếu đăng nhập – {nfc(unit_name)}")
    canvas.setAuthor(SYSTEM)
    canvas.setCreator(SYSTEM)
    activate_url = public_url.rstrip("/") + "/activate"
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(slips), 1), per_page):
        _cutting_lines(canvas)
        for index, slip in enumerate(slips[start:start + per_page]):
            row, column = divmod(index, COLUMNS)
            _draw_slip(canvas, slip, MARGIN + column * SLIP_WIDTH, PAGE_HEIGHT - MARGIN - (row + 1) * SLIP_HEIGHT, activate_url)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
