"""The deep farm itself (tests/fixtures/farm/deep.py): the sites the monitoring tests and the province
benchmark crawl must be what the manifest says — deterministic, every page reachable through the
column pagination of each CMS style, planted words where listed and nowhere else, conditional requests
answered 304, advance() changing exactly what it reports, GBK sites decodable, counters counting."""
import html
import json
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from services.checker.crawl.attachments import extract_text
from services.checker.crawl.decode import decode_html
from services.checker.crawl.pagination import pagination_urls, record_links
from services.checker.crawl.parse import absolute, extract_links
from services.checker.crawl.sitemap import parse_sitemap, sitemaps_from_robots
from services.checker.wordlists import default_matcher
from tests.fixtures.farm.deep import DeepFarm
from tests.fixtures.farm.deep_site import KINDS, STYLES, Sites

ROOT = Path(__file__).resolve().parents[3]
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def farm():
    with DeepFarm(sites=10, pages_min=50, pages_max=120, seed=5, base="127.3.0.1") as f:
        yield f


def crawl(client: httpx.Client, start: str) -> tuple[dict[str, httpx.Response], dict[int, list[str]]]:
    """Everything reachable on the site's host from its homepage the way the checker reads pages: anchors
    (crawl/parse.py's `absolute`), crawl/pagination.py's other list pages and jpage records."""
    host = urlsplit(start).netloc
    seen, queue, ok, failed = {start}, [start], {}, {}
    while queue:
        url = queue.pop()
        response = client.get(url)
        if response.status_code != 200:
            failed.setdefault(response.status_code, []).append(url)
            continue
        ok[url] = response
        if not response.headers["content-type"].startswith("text/html"):
            continue
        text, _ = decode_html(response.content, response.headers["content-type"])
        tree = LexborHTMLParser(text)
        links = [absolute(url, a.attributes.get("href") or "") for a in tree.css("a[href]")]
        links += pagination_urls(tree, url) + record_links(tree, url)
        for link in links:
            if link and urlsplit(link).netloc == host and link not in seen:
                seen.add(link)
                queue.append(link)
    return ok, failed


def strip(text: str) -> str:
    return TAG.sub("", text)


def test_structure_is_deterministic_and_sized() -> None:
    one = DeepFarm(sites=4, pages_min=50, pages_max=300, seed=9, base="127.3.1.1").start()
    two = DeepFarm(sites=4, pages_min=50, pages_max=300, seed=9, base="127.3.2.1").start()
    other = DeepFarm(sites=4, pages_min=50, pages_max=300, seed=10, base="127.3.3.1").start()
    try:
        def shape(f: DeepFarm) -> list:
            return [[(u.split("/", 3)[3], k) for u, k in f.urls(i)] for i in range(f.count)]

        assert shape(one) == shape(two)
        assert shape(one) != shape(other)
        for i in range(4):
            a, b = one.manifest["sites"][i], two.manifest["sites"][i]
            assert (a["counts"], a["style"], a["charset"], [p["word"] for p in a["plants"]]) == \
                   (b["counts"], b["style"], b["charset"], [p["word"] for p in b["plants"]])
            path = one.urls(i)[-1][0].split("/", 3)[3]
            body_a = one.respond(i, "/" + path).body.replace(b"127.3.1.", b"H").replace(str(one.port).encode(), b"P")
            body_b = two.respond(i, "/" + path).body.replace(b"127.3.2.", b"H").replace(str(two.port).encode(), b"P")
            assert body_a == body_b
        counts = one.manifest["sites"]
        assert counts[0]["counts"]["total"] >= 290 and counts[1]["counts"]["total"] <= 60   # largest, smallest
    finally:
        for f in (one, two, other):
            f.stop()
    # Province size without building it: 2,000 sites of 50 … 5,000 pages, ≈ 400,000 pages in all.
    sites = Sites(count=2000, seed=1, ips=[f"127.9.{i // 250}.{i % 250 + 1}" for i in range(2000)], port=80,
                  pages_min=50, pages_max=5000, pages_mean=200, now=one.now, outside={"govcn": "", "gamble": ""},
                  dead="")
    targets = [sites.plan(i).target for i in range(2000)]
    assert min(targets) == 50 and max(targets) == 5000
    assert 360_000 <= sum(targets) <= 440_000


