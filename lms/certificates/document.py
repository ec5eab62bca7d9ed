"""The certificate as a PDF page: A4 landscape, laid out like the template of Thông tư liên
tịch 17/2016/TTLT-BGDĐT-BTTTT, with the register fields embedded for the verifier.

Pure: reportlab and qrcode only. Text is drawn in the DejaVu Serif fonts shipped in
lms/fonts (embedded subsets), never in a built-in PDF font, so that every diacritic prints
offline and the PDF holds no Helvetica. The QR code is drawn as rectangles from qrcode's
matrix (no Pillow).
"""
import io
import json
from functools import lru_cache
from pathlib import Path

import qrcode
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.record import ADVANCED, CertificateDocument
from lms.text import nfc

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR, BOLD, ITALIC = "LMS-DejaVuSerif", "LMS-DejaVuSerif-Bold", "LMS-DejaVuSerif-Italic"
FONT_FILES = {REGULAR: "DejaVuSerif.ttf", BOLD: "DejaVuSerif-Bold.ttf", ITALIC: "DejaVuSerif-Italic.ttf"}
QR_MASK_PATTERN = 2
REGISTER_KEY = "LMSCertificate"  # custom /Info key holding the register fields as JSON

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
NAVY, RED, INK, GREY = (0.11, 0.20, 0.42), (0.62, 0.10, 0.10), (0.08, 0.08, 0.10), (0.35, 0.35, 0.40)
OUTER_INSET, INNER_INSET = 18, 25
HEADER_Y, HEADER_LEFT_X, HEADER_RIGHT_X, HEADER_WIDTH = 532, 215, 605, 330
TITLE_Y, TITLE_SIZE, TITLE_MIN_SIZE = 452, 25, 17
BODY_X, BODY_TOP, BODY_WIDTH, BODY_SIZE, BODY_LEADING = 110, 402, 622, 13.5, 21
NAME_SIZE = 19
SIGN_X, SIGN_DATE_Y, SIGN_NAME_Y = 605, 188, 92
QR_X, QR_Y, QR_SIZE = 50, 44, 100
NUMBERS_X, NUMBERS_Y, NUMBERS_WIDTH = 152, 128, 230
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUBTITLE = "Độc lập - Tự do - Hạnh phúc"
DEVELOPMENT_MARK = "BẢN THỬ NGHIỆM – KÝ BẰNG CHỨNG THƯ PHÁT TRIỂN, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


@lru_cache(maxsize=1)
def register_fonts() -> tuple:
    """Register the shipped DejaVu Serif faces with reportlab (once per process)."""
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return tuple(FONT_FILES)


class _CertificateInfo(pdfdoc.PDFInfo):
    """The document information dictionary with one more key: reportlab's PDFInfo writes a
    fixed set of keys, so its format is repeated here with the register entry added."""

    def __init__(self, extra: dict, created: str | None):
        super().__init__()
        self.extra, self.created = extra, created

    def format(self, document):
        created = pdfdoc.PDFString(self.created) if self.created else pdfdoc.PDFDate(ts=document._timeStamp)
        entries = {"Title": pdfdoc.PDFString(self.title), "Author": pdfdoc.PDFString(self.author),
                   "Subject": pdfdoc.PDFString(self.subject), "Keywords": pdfdoc.PDFString(self.keywords),
                   "Creator": pdfdoc.PDFString(self.creator), "Producer": pdfdoc.PDFString(self.producer),
                   "CreationDate": created, "ModDate": created, "Trapped": pdfdoc.PDFName(self.trapped)}
        entries.update({key: pdfdoc.PDFString(value) for key, value in self.extra.items()})
        return pdfdoc.PDFDictionary(entries).format(document)


