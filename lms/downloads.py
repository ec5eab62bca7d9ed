"""Every file the app hands out (exports, templates, lesson attachments, practical uploads,
images) goes through `download`, and every MIME type it names is a constant here."""
import unicodedata
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from flask import abort, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
PDF = "application/pdf"
ZIP = "application/zip"
CSV = "text/csv; charset=utf-8"
TXT = "text/plain; charset=utf-8"
YAML = "application/x-yaml; charset=utf-8"
XML = "application/xml; charset=utf-8"
GIFT = TXT
SVG, PNG, JPEG, GIF, WEBP = "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp"

BY_EXTENSION = {
    ".xlsx": XLSX, ".docx": DOCX, ".pptx": PPTX, ".odt": ODT, ".ods": ODS, ".odp": ODP, ".pdf": PDF, ".zip": ZIP,
    ".csv": CSV, ".txt": TXT, ".yaml": YAML, ".xml": XML, ".svg": SVG, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG,
    ".gif": GIF, ".webp": WEBP,
}
# A file opened in the browser runs nothing and loads nothing (an SVG or an HTML upload).
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def mime_type(filename: str) -> str:
    return BY_EXTENSION.get(Path(filename).suffix.lower(), "application/octet-stream")


def content_disposition(kind: str, filename: str) -> str:
    """`attachment; filename="…"` with an ASCII fallback, and the exact name (Vietnamese
    included) as RFC 5987 `filename*` for the browsers that read it."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "tep"
    header = f'{kind}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename)}"
    return header


def download(content, filename: str, mimetype: str = None, inline: bool = False):
    """A response carrying `content` (bytes, an open binary file, or the Path of a stored file) as `filename`:
    an attachment unless `inline`, the name encoded for any browser (RFC 6266), never cached
    by a shared proxy, sandboxed when opened."""
    source = content if isinstance(content, Path) or hasattr(content, "read") else BytesIO(content)
    response = send_file(source, mimetype=mimetype or mime_type(filename), conditional=False, etag=False, max_age=None)
    response.headers["Content-Disposition"] = content_disposition("inline" if inline else "attachment", filename)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


def stored_file(root: Path, stored_path: str):
    """The Path of a stored file when it lies inside `root` and exists, else None (a path
    written by an older layout, or tampered with, is never served)."""
    root = Path(root).resolve()
    path = Path(stored_path).resolve()
    return path if root in path.parents and path.is_file() else None


def table_download(headers, rows, fmt, filename, sheet="Dữ liệu"):
    """A table as `filename`.csv (UTF-8 with a BOM, so that Excel reads the Vietnamese) or
    `filename`.xlsx; any other format is a 404."""
    from lms.tabular import write_csv, write_xlsx

    if fmt == "csv":
        return download(write_csv(headers, rows), f"{filename}.csv", CSV)
    if fmt == "xlsx":
        return download(write_xlsx(headers, rows, sheet), f"{filename}.xlsx", XLSX)
    abort(404)