def test_pagination_reaches_every_page_and_planted_words_are_where_listed(farm: DeepFarm) -> None:
    matcher = default_matcher()
    assert {e["style"] for e in farm.manifest["sites"]} == set(STYLES)
    assert {p["kind"] for e in farm.manifest["sites"] for p in e["plants"] if p["kind"]} == set(KINDS)
    with httpx.Client() as client:
        for entry in farm.manifest["sites"]:
            index = entry["index"]
            ok, failed = crawl(client, entry["url"])
            expected = {u for u, _ in farm.urls(index)}
            # Every page once; beyond them at most the first-page aliases a pager's number range implies.
            assert set(ok) - set(entry["aliases"]) == expected, \
                (entry["style"], sorted(expected - set(ok))[:5], sorted(set(ok) - expected)[:5])
            assert len(set(ok) - set(entry["aliases"])) == entry["counts"]["total"]
            internal_broken = {b["target"] for b in entry["broken_links"] if b["target"].startswith(entry["url"])}
            assert set(failed.get(404, [])) == internal_broken and set(failed) <= {404}
            # Deep: the old planted articles sit beyond the first list page.
            pages = {c["name"]: c["pages"] for c in entry["columns"]}
            assert all(p["list_page"] >= 1 for p in entry["plants"] if pages[p["column"]] >= 3)
            words = {p["word"] for p in entry["plants"]}
            allowed = words | {d["text"] for d in entry["dark_links"]}
            for plant in entry["plants"]:
                body = ok[plant["url"]]
                if plant["where"] == "attachment":
                    got = extract_text(body.content, url=plant["url"], content_type=body.headers["content-type"])
                    if plant["scannable"]:
                        assert plant["word"] in got.text, plant
                    else:
                        assert (got.scannable, got.reason) == (False, "image_only"), plant
                    assert plant["article"] in ok
                else:
                    text, _ = decode_html(body.content, body.headers["content-type"])
                    assert plant["word"] in strip(text), plant
            for url, response in ok.items():            # nothing else on the site matches a word list
                if response.headers["content-type"].startswith("text/html"):
                    text, _ = decode_html(response.content, response.headers["content-type"])
                    found = {m.entry.word for m in matcher.find(html.unescape(strip(text)))}
                    assert found <= allowed, (url, found - allowed)
            for dark in entry["dark_links"]:              # hidden the way crawl/hidden.py detects it
                text, _ = decode_html(ok[dark["url"]].content, ok[dark["url"]].headers["content-type"])
                links = extract_links(LexborHTMLParser(text), dark["url"], dark["url"], 5000)
                assert [(l.text, l.hidden) for l in links if l.url == dark["target"]] == [(dark["text"], True)]


def test_attachments_are_real_files_of_every_kind(farm: DeepFarm) -> None:
    seen: dict[str, str] = {}
    with httpx.Client() as client:
        for entry in farm.manifest["sites"][:6]:
            for url, kind in farm.urls(entry["index"]):
                ext = url.rsplit(".", 1)[1]
                if kind == "attachment" and ext not in seen:
                    got = extract_text(client.get(url).content, url=url)
                    assert got.kind == ext, (url, got)
                    assert got.scannable == (got.text.strip() != ""), (url, got)
                    assert not default_matcher().find(got.text) or any(p["url"] == url for p in entry["plants"])
                    seen[ext] = url
    assert set(seen) >= {"pdf", "doc", "docx", "xls", "xlsx", "wps", "txt"}


