"""Genuine and hostile files for the upload and import tests, made here with the real libraries."""
import io
import struct
import zipfile
import zlib

from docx import Document
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter


def pdf(title: str = "证明材料") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (16, 12)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, fmt)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("整改情况说明")
    document.save(out)
    return out.getvalue()


def xlsx(rows: list[list] | None = None) -> bytes:
    out = io.BytesIO()
    workbook = Workbook()
    for row in rows or [["网站名称"], ["某网站"]]:
        workbook.active.append(row)
    workbook.save(out)
    return out.getvalue()


def rezip(base: bytes, extra: list[tuple[str, bytes]]) -> bytes:
    """`base` (a ZIP) with members added."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member.filename, source.read(member))
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP written by hand from (name, raw deflate data, crc32, uncompressed size): what a bomb-maker
    does, since nothing needs to inflate to build it."""
    local, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = local.tell()
        local.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                                len(encoded), 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, len(data),
                                  size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                      local.tell(), 0)
    return local.getvalue() + directory + end


def deflated_zeros(megabytes: int) -> tuple[bytes, int, int]:
    """Raw deflate data that inflates to `megabytes` MiB of zeros (about 1 KB per MiB), its crc and size."""
    mib = b"\x00" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)  # independent of what precedes it
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    return block * megabytes + compressor.flush(), crc, megabytes << 20


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def office_bomb(megabytes: int, main_part: str = "word/document.xml") -> bytes:
    """A .docx-shaped ZIP whose main part inflates to `megabytes` MiB."""
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    data, crc, size = deflated_zeros(megabytes)
    return raw_zip([("[Content_Types].xml", _deflate(types), zlib.crc32(types), len(types)),
                    (main_part, data, crc, size)])


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression bomb's first step)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def hostile_files() -> dict[str, tuple[str, bytes]]:
    """What the probe got stored, and relatives: {case: (file name, bytes)}."""
    return {
        "pdf_header_then_html": ("说明.pdf", b"%PDF-1.7\n" + HTML + b"%%EOF\n"),
        "png_header_then_html": ("截图.png", b"\x89PNG\r\n\x1a\n" + HTML),
        "png_then_html": ("截图.png", image("PNG") + HTML),
        "docx_zip_bomb_1gb": ("材料.docx", office_bomb(1024)),
        "docx_ratio_bomb": ("材料.docx", office_bomb(60)),
        "docx_dotdot_member": ("材料.docx", rezip(docx(), [("../../../../tmp/evil.sh", b"#!/bin/sh\n")])),
        "docx_absolute_member": ("材料.docx", rezip(docx(), [("/etc/cron.d/evil", b"* * * * * root id\n")])),
        "pdf_with_zip_appended": ("批复.pdf", pdf() + rezip(docx(), [])),
        "jpeg_with_zip_appended": ("照片.jpg", image("JPEG") + rezip(docx(), [])),
        "png_pixel_bomb": ("截图.png", png_claiming(100_000, 100_000)),
        "pdf_named_html": ("批复.html", pdf()),
        "png_named_pdf": ("批复.pdf", image("PNG")),
    }


def genuine_files() -> dict[str, tuple[str, bytes, str]]:
    """{case: (file name, bytes, extension the server must record)}."""
    return {"pdf": ("批复.pdf", pdf(), "pdf"), "png": ("截图.png", image("PNG"), "png"),
            "jpg": ("照片.jpg", image("JPEG"), "jpg"), "jpeg": ("照片.JPEG", image("JPEG"), "jpg"),
            "docx": ("说明.docx", docx(), "docx"), "xlsx": ("清单.xlsx", xlsx(), "xlsx"),
            "no_extension": ("扫描件", pdf("无扩展名"), "pdf")}