def qr_matrix(url: str) -> list:
    """qrcode's module matrix for `url`, quiet zone included (True = dark).

    A fixed mask pattern: every mask yields a valid code, and choosing the "best" of the eight
    by penalty scoring was most of the time of rendering a certificate (pure Python)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=QR_MASK_PATTERN)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_rectangles(url: str, x: float, y: float, size: float) -> list:
    """(x, y, width, height) of the dark runs of each matrix row, in PDF coordinates: the QR
    code of `url` as a square of `size` points whose lower-left corner is (x, y). Runs, not
    single modules, so that no hairline gaps show between neighbouring modules."""
    matrix = qr_matrix(url)
    module = size / len(matrix)
    rectangles = []
    for row_index, row in enumerate(matrix):
        top = y + size - row_index * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            rectangles.append((x + start * module, top - module, (column - start) * module, module))
    return rectangles


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "……"


def _issue_line(doc: CertificateDocument) -> str:
    day = doc.issue_date
    when = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}" if day else "ngày …… tháng …… năm ……"
    return f"{doc.issue_place}, {when}"


def _modules_line(doc: CertificateDocument) -> str:
    codes = [module.code for module in doc.modules]
    if not codes:
        return ""
    if doc.kind == ADVANCED:
        return "Các mô đun: " + "; ".join(f"{module.code} – {module.name}" for module in doc.modules)
    numbers = [int(code[2:]) if code[2:].isdigit() else None for code in codes]
    contiguous = None not in numbers and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    listed = f"{codes[0]}–{codes[-1]}" if contiguous and len(codes) > 2 else ", ".join(codes)
    return f"Gồm {len(codes):02d} mô đun cơ bản: {listed}"


def _split(text: str, font: str, size: float, width: float) -> list:
    """Lines of `text` no wider than `width`; a word longer than a line (a URL) is cut."""
    lines = []
    for line in simpleSplit(text, font, size, width):
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line)
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


class _Page:
    """The canvas with NFC text in the certificate's fonts."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas

    def text(self, x, y, text, font=REGULAR, size=BODY_SIZE, color=INK, align="left"):
        text = nfc(text)
        self.canvas.setFont(font, size)
        self.canvas.setFillColorRGB(*color)
        draw = {"left": self.canvas.drawString, "centre": self.canvas.drawCentredString, "right": self.canvas.drawRightString}[align]
        draw(x, y, text)
        return pdfmetrics.stringWidth(text, font, size)

    def lines(self, x, y, text, font, size, width, leading, align="left", color=INK):
        """Draw `text` wrapped to `width`; returns the baseline below the last line."""
        for line in _split(nfc(text), font, size, width):
            self.text(x, y, line, font, size, color, align)
            y -= leading
        return y

    def underline(self, x_centre, y, text, font, size):
        half = pdfmetrics.stringWidth(nfc(text), font, size) / 2
        self.canvas.setLineWidth(0.8)
        self.canvas.line(x_centre - half, y, x_centre + half, y)


def _draw_frame(page: _Page):
    canvas = page.canvas
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(3)
    canvas.rect(OUTER_INSET, OUTER_INSET, PAGE_WIDTH - 2 * OUTER_INSET, PAGE_HEIGHT - 2 * OUTER_INSET)
    canvas.setLineWidth(0.8)
    canvas.rect(INNER_INSET, INNER_INSET, PAGE_WIDTH - 2 * INNER_INSET, PAGE_HEIGHT - 2 * INNER_INSET)
    canvas.setFillColorRGB(*NAVY)
    for x in (INNER_INSET, PAGE_WIDTH - INNER_INSET):
        for y in (INNER_INSET, PAGE_HEIGHT - INNER_INSET):
            canvas.rect(x - 3.5, y - 3.5, 7, 7, stroke=0, fill=1)


def _draw_header(page: _Page, doc: CertificateDocument):
    y = page.lines(HEADER_LEFT_X, HEADER_Y, doc.issuing_body.upper(), BOLD, 11.5, HEADER_WIDTH, 15, align="centre")
    page.canvas.setStrokeColorRGB(*INK)
    page.canvas.setLineWidth(0.8)
    page.canvas.line(HEADER_LEFT_X - 40, y + 8, HEADER_LEFT_X + 40, y + 8)
    page.text(HEADER_RIGHT_X, HEADER_Y, MOTTO, BOLD, 11.5, align="centre")
    page.text(HEADER_RIGHT_X, HEADER_Y - 17, MOTTO_SUBTITLE, BOLD, 12.5, align="centre")
    page.underline(HEADER_RIGHT_X, HEADER_Y - 21, MOTTO_SUBTITLE, BOLD, 12.5)


