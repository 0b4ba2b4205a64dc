"""SSRF guard: the crawler connects only to public addresses unless the deployment allows private ones.

The check runs inside the connection layer, on the very address the socket connects to, so a host
name that resolves differently between a check and the connection (DNS rebinding) cannot slip through,
and every redirect hop is covered without extra code.
"""
import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from functools import lru_cache

import httpcore
import httpx


class ForbiddenAddress(Exception):
    """The host resolves to a loopback/private/link-local/reserved address."""


class ResolveError(Exception):
    """The host name does not resolve."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global excludes private, loopback, link-local, reserved, shared and unspecified ranges.
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveError(host) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses non-public addresses, then connects to a vetted IP."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        # Refuse when any answer is private: an attacker-controlled name may mix answers.
        if not self._allow_private and not all(is_public(ipaddress.ip_address(a)) for a in addresses):
            raise ForbiddenAddress(host)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@lru_cache(maxsize=2)
def ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle (tens of milliseconds), and a crawl
    makes a transport per site. Contexts are safe to share between connections."""
    return httpx.create_ssl_context(verify=verify, trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the guarded backend.

    httpx offers no public hook for the network backend, so the connection pool that httpx keeps in
    `_pool` is replaced by one with the same options plus the backend. Proxies from the environment
    are ignored (trust_env=False): they would bypass the guard.
    """

    def __init__(self, *, allow_private: bool, verify: bool, limits: httpx.Limits) -> None:
        context = ssl_context(verify)
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
            network_backend=GuardedBackend(allow_private))
