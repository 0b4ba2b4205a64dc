"""sitemap.xml (urlset and sitemapindex, gzip or not, or a plain list of URLs) and robots.txt Sitemap lines.

Bounded as the protocol bounds a sitemap (50,000 URLs, 50 MB uncompressed): a larger or gzip-bombed file
is read up to the cap, never inflated past it. XML is parsed without DTDs, entities or network access.
Callers keep the same-site URLs they want; both functions return absolute http(s) URLs only.
"""
from __future__ import annotations

import io
import re
import zlib
from urllib.parse import urljoin, urlsplit

from lxml import etree

MAX_URLS = 50_000
MAX_UNCOMPRESSED = 50 * 1024 * 1024

_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


def _inflate(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body[:MAX_UNCOMPRESSED]
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(body, MAX_UNCOMPRESSED)
    except zlib.error:
        return b""


def _http(url: str | None) -> str | None:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index; ([], []) for anything unreadable."""
    data = _inflate(body)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # The protocol also allows a text file of one URL per line.
        lines = data.decode("utf-8", "replace").splitlines()
        return list(dict.fromkeys(u for u in map(_http, lines[:MAX_URLS]) if u)), []
    pages: dict[str, None] = {}
    children: dict[str, None] = {}
    try:
        for _, element in etree.iterparse(io.BytesIO(data), events=("end",), tag="{*}loc", resolve_entities=False,
                                          load_dtd=False, no_network=True, huge_tree=False, recover=True):
            parent = element.getparent()
            url = _http(element.text)
            if url and parent is not None:
                kind = _local(parent.tag)
                if kind == "url":
                    pages[url] = None
                elif kind == "sitemap":
                    children[url] = None
                if len(pages) + len(children) >= MAX_URLS:
                    break
                # Drop finished entries (earlier siblings only: the open element belongs to the parser).
                container = parent.getparent()
                while container is not None and parent.getprevious() is not None:
                    del container[0]
    except etree.XMLSyntaxError:
        pass   # keep what was read before the damage
    return list(pages), list(children)


def sitemaps_from_robots(text: str, base: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt (absolute; relative ones resolved against `base`)."""
    found = (_http(urljoin(base, m.group(1))) for m in _SITEMAP_LINE.finditer(text))
    return list(dict.fromkeys(u for u in found if u))[:100]
