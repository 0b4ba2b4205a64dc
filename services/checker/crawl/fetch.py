"""HTTP fetching for the crawler: one shared client, per-host limits, our own redirect handling.

Nothing raises out of the Fetcher for a bad site: every failure becomes a stable error code
(`Page.error`, `LinkStatus.error`, `Probe.error`).
"""
import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.decode import (BadEncoding, Decompressor, TooLarge, decode_html, is_html_type,
                                           looks_binary)
from services.common.netguard import ForbiddenAddress, GuardedTransport, ResolveError
from services.checker.model import LinkStatus, Page, Probe
from services.common.settings import get_settings

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
# Servers that mishandle HEAD answer these; the link is then checked with GET.
HEAD_REFUSED = (400, 403, 405, 501)
BodyMode = Literal["none", "html", "any"]


@dataclass
class Outcome:
    final_url: str
    status: int | None = None
    error: str | None = None
    content_type: str = ""
    body: bytes | None = None
    elapsed_ms: int = 0
    etag: str | None = None           # validators of the final answer, for conditional re-fetches
    last_modified: str | None = None


@dataclass
class Fetched:
    page: Page
    body: bytes | None  # decompressed bytes of an HTML document, kept for the snapshot


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.next_start = 0.0


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> str:
    """Stable error code for a transport failure."""
    chain = _chain(exc)
    if any(isinstance(e, ForbiddenAddress) for e in chain):
        return "forbidden_address"
    if any(isinstance(e, ResolveError) for e in chain):
        return "dns_error"
    if isinstance(exc, TooLarge):
        return "too_large"
    if isinstance(exc, BadEncoding) or isinstance(exc, httpx.DecodingError):
        return "bad_content_encoding"
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return "timeout"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "tls_error"
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain):
        return "reset"
    if isinstance(exc, httpx.ConnectError):
        return "connect_error"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return "reset"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        # The peer closing before the announced end of the body is a cut connection.
        return "reset" if "closed" in text or "incomplete" in text else "protocol_error"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "bad_url"
    if isinstance(exc, OSError):
        return "connect_error"
    return "fetch_error"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Fetcher:
    def __init__(self, settings: CrawlSettings | None = None, *, allow_private: bool | None = None) -> None:
        self.settings = s = settings or CrawlSettings()
        if allow_private is None:
            allow_private = get_settings().allow_private_targets
        limits = httpx.Limits(max_connections=max(s.link_check_concurrency, s.per_host_concurrency) * 4,
                              max_keepalive_connections=32)
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(allow_private=allow_private, verify=s.verify_tls, limits=limits),
            # No pool timeout: waiting for a connection counts against the request deadline instead.
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout, pool=None),
            follow_redirects=False,
            headers={"User-Agent": s.user_agent,
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                     "Accept-Language": "zh-CN,zh;q=0.9",
                     "Accept-Encoding": "gzip, deflate, br"})
        self._hosts: dict[str, _Host] = {}

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- public operations -------------------------------------------------------------------

    async def fetch_page(self, url: str) -> Fetched:
        """GET an HTML page and decode it. Non-HTML answers get error `not_html` and no body."""
        at = _now()
        out = await self.request("GET", url, deadline=self.settings.page_deadline, body="html")
        page = Page(url=url, final_url=out.final_url, status=out.status, error=out.error, fetched_at=at,
                    elapsed_ms=out.elapsed_ms, content_type=out.content_type)
        body = out.body
        if body is not None and looks_binary(body):
            page.error, body = "not_html", None
        if body is not None:
            page.html, page.encoding = decode_html(body, out.content_type)
        return Fetched(page, body)

    async def check_link(self, url: str) -> LinkStatus:
        at = _now()
        deadline = self.settings.link_deadline
        out = await self.request("HEAD", url, deadline=deadline, body="none")
        if out.status in HEAD_REFUSED or out.error in ("reset", "protocol_error"):
            out = await self.request("GET", url, deadline=deadline, body="none")
        return LinkStatus(url=url, status=out.status, error=out.error, checked_at=at)

    async def probe(self, url: str) -> Probe:
        """One availability probe: a complete response within the probe deadline."""
        at = _now()
        out = await self.request("GET", url, deadline=self.settings.probe_deadline, body="any")
        ok = out.error is None and out.status is not None and out.status < 400
        return Probe(at=at, ok=ok, status=out.status, elapsed_ms=out.elapsed_ms, error=out.error)

    async def request(self, method: str, url: str, *, deadline: float, body: BodyMode,
                      headers: dict[str, str] | None = None, max_bytes: int | None = None) -> Outcome:
        """Follow redirects ourselves (limit, loop detection); `deadline` bounds the time spent on the
        wire across all hops, not the wait for a per-host slot. `headers` are added to every hop (e.g.
        If-None-Match: a 304 is then a final answer without body); `max_bytes` overrides the body limit."""
        out = Outcome(final_url=url)
        seen: set[str] = set()
        current, remaining = url, deadline
        try:
            for _ in range(self.settings.max_redirects + 1):
                parts = urlsplit(current)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    out.error = "bad_url"
                    return out
                seen.add(current)
                out.final_url = current
                async with self._slot(parts.netloc.lower()):
                    started = time.monotonic()
                    try:
                        async with asyncio.timeout(remaining):
                            location = await self._hop(method, current, body, out, headers, max_bytes)
                    finally:
                        spent = time.monotonic() - started
                        remaining -= spent
                        out.elapsed_ms += int(spent * 1000)
                if location is None:
                    return out
                current = urldefrag(urljoin(current, location)).url
                if current in seen:
                    out.error = "redirect_loop"
                    return out
            out.error = "too_many_redirects"
        except Exception as exc:  # noqa: BLE001 - a bad site must never break the crawl
            out.error = classify(exc)
            if out.error == "fetch_error":
                log.warning("unexpected fetch failure for %s", current, exc_info=True)
        return out

    # --- internals -----------------------------------------------------------------------------

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Per-host concurrency plus a minimum spacing between request starts (politeness)."""
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(self.settings.per_host_concurrency)
        async with state.semaphore:
            now = asyncio.get_running_loop().time()
            wait = state.next_start - now
            state.next_start = max(now, state.next_start) + self.settings.per_host_delay
            if wait > 0:
                await asyncio.sleep(wait)
            yield

    async def _hop(self, method: str, url: str, mode: BodyMode, out: Outcome,
                   headers: dict[str, str] | None = None, max_bytes: int | None = None) -> str | None:
        """One request; returns the redirect target, or None when `out` holds the final answer."""
        response = await self._client.send(self._client.build_request(method, url, headers=headers), stream=True)
        try:
            out.status = response.status_code
            out.content_type = response.headers.get("content-type", "")
            out.etag = response.headers.get("etag")
            out.last_modified = response.headers.get("last-modified")
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                return location.strip()
            if response.status_code == 304:
                return None  # not modified: the caller's copy stands
            if mode == "html" and not is_html_type(out.content_type):
                out.error = "not_html"
            elif mode != "none":
                out.body = await self._read(response, max_bytes)
            return None
        finally:
            await response.aclose()

    async def _read(self, response: httpx.Response, max_bytes: int | None = None) -> bytes:
        limit = max_bytes or self.settings.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise TooLarge()
        codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
        # Encodings are listed in the order applied, so they are undone in reverse.
        decoders = [Decompressor(c, limit) for c in reversed(codings) if c]
        raw_total, parts = 0, []
        async for chunk in response.aiter_raw():
            raw_total += len(chunk)
            if raw_total > limit:
                raise TooLarge()
            for decoder in decoders:
                chunk = decoder.feed(chunk)
            parts.append(chunk)
        for i, decoder in enumerate(decoders):
            tail = decoder.finish()
            for later in decoders[i + 1:]:
                tail = later.feed(tail)
            parts.append(tail)
        return b"".join(parts)
