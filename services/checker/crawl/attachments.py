"""Text of attached files (pdf, doc/wps, docx, xls/et, xlsx, txt; also the HTML, MHT and RTF files that
sites often publish under a .doc name), for word-list and dark-link scanning.

The format is decided from the bytes (magic number, zip members, OLE streams), never from the name: a
file that lies about its type is read as what it is. The name only labels two identical layouts (a Word
binary served as .wps is reported as "wps").

Everything here is bounded, because attachments come from the sites we supervise and may be hostile or
broken: page and character caps, declared-size and compression-ratio caps on zip members (a zip bomb is
refused before anything is inflated), XML parsed without entity expansion or network access. A file
that cannot be read is `scannable=False` with a reason, never reported as clean; in particular an
image-only (scanned) PDF is reason "image_only".

CPU-bound and blocking: callers run `extract_text` in a thread. PDFium is not thread-safe, so PDF work
in one process is serialised by a lock.

Libraries (measured on this machine, CPU per file): PDF text with pypdfium2 — 36-page and 17-page
documents with embedded fonts in 33 ms / 16 ms against pypdf's 446 ms / 193 ms; xls with xlrd; OLE with
olefile and the Word piece table read here ([MS-DOC] 2.4.1); docx/xlsx parts read directly with lxml.
"""
from __future__ import annotations

import email
import io
import os
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

# What we fetch as an attachment (the design's list): Kingsoft's et is a BIFF8 workbook like xls.
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "txt", "rtf"})

MAX_BYTES = 64 * 1024 * 1024        # a body beyond this is not read at all (callers cap downloads lower)
MAX_PDF_PAGES = 500                 # pages read from one PDF
MAX_ZIP_MEMBER = 64 * 1024 * 1024   # declared uncompressed size of one docx/xlsx part we read
MAX_ZIP_TOTAL = 128 * 1024 * 1024   # … and of all the parts we read together
MAX_ZIP_RATIO = 200                 # uncompressed/compressed: real XML stays under ~30
MAX_CELLS = 1_000_000               # spreadsheet cells visited
MAX_RTF_BYTES = 8 * 1024 * 1024     # RTF read (markup included)

IMAGE_ONLY_CHARS_PER_PAGE = 5       # fewer visible characters than this per page, with images: a scan


@dataclass
class Extracted:
    kind: str                   # pdf | doc | wps | docx | xls | xlsx | txt | html | rtf | unknown
    text: str
    scannable: bool
    reason: str | None = None   # image_only | encrypted | corrupt | unsupported | too_large
    truncated: bool = False     # text stopped at a page or character cap: what was read is still scanned


