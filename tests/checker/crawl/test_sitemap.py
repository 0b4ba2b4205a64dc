"""sitemap.xml and robots.txt Sitemap lines."""
import gzip
import time

from services.checker.crawl.sitemap import MAX_URLS, parse_sitemap, sitemaps_from_robots

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(urls: list[str]) -> bytes:
    items = "".join(f"<url><loc>{u}</loc><lastmod>2024-01-02</lastmod></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{items}</urlset>'.encode()


def test_urlset_pages() -> None:
    body = urlset(["http://www.a.gov.cn/", "http://www.a.gov.cn/zwgk/index.html?a=1&amp;b=2",
                   "  http://www.a.gov.cn/art/2024/1/2/art_1_2.html\n", "ftp://www.a.gov.cn/x", "javascript:x"])
    pages, children = parse_sitemap(body)
    assert pages == ["http://www.a.gov.cn/", "http://www.a.gov.cn/zwgk/index.html?a=1&b=2",
                     "http://www.a.gov.cn/art/2024/1/2/art_1_2.html"]
    assert children == []


def test_sitemap_index_gzip() -> None:
    index = (f'<?xml version="1.0"?><sitemapindex {NS}><sitemap><loc>http://www.a.gov.cn/sitemap1.xml.gz</loc>'
             f"</sitemap><sitemap><loc>http://www.a.gov.cn/sitemap2.xml</loc></sitemap></sitemapindex>").encode()
    pages, children = parse_sitemap(gzip.compress(index, mtime=0))
    assert pages == [] and children == ["http://www.a.gov.cn/sitemap1.xml.gz", "http://www.a.gov.cn/sitemap2.xml"]


def test_plain_text_sitemap_and_no_namespace() -> None:
    assert parse_sitemap(b"http://www.a.gov.cn/a.html\r\n\r\nhttp://www.a.gov.cn/b.html\nnot a url\n") == (
        ["http://www.a.gov.cn/a.html", "http://www.a.gov.cn/b.html"], [])
    assert parse_sitemap(b"<urlset><url><loc>http://x.gov.cn/1</loc></url></urlset>") == (["http://x.gov.cn/1"], [])


def test_broken_and_hostile_sitemaps() -> None:
    # truncated XML: what was read is kept
    body = urlset([f"http://www.a.gov.cn/{i}.html" for i in range(10)])
    pages, _ = parse_sitemap(body[: len(body) // 2])
    assert 0 < len(pages) < 10
    assert parse_sitemap(b"\x1f\x8b\x08garbage") == ([], [])
    assert parse_sitemap(b"") == ([], [])
    # entities are not expanded (no billion laughs, no local files)
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
           b'<urlset><url><loc>http://a.gov.cn/&x;</loc></url></urlset>')
    pages, _ = parse_sitemap(xxe)
    assert all("&" not in p and len(p) < 40 for p in pages)


def test_gzip_bomb_and_url_cap_are_bounded() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000, compresslevel=9, mtime=0)
    started = time.process_time()
    assert parse_sitemap(bomb) == ([], [])
    assert time.process_time() - started < 3
    many = urlset([f"http://www.a.gov.cn/{i}.html" for i in range(MAX_URLS + 500)])
    pages, _ = parse_sitemap(many)
    assert len(pages) == MAX_URLS


def test_sitemaps_from_robots() -> None:
    robots = ("User-agent: *\nDisallow: /admin/\n# Sitemap: http://www.a.gov.cn/commented.xml\n"
              "Sitemap: http://www.a.gov.cn/sitemap.xml\nsitemap:/sitemap_index.xml\n"
              "SITEMAP: http://www.a.gov.cn/sitemap.xml\n")
    assert sitemaps_from_robots(robots, "http://www.a.gov.cn/robots.txt") == [
        "http://www.a.gov.cn/sitemap.xml", "http://www.a.gov.cn/sitemap_index.xml"]
    assert sitemaps_from_robots("User-agent: *\nDisallow:\n", "http://www.a.gov.cn/") == []
