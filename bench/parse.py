"""CPU of `parse_page` per page, on the pages a farm crawl fetches, and a dump of everything it returns.

    .venv/bin/python -m bench.parse collect [--sites 20] [--items 4] [--out /tmp/govwatch-parse/pages.json.gz]
    .venv/bin/python -m bench.parse time [--pages FILE] [--real DIR] [--rounds 5] [--dump OUT.json.gz]
    .venv/bin/python -m bench.parse compare A.json.gz B.json.gz
    .venv/bin/python -m bench.parse columns [--pages FILE] [--real DIR] [--dump OUT.json.gz]

`collect` starts the farm (as bench/crawl.py does), crawls its sites in this process with check-site's
settings and keeps every page the crawler hands to `parse_page` (URL, final URL, decoded HTML), once.
`time` parses them again `--rounds` times, each round in a fresh process (cold caches, as a crawl starts),
no I/O, and prints CPU ms (user + system) per page, the best round and the median. The real pages of
`--real` (saved gov.cn pages, read in place, never copied) are parsed along and counted apart. `--dump`
writes every field `parse_page` fills for every page, so two versions of the parser can be compared for
equality (`compare`).

`columns` times column discovery (`discover_columns` and `more_link`, the crawl's reading of a homepage) on the
homepages among the pages and on the real ones, trees parsed beforehand; `--dump` keeps what it found, for
`compare`.

Load-independent figures: instructions per page under callgrind, one round less the reading of the pages:
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.farm \
        .venv/bin/python -m bench.parse time --one-round farm      (and --one-round none)
then (Ir of farm - Ir of none) / pages.
"""
import argparse
import asyncio
import gc
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ["GOVWATCH_ALLOW_PRIVATE_TARGETS"] = "1"   # the farm lives on 127.0.0.0/8
DEFAULT_PAGES = Path("/tmp/govwatch-parse/pages.json.gz")
DEFAULT_REAL = ROOT.parent / "shared" / "corpus" / "real" / "govcn"
REAL_NOW = "2024-06-15T00:00:00+00:00"


def collect(args: argparse.Namespace) -> None:
    from bench.crawl import FarmProcess
    from services.checker.crawl import crawler
    from services.checker.crawl.config import CrawlSettings
    from services.checker.model import RegistryFacts

    args.out.parent.mkdir(parents=True, exist_ok=True)
    farm = FarmProcess(args.sites, args.items, 0.0, args.base, args.out.parent)
    pages: list[dict[str, str]] = []
    real_parse = crawler.parse_page

    def recording(page: Any, now: datetime, **kwargs: Any) -> Any:
        pages.append({"url": page.url, "final_url": page.final_url, "html": page.html})
        return real_parse(page, now, **kwargs)

    crawler.parse_page = recording
    settings = replace(CrawlSettings(), whole_site=True, page_budget=1_000_000, max_link_checks=1_000_000,
                       per_host_delay=0.0, per_host_concurrency=10)
    now = datetime.fromisoformat(farm.manifest["now"])
    try:
        async def crawl_all() -> None:
            for url in farm.urls:   # one site at a time: the page order is the same on every collect
                await crawler.crawl_site(url, now=now, registry=RegistryFacts(), settings=settings,
                                         store_snapshot=False)
        asyncio.run(crawl_all())
    finally:
        farm.stop()
    with gzip.open(args.out, "wt", encoding="utf-8") as out:
        json.dump({"now": farm.manifest["now"], "pages": pages}, out, ensure_ascii=False)
    print(f"{len(pages)} pages of {len(farm.urls)} sites -> {args.out}")


def _load(args: argparse.Namespace) -> tuple[list[tuple[str, str, str, datetime]], int]:
    """(url, final URL, html, now) of the farm pages, then the real ones; and how many are the farm's."""
    with gzip.open(args.pages, "rt", encoding="utf-8") as f:
        data = json.load(f)
    now = datetime.fromisoformat(data["now"])
    pages = [(p["url"], p["final_url"], p["html"], now) for p in data["pages"]]
    farm = len(pages)
    real_now = datetime.fromisoformat(REAL_NOW)
    for path in sorted(args.real.glob("*.html")) if args.real else []:
        url = f"http://www.example.gov.cn/real/{path.name}"
        pages.append((url, url, path.read_text(encoding="utf-8"), real_now))
    return pages, farm


def _fields(page: Any) -> dict[str, Any]:
    out = {key: value for key, value in asdict(page).items() if key not in ("html", "fetched_at")}
    out["page_date"] = page.page_date.isoformat() if page.page_date else None
    out["items"] = [{**item, "published": item["published"].isoformat() if item["published"] else None}
                    for item in out["items"]]
    return out


