"""One claimed page → one fetch → what it yields (crawl state, discovered URLs, findings).

- Conditional GET from the stored validators (If-None-Match / If-Modified-Since); a 304, or a body with the
  stored content hash, is not re-scanned unless the word list changed since the page was last scanned (then
  the fetch is unconditional, so there is a body to scan).
- HTML is parsed once (crawl/parse.py); links become URLs of the site (same host as the homepage) or
  external targets (status-checked, never crawled); column lists are followed through their pagination
  (crawl/pagination.py); attachments are fetched with a byte cap and their text extracted in a child process
  (crawl/extract.py, crawl/attachments.py); an image-only pdf is "not scannable", never clean.
- Findings come from the existing checks run on a one-page snapshot (checks/serious_error, sensitive_content,
  typo, dark_link; broken_link and unreachable for targets that fail), so monitoring and inspections judge a
  page the same way; the indicator set gives each its severity.
"""
import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser
from sqlmodel import Session

from services.checker.checks import broken_link, dark_link, sensitive_content, serious_error, typo, unreachable
from services.checker.checks import personal_data, policy_interpretation, secrecy_marking
from services.checker.checks.base import CheckContext, is_ok
from services.checker.crawl.attachments import looks_like_attachment
from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.decode import decode_html, is_html_type, looks_binary
from services.checker.crawl.extract import extract
from services.checker.crawl.fetch import Fetcher
from services.checker.crawl.pagination import pagination_urls, record_links
from services.checker.crawl.parse import parse_page
from services.checker.crawl.sitemap import parse_sitemap, sitemaps_from_robots
from services.checker.indicators import IndicatorSet
from services.checker.indicators.aggregate import evaluate
from services.checker.model import Finding, LinkStatus, Page, Probe, RegistryFacts, SiteSnapshot
from services.checker.monitor import service
from services.checker.monitor.models import CHECKED_ONLY, MonitorSite, PageKind
from services.checker.monitor.service import Claimed, Found, Recorded
from services.checker.monitor.targets import DEFER_SECONDS, TargetCache
from services.common.s3 import content_key

log = logging.getLogger(__name__)

PAGE_TAGS = {"a", "area", "iframe", "frame", "meta"}
_INTERACTION = re.compile(r"留言|信箱|咨询|互动|建言|征集|回复")
_SERVICE = re.compile(r"办事|服务事项|办事指南|在线办理|政务服务")
LIST_ITEMS = 8          # dated items that make a page a column list
# Content types of files scanned as attachments when a URL's name did not say so.
_ATTACHMENT_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/wps",
                     "application/kswps", "text/plain", "application/x-", "application/octet-stream")


# ---------------------------------------------------------------------------------------------------


@dataclass
class SiteContext:
    """What every page of one site is judged with, built once per slice."""
    site_id: int
    homepage_url: str
    host: str
    check: CheckContext
    indicator_set: IndicatorSet
    wordlist_version: str
    crawl: CrawlSettings
    attachment_max_bytes: int
    max_depth: int
    hub_list_pages: int
    home_ok: bool = True          # homepage answered at its last fetch (broken links are judged only then)
    targets: TargetCache | None = None   # outside links' answers shared by every site for a cycle


@dataclass
class PageResult:
    claimed: Claimed
    rec: Recorded
    findings: list[Finding] | None = None   # None: not re-scanned, the ledger keeps what it has
    found: list[Found] | None = None        # None: links not re-read (page unchanged or not parsed)
    broken_target: bool = False             # a failing link target: broken_link findings need its sources
    snapshot: tuple[bytes, str] | None = None  # body held until a finding cites it
    deferred: bool = False                  # its outside target's answer was not had in time: due again shortly
    extra: dict[str, Any] = field(default_factory=dict)


def one_page_snapshot(site: SiteContext, page: Page, at: datetime) -> SiteSnapshot:
    return SiteSnapshot(homepage_url=site.homepage_url, now=at, home=None, pages={page.final_url or page.url: page},
                        columns=[], links={}, probes=[], registry=RegistryFacts())


