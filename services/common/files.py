"""Uploaded files: the type is decided by content against a short whitelist, then the file is validated
by its structure — never by the name, and never by the first bytes alone.

* PDF: parses (pypdf) to a document catalog, nothing after the last %%EOF but whitespace, and no ZIP
  readable from it (a PDF/ZIP polyglot opens as an archive in another program).
* PNG/JPEG (and the screenshot types WebP/GIF): decode (Pillow), pixel count bounded before decoding
  (decompression bombs); a PNG ends at its IEND chunk; no ZIP readable from it.
* DOCX/XLSX: a ZIP whose members are sane — relative names without `..`, no duplicates, bounded count,
  bounded declared uncompressed size and compression ratio, every CRC right — holding
  [Content_Types].xml and the Word or Excel main part. Python's zipfile never inflates a member beyond
  its declared size, so the declared sizes bound the work.
* The file name's extension, when it has one, must be one of the content type's extensions: a PDF named
  `x.html` would open as a web page once downloaded.

Refusals: 415 for a type outside the whitelist, 422 for a broken or hostile file of an allowed type,
413 for size; messages in zh-CN. Downloads carry `download_headers` (attachment + nosniff).
"""
import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import quote

from services.common.errors import ApiError


@dataclass(frozen=True)
class FileType:
    extension: str
    mime: str
    label: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.aliases)


PDF = FileType("pdf", "application/pdf", "PDF 文档")
PNG = FileType("png", "image/png", "PNG 图片")
JPEG = FileType("jpg", "image/jpeg", "JPEG 图片", ("jpeg", "jpe", "jfif"))
WEBP = FileType("webp", "image/webp", "WebP 图片")
GIF = FileType("gif", "image/gif", "GIF 图片")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格")
EVIDENCE_TYPES = (PDF, PNG, JPEG, DOCX, XLSX)
SCREENSHOT_TYPES = (PNG, JPEG, WEBP, GIF)
IMAGE_TYPES = (PNG, JPEG, WEBP, GIF)

MAX_PIXELS = 50_000_000  # 50 MP: a phone photo is 12–48 MP; decoding costs ~3 bytes per pixel


@dataclass(frozen=True)
class ZipLimits:
    members: int = 1000
    unpacked: int = 100 * 1024 * 1024  # declared uncompressed total
    ratio: int = 200  # per member of more than `ratio_floor` bytes; deflate tops out near 1030:1
    ratio_floor: int = 1024 * 1024


OFFICE_LIMITS = ZipLimits()
_OFFICE_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
# What inflating or parsing a damaged archive may raise (zlib.error for corrupt deflate data).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


def invalid(message: str, code: str = "file_invalid") -> ApiError:
    return ApiError(422, code, message, field="file")


def sniff(data: bytes) -> FileType | None:
    return sniff_file(io.BytesIO(data))


def sniff_file(stream: BinaryIO) -> FileType | None:
    """The type of a seekable file by its content (leaves the position at the start)."""
    stream.seek(0)
    head = stream.read(12)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except _ZIP_ERRORS:
            return None
        finally:
            stream.seek(0)
        for kind, part in _OFFICE_PARTS.items():
            if "[Content_Types].xml" in names and part in names:
                return kind
    return None


# --- structure ---------------------------------------------------------------------------------------

def open_zip(stream: BinaryIO, limits: ZipLimits = OFFICE_LIMITS) -> zipfile.ZipFile:
    """A ZIP whose directory is sane (names, count, declared sizes, ratios); 422 otherwise.
    Nothing is inflated here."""
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.LargeZipFile, *_ZIP_ERRORS) as exc:
        raise invalid("压缩格式损坏，无法读取（文件不完整或不是有效的 Office 文档）") from exc
    if len(members) > limits.members:
        raise invalid(f"压缩包内文件过多（{len(members)} 个，上限 {limits.members} 个）")
    seen: set[str] = set()
    total = 0
    for m in members:
        name = m.filename
        parts = name.replace("\\", "/").split("/")
        if (not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name
                or ".." in parts or re.match(r"^[A-Za-z]:", name)):
            raise invalid("压缩包内含有不安全的路径（绝对路径或“..”），已拒绝")
        if name.lower() in seen:
            raise invalid("压缩包内有重名的文件，已拒绝")
        seen.add(name.lower())
        if m.flag_bits & 0x1:
            raise invalid("压缩包内有加密的文件，无法检查，请去掉密码后重新上传")
        total += m.file_size
        if m.file_size > limits.ratio_floor and m.file_size > limits.ratio * max(m.compress_size, 1):
            raise invalid(f"压缩比异常（疑似压缩炸弹）：{name[:80]} 解压后是压缩后的 "
                          f"{m.file_size // max(m.compress_size, 1)} 倍", "file_zip_bomb")
    if total > limits.unpacked:
        raise invalid(f"解压后内容过大（{total // (1024 * 1024)} MB，上限 {limits.unpacked // (1024 * 1024)} MB）",
                      "file_unpacked_too_large")
    return archive


