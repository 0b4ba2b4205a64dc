"""The contract between loading and judging.

The crawler (`services.checker.crawl`) turns a site into a `SiteSnapshot`: pages, links with their
status, columns with dated items, availability probes. Checks (`services.checker.checks`, one module
per indicator code) read a snapshot and return `Finding`s; they never fetch anything themselves.
The indicator set (`services.checker.indicators`) turns findings into severities, a score and a verdict,
producing the `CheckResult` whose JSON shape DESIGN.md fixes.
"""
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal


@dataclass
class Link:
    url: str                      # absolute, fragment removed
    text: str                     # anchor text or alt
    tag: str                      # a, img, script, link, iframe, source …
    source_url: str               # page the link was found on
    hidden: bool = False          # hidden from readers (dark-link candidate)
    hidden_reason: str | None = None
    html: str = ""                # outer HTML excerpt (evidence), at most ~300 chars


@dataclass
class Item:
    """A dated entry in a column list or on the homepage (title, link, date as published)."""
    title: str
    url: str | None
    published: date | None
    raw_date: str | None = None


@dataclass
class Page:
    url: str                      # as requested
    final_url: str                # after redirects
    status: int | None            # HTTP status, None when no response
    error: str | None             # transport error code: timeout, connect_error, redirect_loop, too_large,
                                  # decode_error, tls_error, reset, not_html, bad_content_encoding …
    fetched_at: datetime
    elapsed_ms: int = 0
    content_type: str = ""
    encoding: str | None = None   # charset used to decode
    html: str | None = None       # decoded document (None for non-HTML or failures)
    title: str = ""
    text: str = ""                # visible text (scripts/styles removed), for word-list matching
    links: list[Link] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)      # dated entries found on the page
    page_date: date | None = None                        # article date (meta PubDate, 发布时间 …)
    snapshot_key: str | None = None                      # S3 key of the stored HTML snapshot
    has_viewport: bool = False
    role: str = ""                # why the crawler fetched it: home, column, list_more, article,
                                  # interaction, message, guide ("" when unknown)


@dataclass
class ColumnSnapshot:
    name: str
    url: str
    category: str                 # news, notice, policy, interaction, service, disclosure, other
    should_update: bool
    source: Literal["registry", "navigation"]
    page: Page | None
    items: list[Item] = field(default_factory=list)

    @property
    def newest(self) -> date | None:
        dates = [i.published for i in self.items if i.published]
        return max(dates) if dates else None


@dataclass
class LinkStatus:
    url: str
    status: int | None
    error: str | None
    checked_at: datetime
    sources: list[str] = field(default_factory=list)  # pages linking to it

    @property
    def broken(self) -> bool:
        return self.error is not None or (self.status is not None and self.status >= 400)


@dataclass
class Probe:
    at: datetime
    ok: bool
    status: int | None
    elapsed_ms: int
    error: str | None = None


@dataclass
class RegistryFacts:
    """What the registry says about the target, to compare with what is served."""
    site_id: int | None = None
    name: str | None = None
    site_code: str | None = None
    icp_number: str | None = None
    psb_number: str | None = None
    has_badge: bool | None = None
    state: str | None = None       # closed/deregistered sites are checked for domain_not_released
    kind: str | None = None        # portal (政府门户网站) or department: which columns it must have
    closure_notice_on: str | None = None  # ISO date the 关停公告 went up (a closing site's filing)
    migration_target_url: str | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)  # {name, url, category, should_update}


@dataclass
class SiteSnapshot:
    homepage_url: str
    now: datetime                  # monitoring time point
    home: Page | None
    pages: dict[str, Page]         # every fetched HTML page by final URL
    columns: list[ColumnSnapshot]
    links: dict[str, LinkStatus]   # every checked link target
    probes: list[Probe]            # availability probes (a series over the window, or one)
    registry: RegistryFacts
    budget_exhausted: bool = False
    notes: list[str] = field(default_factory=list)
    # The homepage's navigation as the crawl read it (discover_columns, before any scope), for the column
    # checks; None: they read it from the homepage.
    navigation: tuple[tuple[str, str], ...] | None = None
    # Page bodies by snapshot key, in memory until the checks say which ones evidence cites.
    held_snapshots: dict[str, tuple[bytes, str]] = field(default_factory=dict, repr=False)


@dataclass
class Evidence:
    url: str
    excerpt: str
    observed_at: str               # ISO-8601
    snapshot: str | None = None    # S3 key
    # Not stored yet: "pending" (spooled on the worker's disk, uploaded when S3 returns; the key is final) or
    # "lost" (S3 down and the spool full: `snapshot` is None). Absent from the JSON when stored.
    snapshot_state: Literal["pending", "lost"] | None = None


@dataclass
class Finding:
    indicator: str                 # a code from indicators.md
    message: str                   # zh-CN sentence as a notice prints it
    evidence: list[Evidence]
    severity: Literal["veto", "deduct"] = "deduct"  # set by the indicator set, not by the check
    count: int = 1                 # occurrences (deductions scale with it, capped per indicator)
    points: float = 0.0            # deducted points, set by the indicator set
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    target: dict[str, Any]
    indicator_set: str
    indicator_set_version: int
    checked_at: str
    verdict: Literal["pass", "fail"]
    score: float
    findings: list[Finding]
    # Monthly figures for the reports (services.checker.metrics): what was published, asked, answered, posted.
    metrics: dict[str, Any] = field(default_factory=dict)
    # Sites: what the check covered (services.checker.monitor.ledger: the monitor's coverage when the site is
    # monitored, source "monitor", else the crawl's, source "crawl"). None for accounts, left out of the JSON.
    coverage: dict[str, Any] | None = None
    # Accounts: what the check saw (services.checker.account_activity: last post, posts in the update window,
    # originals in the original window, the entries followed). None for sites, left out of the JSON.
    activity: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for optional in ("coverage", "activity"):
            if out[optional] is None:
                del out[optional]
        for finding in out["findings"]:
            for item in finding["evidence"]:
                if item.get("snapshot_state") is None:
                    item.pop("snapshot_state", None)
        return out
