"""Invoice PDFs outside the database: checked to be a PDF a reader can open, stored under their
SHA-256, read back only after the checksum still holds, swept when no invoice names them."""
import hashlib
import os
import tempfile
from collections.abc import Collection
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from openvmi.errors import ContentTooLarge, FieldError, InvalidInput, NotFound, Reason

PDF_MAGIC = b"%PDF-"


class NotAPdf(InvalidInput):
    code = "invoice_pdf_invalid"


class PdfTooLarge(ContentTooLarge):
    code = "invoice_pdf_too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(limit_bytes)
        self.args = (Reason("the invoice PDF is larger than %(mb)s MB", mb=f"{limit_bytes / 1048576:g}"),)


def read_checked_pdf(stream: BinaryIO, *, max_bytes: int) -> bytes:
    """The upload's bytes when they are a PDF (the magic bytes, and pypdf opens it and finds a page)
    of at most `max_bytes`; PdfTooLarge or NotAPdf otherwise."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PdfTooLarge(max_bytes)
    # A PDF may have up to 1 KB of junk before its header (ISO 32000-1, 7.5.2 note); readers accept that.
    if PDF_MAGIC not in data[:1024]:
        raise NotAPdf([FieldError("pdf", Reason("the file is not a PDF"))])
    try:
        pages = len(PdfReader(BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        pages = 0  # pypdf raises several kinds on a damaged file: every one means "cannot be opened"
    if pages == 0:
        raise NotAPdf([FieldError("pdf", Reason("the PDF cannot be opened: it is damaged or has no page"))])
    return data


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_pdf(directory: Path, data: bytes) -> tuple[str, str]:
    """Write the PDF under its checksum (the same file twice is stored once); (relative name, sha256).
    Written to a temporary name and renamed, so a crash never leaves half a file under the real name."""
    digest = checksum(data)
    name = f"{digest[:2]}/{digest}.pdf"
    target = directory / name
    try:
        os.utime(target)  # stored already: fresh again, so the orphan sweep leaves it to this upload
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            temporary.write(data)
        os.replace(temporary.name, target)
    return name, digest


def sweep_orphans(directory: Path, *, referenced: Collection[str], modified_before: datetime) -> list[Path]:
    """Delete stored files no invoice names (`referenced`: relative names) that were last modified before
    `modified_before`: PDFs of uploads whose transaction rolled back, temporary files of a crash. Younger
    files may belong to an upload whose request has not committed yet."""
    if not directory.is_dir():
        return []
    cutoff, removed = modified_before.timestamp(), []
    for path in directory.glob("*/*"):
        try:
            orphan = path.relative_to(directory).as_posix() not in referenced and path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue  # another sweeper took it
        if orphan and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def load_pdf(directory: Path, name: str, sha256: str) -> bytes:
    """The stored PDF; NotFound when it is missing or no longer has its checksum."""
    path = (directory / name).resolve()
    if directory.resolve() not in path.parents or not path.is_file():
        raise NotFound("the invoice PDF is missing from storage")
    data = path.read_bytes()
    if checksum(data) != sha256:
        raise NotFound("the stored invoice PDF no longer matches its checksum")
    return data
