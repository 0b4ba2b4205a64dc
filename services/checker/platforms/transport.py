"""Reading a platform data source over HTTP: bounded answers, retries with backoff for 5xx and timeouts,
shared clients (one per event loop and data source, so thousands of accounts reuse connections)."""
import asyncio
import weakref
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.checker.crawl.fetch import Fetcher, classify
from services.common.netguard import GuardedTransport
from services.checker.platforms.base import FeedError
from services.checker.platforms.config import FeedConfig

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


def client_for(config: FeedConfig) -> httpx.AsyncClient:
    cache = _per_loop()
    key = ("feed", config)
    client = cache.get(key)
    if client is None or client.is_closed:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/xml;q=0.9, */*;q=0.5"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        transport = GuardedTransport(allow_private=config.private_ok(), verify=True,
                                     limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        client = cache[key] = httpx.AsyncClient(transport=transport, headers=headers, follow_redirects=True,
                                                timeout=httpx.Timeout(config.timeout, pool=None))
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


async def _once(client: httpx.AsyncClient, url: str, params: dict[str, Any] | None, config: FeedConfig
                ) -> tuple[int, bytes, str]:
    try:
        async with asyncio.timeout(config.timeout):
            async with client.stream("GET", url, params=params) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    raise _Transient("http_error", f"HTTP {response.status_code}")
                parts, total = [], 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > config.max_bytes:
                        raise FeedError("bad_feed", f"应答超过 {config.max_bytes} 字节")
                    parts.append(chunk)
                return response.status_code, b"".join(parts), response.headers.get("content-type", "")
    except (FeedError, _Transient):
        raise
    except Exception as exc:  # noqa: BLE001 - every transport failure becomes a stable code
        code = classify(exc)
        if code in ("timeout", "connect_error", "reset", "protocol_error"):
            raise _Transient("timeout" if code == "timeout" else "connect_error", f"{url}: {code}") from exc
        raise FeedError(code if code == "forbidden_address" else "connect_error", f"{url}: {code}") from exc


async def get(config: FeedConfig, url: str, params: dict[str, Any] | None = None) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET; 5xx, 429, timeouts and dropped connections are retried
    `config.retries` times with exponential backoff, then raise `FeedError`."""
    client = client_for(config)
    try:
        async for attempt in AsyncRetrying(stop=stop_after_attempt(max(1, config.retries)),
                                           wait=wait_exponential(multiplier=config.backoff, max=8),
                                           retry=retry_if_exception_type(_Transient), reraise=True):
            with attempt:
                status, body, ctype = await _once(client, url, params, config)
    except _Transient as exc:
        raise FeedError(exc.code, f"{exc.detail}（已重试{config.retries}次）") from exc
    if status in (401, 403):
        raise FeedError("unauthorized", f"HTTP {status}")
    return status, body, ctype