class _Unreadable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _extension(path: str) -> str:
    name = unquote(path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@lru_cache(maxsize=1 << 16)
def looks_like_attachment(url: str) -> bool:
    """A link to a file we read: by the path's extension, or a download script's file-name parameter
    (`/download.jsp?filename=通知.pdf`). Asked of the same URLs by the crawl (every link it may follow) and by
    the page checks (personal_data, secrecy_marking …): remembered."""
    parts = urlsplit(url)
    if _extension(parts.path) in ATTACHMENT_EXTENSIONS:
        return True
    return any(_extension(value) in ATTACHMENT_EXTENSIONS for _, value in parse_qsl(parts.query)
               if "." in value and "/" not in value[-12:])


def _name_kind(url: str) -> str:
    return _extension(urlsplit(url).path) if url else ""


# ------------------------------------------------------------------------------------------- entry

def extract_text(body: bytes, *, url: str = "", content_type: str | None = None,
                 max_chars: int = 2_000_000) -> Extracted:
    """The text of an attached file, its real kind, and whether it could be read (see module doc)."""
    kind = _sniff(body)
    if len(body) > MAX_BYTES:
        return Extracted(kind, "", False, "too_large")
    named = _name_kind(url)
    try:
        if kind == "pdf":
            text, truncated = _pdf(body, max_chars)
        elif kind == "ole":
            kind, text, truncated = _ole(body, named, max_chars)
        elif kind == "zip":
            kind, text, truncated = _ooxml(body, named, max_chars)
        elif kind == "rtf":
            limit = min(max_chars * 8, MAX_RTF_BYTES)   # the tokenizer reads ~7 MB/s
            text, truncated = _cap(_rtf(body[:limit]), max_chars)
            truncated = truncated or len(body) > limit
        elif kind == "mht":
            kind = "html"
            text, truncated = _cap(_mht(body), max_chars)
        elif kind == "html":
            text, truncated = _cap(_html(body, content_type), max_chars)
        elif kind == "txt":
            text, truncated = _cap(_decode(body[: max_chars * 4]), max_chars)
            truncated = truncated or len(body) > max_chars * 4
        else:
            return Extracted("unknown", "", False, "unsupported")
    except _Unreadable as exc:
        return Extracted(kind if kind not in ("ole", "zip") else (named or kind), "", False, exc.reason)
    except Exception:  # noqa: BLE001 — any parser failure on a hostile or broken file is "corrupt"
        return Extracted(kind if kind not in ("ole", "zip") else (named or kind), "", False, "corrupt")
    return Extracted(kind, text, True, None, truncated)


def _cap(text: str, max_chars: int) -> tuple[str, bool]:
    return (text[:max_chars], True) if len(text) > max_chars else (text, False)


_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


def _sniff(body: bytes) -> str:
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if stripped[:200].lower().startswith(b"mime-version:") or b"multipart/related" in head.lower()[:600]:
        return "mht"
    if _HTML_START.match(stripped[:1024]):
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (head and b"\0" not in head and _texty(head)):
        return "txt"
    return "unknown"


def _texty(head: bytes) -> bool:
    """Few control characters: text, not some binary format we do not know."""
    controls = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
    return controls <= len(head) // 100


# --------------------------------------------------------------------------------------------- PDF

_PDFIUM_LOCK = threading.Lock()
# Chinese has no spaces: a line break beside a CJK character is layout wrapping, and a word wrapped
# across lines ("北京赛车" / "pk10", "计划" / "生育") must still be found.
_CJK = "\u3400-\u9fff\uf900-\ufaff，、；：（）《》“”"
_CJK_WRAP = re.compile(f"(?<=[{_CJK}])[ \\t]*\\r?\\n[ \\t]*(?=\\S)|(?<=\\S)[ \\t]*\\r?\\n[ \\t]*(?=[{_CJK}])")


MAX_PDF_INFLATED = 128 * 1024 * 1024   # decompressed content, font and object streams of one PDF
_PDF_STREAM = re.compile(rb">>\s*stream\r?\n")


def _pdf_inflates_too_much(body: bytes) -> bool:
    """PDFium inflates content streams whole: a 300 KB file can ask for gigabytes. Inflate every Flate
    stream that is not an image here first, in bounded chunks and discarding the output, and refuse the
    file past the cap. (Images are not decoded for text; a scan of Flate images stays "image_only".)"""
    budget = MAX_PDF_INFLATED
    for match in _PDF_STREAM.finditer(body):
        head = body[max(0, match.start() - 400):match.start()]
        head = head[head.rfind(b"<<"):] if b"<<" in head else head
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl]" not in head:
            continue
        if b"/Image" in head:
            continue
        inflater = zlib.decompressobj()
        data = body[match.end():match.end() + 64 * 1024 * 1024]
        try:
            while data and not inflater.eof:
                budget -= len(inflater.decompress(data, 1 << 20))
                data = inflater.unconsumed_tail
                if budget < 0:
                    return True
        except zlib.error:
            continue                          # PDFium will judge a damaged stream itself
    return False


