"""One site to one `SiteSnapshot`: homepage, columns, sampled articles, interaction and service pages,
then a status check of every distinct link target, within a page budget.

HTML snapshots are content-addressed (`snapshots/sha256/<ab>/<digest>`), so every page knows its key at
once, but a body is only stored when a finding cites it (`store_snapshots`, after the checks): uploading
every page of every clean site made S3 the crawl's largest cost. Held bodies are bounded per crawl
(`snapshot_hold_bytes`); past that bound pages are stored as they arrive. A snapshot the store cannot
take (S3 down) is spooled to local disk and uploaded when the store returns (`spool`); its evidence says so.
"""
import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from services.checker.crawl import spool
from services.checker.crawl.attachments import looks_like_attachment
from services.checker.crawl.columns import discover_columns, merge_columns, more_link, same_site
from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.fetch import Fetcher
from services.checker.crawl.parse import parse_page
from services.checker.model import ColumnSnapshot, Item, LinkStatus, Page, Probe, RegistryFacts, SiteSnapshot
from services.common.settings import get_settings

log = logging.getLogger(__name__)

_GUIDE = re.compile(r"指南")  # 办事指南, 服务指南, 指南：事项名称
_INTERACTION_LINK = re.compile(r"留言|信箱|咨询|写信|互动|建言|征集")
_EXCLUDED_CHANNELS = re.compile(r"信访|纪检|举报|监察")  # indicators.md: these do not count


def within_scope(url: str, scope: str | None) -> bool:
    """`url` is one of the target's pages: any page of the host for a site (scope None); for a 信息公开专栏 a
    page of the host site (www. aside) under the 专栏's URL prefix. The portal's navigation, the other
    departments' 专栏 and the portal's own columns around it are someone else's pages."""
    if scope is None:
        return True
    a, b = urlsplit(url), urlsplit(scope)
    return (_host_key(url) == _host_key(scope) and a.scheme in ("http", "https")
            and (a.path or "/").startswith(b.path or "/"))


