"""The crawler's libcurl transport under asyncio: connections kept and reused, cookies carried across a
redirect, URLs put on the wire as browsers do, the connect-time guard, and a transfer cut by its deadline
leaving the transport usable."""
import asyncio
import os
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.checker.crawl import CrawlSettings, Fetcher
from services.checker.crawl.curl import CurlTransport, _wire_url
from tests.fixtures.hostile import RawServer

FAST = CrawlSettings.fast()


class _KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with persistent connections (the hostile server closes after every answer)."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[int, str, str]] = []  # (client port, path, Cookie header)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.seen.append((self.client_address[1], self.path, self.headers.get("Cookie", "")))
        if self.path == "/login":
            self._answer(302, b"", Location="/inside", Set_Cookie="sid=abc123; Path=/")
        elif self.path == "/inside":
            ok = "sid=abc123" in self.headers.get("Cookie", "")
            self._answer(200 if ok else 403, "<html><title>已登录</title></html>".encode() if ok else b"denied")
        else:
            self._answer(200, f"<html><title>{self.path}</title></html>".encode())

    def _answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(context: ssl.SSLContext | None = None) -> Iterator[str]:
    """A keep-alive server on 127.0.0.4 in a thread, for the module; TLS with `context`."""
    server = ThreadingHTTPServer(("127.0.0.4", 0), _KeepAlive)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{'https' if context else 'http'}://127.0.0.4:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def keepalive() -> Iterator[str]:
    yield from _serve()


async def test_connections_are_kept_and_reused(keepalive: str):
    _KeepAlive.seen.clear()
    async with Fetcher(CrawlSettings(per_host_concurrency=1, per_host_delay=0)) as f:
        pages = [(await f.fetch_page(f"{keepalive}/p{n}")).page for n in range(30)]
    assert [p.status for p in pages] == [200] * 30 and "<title>/p7</title>" in (pages[7].html or "")
    assert len({port for port, _, _ in _KeepAlive.seen}) == 1  # one connection for all thirty


async def test_cookie_set_by_a_redirect_is_sent_to_its_target(keepalive: str):
    # The default timeouts: FAST's 1 s connect and read timed out once on a loaded CI machine (a threaded server).
    async with Fetcher(CrawlSettings(per_host_delay=0)) as f:
        page = (await f.fetch_page(f"{keepalive}/login")).page
    assert (page.status, page.error) == (200, None) and "已登录" in (page.html or "")
    assert page.final_url == f"{keepalive}/inside"


async def test_non_ascii_and_spaces_go_out_percent_encoded(keepalive: str):
    _KeepAlive.seen.clear()
    async with Fetcher(FAST) as f:
        page = (await f.fetch_page(f"{keepalive}/政务公开/年度 报告.html?栏目=通知")).page
    assert page.status == 200 and page.error is None
    assert _KeepAlive.seen[-1][1] == ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E5%B9%B4%E5%BA%A6%20%E6%8A%A5%E5%91%8A"
                                      ".html?%E6%A0%8F%E7%9B%AE=%E9%80%9A%E7%9F%A5")


def test_wire_url_leaves_a_clean_url_alone_and_encodes_an_idn_host():
    url = "http://www.gov.cn/zhengce/a.htm?x=1&y=%E4%B8%AD"
    assert _wire_url(url) is url
    assert _wire_url("http://中国政府网.cn/a b") == "http://xn--fiqs8sirgfmhq98a.cn/a%20b"


async def test_a_transfer_cut_by_its_deadline_leaves_the_transport_usable(hostile: RawServer, keepalive: str):
    settings = CrawlSettings(read_timeout=5, page_deadline=0.5, per_host_delay=0)
    async with Fetcher(settings) as f:
        slow = await asyncio.gather(*(f.fetch_page(hostile.url(f"/slow-drip?{n}")) for n in range(5)))
        after = await asyncio.gather(*(f.fetch_page(f"{keepalive}/after{n}") for n in range(20)))
    assert {s.page.error for s in slow} == {"timeout"}
    assert [a.page.status for a in after] == [200] * 20