def _pdf(body: bytes, max_chars: int) -> tuple[str, bool]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if _pdf_inflates_too_much(body):
        raise _Unreadable("too_large")
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(body)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise _Unreadable("encrypted") from exc
            raise _Unreadable("corrupt") from exc
        try:
            pages = len(document)
            parts: list[str] = []
            size = visible = images = 0
            truncated = pages > MAX_PDF_PAGES
            for index in range(min(pages, MAX_PDF_PAGES)):
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_range()
                    finally:
                        textpage.close()
                    page_visible = len("".join(text.split()))
                    if page_visible < IMAGE_ONLY_CHARS_PER_PAGE:
                        images += any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE],
                                                                     max_depth=2))
                finally:
                    page.close()
                visible += page_visible
                parts.append(text)
                size += len(text)
                if size >= max_chars:
                    truncated = True
                    break
        finally:
            document.close()
    read = max(len(parts), 1)
    if visible < IMAGE_ONLY_CHARS_PER_PAGE * read and (images or visible == 0):
        # Scanned pages (or text drawn as outlines): nothing we can read, which is not the same as clean.
        raise _Unreadable("image_only")
    text = _CJK_WRAP.sub("", "\n".join(parts).replace("\r\n", "\n"))
    return (text[:max_chars], True) if len(text) > max_chars else (text, truncated)


# --------------------------------------------------------------------------------------------- OLE

def _ole(body: bytes, named: str, max_chars: int) -> tuple[str, str, bool]:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(body))
    except Exception as exc:  # noqa: BLE001 — olefile raises a variety of errors on a damaged file
        raise _Unreadable("corrupt") from exc
    try:
        streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=False)}
        if "encryptedpackage" in streams:   # a password-protected docx/xlsx is an OLE container
            raise _Unreadable("encrypted")
        if "worddocument" in streams:
            kind = "wps" if named == "wps" else "doc"
            text, truncated = _word(ole, max_chars)
            return kind, text, truncated
        if "workbook" in streams or "book" in streams:
            text, truncated = _xls(body, max_chars)
            return ("et" if named == "et" else "xls"), text, truncated
        raise _Unreadable("unsupported")   # ppt, msg, WPS 97 … : not a format we read
    finally:
        ole.close()


def _word(ole, max_chars: int) -> tuple[str, bool]:
    """Text of a Word 97-2003 (and WPS 2000+) binary via the piece table: [MS-DOC] 2.4.1."""
    doc = ole.openstream("WordDocument").read()
    if len(doc) < 0x200:
        raise _Unreadable("corrupt")
    ident, nfib = struct.unpack_from("<HH", doc, 0)
    if ident != 0xA5EC:
        raise _Unreadable("corrupt")
    flags = struct.unpack_from("<H", doc, 0x0A)[0]
    if flags & 0x0100:                       # fEncrypted
        raise _Unreadable("encrypted")
    if nfib < 0x00C1 or len(doc) < 0x01AA:   # Word 6/95: one 8-bit text run between fcMin and fcMac
        fc_min, fc_mac = struct.unpack_from("<II", doc, 0x18)
        raw = doc[fc_min:min(fc_mac, fc_min + max_chars * 2)]
        return _cap(_word_clean(raw.decode("gb18030", "replace")), max_chars)
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):
        raise _Unreadable("corrupt")
    table = ole.openstream(table_name).read()
    fc_clx, lcb_clx = struct.unpack_from("<II", doc, 154 + 33 * 8)
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:      # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise _Unreadable("corrupt")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise _Unreadable("corrupt")
    cps = struct.unpack_from("<%dI" % (count + 1), plc, 0)
    parts: list[str] = []
    size = 0
    truncated = False
    for i in range(count):
        start, end = cps[i], cps[i + 1]
        chars = max(0, min(end - start, max_chars - size))
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        if fc & 0x40000000:                  # fCompressed: 8-bit characters at fc / 2
            offset = (fc & 0x3FFFFFFF) // 2
            parts.append(doc[offset:offset + chars].decode("cp1252", "replace"))
        else:
            parts.append(doc[fc:fc + 2 * chars].decode("utf-16-le", "replace"))
        size += chars
        if size >= max_chars:
            truncated = end - start > chars or i + 1 < count
            break
    return _word_clean("".join(parts)), truncated


_FIELD_CODE = re.compile("\x13[^\x13\x14\x15]*\x14")   # field instructions (HYPERLINK "…"), keep the result
_WORD_CONTROL = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x07": "\t", "\x1e": "-", "\x1f": None})