class _Crawl:
    def __init__(self, fetcher: Fetcher, settings: CrawlSettings, now: datetime, store: bool,
                 scope: str | None = None) -> None:
        self.fetcher, self.settings, self.now, self.store = fetcher, settings, now, store
        self.scope = scope
        self.pages: dict[str, Page] = {}
        self.trees: dict[str, LexborHTMLParser] = {}
        self.held: dict[str, tuple[bytes, str]] = {}  # snapshot key -> (body, content type), not stored yet
        self.held_bytes = 0
        self.tasks: dict[str, asyncio.Task[Page | None]] = {}
        self.used = 0
        self.exhausted = False
        self.notes: list[str] = []
        self.s3_down = False  # the store failed once: the rest goes to the spool without waiting on it
        self.fresh: list[Page] = []  # pages fetched since `spread` last read their links

    async def prepare_storage(self) -> None:
        if not self.store:
            return
        from services.common.s3 import ensure_buckets  # the S3 client (minio, fastapi's errors) only when storing
        try:
            if spool.store_down():
                raise ConnectionError("S3 failed moments ago")
            await asyncio.to_thread(ensure_buckets, get_settings().bucket_snapshots)
        except Exception as exc:  # noqa: BLE001 - snapshots are held, then spooled (store_snapshots)
            spool.trip()
            self.s3_down = True
            self.notes.append(f"snapshots spooled: S3 unavailable ({type(exc).__name__})")

    def page(self, url: str, role: str) -> "asyncio.Task[Page | None]":
        """The page at `url`, fetched once per crawl however often it is asked for."""
        if url not in self.tasks:
            self.tasks[url] = asyncio.create_task(self._fetch(url, role))
        return self.tasks[url]

    async def _fetch(self, url: str, role: str) -> Page | None:
        if self.used >= self.settings.page_budget:
            self.exhausted = True
            return None
        self.used += 1
        fetched = await self.fetcher.fetch_page(url)
        page = fetched.page
        page.role = role
        if page.html is not None and page.status is not None and page.status < 400:
            try:
                tree = parse_page(page, self.now, max_links=self.settings.max_links_per_page)
            except Exception:  # noqa: BLE001 - one unparsable page must not end the crawl
                log.warning("cannot parse %s", page.final_url, exc_info=True)
                page.error = "parse_error"
            else:
                if tree is not None and role != "page":  # spread's pages are read once (links), never again
                    self.trees[page.final_url] = tree
        if self.store and fetched.body is not None:
            page.snapshot_key = await self._snapshot(fetched.body, page.encoding)
        self.pages[page.final_url] = page
        self.fresh.append(page)
        return page

    async def _snapshot(self, body: bytes, encoding: str | None) -> str | None:
        from services.common.s3 import content_key
        key = content_key(hashlib.sha256(body).hexdigest(), "snapshots/sha256/")
        content_type = f"text/html; charset={encoding or 'utf-8'}"
        if key in self.held:
            return key
        if self.held_bytes + len(body) <= self.settings.snapshot_hold_bytes:
            self.held[key] = (body, content_type)
            self.held_bytes += len(body)
            return key
        if not self.s3_down:
            if await _put(key, body, content_type):
                return key
            self.s3_down = True
        return key if await asyncio.to_thread(spool.put, key, body, content_type) else None

    # --- stages --------------------------------------------------------------------------------

    async def fill_column(self, column: ColumnSnapshot) -> None:
        if not column.url:
            return
        column.page = await self.page(column.url, "column")
        if column.page is None:
            return
        column.items = list(column.page.items)
        tree = self.trees.get(column.page.final_url)
        if not column.items and tree is not None and (more := more_link(tree, column.page.final_url)):
            extra = await self.page(more, "list_more")
            column.items = list(extra.items) if extra else []

    async def sample(self, urls: list[str], role: str) -> None:
        await asyncio.gather(*(self.page(u, role) for u in dict.fromkeys(urls)))

    def article_urls(self, home: Page, columns: list[ColumnSnapshot]) -> list[str]:
        per = self.settings.articles_per_column
        groups = [home.items] + [c.items for c in columns if c.category not in ("interaction", "service")]
        urls: list[str] = []
        for items in groups:
            urls += [i.url for i in _newest(items, home.final_url, self.scope)[:per] if i.url]
        return list(dict.fromkeys(urls))[:self.settings.max_articles]

    def extra_interaction(self, home: Page, columns: list[ColumnSnapshot]) -> list[ColumnSnapshot]:
        """The homepage's interaction links (留言, 信箱 …) as columns, when navigation named none."""
        if any(c.category == "interaction" for c in columns):
            return []
        # A dated entry of the homepage's lists is an article (关于征集…意见建议的公告), not a channel.
        known = {c.url for c in columns} | {i.url for i in home.items if i.url}
        extra = []
        for link in home.links:
            if (link.tag == "a" and not link.hidden and _INTERACTION_LINK.search(link.text)
                    and not _EXCLUDED_CHANNELS.search(link.text) and link.url not in known
                    and within_scope(link.url, self.scope)):
                known.add(link.url)
                extra.append(ColumnSnapshot(name=link.text[:20], url=link.url, category="interaction",
                                            should_update=False, source="navigation", page=None))
        return extra[:2]

    async def spread(self, home: Page) -> None:
        """The rest of the site: every page of the homepage's host that a fetched page links to, as each
        page arrives (no level-by-level barrier), until none is left or the page budget is spent. Files
        (attachments) are left to the link check, as are other hosts."""
        site = _host_key(home.final_url)
        pending: set[asyncio.Task[Page | None]] = set()
        elsewhere: set[str] = set()  # other hosts, out of scope, files: footers repeat them on every page
        while True:
            fresh, self.fresh = self.fresh, []
            for page in fresh:
                for link in page.links:
                    url = link.url
                    if url in self.tasks or url in elsewhere or link.tag not in _FOLLOWED:
                        continue
                    if _host_key(url) == site and within_scope(url, self.scope) and not looks_like_attachment(url):
                        pending.add(self.page(url, "page"))
                    else:
                        elsewhere.add(url)
            if not pending or self.exhausted:
                break
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.gather(*pending)

    def guide_urls(self, pages: list[Page]) -> list[str]:
        urls = [link.url for page in pages for link in page.links
                if link.tag == "a" and not link.hidden and _GUIDE.search(link.text) and within_scope(link.url, self.scope)]
        return list(dict.fromkeys(urls))[:self.settings.max_service_guides]

    async def check_links(self) -> dict[str, LinkStatus]:
        # Pages linking to each target, in order, each once (a dict: the navigation's targets have every page).
        sources: dict[str, dict[str, None]] = {}
        for page in sorted(self.pages.values(), key=lambda p: p.role != "home"):
            for link in page.links:
                sources.setdefault(link.url, {})[link.source_url] = None
        results: dict[str, LinkStatus] = {}
        to_check: list[str] = []
        for url, holders in sources.items():
            fetched = self._fetched(url)
            if fetched is not None:
                error = None if fetched.error == "not_html" else fetched.error
                results[url] = LinkStatus(url=url, status=fetched.status, error=error,
                                          checked_at=fetched.fetched_at, sources=list(holders))
            else:
                to_check.append(url)
        limit = self.settings.max_link_checks
        if len(to_check) > limit:
            self.notes.append(f"link checks capped: {limit} of {len(to_check)} targets checked")
            to_check = to_check[:limit]
        gate = asyncio.Semaphore(self.settings.link_check_concurrency)

        async def check(url: str) -> None:
            async with gate:
                status = await self.fetcher.check_link(url)
            status.sources = list(sources[url])
            results[url] = status

        await asyncio.gather(*(check(u) for u in to_check))
        return results

    def _fetched(self, url: str) -> Page | None:
        task = self.tasks.get(url)
        if task is not None and task.done() and (page := task.result()) is not None:
            return page
        return self.pages.get(url)


_FOLLOWED = frozenset(("a", "area", "iframe", "frame", "meta"))  # links to documents (meta: refresh)