def run_time(args: argparse.Namespace) -> None:
    from services.checker.crawl.parse import parse_page
    from services.checker.model import Page

    pages, farm = _load(args)
    fetched_at = datetime.fromisoformat(REAL_NOW)

    def parse_all(subset: list[tuple[str, str, str, datetime]]) -> list[Page]:
        out = []
        for url, final_url, html, now in subset:
            page = Page(url=url, final_url=final_url, status=200, error=None, fetched_at=fetched_at,
                        html=html)
            parse_page(page, now)
            out.append(page)
        return out

    if args.one_round is not None:                      # a child of the loop below: one cold round
        subset = {"farm": pages[:farm], "real": pages[farm:], "none": []}[args.one_round]
        # The pages read are the bench's, not the parser's: out of the garbage collector's way, so that a
        # full collection that happens to fall in the round does not scan them (one costs ~14 ms here).
        gc.collect()
        gc.freeze()
        if not subset:
            return                                      # pages read, none parsed: callgrind's baseline
        started = time.process_time()
        parse_all(subset)
        print((time.process_time() - started) / len(subset))
        return
    for name, subset in (("farm", pages[:farm]), ("real", pages[farm:])):
        if not subset:
            continue
        # Each round in a fresh process: the URL-join caches start empty, as in a crawl's first pages.
        argv = [sys.executable, "-m", "bench.parse", "time", "--pages", str(args.pages), "--one-round", name,
                *(["--real", str(args.real)] if args.real else [])]
        rounds = [float(subprocess.run(argv, check=True, capture_output=True, text=True, cwd=ROOT).stdout)
                  for _ in range(args.rounds)]
        print(f"{name}: {len(subset)} pages, CPU ms/page best {min(rounds) * 1000:.3f}, "
              f"median {statistics.median(rounds) * 1000:.3f} ({args.rounds} rounds)")
    if args.dump:
        dump = [_fields(page) for page in parse_all(pages)]
        with gzip.open(args.dump, "wt", encoding="utf-8") as out:
            json.dump(dump, out, ensure_ascii=False, sort_keys=True)
        print(f"dump of {len(dump)} pages -> {args.dump}")


def run_columns(args: argparse.Namespace) -> None:
    from urllib.parse import urlsplit

    from selectolax.lexbor import LexborHTMLParser

    from services.checker.crawl.columns import discover_columns, more_link

    pages, farm = _load(args)
    homes = [(final_url, LexborHTMLParser(html)) for i, (_, final_url, html, _) in enumerate(pages)
             if i >= farm or urlsplit(final_url).path in ("", "/", "/index.html")]
    found = []
    started = time.process_time()
    for url, tree in homes:
        found.append({"final_url": url, "columns": discover_columns(tree, url), "more": more_link(tree, url)})
    spent = time.process_time() - started
    print(f"{len(homes)} homepages ({len(pages) - farm} real), column discovery CPU ms/page "
          f"{spent / len(homes) * 1000:.3f}, {sum(len(f['columns']) for f in found)} columns")
    if args.dump:
        with gzip.open(args.dump, "wt", encoding="utf-8") as out:
            json.dump(found, out, ensure_ascii=False)


def compare(args: argparse.Namespace) -> None:
    with gzip.open(args.a, "rt", encoding="utf-8") as f:
        a = json.load(f)
    with gzip.open(args.b, "rt", encoding="utf-8") as f:
        b = json.load(f)
    differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(a) != len(b) or differ:
        print(f"DIFFERENT: {len(a)} vs {len(b)} pages; {len(differ)} differ, first {differ[:10]}")
        for i in differ[:3]:
            for key in a[i]:
                if a[i][key] != b[i].get(key):
                    print(f"  page {i} ({a[i]['final_url']}) field {key}")
        sys.exit(1)
    print(f"identical: {len(a)} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("collect")
    c.add_argument("--sites", type=int, default=20)
    c.add_argument("--items", type=int, default=4)
    c.add_argument("--base", default="127.0.4.1")
    c.add_argument("--out", type=Path, default=DEFAULT_PAGES)
    t = commands.add_parser("time")
    t.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    t.add_argument("--real", type=Path, default=DEFAULT_REAL)
    t.add_argument("--rounds", type=int, default=5)
    t.add_argument("--dump", type=Path)
    t.add_argument("--one-round", choices=("farm", "real", "none"),
                   help="one round in this process (none: read the pages only), e.g. under callgrind")
    k = commands.add_parser("columns")
    k.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    k.add_argument("--real", type=Path, default=DEFAULT_REAL)
    k.add_argument("--dump", type=Path)
    d = commands.add_parser("compare")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    args = parser.parse_args()
    {"collect": collect, "time": run_time, "columns": run_columns, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