def page_findings(site: SiteContext, page: Page, *, attachment: bool = False) -> list[Finding]:
    """The page-level checks, exactly as an inspection runs them, on a snapshot holding this one page."""
    snapshot = one_page_snapshot(site, page, page.fetched_at)
    enabled = site.check.enabled
    findings: list[Finding] = []
    for module in (serious_error, sensitive_content, typo, secrecy_marking, personal_data):
        if module.CODE in enabled:
            findings += module.check(snapshot, site.check)
    if not attachment and dark_link.CODE in enabled:
        findings += dark_link.check(snapshot, site.check)
    return findings


_CITED_SOURCES = 5  # linking pages a broken target's problem names (the count gives the rest)


def target_findings(site: SiteContext, url: str, status: int | None, error: str | None, at: datetime,
                    sources: list[str], linking: int) -> list[Finding]:
    """broken_link for a failing target (judged like an inspection: not while the homepage is down). The finding
    names the pages that link to it (`sources`, of `linking` in all): they are where the link is to be mended."""
    if broken_link.CODE not in site.check.enabled:
        return []
    home = Page(url=site.homepage_url, final_url=site.homepage_url, status=200 if site.home_ok else None,
                error=None if site.home_ok else "unreachable", fetched_at=at)
    snapshot = SiteSnapshot(homepage_url=site.homepage_url, now=at, home=home, pages={}, columns=[],
                            links={url: LinkStatus(url=url, status=status, error=error, checked_at=at,
                                                   sources=sources)},
                            probes=[], registry=RegistryFacts())
    findings = broken_link.check(snapshot, site.check)
    for finding in findings:
        finding.data.update(target=url, sources=sources, source_count=linking)
    return findings


def home_findings(site: SiteContext, page: Page) -> list[Finding]:
    """The homepage failing at a fetch is `unreachable` at that time point (one probe)."""
    if unreachable.CODE not in site.check.enabled:
        return []
    ok = is_ok(page)
    snapshot = one_page_snapshot(site, page, page.fetched_at)
    snapshot.probes = [Probe(at=page.fetched_at, ok=ok, status=page.status, elapsed_ms=page.elapsed_ms,
                             error=page.error)]
    return unreachable.check(snapshot, site.check)


def with_severity(site: SiteContext, findings: list[Finding]) -> list[Finding]:
    if not findings:
        return findings
    return evaluate(findings, site.indicator_set)[2]


# ---------------------------------------------------------------------------------------------------
# Fetch and scan


def _conditional(claimed: Claimed, site: SiteContext) -> dict[str, str]:
    if claimed.wordlist_version != site.wordlist_version or claimed.last_fetched_at is None:
        return {}  # the page must be scanned again: ask for the body
    headers = {}
    if claimed.etag:
        headers["If-None-Match"] = claimed.etag
    if claimed.last_modified:
        headers["If-Modified-Since"] = claimed.last_modified
    return headers