def _word_clean(text: str) -> str:
    text = _FIELD_CODE.sub("", text).translate(_WORD_CONTROL)
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")


def _xls(body: bytes, max_chars: int) -> tuple[str, bool]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=body, on_demand=True, logfile=open(os.devnull, "w"))
    except xlrd.XLRDError as exc:
        raise _Unreadable("encrypted" if "encrypt" in str(exc).lower() else "corrupt") from exc
    parts: list[str] = []
    size = cells = 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for row in range(sheet.nrows):
                values = [str(v) for t, v in zip(sheet.row_types(row), sheet.row_values(row))
                          if t == xlrd.XL_CELL_TEXT and v]
                cells += sheet.row_len(row)
                if values:
                    line = "\t".join(values)
                    parts.append(line)
                    size += len(line) + 1
                if size >= max_chars or cells >= MAX_CELLS:
                    return "\n".join(parts)[:max_chars], True
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return "\n".join(parts), False


# ----------------------------------------------------------------------------------- docx / xlsx

# Any namespace: Strict OOXML (ISO 29500) names the same elements under purl.oclc.org namespaces.
_W = _S = "{*}"
_DOCX_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_XLSX_PARTS = re.compile(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml")


def _ooxml(body: bytes, named: str, max_chars: int) -> tuple[str, str, bool]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise _Unreadable("corrupt") from exc
    if "word/document.xml" in names:
        kind, pattern = "docx", _DOCX_PARTS
    elif "xl/workbook.xml" in names:
        kind, pattern = "xlsx", _XLSX_PARTS
    else:
        raise _Unreadable("unsupported")    # pptx, odt, a plain zip archive …
    # document first, then the rest in name order (sheet2 after sheet10 is fine for scanning)
    parts = sorted((i for i in archive.infolist() if pattern.fullmatch(i.filename)),
                   key=lambda i: (i.filename != "word/document.xml", i.filename))
    total = 0
    for info in parts:
        total += info.file_size
        if (info.file_size > MAX_ZIP_MEMBER or total > MAX_ZIP_TOTAL
                or info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) + 1_000_000):
            raise _Unreadable("too_large")   # decided from the directory, before inflating anything
    out: list[str] = []
    size = 0
    for info in parts:
        with archive.open(info) as stream:
            for chunk in (_docx_text(stream) if kind == "docx" else _xlsx_text(stream)):
                out.append(chunk)
                size += len(chunk)
                if size >= max_chars:
                    return kind, "".join(out)[:max_chars], True
    return kind, "".join(out), False


def _events(stream, tags: tuple[str, ...]):
    from lxml import etree  # with the first Office file read: the crawler imports this module for its URL test
    # No DTD, no entities, no network: XML bombs and external entities are inert.
    return etree.iterparse(stream, events=("end",), tag=tags, resolve_entities=False, load_dtd=False,
                           no_network=True, huge_tree=False, remove_comments=True)


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _docx_text(stream):
    for _, element in _events(stream, (f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}p")):
        tag = _local_name(element.tag)
        if tag == "t":
            yield element.text or ""
        elif tag == "p":
            yield "\n"
            element.clear(keep_tail=False)
        else:
            yield "\t" if tag == "tab" else "\n"


def _xlsx_text(stream):
    # Shared strings hold every string cell; sheets add inline strings only (<is>, not numbers).
    for _, element in _events(stream, (f"{_S}si", f"{_S}is", f"{_S}row")):
        if _local_name(element.tag) == "row":
            element.clear(keep_tail=False)
            continue
        text = "".join(t.text or "" for t in element.iter(f"{_S}t"))
        element.clear(keep_tail=False)
        if text:
            yield text + "\n"


# ------------------------------------------------------------------------------- text, html, rtf

def _decode(body: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a strict superset of GBK and GB2312,
    what Chinese Windows writes), then whatever charset-normalizer finds (Big5, UTF-16 without BOM …).
    A body cut at a size cap may end inside a character: an error in the last 3 bytes only is a cut."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", "replace")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(body) - 3:
                try:
                    return body[:exc.start].decode(encoding)
                except UnicodeDecodeError:
                    pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    return body.decode(best.encoding if best else "gb18030", "replace")