def test_conditional_requests_answer_304_and_counters_count(farm: DeepFarm) -> None:
    entry = farm.manifest["sites"][2]
    article = next(u for u, k in farm.urls(2) if k == "article")
    attachment = next(u for u, k in farm.urls(2) if k == "attachment")
    farm.reset_stats()
    with httpx.Client() as client:
        for url in (entry["url"], article, attachment):
            first = client.get(url)
            etag, modified = first.headers["etag"], first.headers["last-modified"]
            again = client.get(url, headers={"If-None-Match": etag})
            assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
            assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
            # If-None-Match decides when both are sent; a stale tag gets the page.
            stale = client.get(url, headers={"If-None-Match": '"0000"', "If-Modified-Since": modified})
            assert (stale.status_code, stale.content) == (200, first.content)
            assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
        assert client.get(entry["url"] + "no/such/page.html").status_code == 404
        zipped = next(e for e in farm.manifest["sites"] if e["gzip"])       # pages gzipped, tag weak (nginx)
        plain = httpx.get(zipped["url"], headers={"Accept-Encoding": "identity"})
        packed = httpx.get(zipped["url"])
        assert (packed.headers["content-encoding"], packed.content) == ("gzip", plain.content)
        assert packed.headers["etag"] == "W/" + plain.headers["etag"]
        assert httpx.get(zipped["url"], headers={"If-None-Match": packed.headers["etag"]}).status_code == 304
        assert "content-encoding" not in plain.headers
        assert client.head(article).headers["content-length"] == str(len(client.get(article).content))
        stats = farm.stats(2)
        assert (stats.count(200), stats.count(304), stats.count(404)) == (3 * 3 + 2, 3 * 2, 1)
        assert stats.requests == 18 and len(stats.starts) == 18
        remote = client.get(entry["url"] + "__farm__/stats", params={"host": entry["host"]}).json()
        assert remote["hosts"][entry["host"]]["not_modified"] == 6 and remote["requests"] == 18   # control uncounted


def test_unknown_urls_answer_404_and_bad_requests_are_dropped(farm: DeepFarm) -> None:
    entry = farm.manifest["sites"][4]
    article = next(u for u, k in farm.urls(4) if k == "article")
    lists = [c for c in entry["columns"] if c["kind"] == "article"][0]
    last_list = max((u for u, k in farm.urls(4) if k == "list" and u.startswith(lists["url"].rsplit("/", 1)[0])),
                    key=len)
    with httpx.Client() as client:
        assert client.get(article.replace(".html", "9.html")).status_code == 404       # no such item
        assert client.get(article + "?x=1").status_code == 404                        # not the item's URL
        assert client.get(last_list.replace("index", "index_9")).status_code == 404    # past the last page
        assert client.get(entry["url"] + "__farm__/nope").status_code == 404
        one = client.get(entry["url"] + "__farm__/advance", params={"site": 4}).json()
        assert one["sites"] == 1 and one["changes"][0]["site"] == 4 and farm.version(4) == 1
    with socket.create_connection((entry["host"], farm.port), timeout=5) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        assert sock.recv(100) == b""                                                  # closed, no answer
    assert httpx.get(entry["url"]).status_code == 200


def test_in_flight_peak_and_start_times_per_host() -> None:
    # A long latency so that the five requests overlap even on a machine busy with other work.
    with DeepFarm(sites=2, pages_min=50, pages_max=60, latency_ms=1000, base="127.3.4.1") as f:
        pages = [u for u, _ in f.urls(0)][:5]
        with httpx.Client(limits=httpx.Limits(max_connections=10)) as client:
            threads = [threading.Thread(target=client.get, args=(u,)) for u in pages + [f.url(1)]]
            started = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        one, two = f.stats(0), f.stats(1)
        assert one.max_inflight == 5 and one.requests == 5 and two.max_inflight == 1
        assert all(started - 0.1 <= s <= started + 5 for s in one.starts)
        assert one.min_gap() is not None and one.min_gap() < 1.0           # they overlapped
        f.reset_stats()
        assert f.stats(0).requests == 0


