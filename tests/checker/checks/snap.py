"""Hand-built snapshots for check tests: a monitoring time point, pages, columns and links."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from services.checker.checks import CheckContext
from services.checker.indicators import resolve
from services.checker.model import (
    ColumnSnapshot, Item, Link, LinkStatus, Page, Probe, RegistryFacts, SiteSnapshot,
)

CN = timezone(timedelta(hours=8))
NOW = datetime(2024, 2, 20, 10, 0, tzinfo=CN)
TODAY = NOW.date()
HOME = "https://www.example.gov.cn/"
REAL = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "real" / "govcn"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def make_page(url: str = HOME, html: str = "<html><body></body></html>", *, status: int | None = 200,
              error: str | None = None, title: str = "", text: str = "", links: list[Link] | None = None,
              items: list[Item] | None = None, page_date: date | None = None, has_viewport: bool = False) -> Page:
    return Page(url=url, final_url=url, status=status, error=error, fetched_at=NOW, html=html, title=title,
                text=text, links=links or [], items=items or [], page_date=page_date,
                snapshot_key=f"snapshots/{abs(hash(url))}.html", has_viewport=has_viewport)


def link(url: str, text: str = "", *, tag: str = "a", source: str = HOME, hidden: bool = False,
         reason: str | None = None, html: str = "") -> Link:
    return Link(url=url, text=text, tag=tag, source_url=source, hidden=hidden, hidden_reason=reason, html=html)


def status(url: str, code: int | None = 200, error: str | None = None, sources: tuple[str, ...] = (HOME,)) -> LinkStatus:
    return LinkStatus(url=url, status=code, error=error, checked_at=NOW, sources=list(sources))


def column(name: str, category: str, items: list[Item], *, url: str | None = None, should_update: bool = True,
           page: Page | None = None, html: str = "<html><body></body></html>") -> ColumnSnapshot:
    url = url or f"{HOME}col/{abs(hash(name))}/"
    return ColumnSnapshot(name=name, url=url, category=category, should_update=should_update,
                          source="navigation", page=page or make_page(url, html), items=items)


def item(title: str, published: date | None, url: str | None = None) -> Item:
    return Item(title=title, url=url, published=published)


def make_snapshot(home: Page | None = None, *, pages: list[Page] = (), columns: list[ColumnSnapshot] = (),
                  links: list[LinkStatus] = (), probes: list[Probe] | None = None,
                  registry: RegistryFacts | None = None) -> SiteSnapshot:
    home = home if home is not None else make_page()
    all_pages = {p.final_url: p for p in [home, *pages]}
    return SiteSnapshot(homepage_url=HOME, now=NOW, home=home, pages=all_pages, columns=list(columns),
                        links={s.url: s for s in links},
                        probes=[Probe(at=NOW, ok=True, status=200, elapsed_ms=300)] if probes is None else probes,
                        registry=registry or RegistryFacts(state="active"))


def real_page(name: str, url: str = HOME) -> Page:
    """A real gov.cn page from the shared corpus, with its anchors as links (the crawler's job, roughly)."""
    html = (REAL / name).read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    links = [link(a.attributes.get("href") or "", a.text(strip=True)) for a in tree.css("a[href]")]
    title = tree.css_first("title").text(strip=True) if tree.css_first("title") else ""
    return make_page(url, html, title=title, links=links, has_viewport=False)


CTX = CheckContext.for_set(resolve("gov-2019"), NOW)
