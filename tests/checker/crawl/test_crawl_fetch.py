"""Each hostile behaviour yields a clear error (or a correct decode) on that target only."""
import asyncio
import ipaddress
import time
from datetime import datetime, timezone

import httpx
import pytest

from services.checker.crawl import CrawlSettings, Fetcher
from services.checker.crawl.fetch import classify
from services.checker.crawl.guard import is_public
from services.checker.crawl.parse import parse_page
from tests.fixtures.hostile import GBK_TEXT, RawServer

FAST = CrawlSettings.fast()


@pytest.fixture
async def fetcher():
    async with Fetcher(FAST) as f:
        yield f


@pytest.mark.parametrize(("path", "error"), [
    ("/redirect-loop/a", "redirect_loop"),
    ("/redirect-chain/0", "too_many_redirects"),
    ("/endless", "too_large"),
    ("/huge", "too_large"),
    ("/huge-declared", "too_large"),
    ("/gzip-bomb", "too_large"),
    ("/br-bomb", "too_large"),
    ("/bad-gzip", "bad_content_encoding"),
    ("/binary", "not_html"),
    ("/pdf", "not_html"),
    ("/reset", "reset"),
])
async def test_hostile_target_gives_clear_error(fetcher: Fetcher, hostile: RawServer, path: str, error: str):
    page = (await fetcher.fetch_page(hostile.url(path))).page
    assert page.error == error
    assert page.html is None


async def test_slow_drip_ends_at_the_deadline(hostile: RawServer):
    # A read timeout longer than the drip interval: only the overall deadline can end it.
    settings = CrawlSettings(read_timeout=5, page_deadline=1.5, per_host_delay=0)
    async with Fetcher(settings) as f:
        started = time.monotonic()
        page = (await f.fetch_page(hostile.url("/slow-drip"))).page
    assert page.error == "timeout"
    assert time.monotonic() - started < 3


async def test_tls_garbage_is_tls_error(fetcher: Fetcher, garbage: RawServer):
    page = (await fetcher.fetch_page(f"https://{garbage.host}:{garbage.port}/")).page
    assert page.error == "tls_error" and page.status is None


async def test_connect_refused(fetcher: Fetcher):
    page = (await fetcher.fetch_page("http://127.0.0.2:1/")).page
    assert page.error == "connect_error"


@pytest.mark.parametrize("path", ["/gzip-ok", "/br-ok", "/deflate-raw", "/redirect-ok"])
async def test_good_encodings_and_redirects_decode(fetcher: Fetcher, hostile: RawServer, path: str):
    page = (await fetcher.fetch_page(hostile.url(path))).page
    assert page.error is None and page.status == 200
    assert "<title>" in page.html and ("压缩正文" in page.html or "正常" in page.html)
    if path == "/redirect-ok":
        assert page.final_url == hostile.url("/ok")


@pytest.mark.parametrize(("path", "encoding", "title"), [
    ("/wrong-charset", "gb18030", "错误声明的字符集"),          # header and meta say utf-8, body is GBK
    ("/wrong-charset-gbk", "utf-8", "声明GBK实为UTF-8"),        # header says gbk, body is UTF-8
    ("/no-charset", "gb18030", "没有声明字符集的页面"),           # nothing declared, GBK body
    ("/meta-gb2312", "gb18030", "网页元标记声明"),               # only <meta http-equiv> declares it
])
async def test_charsets(fetcher: Fetcher, hostile: RawServer, path: str, encoding: str, title: str):
    page = (await fetcher.fetch_page(hostile.url(path))).page
    assert page.error is None
    assert page.encoding == encoding
    assert f"<title>{title}</title>" in page.html
    assert GBK_TEXT[:10] in page.html


