"""The outbound-request guard: every non-public address is refused in every spelling (URL text, IPv6 forms
that embed IPv4, legacy IPv4 numbers, names that resolve to one), on the address actually connected to,
redirect hops included; a public address passes. Names resolve through a resolver the test controls."""
import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from services.common import netguard
from services.common.netguard import (
    BadUrl, ForbiddenAddress, GuardedTransport, Policy, SyncGuardedTransport, check_url, parse_ip, resolve_sync,
)
from services.common.settings import get_settings

STRICT = Policy()  # what a deployment gets by default: public addresses only

NAMES = {
    "rebind.example": ["127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["202.96.128.86", "10.1.2.3"],       # one private answer among public ones
    "v6loop.example": ["::7f00:1"],
    "nat64.example": ["64:ff9b::a00:1"],
    "public.example": ["202.96.128.86", "2400:da00::6666"],
}


def resolver(host: str, port: int) -> list[str]:
    literal = parse_ip(host)
    if literal is not None:
        return [str(literal)]
    if host not in NAMES:
        raise netguard.ResolveError(host)
    return NAMES[host]


async def async_resolver(host: str, port: int) -> list[str]:
    return resolver(host, port)


REFUSED_URLS = [
    "http://127.0.0.1:8001/api/v1/orgs", "http://127.0.0.1:6379/", "http://10.0.0.1/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://239.255.255.250/", "http://240.0.0.1/", "http://255.255.255.255/",
    "http://198.18.0.1/", "http://192.0.0.8/",
    # legacy IPv4 spellings
    "http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://017700000001/", "http://0177.0.0.1/",
    "http://127.1/", "http://127.0.0.1./", "http://0/", "http://3232235777:8333/",   # 192.168.1.1
    # IPv6, and every form that embeds IPv4
    "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[fec0::1]/",
    "http://[ff02::1]/", "http://[::ffff:127.0.0.1]:8001/", "http://[::ffff:7f00:1]/", "http://[::ffff:a00:1]/",
    "http://[::7f00:1]:8001/", "http://[::127.0.0.1]/", "http://[::a9fe:a9fe]/",
    "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::ca60:8056]/",                       # local-use NAT64 (RFC 8215), even with a public v4
    "http://[2002:7f00:1::1]/", "http://[2002:c0a8:101::1]/", "http://[2002:a00:1::]/",      # 6to4
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[2001::7f00:1]/",              # Teredo
    "http://[::ffff:0:7f00:1]/",                            # IPv4-translated (RFC 2765)
    # names resolving to non-public addresses
    "http://rebind.example/", "https://metadata.example/", "http://mixed.example/", "http://v6loop.example/",
    "http://nat64.example/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_non_public_targets_are_refused(url: str):
    with pytest.raises(ForbiddenAddress):
        check_url(url, rules=STRICT, resolver=resolver)


@pytest.mark.parametrize("url", ["http://202.96.128.86/", "https://[2400:da00::6666]/", "http://public.example:8080/x",
                                 "http://[64:ff9b::ca60:8056]/", "http://[2002:ca60:8056::1]/",
                                 "http://3395322966/"])  # 202.96.128.86 as one number
def test_public_targets_pass(url: str):
    addresses = check_url(url, rules=STRICT, resolver=resolver)
    assert addresses and all(netguard.is_public(ipaddress.ip_address(a)) for a in addresses)


@pytest.mark.parametrize("url", ["ftp://202.96.128.86/", "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                                 "http:///x", "gopher://127.0.0.1:6379/_INFO", "http://[::1/", "//202.96.128.86/"])
def test_only_http_urls_with_a_host(url: str):
    with pytest.raises(BadUrl):
        check_url(url, rules=STRICT, resolver=resolver)


@pytest.mark.parametrize("text", ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
                                  "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,x",
                                  "vbscript:x", "http:javascript:alert(1)", "http:/x", "//x.gov.cn/", "http://a b/", ""])
def test_only_http_urls_are_links(text: str):
    assert not netguard.is_http_url(text)
    assert netguard.is_http_url("https://www.example.gov.cn/a?b=1#c") and netguard.is_http_url("HTTP://[2400:da00::6666]/")


def test_an_unknown_name_does_not_resolve():
    with pytest.raises(netguard.ResolveError):
        check_url("http://nowhere.example/", rules=STRICT, resolver=resolver)


def test_literals_never_reach_dns():
    assert resolve_sync("0x7f.1", 80) == ["127.0.0.1"]
    assert resolve_sync("[::7f00:1]", 80) == ["::7f00:1"]


def test_policy_reads_the_settings_at_call_time_and_the_allow_list(monkeypatch: pytest.MonkeyPatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "allow_private_targets", False)
    monkeypatch.setattr(settings, "outbound_allow", "10.0.3.7:8080, 192.168.5.0/24, [fd00::7]:443")
    rules = netguard.policy()
    ip = ipaddress.ip_address
    assert rules.permits(ip("10.0.3.7"), 8080) and not rules.permits(ip("10.0.3.7"), 8081)
    assert rules.permits(ip("192.168.5.9"), 1) and not rules.permits(ip("192.168.6.9"), 1)
    assert rules.permits(ip("fd00::7"), 443) and not rules.permits(ip("127.0.0.1"), 8080)
    monkeypatch.setattr(settings, "allow_private_targets", True)
    assert netguard.policy().permits(ip("127.0.0.1"), 6379)
    assert not netguard.policy(allow_private=False).permits(ip("127.0.0.1"), 6379)


# ---------------------------------------------------------------------------------------------------
# The check on the connected address


class Receiver:
    """A loopback HTTP server counting requests; `redirect` makes it answer 302 to that URL."""

    def __init__(self, redirect: str | None = None) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits += 1
                self.send_response(302 if redirect else 200)
                if redirect:
                    self.send_header("Location", redirect)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def only(port: int) -> Policy:
    return Policy(allowed=frozenset({(ipaddress.ip_network("127.0.0.1/32"), port)}))


def test_a_name_resolving_to_loopback_is_refused_at_connect_time(receiver: Receiver):
    with httpx.Client(transport=SyncGuardedTransport(rules=STRICT, resolver=resolver)) as client:
        for url in (f"http://rebind.example:{receiver.port}/", f"http://127.0.0.1:{receiver.port}/",
                    f"http://2130706433:{receiver.port}/", f"http://[::ffff:127.0.0.1]:{receiver.port}/"):
            with pytest.raises(ForbiddenAddress):
                client.get(url)
    assert receiver.hits == 0
    # The same name and port, explicitly allowed: the connection goes to the vetted address.
    with httpx.Client(transport=SyncGuardedTransport(rules=only(receiver.port), resolver=resolver)) as client:
        assert client.get(f"http://rebind.example:{receiver.port}/").status_code == 200
    assert receiver.hits == 1


async def test_the_crawlers_async_transport_refuses_the_same(receiver: Receiver):
    async with httpx.AsyncClient(transport=GuardedTransport(rules=STRICT, resolver=async_resolver)) as client:
        for url in (f"http://rebind.example:{receiver.port}/", f"http://0x7f.1:{receiver.port}/"):
            with pytest.raises(ForbiddenAddress):
                await client.get(url)
    assert receiver.hits == 0
    transport = GuardedTransport(allow_private=True, verify=True, limits=httpx.Limits(), resolver=async_resolver)
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"http://rebind.example:{receiver.port}/")).status_code == 200


def test_a_redirect_to_a_forbidden_address_is_refused(receiver: Receiver):
    bouncer = Receiver(redirect=f"http://127.0.0.1:{receiver.port}/")
    try:
        transport = SyncGuardedTransport(rules=only(bouncer.port), resolver=resolver)
        with httpx.Client(transport=transport, follow_redirects=True) as client, pytest.raises(ForbiddenAddress):
            client.get(f"http://127.0.0.1:{bouncer.port}/")
        assert bouncer.hits == 1 and receiver.hits == 0
    finally:
        bouncer.server.shutdown()


@pytest.mark.parametrize("verify", [True, False])
def test_tls_context_is_the_one_httpx_makes(verify: bool):
    # Built without httpx (the crawler on aiohttp does not load it), to the same effect.
    ours, theirs = netguard.ssl_context.__wrapped__(verify), httpx.create_ssl_context(verify=verify, trust_env=False)
    assert (ours.verify_mode, ours.check_hostname, ours.protocol) == \
        (theirs.verify_mode, theirs.check_hostname, theirs.protocol)
    assert ours.get_ca_certs() == theirs.get_ca_certs() and ours.options == theirs.options