def _check_office(stream: BinaryIO, kind: FileType) -> None:
    archive = open_zip(stream)
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or _OFFICE_PARTS[kind] not in names:
        raise invalid(f"文件不是有效的{kind.label}（缺少必需的部件）")
    try:
        bad = archive.testzip()  # inflates every member, bounded by the declared sizes checked above
    except _ZIP_ERRORS as exc:
        raise invalid(f"{kind.label}已损坏，无法解压") from exc
    if bad is not None:
        raise invalid(f"{kind.label}已损坏（校验失败）")


def _no_zip_inside(stream: BinaryIO, kind: FileType) -> None:
    stream.seek(0)
    if zipfile.is_zipfile(stream):
        raise invalid(f"{kind.label}中夹带了压缩包（多格式伪装文件），已拒绝", "file_polyglot")


def _size(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    return stream.tell()


def _check_pdf(stream: BinaryIO) -> None:
    from pypdf import PdfReader

    _no_zip_inside(stream, PDF)
    size = _size(stream)
    stream.seek(max(0, size - 2048))
    tail = stream.read()
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail[end + 5:].strip(b" \t\r\n\x00\x0c"):
        raise invalid("PDF 文件不完整，或结束标记 %%EOF 之后还有其他内容（疑似夹带文件），已拒绝", "file_polyglot")
    stream.seek(0)
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # a damaged file is the uploader's problem, not a server warning
    try:
        reader = PdfReader(stream, strict=False)
        root = reader.trailer["/Root"].get_object()
        if root.get("/Type") != "/Catalog":
            raise ValueError("no catalog")
        len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file makes pypdf raise
        raise invalid("PDF 文件无法解析（文件已损坏，或只是以 PDF 开头的其他内容）") from exc
    finally:
        pypdf_log.setLevel(level)


def _png_end(stream: BinaryIO) -> int | None:
    """The offset just past the IEND chunk, walking the chunk lengths (None when the chain breaks)."""
    stream.seek(8)
    while True:
        header = stream.read(8)
        if len(header) < 8:
            return None
        length = int.from_bytes(header[:4], "big")
        if length > 0x7FFFFFFF:
            return None
        stream.seek(length + 4, io.SEEK_CUR)  # data + CRC
        if header[4:8] == b"IEND":
            return stream.tell()


def _check_image(stream: BinaryIO, kind: FileType) -> None:
    from PIL import Image

    formats = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP", GIF: "GIF"}
    try:
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower bound follows
        stream.seek(0)
        with Image.open(stream, formats=[formats[kind]]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise invalid(f"图片尺寸过大（{width}×{height}，上限 {MAX_PIXELS // 1_000_000} 百万像素）",
                              "file_image_too_large")
            image.verify()  # chunk CRCs and structure, before any pixel is decoded
        stream.seek(0)
        with Image.open(stream, formats=[formats[kind]]) as image:
            if kind == JPEG:
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # decode all data at 1/8 scale
            image.load()
    except ApiError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own bound, hit at open for absurd sizes
        raise invalid(f"图片尺寸过大（上限 {MAX_PIXELS // 1_000_000} 百万像素）", "file_image_too_large") from exc
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file makes the decoder raise
        raise invalid(f"{kind.label}无法解码（文件已损坏，或只是以图片开头的其他内容）") from exc
    if kind == PNG:
        end = _png_end(stream)
        if end is None or end != _size(stream):
            raise invalid("PNG 图片结束之后还有其他内容（疑似夹带文件），已拒绝", "file_polyglot")
    _no_zip_inside(stream, kind)


def validate_file(stream: BinaryIO, kind: FileType) -> None:
    """Structural validation of a file already typed by `sniff_file`; 422 when it does not hold up."""
    try:
        if kind == PDF:
            _check_pdf(stream)
        elif kind in IMAGE_TYPES:
            _check_image(stream, kind)
        elif kind in _OFFICE_PARTS:
            _check_office(stream, kind)
    finally:
        stream.seek(0)


def extension_of(name: str) -> str | None:
    """The extension of a (safe) file name, when it has one that looks like an extension."""
    match = re.search(r"\.([A-Za-z][A-Za-z0-9]{0,5})$", name)
    return match.group(1).lower() if match else None


def check_extension(name: str, kind: FileType) -> None:
    ext = extension_of(name)
    if ext is not None and ext not in kind.extensions:
        raise invalid(f"文件扩展名 .{ext} 与文件内容（{kind.label}，应为 .{kind.extension}）不符，请确认后重新上传",
                      "file_extension_mismatch")


# --- spreadsheets read by imports --------------------------------------------------------------------

SHEET_LIMITS = ZipLimits(members=200, unpacked=64 * 1024 * 1024)
MAX_SHARED_STRINGS = 16 * 1024 * 1024  # declared size; openpyxl loads the whole table up front
MAX_COLUMNS = 100
_SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


def too_many_rows(limit: int) -> ApiError:
    return ApiError(422, "import_too_many_rows", f"文件超过 {limit} 行数据的上限，请拆分后分批导入",
                    field="file", limit=limit)


def _unreadable_xlsx() -> ApiError:
    return invalid("Excel 文件无法读取（文件已损坏或不是有效的 .xlsx）")


def _scan_worksheets(archive: zipfile.ZipFile, max_rows: int) -> None:
    """Count each worksheet's rows by their numbers (a row may claim r="1000000"), streaming and stopping
    at the limit; nothing is kept but the count."""
    from xml.etree.ElementTree import ParseError, iterparse

    strings = next((m for m in archive.infolist() if m.filename == "xl/sharedStrings.xml"), None)
    if strings is not None and strings.file_size > MAX_SHARED_STRINGS:
        raise too_many_rows(max_rows)
    for name in (n for n in archive.namelist() if _WORKSHEET.fullmatch(n)):
        rows = 0
        try:
            with archive.open(name) as source:
                for event, element in iterparse(source, events=("start", "end")):
                    if element.tag != f"{_SML}row":
                        continue
                    if event == "end":
                        element.clear()
                        continue
                    number = element.get("r") or ""
                    rows = max(rows + 1, int(number) if number.isdigit() else 0)
                    if rows > max_rows + 1:  # + the header row
                        raise too_many_rows(max_rows)
        except (ParseError, *_ZIP_ERRORS) as exc:
            raise _unreadable_xlsx() from exc


def xlsx_rows(data: bytes, max_rows: int) -> Iterator[tuple[Any, ...]]:
    """The first worksheet's rows as value tuples (at most MAX_COLUMNS wide), streamed.

    openpyxl reads a whole sheet when it opens a workbook whose sheets lack a <dimension> (a 1.65 MB
    file of 300k rows cost 17 s of CPU), so it only gets a file whose ZIP directory is sane and whose
    worksheets were counted to hold at most `max_rows` rows after the header; 422 otherwise."""
    from openpyxl import load_workbook

    _scan_worksheets(open_zip(io.BytesIO(data), SHEET_LIMITS), max_rows)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)  # openpyxl pads every row to this width
        yield from sheet.iter_rows(max_col=width, values_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl cannot read is the uploaded file's fault
        raise _unreadable_xlsx() from exc


# --- uploads -----------------------------------------------------------------------------------------

def safe_filename(name: str | None) -> str:
    """Keep only the last path component and printable characters (no ../, no control chars)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return base[:200] or "upload"


def _not_allowed(allowed: tuple[FileType, ...]) -> ApiError:
    names = ", ".join(t.extension for t in allowed)
    return ApiError(415, "file_type_not_allowed",
                    f"文件内容不是允许的类型 ({names})；类型按内容判断，与文件名无关", field="file")


def check_stream(stream: BinaryIO, filename: str | None,
                 allowed: tuple[FileType, ...]) -> tuple[FileType, str]:
    """Type by content (415 outside `allowed`), structure and extension (422); the safe file name."""
    kind = sniff_file(stream)
    if kind is None or kind not in allowed:
        raise _not_allowed(allowed)
    name = safe_filename(filename)
    check_extension(name, kind)
    validate_file(stream, kind)
    return kind, name


def check_upload(data: bytes | None, filename: str | None, allowed: tuple[FileType, ...],
                 max_bytes: int) -> tuple[FileType, str]:
    if data is None:
        raise ApiError(413, "file_too_large", f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB", field="file")
    if not data:
        raise ApiError(422, "file_empty", "文件为空 (empty file)", field="file")
    return check_stream(io.BytesIO(data), filename, allowed)


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


def check_spooled(upload: Spooled, filename: str | None,
                  allowed: tuple[FileType, ...]) -> tuple[FileType, str]:
    """check_upload for a spooled file: empty → 422, type by content outside `allowed` → 415,
    broken or hostile structure or a mismatching extension → 422."""
    if upload.size == 0:
        raise ApiError(422, "file_empty", "文件为空 (empty file)", field="file")
    return check_stream(upload.file, filename, allowed)


# --- downloads ---------------------------------------------------------------------------------------

def content_disposition(filename: str) -> str:
    """An attachment header that carries a Chinese file name (RFC 6266 with an RFC 5987 filename*),
    with an ASCII fallback for old clients."""
    name = safe_filename(filename)
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
                      .decode()) or "download"
    if fallback.startswith(".") or not re.search(r"[A-Za-z0-9]", fallback.rsplit(".", 1)[0]):
        fallback = "download" + (f".{extension_of(name)}" if extension_of(name) else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_headers(filename: str) -> dict[str, str]:
    """Headers for every response that hands out a file: always a download, never sniffed into another
    type, never run as a page if a browser renders it anyway."""
    return {"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox"}