def _host_key(url: str) -> str:
    """Host and port with a leading www. dropped: www.x.gov.cn and x.gov.cn are one site, while other
    subdomains are sites of their own (whole_site never spreads over a domain)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').removeprefix('www.')}:{parts.port or parts.scheme}"


def _newest(items: list[Item], home_url: str, scope: str | None = None) -> list[Item]:
    own = [i for i in items if i.url and same_site(i.url, home_url) and within_scope(i.url, scope)]
    return sorted(own, key=lambda i: i.published.toordinal() if i.published else 0, reverse=True)


async def crawl_site(homepage_url: str, *, now: datetime, registry: RegistryFacts,
                     settings: CrawlSettings | None = None, store_snapshot: bool = True,
                     pages: list[str] | None = None, fetcher: Fetcher | None = None,
                     scope: str | None = None) -> SiteSnapshot:
    """Crawl one site into a snapshot. Never raises for a bad site: failures are in Page.error,
    LinkStatus.error and Probe.error. `pages`, when given, replaces the article sample: an inspection of a
    monitored site re-fetches the pages its open problems cite (services/checker/monitor/ledger.py).
    `scope`, a 信息公开专栏's URL prefix: only pages under it are the target's (columns found in the
    navigation, sampled articles, the whole-site spread); links from those pages are still checked.
    `fetcher`, when given, is shared with other crawls (its connections, name cache and per-host limits);
    the caller closes it."""
    settings = settings or CrawlSettings()
    async with contextlib.AsyncExitStack() as owned:
        if fetcher is None:
            fetcher = await owned.enter_async_context(Fetcher(settings))
        crawl = _Crawl(fetcher, settings, now, store_snapshot, scope)
        await crawl.prepare_storage()
        probe = asyncio.create_task(fetcher.probe(homepage_url))
        home = await crawl.page(homepage_url, "home")
        columns: list[ColumnSnapshot] = []
        navigation: tuple[tuple[str, str], ...] | None = None
        if home is not None:
            tree = crawl.trees.get(home.final_url)
            discovered = discover_columns(tree, home.final_url) if tree is not None else []
            if tree is not None:
                navigation = tuple(discovered)
            discovered = [(name, u) for name, u in discovered if within_scope(u, scope)]
            columns = merge_columns(registry.columns, discovered, home.final_url, settings.max_columns)
            await asyncio.gather(*(crawl.fill_column(c) for c in columns))
            extra = crawl.extra_interaction(home, columns)
            columns += extra
            await asyncio.gather(*(crawl.fill_column(c) for c in extra))
            message_urls = [i.url for c in columns if c.category == "interaction" for i in c.items if i.url]
            service_pages = [home] + [c.page for c in columns if c.category == "service" and c.page]
            await asyncio.gather(
                crawl.sample(crawl.article_urls(home, columns) if pages is None else pages, "article"),
                crawl.sample(message_urls[:settings.max_message_pages], "message"),
                crawl.sample(crawl.guide_urls(service_pages), "guide"))
            if settings.whole_site:
                await crawl.spread(home)
        links = await crawl.check_links()
        if crawl.exhausted:
            crawl.notes.append(f"page budget of {settings.page_budget} exhausted")
        return SiteSnapshot(homepage_url=homepage_url, now=now, home=home, pages=crawl.pages, columns=columns,
                            links=links, probes=[await probe], registry=registry,
                            budget_exhausted=crawl.exhausted, notes=crawl.notes, held_snapshots=crawl.held,
                            navigation=navigation)


async def _put(key: str, body: bytes, content_type: str) -> bool:
    if spool.store_down():
        return False
    from services.common.s3 import put_bytes
    try:
        await asyncio.to_thread(put_bytes, get_settings().bucket_snapshots, body, content_type, key=key)
    except Exception as exc:  # noqa: BLE001 - the caller spools it
        spool.trip()
        log.warning("snapshot upload failed: %s", exc)
        return False
    return True


async def store_snapshots(snapshot: SiteSnapshot, keys: Iterable[str | None],
                          pending: set[str] | None = None) -> set[str]:
    """Store the held snapshots among `keys` (those the findings cite) and release the rest. A snapshot
    the store refuses is spooled (uploaded when the store returns): its key is added to `pending`. Returns
    the keys that are neither in S3 nor spooled (the spool is full), so the caller marks them lost."""
    missing: set[str] = set()
    pending = pending if pending is not None else set()
    down = False
    for key in {k for k in keys if k}:
        if key not in snapshot.held_snapshots:
            if await asyncio.to_thread(spool.has, key):  # spooled during the crawl (past the hold bound)
                pending.add(key)
            continue
        body, content_type = snapshot.held_snapshots[key]
        if not down and await _put(key, body, content_type):
            continue
        down = True  # one failure is enough: the others are spooled without waiting on the store again
        if await asyncio.to_thread(spool.put, key, body, content_type):
            pending.add(key)
        else:
            missing.add(key)
    snapshot.held_snapshots = {}
    return missing


async def probe_site(url: str, settings: CrawlSettings | None = None) -> Probe:
    """One availability probe, for the inspection layer's series over the monitoring window."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.probe(url)
