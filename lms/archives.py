"""Opening the zip archives people upload (XLSX, DOCX, PPTX, ODT/ODS/ODP, ZIP) so that a small
file cannot inflate to gigabytes (a "zip bomb"). No Flask.

`open_zip` checks the central directory before anything is decompressed: the number of
members, their declared total uncompressed size and each member's compression ratio. Members
are then read as a stream with a running byte cap, so a member whose header lies about its
size is caught too (zipfile itself stops a member at its declared size and then fails its
CRC, which is refused as a damaged file). `open_workbook` hands openpyxl only a workbook
that passed those checks, and `sheet_rows` caps the rows and columns openpyxl makes up for
a sheet whose cells claim far-away positions (it fills every missing row in between).

Every refusal is an ArchiveError, a translatable Message (lms.messages) that the importers
turn into their own located error."""
import io
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from lms.messages import N_, MessageError

ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
MB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    members: int = 2_000
    total_bytes: int = 200 * MB  # uncompressed, all members together
    # Office XML compresses 10-30:1, a sheet of repeated cells up to ~100:1; a bomb 1000:1 and more.
    ratio: int = 200
    ratio_from_bytes: int = 1 * MB  # a small member may compress well without being a threat


DEFAULT_LIMITS = ArchiveLimits()
# Sheet cells past these are never read by an import (Excel's own limits are 1,048,576 × 16,384).
MAX_SHEET_COLUMNS = 200


class ArchiveError(MessageError):
    """The archive is refused; the message says why, in Vietnamese (translatable). `row` is
    the sheet's row where a workbook's reading stopped (sheet_rows), else None."""

    row = None


class DamagedArchive(ArchiveError):
    """Not a zip at all, or a broken one (a lying header fails its CRC here)."""


class SafeZip:
    """A checked archive: its members' names, and their contents read under a running cap."""

    def __init__(self, archive: zipfile.ZipFile, limits: ArchiveLimits):
        self._archive, self._limits, self._read = archive, limits, 0

    def namelist(self):
        return self._archive.namelist()

    def read(self, name: str, max_bytes: int = None) -> bytes:
        """A member's bytes, decompressed chunk by chunk: refused past `max_bytes` or once the
        archive's members read so far exceed the total the limits allow."""
        cap = min(max_bytes or self._limits.total_bytes, self._limits.total_bytes - self._read)
        parts, size = [], 0
        try:
            with self._archive.open(name) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise ArchiveError(N_("Thành phần «%(name)s» của tệp nén lớn hơn giới hạn cho phép."), name=name[:80])
                    parts.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, EOFError, OSError, NotImplementedError,
                RuntimeError) as error:
            raise damaged(error) from None
        self._read += size
        return b"".join(parts)


def damaged(error) -> DamagedArchive:
    return DamagedArchive(N_("Tệp nén bị hỏng hoặc không đọc được: %(error)s."), error=str(error)[:200])


def check_zip(archive: zipfile.ZipFile, limits: ArchiveLimits = DEFAULT_LIMITS):
    """Refuse an archive whose central directory announces too much: members, total size, ratio."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise ArchiveError(N_("Tệp nén có quá nhiều thành phần (%(count)d, tối đa %(max)d)."), count=len(members),
                           max=limits.members)
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.total_bytes:
            raise ArchiveError(N_("Tệp giải nén ra quá lớn (hơn %(mb)d MB)."), mb=limits.total_bytes // MB)
        if member.file_size > limits.ratio_from_bytes and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise ArchiveError(N_("Thành phần «%(name)s» của tệp nén nén bất thường (%(ratio)d:1), có thể là tệp nén độc hại."),
                               name=member.filename[:80], ratio=member.file_size // max(member.compress_size, 1))


@contextmanager
def open_zip(content: bytes, limits: ArchiveLimits = DEFAULT_LIMITS):
    """`with open_zip(content) as archive:` a SafeZip over `content`, checked before any member
    is decompressed; ArchiveError when it is not a zip, damaged, or too big once inflated."""
    if not content.startswith(ZIP_MAGIC):
        raise DamagedArchive(N_("Tệp không phải tệp nén hợp lệ (tệp Office và OpenDocument là tệp zip)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise damaged(error) from None
    with archive:
        check_zip(archive, limits)
        yield SafeZip(archive, limits)


# --- Office and OpenDocument files by their content ----------------------------------------------

# Office Open XML and OpenDocument files are zip archives with a telltale member.
OFFICE_MEMBERS = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".pptx": "ppt/presentation.xml",
    ".odt": "mimetype",
    ".ods": "mimetype",
    ".odp": "mimetype",
}
TEXT_EXTENSIONS = (".txt", ".csv")
MIMETYPE_MAX_BYTES = 200
OPENDOCUMENT_TYPES = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
    ".odp": b"application/vnd.oasis.opendocument.presentation",
}


def content_matches(extension: str, content: bytes) -> bool:
    """Does the content fit its extension (magic bytes and, for archives, their structure)? An
    archive past the limits raises ArchiveError: refused for what it is, not as a wrong type."""
    if extension == ".pdf":
        return content.startswith(PDF_MAGIC)
    if extension in TEXT_EXTENSIONS:
        return b"\x00" not in content  # a program or an image renamed .txt holds NUL bytes
    if extension not in OFFICE_MEMBERS and extension != ".zip":
        return True  # no structure to check
    if not content.startswith(ZIP_MAGIC):
        return False
    try:
        with open_zip(content) as archive:
            names = set(archive.namelist())
            if extension == ".zip":
                return True
            if OFFICE_MEMBERS[extension] not in names:
                return False
            if extension in OPENDOCUMENT_TYPES:
                return archive.read("mimetype", max_bytes=MIMETYPE_MAX_BYTES).strip() == OPENDOCUMENT_TYPES[extension]
            return True
    except DamagedArchive:
        return False  # a broken zip is simply not the file it claims to be


# --- Workbooks -------------------------------------------------------------------------------------


def open_workbook(content: bytes, data_only=True, limits: ArchiveLimits = DEFAULT_LIMITS):
    """An openpyxl workbook in read-only mode, opened only after its zip passed `check_zip`
    (openpyxl then reads members through zipfile, which never yields more than a member's
    declared size). ArchiveError for a bomb; openpyxl's own errors for a broken workbook."""
    from openpyxl import load_workbook

    with open_zip(content, limits):
        pass
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # a member that lies about its size fails its CRC
        raise damaged(error) from None


def sheet_rows(sheet, max_rows: int, max_columns: int = MAX_SHEET_COLUMNS):
    """The sheet's rows as tuples of values, at most `max_columns` wide. ArchiveError, with the
    sheet's `row` where reading stopped, past `max_rows` rows (blank rows included: openpyxl
    makes one for each row number a cell skips) or when the sheet cannot be read."""
    sheet.reset_dimensions()  # a declared size of A1:XFD1048576 would pad every row to it
    rows = sheet.iter_rows(values_only=True, max_row=max_rows + 1, max_col=max_columns)
    number = 0
    while True:
        number += 1
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl lets zip, zlib, XML and value errors through while it reads
            raise located(damaged(error), number) from None
        if number > max_rows:
            raise located(ArchiveError(N_("Trang tính có quá %(max)d dòng (kể cả dòng trống)."), max=max_rows), number)
        yield values


def located(error: ArchiveError, row: int) -> ArchiveError:
    error.row = row
    return error