def _html(body: bytes, content_type: str | None) -> str:
    from selectolax.lexbor import LexborHTMLParser

    match = re.search(rb"charset=[\"']?([\w-]+)", body[:2048], re.I) or (
        re.search(rb"charset=([\w-]+)", content_type.encode(), re.I) if content_type else None)
    text = None
    if match:
        try:
            text = body.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    tree = LexborHTMLParser(text if text is not None else _decode(body))
    for node in tree.css("script, style"):
        node.decompose()
    root = tree.body or tree.root
    return root.text(separator="\n") if root else ""


def _mht(body: bytes) -> str:
    message = email.message_from_bytes(body)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            return _html(payload, f"text/html; charset={charset}" if charset else None)
    raise _Unreadable("unsupported")


_RTF_TOKEN = re.compile(rb"\\([a-z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-f]{2})|\\([^a-z])|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.I)
_RTF_SKIP = {b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"themedata", b"listtable",
             b"listoverridetable", b"rsidtbl", b"generator", b"xmlnstbl", b"latentstyles", b"datastore",
             b"colorschememapping", b"filetbl", b"revtbl", b"mmathPr", b"fldinst", b"bkmkstart", b"bkmkend"}
_RTF_BREAK = {b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"row": "\n", b"tab": "\t",
              b"cell": "\t", b"emdash": "—", b"endash": "–", b"lquote": "‘", b"rquote": "’", b"ldblquote": "“",
              b"rdblquote": "”", b"bullet": "•"}


def _rtf(body: bytes) -> str:
    """Visible text of an RTF file: \\'hh bytes in the document code page (\\ansicpg936: GBK), \\uN
    characters with their \\ucN fallbacks skipped, destinations (fonts, pictures, field codes) dropped."""
    codepage = "cp1252"
    out: list[str] = []
    pending = bytearray()                 # \'hh bytes: a GBK character is two of them
    stack: list[tuple[bool, int]] = []
    skip, uc, to_skip = False, 1, 0
    depth_first = False                   # the token right after "{": "\*" marks an ignorable group

    def flush() -> None:
        if pending:
            out.append(pending.decode(codepage, "replace"))
            pending.clear()

    for m in _RTF_TOKEN.finditer(body):
        word, arg, hexbyte, symbol, brace, text = m.groups()
        first, depth_first = depth_first, False
        if brace == b"{":
            flush()
            stack.append((skip, uc))
            depth_first = True
            continue
        if brace == b"}":
            flush()
            skip, uc = stack.pop() if stack else (False, 1)
            continue
        if to_skip and (hexbyte or text):  # fallback characters after \uN
            if hexbyte:
                to_skip -= 1
                continue
            consumed = min(to_skip, len(text))
            to_skip -= consumed
            text = text[consumed:]
            if not text:
                continue
        if word is not None:
            flush()
            if word == b"ansicpg" and arg:
                codepage = f"cp{int(arg)}"
                try:
                    b"".decode(codepage)
                except LookupError:
                    codepage = "gb18030"
            elif word in _RTF_SKIP or (first and word == b"fldinst"):
                skip = True
            elif skip:
                continue
            elif word == b"uc" and arg:
                uc = int(arg)
            elif word == b"u" and arg:
                out.append(chr(int(arg) % 65536))
                to_skip = uc
            elif word in _RTF_BREAK:
                out.append(_RTF_BREAK[word])
            continue
        if symbol is not None:
            if symbol == b"*" and first:
                skip = True
            elif not skip and symbol in (b"\\", b"{", b"}"):
                flush()
                out.append(symbol.decode())
            elif not skip and symbol == b"~":
                out.append(" ")
            continue
        if skip:
            continue
        if hexbyte is not None:
            pending.append(int(hexbyte, 16))
        elif text is not None:
            flush()
            out.append(text.decode(codepage, "replace"))
    flush()
    return "".join(out)