def test_advance_changes_exactly_what_it_reports() -> None:
    with DeepFarm(sites=6, pages_min=60, pages_max=250, seed=3, base="127.3.5.1") as f:
        def snapshot(i: int) -> dict[str, str | None]:
            paths = [u for u, _ in f.urls(i)] + [f.url(i) + "sitemap.xml"] + \
                [f.url(i) + f"sitemap_{k}.xml" for k in ("xwdt", "tzgg", "zcwj", "xxgk", "hdjl")]
            out = {}
            for url in paths:
                r = f.respond(i, "/" + url.split("/", 3)[3])
                out[url] = r.etag if r.status == 200 else None
            return out

        totals = {"new": 0, "removed": 0, "edited": 0, "plants_added": 0, "plants_fixed": 0}
        for _ in range(3):
            before = [snapshot(i) for i in range(6)]
            changes = f.advance()
            for i, change in enumerate(changes):
                after = snapshot(i)
                differs = {u for u in before[i].keys() | after.keys() if before[i].get(u) != after.get(u)}
                assert differs == f.changed_urls(i), (i, differs ^ f.changed_urls(i))
                for key in totals:
                    totals[key] += len(change[key])
                for url in change["removed"]:
                    assert after.get(url) is None
                for plant in change["plants_added"]:
                    assert plant["since"] == change["version"] and plant["url"] in after
                for plant in change["plants_fixed"]:         # corrected: the word is gone from its article
                    page = f.respond(i, "/" + plant["url"].split("/", 3)[3]).body
                    assert plant["url"] in change["edited"] and plant["word"].encode(f.manifest["sites"][i]["charset"]) \
                        not in page
        assert all(totals.values()), totals
        # Over HTTP: the old tag of an edited page no longer matches; a removed page answers 404.
        last = f.manifest["sites"][0]["changes"][-1]
        with httpx.Client() as client:
            for url in last["removed"][:2]:
                assert client.get(url).status_code == 404
            for url in last["new"][:2]:
                assert client.get(url).status_code == 200
            assert f.manifest["sites"][0]["version"] == 3


def test_sitemaps_list_every_item_and_robots_names_them(farm: DeepFarm) -> None:
    kinds_seen = set()
    with httpx.Client() as client:
        for entry in farm.manifest["sites"]:
            robots = client.get(entry["url"] + "robots.txt")
            if entry["sitemap"] is None:
                assert robots.status_code == (200 if entry["robots"] else 404)
                assert client.get(entry["url"] + "sitemap.xml").status_code == 404
                continue
            assert sitemaps_from_robots(robots.text, entry["url"]) == [entry["sitemap"]]
            pages, queue = set(), [entry["sitemap"]]
            while queue:
                found, children = parse_sitemap(client.get(queue.pop()).content)
                pages |= set(found)
                queue += children
                kinds_seen.add("index" if children else "urlset")
            items = {u for u, k in farm.urls(entry["index"]) if k in ("article", "message")}
            assert items <= pages <= {u for u, _ in farm.urls(entry["index"])}
    assert kinds_seen == {"index", "urlset"}


def test_gbk_site_decodes(farm: DeepFarm) -> None:
    entries = [e for e in farm.manifest["sites"] if e["charset"] == "gbk"]
    assert entries
    with httpx.Client() as client:
        for entry in entries:
            response = client.get(entry["url"])
            assert b'charset=gbk' in response.content[:300]
            with pytest.raises(UnicodeDecodeError):
                response.content.decode("utf-8")
            text, encoding = decode_html(response.content, response.headers["content-type"])
            assert encoding in ("gbk", "gb18030") and entry["name"] in text
            if entry["header_charset"]:
                assert response.headers["content-type"] == "text/html; charset=GBK"
            else:
                assert response.headers["content-type"] == "text/html"


def test_cli_serves_and_advances_over_http(tmp_path: Path) -> None:
    manifest = tmp_path / "deep.json"
    process = subprocess.Popen([sys.executable, "-m", "tests.fixtures.farm.deep", "--sites", "3", "--pages-max", "80",
                                "--base", "127.3.6.1", "--manifest", str(manifest)], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        for _ in range(300):
            if manifest.exists():
                break
            time.sleep(0.05)
        data = json.loads(manifest.read_text(encoding="utf-8"))
        assert data["totals"]["sites"] == 3 and data["totals"]["total"] == sum(e["counts"]["total"] for e in data["sites"])
        with httpx.Client() as client:
            assert client.get(data["sites"][1]["url"]).status_code == 200
            assert client.get(data["control"] + "advance").json()["sites"] == 3
            assert client.get(data["control"] + "stats").json()["requests"] == 1
        rewritten = json.loads(manifest.read_text(encoding="utf-8"))
        assert [e["version"] for e in rewritten["sites"]] == [1, 1, 1]
    finally:
        process.terminate()
        process.wait(10)
