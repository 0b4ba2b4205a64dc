"""HTTP fetching for the crawler: one shared transport, per-host limits, our own redirect handling.

Nothing raises out of the Fetcher for a bad site: every failure becomes a stable error code
(`Page.error`, `LinkStatus.error`, `Probe.error`).

The hot path runs on libcurl's multi interface under the asyncio loop (crawl/curl.py): on the site farm
it spends a seventh of aiohttp's CPU per request and a fortieth of httpx's (bench/crawl.py measures them in
its client section; bench/RESULTS-crawl.md). The SSRF guard is netguard's policy, checked on every name and
on every socket. Service-to-service calls stay on httpx and the platform feeds on aiohttp; `classify`
reads the failures of all three.
"""
import asyncio
import logging
import ssl
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import SplitResult, urldefrag, urljoin, urlsplit

from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.curl import CurlFailed, CurlTransport
from services.checker.crawl.decode import BadEncoding, SiteCharset, TooLarge, decode_html, is_html_type, looks_binary
from services.checker.model import LinkStatus, Page, Probe
from services.common.netguard import ForbiddenAddress, ResolveError, policy
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
    host: str = ""                    # netloc of final_url, lower case


@dataclass
class Fetched:
    page: Page
    body: bytes | None  # decompressed bytes of an HTML document, kept for the snapshot


class _Host:
    """One host's slot: per-host concurrency plus a minimum spacing between request starts (politeness).
    The async context manager itself (a generator-based one cost more CPU per request than the spacing)."""

    __slots__ = ("delay", "next_start", "semaphore")

    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.next_start = 0.0
        self.delay = delay

    async def __aenter__(self) -> None:
        await self.semaphore.acquire()
        if not self.delay:
            return
        now = asyncio.get_running_loop().time()
        wait = self.next_start - now
        self.next_start = max(now, self.next_start) + self.delay
        if wait > 0:
            try:
                await asyncio.sleep(wait)
            except BaseException:
                self.semaphore.release()
                raise

    async def __aexit__(self, *exc: object) -> None:
        self.semaphore.release()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _loaded(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """A client library's exception classes by name; none when it was never imported (then none of its
    failures can occur): the crawler loads neither httpx nor aiohttp."""
    loaded = sys.modules.get(module)
    return tuple(getattr(loaded, name) for name in names) if loaded is not None else ()


def _httpx(*names: str) -> tuple[type[BaseException], ...]:
    return _loaded("httpx", *names)


def classify(exc: BaseException) -> str:
    """Stable error code for a transport failure."""
    chain = _chain(exc)
    if any(isinstance(e, ForbiddenAddress) for e in chain):
        return "forbidden_address"
    if any(isinstance(e, ResolveError) for e in chain):
        return "dns_error"
    if isinstance(exc, CurlFailed):
        return exc.error
    if isinstance(exc, TooLarge):
        return "too_large"
    if isinstance(exc, (BadEncoding, *_httpx("DecodingError"))):
        return "bad_content_encoding"
    if isinstance(exc, (TimeoutError, *_httpx("TimeoutException"))):
        return "timeout"
    if any(isinstance(e, (ssl.SSLError, *_loaded("aiohttp", "ClientSSLError"))) for e in chain):
        return "tls_error"
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain):
        return "reset"
    if isinstance(exc, _loaded("aiohttp", "ClientError")):
        return _classify_aiohttp(exc)
    if isinstance(exc, _httpx("ConnectError")):
        return "connect_error"
    if isinstance(exc, _httpx("ReadError", "WriteError")):
        return "reset"
    if isinstance(exc, _httpx("RemoteProtocolError")):
        text = str(exc).lower()
        # The peer closing before the announced end of the body is a cut connection.
        return "reset" if "closed" in text or "incomplete" in text else "protocol_error"
    if isinstance(exc, _httpx("UnsupportedProtocol", "InvalidURL")):
        return "bad_url"
    if isinstance(exc, OSError):
        return "connect_error"
    if isinstance(exc, ValueError):
        return "bad_url"  # yarl refuses the URL (a port past 65535, a host IDNA cannot encode …)
    return "fetch_error"