def _attachment_type(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return bool(kind) and kind.startswith(_ATTACHMENT_TYPES) and kind not in ("application/xhtml+xml",)


async def process(fetcher: Fetcher, site: SiteContext, claimed: Claimed, now: datetime) -> PageResult:
    """Fetch one claimed page and work out everything it yields (no database access here)."""
    if claimed.kind in CHECKED_ONLY:
        return await _check_target(fetcher, site, claimed)
    if claimed.kind == PageKind.attachment or looks_like_attachment(claimed.url):
        return await _attachment(fetcher, site, claimed)
    return await _html(fetcher, site, claimed, now)


async def _check_target(fetcher: Fetcher, site: SiteContext, claimed: Claimed) -> PageResult:
    if claimed.kind == PageKind.external and site.targets is not None:
        status = await site.targets.status_of(claimed.url, lambda: fetcher.check_link(claimed.url))
        if status is None:
            rec = Recorded(status=None, error=None, kind=claimed.kind, fetched_at=service.utcnow())
            return PageResult(claimed, rec, deferred=True)
    else:
        status = await fetcher.check_link(claimed.url)
    rec = Recorded(status=status.status, error=status.error, kind=claimed.kind, fetched_at=status.checked_at)
    return PageResult(claimed, rec, findings=[], broken_target=status.broken)


async def _attachment(fetcher: Fetcher, site: SiteContext, claimed: Claimed) -> PageResult:
    at = service.utcnow()
    out = await fetcher.request("GET", claimed.url, deadline=fetcher.settings.page_deadline, body="any",
                                headers=_conditional(claimed, site), max_bytes=site.attachment_max_bytes)
    rec = Recorded(status=out.status, error=out.error, kind=PageKind.attachment, fetched_at=at, etag=out.etag,
                   last_modified=out.last_modified)
    result = PageResult(claimed, rec)
    if out.error == "too_large":
        rec.scannable, rec.reason, rec.error = False, "too_large", None
        result.findings = []
        return result
    if out.status == 304:
        rec.unchanged = True
        return result
    if out.error is not None or out.status is None or out.status >= 400 or out.body is None:
        result.findings, result.broken_target = [], True
        return result
    digest = service.content_hash(out.body)
    rec.content_hash, rec.size = digest, len(out.body)
    if digest == claimed.content_hash and claimed.wordlist_version == site.wordlist_version:
        rec.unchanged = True
        return result
    rec.changed = digest != claimed.content_hash
    extracted = await extract(out.body, url=out.final_url, content_type=out.content_type)
    rec.scannable, rec.reason, rec.wordlist_version = extracted.scannable, extracted.reason, site.wordlist_version
    if not extracted.scannable:
        return result  # not scannable is a coverage gap, not a clean result: the ledger keeps what it has
    page = Page(url=claimed.url, final_url=out.final_url, status=out.status, error=None, fetched_at=at,
                content_type=out.content_type, html="", title="", text=extracted.text)
    rec.read, rec.title = True, policy_interpretation.attachment_title(extracted.text)
    rec.policy = policy_interpretation.page_facts(rec.title, extracted.text)
    result.findings = with_severity(site, page_findings(site, page, attachment=True))
    return result


async def _html(fetcher: Fetcher, site: SiteContext, claimed: Claimed, now: datetime) -> PageResult:
    at = service.utcnow()
    out = await fetcher.request("GET", claimed.url, deadline=fetcher.settings.page_deadline, body="html",
                                headers=_conditional(claimed, site))
    rec = Recorded(status=out.status, error=out.error, kind=claimed.kind, fetched_at=at, etag=out.etag,
                   last_modified=out.last_modified)
    result = PageResult(claimed, rec)
    page = Page(url=claimed.url, final_url=out.final_url, status=out.status, error=out.error, fetched_at=at,
                elapsed_ms=out.elapsed_ms, content_type=out.content_type)
    body = out.body
    if body is not None and looks_binary(body):
        page.error, rec.error, body = "not_html", "not_html", None
    if out.error == "not_html" and _attachment_type(out.content_type):
        # A file behind a URL that did not look like one (download.jsp?id=…): scanned as an attachment.
        rec.kind, rec.error = PageKind.attachment, None
        rec.extra["due_now"] = True
        return result
    home = claimed.kind == PageKind.home
    if out.status == 304:
        rec.unchanged = True
        return result
    if home:
        site.home_ok = is_ok(page)
        if not site.home_ok:
            result.findings = with_severity(site, home_findings(site, page))
            return result
    if page.error is not None or out.status is None or out.status >= 400 or body is None:
        result.broken_target = page.error != "not_html"
        result.findings = []
        return result
    digest = service.content_hash(body)
    rec.content_hash, rec.size = digest, len(body)
    if digest == claimed.content_hash and claimed.wordlist_version == site.wordlist_version:
        rec.unchanged = True
        return result
    rec.changed = digest != claimed.content_hash
    page.html, page.encoding = decode_html(body, out.content_type)
    tree = await asyncio.to_thread(_parse, page, now, fetcher.settings.max_links_per_page)
    rec.published = page.page_date
    rec.wordlist_version = site.wordlist_version
    result.found = discover(site, claimed, page, tree, rec)
    if tree is not None:
        read_facts(page, tree, rec)
    page.snapshot_key = content_key(hashlib.sha256(body).hexdigest(), "snapshots/sha256/")
    result.snapshot = (body, f"text/html; charset={page.encoding or 'utf-8'}")
    result.findings = with_severity(site, page_findings(site, page))
    return result


def read_facts(page: Page, tree: LexborHTMLParser, rec: Recorded) -> None:
    """The page's own title (转载 matching) and its policy facts (政策解读 matching) for its monitor row."""
    meta = tree.css_first('meta[name="ArticleTitle"]') or tree.css_first('meta[name="articletitle"]')
    heading = tree.css_first("h1")
    rec.read = True
    rec.title = policy_interpretation.doc_title((meta.attributes.get("content") or "") if meta else "",
                                               heading.text(deep=True) if heading else "", page.title)
    # Lists and the homepage show many documents' 文号 and 解读 titles; only a document page is one.
    hub = rec.kind in (PageKind.home, PageKind.column, PageKind.list)
    rec.policy = None if hub else policy_interpretation.page_facts(rec.title, page.text, page.links)


_RECORDS = re.compile(r"<record\b", re.I)
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")


def _parse(page: Page, now: datetime, max_links: int) -> LexborHTMLParser | None:
    """parse_page, plus the text of a Hanweb jpage list's records: they sit in a `<script type="text/xml">`
    datastore the browser renders as the list, so a word in a listed title is on this page for its readers
    (the parser's visible text leaves script out)."""
    tree = parse_page(page, now, max_links=max_links)
    if tree is None:
        return None
    raw = "\n".join(s.text(deep=True) or "" for s in tree.css('script[type="text/xml"]'))
    if _RECORDS.search(raw):
        records = LexborHTMLParser(f"<body>{_CDATA.sub('', raw)}</body>")
        text = "\n".join(line for line in (" ".join(record.text(deep=True, separator=" ").split())
                                           for record in records.css("record")) if line)
        if text:
            page.text = f"{page.text}\n{text}"
    return tree


def classify(claimed: Claimed, page: Page, pages: list[str]) -> tuple[str, bool | None]:
    """(kind, hub) of a fetched HTML page from what it shows."""
    if claimed.kind == PageKind.home:
        return PageKind.home, True
    if claimed.kind == PageKind.list:
        return PageKind.list, None
    dated = sum(1 for item in page.items if item.published is not None)
    if dated >= LIST_ITEMS or (pages and dated >= 2):
        return PageKind.column, True
    probe = f"{page.title} {claimed.url}"
    if _INTERACTION.search(page.title):
        return PageKind.interaction, None
    if _SERVICE.search(probe):
        return PageKind.service, None
    if page.page_date is not None or claimed.kind == PageKind.article:
        return PageKind.article, None
    return claimed.kind, None


def discover(site: SiteContext, claimed: Claimed, page: Page, tree: LexborHTMLParser | None,
             rec: Recorded) -> list[Found]:
    """URLs this page leads to: same-site pages (depth + 1), pagination pages of a column list (same depth,
    the first few on the short cycle), attachments, and external / resource targets to status-check."""
    pages = [u for u in (service.normalise(p) for p in (pagination_urls(tree, page.final_url) if tree else []))
             if u and service.same_site(u, site.host)]
    rec.kind, rec.hub = classify(claimed, page, pages)
    depth = claimed.depth + 1
    found: list[Found] = []
    if rec.kind in (PageKind.column, PageKind.list):
        for n, url in enumerate(pages):
            found.append(Found(url, PageKind.list, claimed.depth,
                               hub=rec.kind == PageKind.column and n < site.hub_list_pages))
    articles = {service.normalise(i.url) for i in page.items if i.url}
    if tree is not None:
        # Hanweb jpage lists carry their records in script data, not as anchors.
        for url in filter(None, map(service.normalise, record_links(tree, page.final_url))):
            if service.same_site(url, site.host) and depth <= site.max_depth:
                found.append(Found(url, PageKind.attachment if looks_like_attachment(url) else PageKind.article,
                                   depth))
    for link in page.links:
        url = service.normalise(link.url)
        if url is None:
            continue
        inside = service.same_site(url, site.host)
        if link.tag not in PAGE_TAGS:
            found.append(Found(url, PageKind.resource if inside else PageKind.external, depth))
        elif not inside:
            found.append(Found(url, PageKind.external, depth))
        elif looks_like_attachment(url):
            found.append(Found(url, PageKind.attachment, depth))
        elif depth <= site.max_depth:
            found.append(Found(url, PageKind.article if url in articles else PageKind.other, depth))
    return found


# ---------------------------------------------------------------------------------------------------
# Sitemaps


MAX_SITEMAPS = 20


async def sitemap_urls(fetcher: Fetcher, site: SiteContext, limit: int) -> list[str]:
    """Page URLs a site lists in its sitemaps (robots.txt's Sitemap: lines, else /sitemap.xml); robots.txt
    rules themselves are not applied: supervision must see every public page (documented choice)."""
    parts = urlsplit(site.homepage_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    maps: list[str] = []
    robots = await fetcher.request("GET", root + "robots.txt", deadline=fetcher.settings.link_deadline, body="any",
                                   max_bytes=512 * 1024)
    if robots.body and robots.status == 200 and not looks_binary(robots.body):
        maps = sitemaps_from_robots(robots.body.decode("utf-8", "replace"), root)
    maps = maps or [root + "sitemap.xml"]
    urls: list[str] = []
    seen: set[str] = set()
    while maps and len(seen) < MAX_SITEMAPS and len(urls) < limit:
        url = maps.pop(0)
        if url in seen:
            continue
        seen.add(url)
        out = await fetcher.request("GET", url, deadline=fetcher.settings.page_deadline, body="any",
                                    max_bytes=site.attachment_max_bytes)
        if out.status != 200 or not out.body or is_html_type(out.content_type) and b"<urlset" not in out.body[:2048]:
            continue
        try:
            pages, children = await asyncio.to_thread(parse_sitemap, out.body)
        except Exception:  # noqa: BLE001 - a broken sitemap is no sitemap
            log.info("unreadable sitemap %s", url)
            continue
        urls += pages
        maps += [c for c in children if c not in seen]
    return urls[:limit]


# ---------------------------------------------------------------------------------------------------
# Storing a result


def ledger_hook(session: Session, ctx: "SiteContext", page_id: int, url: str, findings: list[Finding],
                at: datetime) -> None:
    """Hand a scanned page's findings to the ledger: new ones opened, known ones seen again, the page's
    others resolved (the page no longer shows them)."""
    from services.checker.monitor import ledger
    ledger.refresh_page(session, ctx.site_id, page_id, url, findings, at, ctx.indicator_set)


def store(session: Session, site: MonitorSite, ctx: SiteContext, results: list[PageResult], *, hub_hours: int,
          revalidate_days: int, retry_minutes: int, max_attempts: int, max_pages: int) -> int:
    """Record a batch of one site's page results: their rows, the URLs they lead to and their links, their
    findings in the ledger. A handful of statements for the whole batch, not several per page (the worker's
    CPU went mostly to round trips). Returns the number of new URLs the per-site budget left out. The caller
    commits."""
    done = []
    for result in results:
        claimed, rec = result.claimed, result.rec
        if result.deferred:
            service.defer(session, claimed.id, rec.fetched_at + timedelta(seconds=DEFER_SECONDS))
            continue
        service.next_due(rec, claimed, hub_hours=hub_hours, revalidate_days=revalidate_days,
                         retry_minutes=retry_minutes, max_attempts=max_attempts)
        if rec.extra.get("due_now"):
            rec.due_at, rec.priority = rec.fetched_at, service.Priority.new
        done.append(result)
    if not done:
        return 0
    service.record_many(session, [(r.claimed, r.rec) for r in done])
    parsed = [r for r in done if r.found is not None]
    dropped = 0
    if parsed:
        found = [f for r in parsed for f in r.found or ()]
        ids, dropped = service.upsert_urls(session, site, found, max(r.rec.fetched_at for r in parsed), max_pages)
        edges = {}
        for r in parsed:
            hub = r.claimed.hub if r.rec.hub is None else r.rec.hub
            edges[r.claimed.id] = ({ids[f.url] for f in r.found or () if f.url in ids}, not hub)
        service.replace_links_many(session, edges)
    clean = []
    for result in done:
        claimed, rec = result.claimed, result.rec
        findings = result.findings
        if result.broken_target and claimed.kind != PageKind.home:
            sources, linking = service.sources_of(session, claimed.id, limit=_CITED_SOURCES)
            findings = (findings or []) + with_severity(ctx, target_findings(ctx, claimed.url, rec.status, rec.error,
                                                                              rec.fetched_at, sources, linking))
        if findings:
            ledger_hook(session, ctx, claimed.id, claimed.url, findings, rec.fetched_at)
        elif findings is not None:
            clean.append((claimed.id, rec.fetched_at))
    if clean:
        from services.checker.monitor import ledger
        ledger.resolve_pages(session, ctx.site_id, clean)
    return dropped
