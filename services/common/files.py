"""Uploaded files: the type is decided by content against a short whitelist, never by the name.

Office documents are ZIP containers; they are accepted only when the archive holds the part that
makes it a Word or Excel document, so an arbitrary archive renamed to .docx is refused.
"""
import hashlib
import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from services.common.errors import ApiError


@dataclass(frozen=True)
class FileType:
    extension: str
    mime: str


PDF = FileType("pdf", "application/pdf")
PNG = FileType("png", "image/png")
JPEG = FileType("jpg", "image/jpeg")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
EVIDENCE_TYPES = (PDF, PNG, JPEG, DOCX, XLSX)


def sniff(data: bytes) -> FileType | None:
    return sniff_file(io.BytesIO(data))


def sniff_file(stream: BinaryIO) -> FileType | None:
    """The type of a seekable file by its content (leaves the position at the start)."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
    return None


def safe_filename(name: str | None) -> str:
    """Keep only the last path component and printable characters (no ../, no control chars)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return base[:200] or "upload"


def check_upload(data: bytes | None, filename: str | None, allowed: tuple[FileType, ...],
                 max_bytes: int) -> tuple[FileType, str]:
    if data is None:
        raise ApiError(413, "file_too_large", f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB", field="file")
    if not data:
        raise ApiError(422, "file_empty", "文件为空 (empty file)", field="file")
    kind = sniff(data)
    if kind is None or kind not in allowed:
        names = ", ".join(t.extension for t in allowed)
        raise ApiError(415, "file_type_not_allowed",
                       f"文件内容不是允许的类型 ({names})；类型按内容判断，与文件名无关", field="file")
    return kind, safe_filename(filename)


@dataclass
class Spooled:
    """An upload copied off the request: in memory up to 1 MB, then in a temporary file."""
    file: BinaryIO
    size: int
    sha256: str

    def close(self) -> None:
        self.file.close()


async def spool_upload(source, max_bytes: int, chunk: int = 1024 * 1024) -> Spooled:  # noqa: ANN001
    """Copy an UploadFile chunk by chunk, hashing as it goes; 413 as soon as it exceeds `max_bytes`
    (the rest is never read and nothing is kept)."""
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    digest, size = hashlib.sha256(), 0
    while block := await source.read(chunk):
        size += len(block)
        if size > max_bytes:
            spool.close()
            check_upload(None, None, (), max_bytes)  # raises the 413
        digest.update(block)
        spool.write(block)
    spool.seek(0)
    return Spooled(spool, size, digest.hexdigest())  # type: ignore[arg-type]


def check_spooled(upload: Spooled, filename: str | None, allowed: tuple[FileType, ...]) -> tuple[FileType, str]:
    """check_upload for a spooled file: empty → 422, type by content outside `allowed` → 415."""
    if upload.size == 0:
        raise ApiError(422, "file_empty", "文件为空 (empty file)", field="file")
    kind = sniff_file(upload.file)
    if kind is None or kind not in allowed:
        names = ", ".join(t.extension for t in allowed)
        raise ApiError(415, "file_type_not_allowed",
                       f"文件内容不是允许的类型 ({names})；类型按内容判断，与文件名无关", field="file")
    return kind, safe_filename(filename)


def content_disposition(filename: str) -> str:
    """An attachment header that carries a Chinese file name (RFC 6266/5987)."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"
