"""The platform feeds' aiohttp client gets the platform's one outbound-request guard
(services/common/netguard.py) in the same two layers as the httpx transports: a resolver that refuses a name
when any of its answers is not permitted, and a socket factory that vets the very address each socket
connects to (IP literals, which aiohttp never hands to a resolver, and every redirect hop included). The
crawler's own transport (crawl/curl.py) applies the same policy through libcurl's callbacks. The netguard
names stay importable from here for the crawler's modules."""
import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver

from services.common.netguard import (  # noqa: F401 - re-exported
    ForbiddenAddress, IPAddress, Policy, ResolveError, is_public, resolve, ssl_context, vet,
)


class GuardedResolver(AbstractResolver):
    """netguard's resolution (every legacy IPv4 spelling read as resolvers do) and its policy."""

    def __init__(self, rules: Policy) -> None:
        self.rules = rules

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[dict[str, Any]]:
        addresses = await resolve(host, port)
        vet(host, port, addresses, self.rules)
        return [{"hostname": host, "host": address, "port": port, "proto": 0, "flags": socket.AI_NUMERICHOST,
                 "family": socket.AF_INET6 if ":" in address else socket.AF_INET} for address in addresses]

    async def close(self) -> None:
        return None


def guarded_socket_factory(rules: Policy):  # noqa: ANN201 - aiohttp's SocketFactoryType
    """A socket only for a permitted address: the check at connect time, whatever resolved it."""

    def factory(addr_info: tuple[Any, ...]) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        address, port = str(sockaddr[0]), int(sockaddr[1])
        if not rules.permits(ipaddress.ip_address(address.split("%", 1)[0]), port):
            raise ForbiddenAddress(address, address)
        return socket.socket(family, kind, proto)

    return factory