@pytest.mark.usefixtures("private_targets_refused")
async def test_every_socket_is_vetted_whatever_resolved_the_name(keepalive: str, monkeypatch: pytest.MonkeyPatch):
    # The names' check is skipped (as if a name resolved to a public address when vetted and to loopback when
    # libcurl connects: DNS rebinding); the connect-time check alone must refuse the socket.
    async def unpinned(self: CurlTransport, host: str, port: int) -> tuple[float, list[str]]:
        return float("inf"), []  # no CURLOPT_RESOLVE entry: libcurl resolves the name itself
    monkeypatch.setattr(CurlTransport, "_pin", unpinned)
    _KeepAlive.seen.clear()
    port = keepalive.rsplit(":", 1)[1]
    async with Fetcher(FAST) as f:
        page = (await f.fetch_page(f"http://localhost:{port}/p1")).page
    assert (page.status, page.error) == (None, "forbidden_address")
    assert _KeepAlive.seen == []


async def test_closing_the_fetcher_ends_transfers_in_flight(hostile: RawServer):
    settings = CrawlSettings(read_timeout=5, page_deadline=30, per_host_delay=0)
    f = Fetcher(settings)
    task = asyncio.create_task(f.fetch_page(hostile.url("/slow-drip?closing")))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await f.aclose()
    page = (await asyncio.wait_for(task, 5)).page
    assert page.error is not None and page.html is None
    assert time.monotonic() - started < 2


def _descriptors() -> dict[int, str]:
    """This process's open descriptors: fd -> what it is (`socket:[inode]`, `anon_inode:[eventpoll]` …)."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:
            pass  # the listing's own descriptor, gone already
    return found


def _sockets_to(ports: set[int]) -> set[str]:
    """The process's TCP sockets whose far end is one of `ports` (the client side of connections to the test
    servers; the servers' own ends, also in this process, have those ports at the near end)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[2].rsplit(":", 1)[1], 16) in ports:
                    inodes.add(f"socket:[{fields[9]}]")
    return inodes & set(_descriptors().values())


async def test_no_descriptor_outlives_the_fetcher(hostile: RawServer, keepalive: str):
    # Counted by kind, not by total: the test servers run in this process and close their ends in their own time.
    ports = {hostile.port, int(keepalive.rsplit(":", 1)[1])}
    polls = sum(what == "anon_inode:[eventpoll]" for what in _descriptors().values())
    earlier = _sockets_to(ports)  # another test's transfer the hostile server is still answering
    async with Fetcher(FAST) as f:
        pages = await asyncio.gather(*(f.fetch_page(f"{keepalive}/fd{n}") for n in range(40)),
                                     *(f.fetch_page(hostile.url(p)) for p in ("/reset", "/endless", "/ok", "/gzip-bomb")))
        refused = await f.check_link("http://127.0.0.2:1/")
        assert _sockets_to(ports) - earlier  # connections are held while the fetcher lives
    assert [p.page.status for p in pages[:40]] == [200] * 40 and refused.error == "connect_error"
    assert _sockets_to(ports) - earlier == set()
    assert sum(what == "anon_inode:[eventpoll]" for what in _descriptors().values()) == polls


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """HTTPS on loopback with a self-signed certificate (no public CA vouches for it)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.4")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.4"))]), False)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    yield from _serve(context)


async def test_https_is_verified_unless_the_settings_say_not(tls_site: str):
    async with Fetcher(FAST) as f:
        untrusted = (await f.fetch_page(f"{tls_site}/secure")).page
    async with Fetcher(CrawlSettings(verify_tls=False, per_host_delay=0)) as f:
        pages = [(await f.fetch_page(f"{tls_site}/secure{n}")).page for n in range(3)]
    assert (untrusted.status, untrusted.error) == (None, "tls_error")
    assert [(p.status, p.error) for p in pages] == [(200, None)] * 3 and "<title>/secure2</title>" in pages[2].html