def _draw_title(page: _Page, title: str):
    size, width = TITLE_SIZE, PAGE_WIDTH - 2 * BODY_X + 60
    while size > TITLE_MIN_SIZE and pdfmetrics.stringWidth(nfc(title), BOLD, size) > width:
        size -= 0.5
    page.lines(PAGE_WIDTH / 2, TITLE_Y, title, BOLD, size, width, size * 1.25, align="centre", color=RED)


def _draw_body(page: _Page, doc: CertificateDocument):
    y = BODY_TOP
    label = page.text(BODY_X, y, "Cấp cho: ")
    page.text(BODY_X + label, y, doc.holder_name, BOLD, NAME_SIZE)
    y -= BODY_LEADING + 6
    birth = page.text(BODY_X, y, f"Ngày sinh: {_date(doc.birth_date)}")
    page.text(BODY_X + max(birth + 40, 230), y, f"Nơi sinh: {doc.birth_place}")
    y -= BODY_LEADING
    if doc.sex:
        page.text(BODY_X, y, f"Giới tính: {doc.sex}")
        y -= BODY_LEADING
    exam = f"Đã đạt yêu cầu bài thi ngày {_date(doc.exam_date)} tại Hội đồng thi: {doc.exam_council}"
    y = page.lines(BODY_X, y, exam, REGULAR, BODY_SIZE, BODY_WIDTH, BODY_LEADING)
    modules = _modules_line(doc)
    if modules:
        page.lines(BODY_X, y, modules, REGULAR, BODY_SIZE - 1, BODY_WIDTH, BODY_LEADING - 3)


def _draw_signature(page: _Page, doc: CertificateDocument):
    page.text(SIGN_X, SIGN_DATE_Y, _issue_line(doc), ITALIC, 12.5, align="centre")
    page.lines(SIGN_X, SIGN_DATE_Y - 20, doc.signer_title.upper(), BOLD, 12.5, 300, 16, align="centre")
    page.text(SIGN_X, SIGN_NAME_Y, doc.signer_name, BOLD, 13.5, align="centre")


def _draw_numbers_and_qr(page: _Page, doc: CertificateDocument):
    page.text(NUMBERS_X, NUMBERS_Y, f"Số hiệu: {doc.serial}", REGULAR, 12)
    page.text(NUMBERS_X, NUMBERS_Y - 18, f"Số vào sổ cấp chứng chỉ: {doc.register_number}", REGULAR, 12)
    if doc.verify_url:
        page.canvas.setFillColorRGB(*INK)
        for x, y, width, height in qr_rectangles(doc.verify_url, QR_X, QR_Y, QR_SIZE):
            page.canvas.rect(x, y, width, height, stroke=0, fill=1)
        page.lines(NUMBERS_X, NUMBERS_Y - 48, f"Tra cứu: {doc.verify_url}", REGULAR, 7.5, NUMBERS_WIDTH, 9.5, color=GREY)


def render_pdf(doc: CertificateDocument) -> bytes:
    """The certificate's one-page PDF (unsigned), deterministic for a given document."""
    register_fonts()
    buffer = io.BytesIO()
    # initialFontName: the canvas would otherwise start in Helvetica and reference it.
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1, initialFontName=REGULAR)
    created = f"D:{doc.issue_date:%Y%m%d}000000+07'00'" if doc.issue_date else None
    canvas._doc.info = _CertificateInfo({REGISTER_KEY: nfc(json.dumps(doc.register_fields(), ensure_ascii=False))}, created)
    canvas.setTitle(nfc(f"{doc.title} – {doc.holder_name}"))
    canvas.setAuthor(nfc(doc.issuing_body))
    canvas.setSubject(nfc(f"Số hiệu {doc.serial}, số vào sổ cấp chứng chỉ {doc.register_number}"))
    canvas.setCreator("LMS")
    canvas.setFont(REGULAR, BODY_SIZE)
    page = _Page(canvas)
    _draw_frame(page)
    _draw_header(page, doc)
    _draw_title(page, doc.title)
    _draw_body(page, doc)
    _draw_signature(page, doc)
    _draw_numbers_and_qr(page, doc)
    if doc.development:
        page.text(PAGE_WIDTH / 2, INNER_INSET + 8, DEVELOPMENT_MARK, BOLD, 8, color=RED, align="centre")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