def _classify_aiohttp(exc: Any) -> str:
    import aiohttp  # loaded: `exc` is one of its errors
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return "bad_url"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connect_error"
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError)):
        return "reset"  # the peer closed before the end of the answer (or of the announced body)
    if isinstance(exc, aiohttp.ClientResponseError):
        return "protocol_error"  # an answer that is not HTTP (bad status line, header overflow …)
    return "fetch_error"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Fetcher:
    def __init__(self, settings: CrawlSettings | None = None, *, allow_private: bool | None = None,
                 connections: int | None = None) -> None:
        """`connections` bounds the open connections (default: enough for one crawl); a fetcher shared by
        several crawls (the CLI's sites) passes more."""
        self.settings = s = settings or CrawlSettings()
        self._connections = connections or max(s.link_check_concurrency, s.per_host_concurrency) * 4
        if allow_private is None:
            allow_private = get_settings().allow_private_targets
        self._rules = policy(allow_private)
        self._transport: CurlTransport | None = None  # made on first use, inside the running loop
        self._headers = {"User-Agent": s.user_agent,
                         "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                         "Accept-Language": "zh-CN,zh;q=0.9",
                         "Accept-Encoding": "gzip, deflate, br"}
        self._hosts: dict[str, _Host] = {}
        self._charsets: dict[str, SiteCharset] = {}  # by host: the encoding its undeclared pages were found in
        self.pages_fetched = 0          # fetch_page calls, and distinct URLs asked for (the CLI's summary)
        self.urls: set[str] = set()

    def _client(self) -> CurlTransport:
        if self._transport is None:
            s = self.settings
            self._transport = CurlTransport(
                self._rules, headers=self._headers, connections=self._connections,
                connect_timeout=s.connect_timeout, read_timeout=s.read_timeout, verify_tls=s.verify_tls)
        return self._transport

    def _on_sent(self) -> Callable[[], None] | None:
        """Called when a request's headers go on the wire (none here; the monitor's fetcher reports sends)."""
        return None

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    # --- public operations -------------------------------------------------------------------

    async def fetch_page(self, url: str) -> Fetched:
        """GET an HTML page and decode it. Non-HTML answers get error `not_html` and no body."""
        at = _now()
        self.pages_fetched += 1
        out = await self.request("GET", url, deadline=self.settings.page_deadline, body="html")
        page = Page(url=url, final_url=out.final_url, status=out.status, error=out.error, fetched_at=at,
                    elapsed_ms=out.elapsed_ms, content_type=out.content_type)
        body = out.body
        if body is not None and looks_binary(body):
            page.error, body = "not_html", None
        if body is not None:
            charset = self._charsets.setdefault(out.host, SiteCharset())
            page.html, page.encoding = decode_html(body, out.content_type, charset)
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
        self.urls.add(url)
        seen: set[str] = set()
        current, remaining = url, deadline
        try:
            for _ in range(self.settings.max_redirects + 1):
                parts = urlsplit(current)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    out.error = "bad_url"
                    return out
                seen.add(current)
                out.final_url, out.host = current, parts.netloc.lower()
                async with self._slot(out.host):
                    started = time.monotonic()
                    try:
                        location = await self._hop(method, parts, current, remaining, body, out, headers, max_bytes)
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

    def _slot(self, host: str) -> AbstractAsyncContextManager[None]:
        """Per-host concurrency plus a minimum spacing between request starts (politeness)."""
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(self.settings.per_host_concurrency, self.settings.per_host_delay)
        return state

    async def _hop(self, method: str, parts: SplitResult, url: str, timeout: float, mode: BodyMode, out: Outcome,
                   headers: dict[str, str] | None = None, max_bytes: int | None = None) -> str | None:
        """One request within `timeout` seconds; returns the redirect target, or None when `out` holds the
        final answer."""
        port = parts.port or (443 if parts.scheme == "https" else 80)

        def read(status: int, answer: Mapping[str, str]) -> bool:
            if status in REDIRECTS and answer.get("location") or status == 304 or mode == "none":
                return False
            return mode == "any" or is_html_type(answer.get("content-type", ""))

        answer = await self._client().request(
            method, url, parts.hostname or "", port, timeout=timeout, read=read,
            max_bytes=max_bytes or self.settings.max_bytes,
            headers=headers, on_sent=self._on_sent())
        out.status = answer.status
        fields = answer.headers
        out.content_type = fields.get("content-type", "")
        out.etag = fields.get("etag")
        out.last_modified = fields.get("last-modified")
        if answer.failure is not None:
            raise answer.failure
        location = fields.get("location")
        if answer.status in REDIRECTS and location:
            return location.strip()
        if answer.status == 304:
            return None  # not modified: the caller's copy stands
        if mode == "html" and not is_html_type(out.content_type):
            out.error = "not_html"
        elif mode != "none":
            out.body = answer.body
        return None
