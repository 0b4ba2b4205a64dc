"""Reading a platform data source over HTTP: bounded answers, retries with backoff for 5xx and timeouts,
shared clients (one per event loop and data source, so thousands of accounts reuse connections).

On aiohttp: with dozens of accounts in flight per worker, httpx's pool spent more CPU choosing a connection
than the feed's JSON cost to read (bench/RESULTS-accounts.md). The SSRF guard is netguard's policy through
the guarded resolver and socket factory (crawl/guard.py). aiohttp is loaded on the first feed read: the
site checks import this package for the account checks' names, and check-site never reads a feed."""
from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from services.checker.crawl.fetch import Fetcher, classify
from services.checker.platforms.base import FeedError
from services.checker.platforms.config import FeedConfig
from services.common.netguard import ForbiddenAddress, parse_ip, policy, ssl_context

if TYPE_CHECKING:
    import aiohttp

USER_AGENT = "govwatch-checker/0.1 (government new-media inspection)"


class _Transient(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, Any]]" = weakref.WeakKeyDictionary()


def _per_loop() -> dict[Any, Any]:
    loop = asyncio.get_running_loop()
    cache = _clients.get(loop)
    if cache is None:
        cache = _clients[loop] = {}
    return cache


def client_for(config: FeedConfig) -> aiohttp.ClientSession:
    import aiohttp

    from services.checker.crawl.guard import GuardedResolver, guarded_socket_factory
    cache = _per_loop()
    key = ("feed", config)
    client = cache.get(key)
    if client is None or client.closed:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/xml;q=0.9, */*;q=0.5"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        rules = policy(config.private_ok())
        connector = aiohttp.TCPConnector(limit=64, resolver=GuardedResolver(rules),
                                         socket_factory=guarded_socket_factory(rules), ssl=ssl_context(True),
                                         ttl_dns_cache=60)
        client = cache[key] = aiohttp.ClientSession(
            connector=connector, headers=headers, trust_env=False,   # a proxy would bypass the guard
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=config.timeout, sock_read=config.timeout))
    return client


def fetcher_for(config: FeedConfig) -> Fetcher:
    """The link checker (SSRF guard, per-host limits) shared by the accounts checked in this loop."""
    cache = _per_loop()
    private = config.links_private_ok()
    key = ("links", config.link_settings(), private)
    fetcher = cache.get(key)
    if fetcher is None:
        fetcher = cache[key] = Fetcher(config.link_settings(), allow_private=private)
    return fetcher


async def _once(client: aiohttp.ClientSession, url: str, params: dict[str, Any] | None, config: FeedConfig
                ) -> tuple[int, bytes, str]:
    try:
        parts = urlsplit(url)
        address = parse_ip(parts.hostname or "")  # a legacy spelling (2130706433) is refused as that address
        if address is not None and not policy(config.private_ok()).permits(address, parts.port):
            raise ForbiddenAddress(parts.hostname or "", str(address))
        async with asyncio.timeout(config.timeout):
            async with client.get(url, params=params) as response:
                if response.status >= 500 or response.status == 429:
                    raise _Transient("http_error", f"HTTP {response.status}")
                parts_read, total = [], 0
                async for chunk in response.content.iter_any():
                    total += len(chunk)
                    if total > config.max_bytes:
                        raise FeedError("bad_feed", f"应答超过 {config.max_bytes} 字节")
                    parts_read.append(chunk)
                return response.status, b"".join(parts_read), response.headers.get("Content-Type", "")
    except (FeedError, _Transient):
        raise
    except Exception as exc:  # noqa: BLE001 - every transport failure becomes a stable code
        code = classify(exc)
        if code in ("timeout", "connect_error", "reset", "protocol_error"):
            raise _Transient("timeout" if code == "timeout" else "connect_error", f"{url}: {code}") from exc
        raise FeedError(code if code == "forbidden_address" else "connect_error", f"{url}: {code}") from exc


async def get(config: FeedConfig, url: str, params: dict[str, Any] | None = None) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET; 5xx, 429, timeouts and dropped connections are retried
    `config.retries` times with exponential backoff (`backoff`, doubling, at most 8 s), then raise
    `FeedError`. A plain loop: tenacity's machinery cost a quarter of the CPU of a feed read."""
    client = client_for(config)
    tries = max(1, config.retries)
    for attempt in range(1, tries + 1):
        try:
            status, body, ctype = await _once(client, url, params, config)
            break
        except _Transient as exc:
            if attempt == tries:
                raise FeedError(exc.code, f"{exc.detail}（已重试{config.retries}次）") from exc
            await asyncio.sleep(min(config.backoff * 2 ** (attempt - 1), 8))
    if status in (401, 403):
        raise FeedError("unauthorized", f"HTTP {status}")
    return status, body, ctype


async def close_clients() -> None:
    """Close this loop's feed clients and link fetchers (a worker shutting down)."""
    for client in _per_loop().values():
        await (client.aclose() if isinstance(client, Fetcher) else client.close())
    _per_loop().clear()
