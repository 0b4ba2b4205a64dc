"""The outbound-request guard: every URL a user typed (sites, platform links, notification webhooks) is
fetched only from public addresses, unless the deployment allows private ones.

Two layers, one policy:
- `check_url` vets a URL when it is entered (scheme, host in any spelling, the addresses it resolves to),
  so a bad target is refused with a clear message before it is stored;
- the guarded transports vet the very address each socket connects to, at connect time, so a name that
  resolves differently later (DNS rebinding) and every redirect hop are covered too.

"Public" is decided on the address, after undoing every way an IPv6 address can carry an IPv4 one
(IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo), and after reading IPv4 hosts the way resolvers do
(`2130706433`, `0x7f.1`, `017700000001`, `127.1`).
"""
import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from services.common.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
AsyncResolver = Callable[[str, int], Awaitable[list[str]]]


class ForbiddenAddress(Exception):
    """The host is, or resolves to, a loopback/private/link-local/reserved address."""

    def __init__(self, host: str, address: str | None = None) -> None:
        super().__init__(host if address is None or address == host else f"{host} ({address})")
        self.host, self.address = host, address


class ResolveError(Exception):
    """The host name does not resolve."""


class BadUrl(Exception):
    """Not an absolute http(s) URL with a host."""


# ---------------------------------------------------------------------------------------------------
# Addresses

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")            # RFC 6052: the last 32 bits are the IPv4 address
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")     # RFC 8215: local-use translation, never global
_COMPAT = ipaddress.IPv6Network("::/96")                   # deprecated IPv4-compatible (::a.b.c.d)
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")     # RFC 2765 IPv4-translated (::ffff:0:a.b.c.d)
_TEREDO = ipaddress.IPv6Network("2001::/32")
# Not globally reachable, yet missed by this Python's is_global/is_private: CGNAT, IETF protocol assignments.
_V4_LOCAL = (ipaddress.IPv4Network("100.64.0.0/10"), ipaddress.IPv4Network("192.0.0.0/24"),
             ipaddress.IPv4Network("0.0.0.0/8"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (and may be routed to), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _TRANSLATED or (ip in _COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified
                or ip.is_reserved or not ip.is_global or any(ip in net for net in _V4_LOCAL))


@lru_cache(maxsize=4096)  # a crawl connects to the same few thousand addresses again and again
def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address; every IPv6 form that embeds an IPv4 address is judged
    by the address it embeds (and Teredo, whose client address is obfuscated, is refused outright)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _public_v4(ip)
    if ip in _TEREDO or ip in _NAT64_LOCAL:
        return False
    inner = embedded_ipv4(ip)
    if inner is not None:
        return _public_v4(inner)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified
                or ip.is_reserved or ip.is_site_local or not ip.is_global)


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 host as inet_aton reads it: decimal, 0x hex or 0-prefixed octal."""
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isascii() and part.isdigit() else None
    except ValueError:
        return None


def parse_ip(host: str) -> IPAddress | None:
    """The address a host text denotes, if it is a literal: `[::1]`, `::ffff:7f00:1`, `127.0.0.1`, and the
    legacy IPv4 spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) that resolvers accept."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    text = text[:-1] if text.endswith(".") else text
    parts = text.split(".")
    if not text or len(parts) > 4:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):  # type: ignore[operator]
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))  # type: ignore[operator]
    return ipaddress.IPv4Address(value)


# ---------------------------------------------------------------------------------------------------
# Policy


def _allow_entries(text: str) -> frozenset[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]]:
    """`GOVWATCH_OUTBOUND_ALLOW`: comma-separated `address[/prefix][:port]` (IPv6 in brackets) that may be
    reached although not public, e.g. an intranet webhook receiver `10.0.3.7:8080`."""
    entries = set()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        port: int | None = None
        if item.startswith("["):
            addr, _, rest = item[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else None
        elif item.count(":") == 1:
            addr, _, p = item.partition(":")
            port = int(p)
        else:
            addr = item
        entries.add((ipaddress.ip_network(addr, strict=False), port))
    return frozenset(entries)


@dataclass(frozen=True)
class Policy:
    allow_private: bool = False
    allowed: frozenset[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]] = field(
        default_factory=frozenset)

    def permits(self, ip: IPAddress, port: int | None) -> bool:
        if self.allow_private or is_public(ip):
            return True
        return any(ip in net and (p is None or p == port) for net, p in self.allowed)


def policy(allow_private: bool | None = None) -> Policy:
    """The deployment's policy, read now (tests switch `allow_private_targets` per call); `allow_private`
    overrides the setting for trusted, configured targets."""
    s = get_settings()
    return Policy(allow_private=s.allow_private_targets if allow_private is None else allow_private,
                  allowed=_allow_entries(s.outbound_allow))


def vet(host: str, port: int | None, addresses: Iterable[str], rules: Policy) -> None:
    """Refuse when any answer is not permitted: an attacker-controlled name may mix answers."""
    for address in addresses:
        if not rules.permits(ipaddress.ip_address(address.split("%", 1)[0]), port):
            raise ForbiddenAddress(host, address)


# ---------------------------------------------------------------------------------------------------
# Resolution


def resolve_sync(host: str, port: int) -> list[str]:
    literal = parse_ip(host)
    if literal is not None:
        return [str(literal)]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise ResolveError(host) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve(host: str, port: int) -> list[str]:
    literal = parse_ip(host)
    if literal is not None:
        return [str(literal)]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise ResolveError(host) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_http_url(text: str) -> bool:
    """An absolute http(s) URL with a host, and nothing a browser would strip or reinterpret (control
    characters, whitespace): what may be stored and rendered as a link (never `javascript:`, `data:` …)."""
    if not text or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in text):
        return False
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and text[len(parts.scheme):].startswith("://")
    except ValueError:
        return False


def check_url(url: str, *, rules: Policy | None = None, resolver: Resolver = resolve_sync) -> list[str]:
    """Vet a URL as entered: absolute http(s) with a host whose every address is permitted.
    Returns the addresses; raises BadUrl, ResolveError or ForbiddenAddress."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise BadUrl(url) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadUrl(url)
    host = parts.hostname
    addresses = resolver(host, port)
    vet(host, port, addresses, rules or policy())
    return addresses


@lru_cache(maxsize=2)
def ssl_context(verify: bool) -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle (tens of milliseconds), and a crawl
    makes a transport per site. Contexts are safe to share between connections. The context httpx makes
    (certifi's bundle, or no verification), built here so that the crawler, on aiohttp, loads no httpx."""
    if verify:
        import certifi
        return ssl.create_default_context(cafile=certifi.where())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# The httpx transports live in netguard_httpx (importing httpx costs a tenth of a second of CPU, which a
# check-site process on aiohttp does not need); they stay importable from here.
_TRANSPORTS = frozenset(("GuardedBackend", "SyncGuardedBackend", "GuardedTransport", "SyncGuardedTransport"))


def __getattr__(name: str) -> object:
    if name in _TRANSPORTS:
        from services.common import netguard_httpx
        return getattr(netguard_httpx, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
