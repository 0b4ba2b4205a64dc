"""The guard's httpx transports (netguard.py holds the policy): they vet the very address each socket
connects to, at connect time, for httpx clients (the notification webhooks …). Importable from netguard as
before; kept apart so that importing the policy loads no httpx (the crawler runs on aiohttp)."""
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from services.common.netguard import (AsyncResolver, Policy, Resolver, policy, resolve, resolve_sync, ssl_context,
                                      vet)


async def _connect_first(inner: httpcore.AsyncNetworkBackend, addresses: list[str], port: int,
                         **options: object) -> httpcore.AsyncNetworkStream:
    last: Exception | None = None
    for address in addresses:
        try:
            return await inner.connect_tcp(address, port, **options)  # type: ignore[arg-type]
        except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
            last = exc
    assert last is not None
    raise last


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses non-permitted addresses, then connects to a vetted IP."""

    def __init__(self, rules: Policy, resolver: AsyncResolver = resolve) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._rules, self._resolve = rules, resolver

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        vet(host, port, addresses, self._rules)
        return await _connect_first(self._inner, addresses, port, timeout=timeout, local_address=local_address,
                                    socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class SyncGuardedBackend(httpcore.NetworkBackend):
    """The same for blocking clients (the reporting worker's webhook posts)."""

    def __init__(self, rules: Policy, resolver: Resolver = resolve_sync) -> None:
        self._inner = httpcore.SyncBackend()
        self._rules, self._resolve = rules, resolver

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        vet(host, port, addresses, self._rules)
        last: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def pool_options(context: ssl.SSLContext, limits: httpx.Limits) -> dict[str, Any]:
    """The options httpx gives its own connection pool, for the pool replaced by one with the guarded backend."""
    return {"ssl_context": context, "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry, "http1": True, "http2": False}


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the guarded backend.

    httpx offers no public hook for the network backend, so the connection pool that httpx keeps in
    `_pool` is replaced by one with the same options plus the backend. Proxies from the environment
    are ignored (trust_env=False): they would bypass the guard.
    """

    def __init__(self, *, allow_private: bool | None = None, verify: bool = True,
                 limits: httpx.Limits = httpx.Limits(), rules: Policy | None = None,
                 resolver: AsyncResolver = resolve) -> None:
        context = ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            **pool_options(context, limits), network_backend=GuardedBackend(rules or policy(allow_private), resolver))


class SyncGuardedTransport(httpx.HTTPTransport):
    """The blocking twin of GuardedTransport."""

    def __init__(self, *, allow_private: bool | None = None, verify: bool = True,
                 limits: httpx.Limits = httpx.Limits(), rules: Policy | None = None,
                 resolver: Resolver = resolve_sync) -> None:
        context = ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            **pool_options(context, limits), network_backend=SyncGuardedBackend(rules or policy(allow_private), resolver))