async def test_malformed_html_still_parses(fetcher: Fetcher, hostile: RawServer):
    page = (await fetcher.fetch_page(hostile.url("/malformed"))).page
    assert page.error is None
    parse_page(page, datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert page.title == "残缺 页面"
    # "</a<script>" is an end tag named "a<script" (HTML5): the document.write markup is then plain,
    # visible HTML, as a browser shows it.
    assert {(link.url.removeprefix(hostile.base_url), link.hidden_reason) for link in page.links} == {
        ("/ok", None), ("/missing", None), ("/x?a=1&b=2", None), ("http://127.0.0.9/gamble", None)}


async def test_status_pages_are_not_transport_errors(fetcher: Fetcher, hostile: RawServer):
    page = (await fetcher.fetch_page(hostile.url("/status/404"))).page
    assert (page.status, page.error) == (404, None)


async def test_link_check_falls_back_to_get_when_head_refused(fetcher: Fetcher, hostile: RawServer):
    status = await fetcher.check_link(hostile.url("/head-refused"))
    assert (status.status, status.error, status.broken) == (200, None, False)
    assert ("GET", "/head-refused") in hostile.hits


async def test_link_check_errors(fetcher: Fetcher, hostile: RawServer):
    loop = await fetcher.check_link(hostile.url("/redirect-loop/a"))
    missing = await fetcher.check_link(hostile.url("/status/500"))
    assert loop.error == "redirect_loop" and loop.broken
    assert missing.status == 500 and missing.broken


async def test_hostile_targets_do_not_disturb_each_other(fetcher: Fetcher, hostile: RawServer):
    paths = ["/slow-drip", "/endless", "/gzip-bomb", "/reset", "/ok", "/redirect-loop/a", "/ok?again"]
    pages = [f.page for f in await asyncio.gather(*(fetcher.fetch_page(hostile.url(p)) for p in paths))]
    errors = {p: page.error for p, page in zip(paths, pages)}
    assert errors == {"/slow-drip": "timeout", "/endless": "too_large", "/gzip-bomb": "too_large",
                      "/reset": "reset", "/ok": None, "/redirect-loop/a": "redirect_loop", "/ok?again": None}


async def test_probe(fetcher: Fetcher, hostile: RawServer):
    good = await fetcher.probe(hostile.url("/ok"))
    bad = await fetcher.probe(hostile.url("/status/500"))
    assert good.ok and good.status == 200
    assert not bad.ok and bad.status == 500


async def test_per_host_politeness_delay(hostile: RawServer):
    settings = CrawlSettings(per_host_concurrency=4, per_host_delay=0.2)
    async with Fetcher(settings) as f:
        started = time.monotonic()
        await asyncio.gather(*(f.fetch_page(hostile.url(f"/ok?n={n}")) for n in range(4)))
    # Starts are spaced 0.2 s apart on one host: the fourth starts at >= 0.6 s.
    assert time.monotonic() - started >= 0.6


@pytest.mark.usefixtures("private_targets_refused")
async def test_ssrf_refused_without_the_setting(hostile: RawServer):
    hits = len(hostile.hits)
    async with Fetcher(FAST) as f:
        page = (await f.fetch_page(hostile.url("/ok"))).page
        link = await f.check_link("http://localhost:9/")
        probe = await f.probe(hostile.url("/ok"))
    assert page.error == "forbidden_address" and page.status is None
    assert link.error == "forbidden_address"
    assert probe.error == "forbidden_address" and not probe.ok
    assert len(hostile.hits) == hits  # refused before connecting


@pytest.mark.usefixtures("private_targets_refused")
async def test_ssrf_ipv6_and_numeric_forms_of_loopback_refused(hostile: RawServer):
    port = hostile.url("/").split(":")[2].split("/")[0]
    async with Fetcher(FAST) as f:
        for host in ("[::7f00:1]", "[64:ff9b::7f00:2]", "[::ffff:127.0.0.2]", "2130706434", "0x7f.2"):
            link = await f.check_link(f"http://{host}:{port}/ok")
            assert link.error == "forbidden_address", host


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1",
                                     "::ffff:127.0.0.1", "::7f00:1", "64:ff9b::7f00:1", "2002:7f00:1::1"])
def test_non_public_addresses(address: str):
    assert not is_public(ipaddress.ip_address(address))


def test_public_addresses():
    assert is_public(ipaddress.ip_address("202.96.128.86"))
    assert is_public(ipaddress.ip_address("2400:da00::6666"))


async def test_ssrf_allowed_with_the_setting(hostile: RawServer):
    async with Fetcher(FAST) as f:
        page = (await f.fetch_page(hostile.url("/ok"))).page
    assert page.error is None and page.status == 200


@pytest.mark.parametrize(("exc", "code"), [
    (httpx.ConnectError("refused"), "connect_error"), (httpx.ReadTimeout("slow"), "timeout"),
    (httpx.ReadError("cut"), "reset"), (httpx.RemoteProtocolError("peer closed connection"), "reset"),
    (httpx.RemoteProtocolError("illegal status line"), "protocol_error"), (httpx.InvalidURL("bad"), "bad_url"),
    (httpx.DecodingError("bad gzip"), "bad_content_encoding"), (TimeoutError(), "timeout"),
])
def test_classify_reads_httpx_failures_without_importing_it(exc: BaseException, code: str):
    # fetch.py no longer imports httpx (the crawler is on aiohttp): httpx's failures are read when it is loaded.
    assert classify(exc) == code
