"""Bytes to text: content-encoding with a size cap, binary sniffing, charset detection."""
import codecs
import re
import zlib

import brotli


class TooLarge(Exception):
    """Decompressed output passed the byte limit (gzip bomb or simply huge)."""


class BadEncoding(Exception):
    """Compressed stream is corrupt or uses an unknown coding."""


class Decompressor:
    """Incremental decoder for one Content-Encoding layer that stops as soon as output passes `limit`."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.produced = 0
        self._first = True
        if coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._z = zlib.decompressobj()
        elif coding == "br":
            self._br = brotli.Decompressor()
        elif coding not in ("identity", ""):
            raise BadEncoding(coding)

    def feed(self, data: bytes) -> bytes:
        try:
            if self.coding in ("identity", ""):
                out = data
            elif self.coding == "br":
                out = self._feed_brotli(data)
            else:
                out = self._feed_zlib(data)
        except (zlib.error, brotli.error) as exc:
            raise BadEncoding(str(exc)) from exc
        self.produced += len(out)
        if self.produced > self.limit:
            raise TooLarge()
        return out

    def _feed_zlib(self, data: bytes) -> bytes:
        if self._first and self.coding == "deflate" and data and (data[0] & 0x0F) != 8:
            # Servers often send raw deflate (no zlib header) under "deflate".
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        self._first = False
        # Asking for one byte more than the room left is enough to see the cap passed.
        return self._z.decompress(data, self.limit - self.produced + 1)

    def _feed_brotli(self, data: bytes) -> bytes:
        room = self.limit - self.produced + 1
        out = self._br.process(data, output_buffer_limit=room)
        while len(out) < room and not self._br.can_accept_more_data():
            out += self._br.process(b"", output_buffer_limit=room - len(out))
        return out

    def finish(self) -> bytes:
        """Output still buffered in the decompressor at the end of the body."""
        if self.coding in ("gzip", "x-gzip", "deflate"):
            try:
                out = self._z.flush()
            except zlib.error as exc:
                raise BadEncoding(str(exc)) from exc
            self.produced += len(out)
            if self.produced > self.limit:
                raise TooLarge()
            return out
        return b""


# Magic numbers of formats that servers mislabel as text/html.
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0",
                 b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf", b"BM", b"RIFF", b"\x00\x00\x01\x00", b"MZ")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")


_CONTROL = bytes(b for b in range(32) if b < 9 or b > 13)  # control bytes text never holds (tab … CR aside)


def is_html_type(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "" or media in _HTML_TYPES


def looks_binary(body: bytes) -> bool:
    head = body[:1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    control = len(head) - len(head.translate(None, _CONTROL))
    return b"\x00" in head or control > len(head) // 20


# GBK and GB2312 pages routinely use characters only GB18030 (their superset) decodes.
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
            "cp936": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "big5-hkscs": "big5hkscs",
            "unicode": "utf-8", "utf8": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


def normalize_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8_with_non_ascii(body: bytes) -> str | None:
    """The text of a body that is valid UTF-8 with non-ASCII bytes (decoded once: the text is the answer)."""
    return None if body.isascii() else _strict(body, "utf-8")


def detect(body: bytes) -> str | None:
    """charset_normalizer's best guess (imported on the first page that needs it: most declare a charset)."""
    from charset_normalizer import from_bytes
    best = from_bytes(body).best()
    return best.encoding if best else None


class SiteCharset:
    """What charset_normalizer found for a site's earlier undeclared pages. A site's pages share one encoding:
    a later undeclared page is decoded strictly with it first, and detected (about a millisecond a page) only
    when that fails."""

    __slots__ = ("detected",)

    def __init__(self) -> None:
        self.detected: str | None = None


def decode_html(body: bytes, content_type: str, site: SiteCharset | None = None) -> tuple[str, str]:
    """Decode a document; returns (text, encoding used).

    Order: HTTP header, BOM, <meta charset>/http-equiv, then charset_normalizer. A declared charset
    is used only when the bytes decode cleanly with it, because mislabelled pages are common (a GBK
    body under "charset=utf-8" and the reverse). A GB-family label on a body that is valid UTF-8
    with non-ASCII bytes is such a mislabel: GB18030 accepts nearly any byte sequence, while valid
    multi-byte UTF-8 almost never happens by chance. `site`, when given, is the page's site: what
    detection found for its earlier pages is tried (strictly) before detecting again.
    """
    bom = next((enc for mark, enc in _BOMS if body.startswith(mark)), None)
    meta = _META.search(body[:16384])  # CMS pages often put long scripts before it
    declared = [header_charset(content_type), bom, meta.group(1).decode("ascii", "ignore") if meta else None]
    for name in declared:
        encoding = normalize_charset(name)
        if encoding is None:
            continue
        if encoding == "gb18030" and (text := _utf8_with_non_ascii(body)) is not None:
            return text, "utf-8"
        text = _strict(body, encoding)
        if text is not None:
            return text.lstrip("\ufeff"), encoding
    if (text := _strict(body, "utf-8")) is not None:  # ASCII included
        return text, "utf-8"
    if site is not None and site.detected is not None and (text := _strict(body, site.detected)) is not None:
        return text, site.detected
    encoding = normalize_charset(detect(body[:200_000]))
    encoding = encoding or "gb18030"  # the usual legacy charset of Chinese government sites
    if site is not None:
        site.detected = encoding
    return body.decode(encoding, errors="replace"), encoding
