"""The findings ledger of whole-site monitoring: every problem the monitor finds, on the page it sits on, with
first seen, last seen and resolved at; a site's open problems are one indexed query.

One ledger row is one problem: a word-list finding of a page (one row per matched word), a hidden or illegal
link (one per target), a broken link (one per target), a page-level fact (one per indicator). Its `key`
(sha1 of indicator, page URL and the word/target) dedupes observations, so the same problem seen again only
moves `last_seen_at`, and a problem seen again after it was resolved is reopened (and alerted again when it is
veto-level: `alert_seq` is drawn anew, see alerts.py).

Severity follows the indicator set (never hard-coded here): a code the set makes a veto, or a finding carrying
the flag a set's `veto_when` names (an illegal dark link), is 'veto'; count-triggered vetoes (five stale
columns …) are site-level judgements an inspection makes, so their single rows are 'deduct'.

Sizing: findings are orders of magnitude fewer than pages, but a site may hold thousands of open ones. Indexes:
unique (site_id, key) for the upsert; partial (site_id, page_id) WHERE resolved_at IS NULL for "open problems of
the site" and "open problems of this page"; partial (alert_seq) WHERE severity = 'veto' for the alert feed;
partial (resolved_at) WHERE resolved_at IS NOT NULL for pruning old resolved rows (`prune_resolved`).
page_id carries no foreign key: pruned pages keep their findings' history (the URL is on the row).

The second half is the inspection seam (issue 11 item 6): an inspection of a monitored site takes the ledger's
open problems (`plan_for_inspection`), the engine re-fetches the pages they cite and fills a `Recheck`, and
`apply_recheck` writes the fresh evidence back (problems that no longer reproduce are resolved).
"""
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel import Field, Session, SQLModel, and_, case, func, or_, select

from services.checker.indicators import DEFAULT_SET, IndicatorSet, resolve
from services.checker.inspections.models import SCHEMA
from services.checker.model import Evidence, Finding, Page, SiteSnapshot
from services.checker.monitor.coverage import crawl_coverage, jsonable, not_reached_rows
from services.checker.monitor.models import MonitorPage, MonitorSite

Severity = Literal["veto", "deduct"]
ALERT_SEQ = "monitor_finding_alert_seq"
_NEXT_ALERT = text(f"nextval('{SCHEMA}.{ALERT_SEQ}')")
EXCERPT_CHARS = 300
MAX_EVIDENCE = 5
# An inspection re-fetches at most this many cited pages (politeness: 0.5 s a page); the open problems of the
# pages beyond it are carried into the result with their monitoring evidence.
MAX_RECHECK_PAGES = 200
# Judged over the whole site by monitor/site_pass.py (no page id): only the next pass resolves them, never a page
# re-scan, and an inspection carries them as they are (it reads a sample, not the site).
SITE_PASS = ("policy_interpretation_missing", "repost_missing")


class MonitorFinding(SQLModel, table=True):
    __tablename__ = "monitor_finding"
    __table_args__ = (
        UniqueConstraint("site_id", "key", name="uq_monitor_finding_site_key"),
        Index("ix_monitor_finding_open", "site_id", "page_id", postgresql_where=text("resolved_at IS NULL")),
        Index("ix_monitor_finding_alert", "alert_seq", postgresql_where=text("severity = 'veto'")),
        Index("ix_monitor_finding_resolved", "resolved_at", postgresql_where=text("resolved_at IS NOT NULL")),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    site_id: int = Field(sa_column=Column(Integer, nullable=False))
    page_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    url: str = Field(sa_column=Column(Text, nullable=False))
    indicator: str = Field(sa_column=Column(String(40), nullable=False))
    key: str = Field(sa_column=Column(String(40), nullable=False))
    severity: str = Field(default="deduct", sa_column=Column(String(8), nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    excerpt: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    # The part of Finding.data the verdict needs again (words, target, the illegal flag, scope), and a broken
    # link's linking pages (sources, source_count) for the screen.
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False,
                                                                      server_default=text("'{}'")))
    first_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    notified_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Position in the alert feed, drawn when the problem opens, reopens or becomes veto-level; with the
    # database clock time it was drawn at (alerts are served once that is older than the settle time).
    alert_seq: int = Field(default=None, sa_column=Column(BigInteger, nullable=False, server_default=_NEXT_ALERT))
    opened_at: datetime = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                               server_default=text("clock_timestamp()")))


# ---------------------------------------------------------------------------------------------------
# Findings → ledger entries (pure)


@dataclass(frozen=True)
class Entry:
    indicator: str
    key: str
    severity: Severity
    message: str
    excerpt: str
    evidence: list[dict[str, Any]]
    data: dict[str, Any]


_KEPT_DATA = ("words", "target", "illegal", "bulk", "scope", "reason", "word", "suggestion", "sources",
              "source_count")


@cache
def _default_set() -> IndicatorSet:
    """The set monitoring rates findings with when the caller passes none (GOVWATCH_MONITOR_INDICATOR_SET)."""
    from services.checker.inspections.config import get_checker_settings
    return resolve(getattr(get_checker_settings(), "monitor_indicator_set", DEFAULT_SET))


def ledger_key(indicator: str, url: str, what: str = "") -> str:
    return hashlib.sha1(f"{indicator}\n{url}\n{what}".encode()).hexdigest()


def severity_of(indicator: str, data: dict[str, Any], indicator_set: IndicatorSet) -> Severity:
    """'veto' when the set makes the code a veto, or when the finding carries a flag the set vetoes on."""
    rule = indicator_set.indicators.get(indicator)
    if rule is None:
        return "deduct"
    if rule.severity == "veto" or any(v.flag is not None and data.get(v.flag) for v in rule.veto_when):
        return "veto"
    return "deduct"


def _clip(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS - 1] + "…"


def _part(message: str, word: str) -> str:
    """The sentence of a joined word-list message that names `word` (messages join matches with "；")."""
    parts = message.split("；")
    for part in parts:
        if f"“{word}”" in part:
            return part
    return message


def entries(url: str, findings: Iterable[Finding], indicator_set: IndicatorSet | None = None) -> list[Entry]:
    """The ledger rows the findings of the page at `url` make. Findings of indicators the set disables are
    not problems and make none."""
    chosen = indicator_set or _default_set()
    out: dict[str, Entry] = {}
    for finding in findings:
        rule = chosen.indicators.get(finding.indicator)
        if rule is not None and not rule.enabled:
            continue
        data = finding.data or {}
        evidence = [asdict(e) if isinstance(e, Evidence) else dict(e) for e in finding.evidence]
        kept = {k: data[k] for k in _KEPT_DATA if k in data}
        severity = severity_of(finding.indicator, data, chosen)
        if data.get("matches"):
            # One row per distinct word; evidence i is match i (checks/words.py keeps them aligned).
            by_word: dict[str, list[int]] = {}
            for i, match in enumerate(data["matches"]):
                by_word.setdefault(match.get("word", ""), []).append(i)
            for word, positions in by_word.items():
                first = data["matches"][positions[0]]
                cited = [evidence[i] for i in positions if i < len(evidence)][:MAX_EVIDENCE] or evidence[:1]
                key = ledger_key(finding.indicator, url, word)
                out[key] = Entry(finding.indicator, key, severity, _part(finding.message, word),
                                 _clip(first.get("context") or (cited[0]["excerpt"] if cited else "")), cited,
                                 {**kept, "word": word, "suggestion": first.get("suggestion")})
        elif data.get("urls"):
            # Broken links: one row per target (evidence is per target, its excerpt says why).
            for target in data["urls"]:
                cited = [e for e in evidence if e.get("url") == target][:1]
                why = cited[0]["excerpt"].split("；")[0] if cited else ""
                key = ledger_key(finding.indicator, url, target)
                message = f"存在不可用链接：{target}" + (f"（{why}）" if why else "")
                out[key] = Entry(finding.indicator, key, severity, message, _clip(why or target), cited,
                                 {**kept, "target": target})
        else:
            key = ledger_key(finding.indicator, url, str(data.get("target") or ""))
            excerpt = evidence[0]["excerpt"] if evidence else finding.message
            out[key] = Entry(finding.indicator, key, severity, finding.message, _clip(excerpt),
                             evidence[:MAX_EVIDENCE], kept)
    return list(out.values())


def finding_keys(finding: Finding, url: str, indicator_set: IndicatorSet | None = None) -> list[str]:
    """The ledger keys a finding of the page at `url` makes (one per word or target)."""
    return [e.key for e in entries(url, [finding], indicator_set)]


def finding_key(finding: Finding, url: str) -> str:
    """The key of a single-problem finding (one word, one target); the first key of a multi-word one."""
    keys = finding_keys(finding, url)
    return keys[0] if keys else ledger_key(finding.indicator, url)


# ---------------------------------------------------------------------------------------------------
# Writing the ledger (join the caller's transaction; the caller commits)


def observe(session: Session, site_id: int, page_id: int | None, url: str, findings: Sequence[Finding],
            seen_at: datetime, indicator_set: IndicatorSet | None = None) -> list[str]:
    """Record what a scan of the page found: new problems are opened, known ones move `last_seen_at`, resolved
    ones reopen. Returns the keys seen (pass them to `resolve_page`)."""
    rows = entries(url, findings, indicator_set)
    if not rows:
        return []
    values = [{"site_id": site_id, "page_id": page_id, "url": url, "indicator": e.indicator, "key": e.key,
               "severity": e.severity, "message": e.message, "excerpt": e.excerpt, "evidence": e.evidence,
               "data": e.data, "first_seen_at": seen_at, "last_seen_at": seen_at} for e in rows]
    statement = insert(MonitorFinding).values(values)
    table = MonitorFinding.__table__.c
    excluded = statement.excluded
    # A problem (re)opens, or becomes veto-level: it takes a new place in the alert feed.
    opens = or_(table.resolved_at.is_not(None), and_(table.severity != "veto", excluded.severity == "veto"))
    statement = statement.on_conflict_do_update(
        constraint="uq_monitor_finding_site_key",
        set_={"page_id": func.coalesce(excluded.page_id, table.page_id), "url": excluded.url,
              "severity": excluded.severity, "message": excluded.message, "excerpt": excluded.excerpt,
              "evidence": excluded.evidence, "data": excluded.data,
              "last_seen_at": func.greatest(table.last_seen_at, excluded.last_seen_at),
              "resolved_at": None,
              "alert_seq": case((opens, _NEXT_ALERT), else_=table.alert_seq),
              "opened_at": case((opens, func.clock_timestamp()), else_=table.opened_at)})
    session.exec(statement)
    return [e.key for e in rows]


def resolve_page(session: Session, site_id: int, page_id: int | None, current_keys: Iterable[str], at: datetime,
                 *, url: str | None = None) -> int:
    """Open problems of the page (by page_id, or by URL when the page has no id) that the latest scan did not
    see again are resolved at `at`. Returns how many."""
    keys = list(current_keys)
    where = [MonitorFinding.site_id == site_id, MonitorFinding.resolved_at.is_(None)]
    if page_id is not None:
        where.append(MonitorFinding.page_id == page_id)
    else:
        where += [MonitorFinding.url == url, MonitorFinding.indicator.not_in(SITE_PASS)]
    if keys:
        where.append(MonitorFinding.key.not_in(keys))
    # Core update: the ORM's session synchronisation evaluated every statement in Python for nothing.
    result = session.exec(MonitorFinding.__table__.update().where(*where).values(resolved_at=at))
    return result.rowcount or 0


def resolve_pages(session: Session, site_id: int, scans: Sequence[tuple[int, datetime]]) -> int:
    """Pages whose latest scan (page id, scanned at) found nothing: their open problems are resolved, for a
    whole batch in one statement. Returns how many."""
    if not scans:
        return 0
    result = session.exec(text("""
        UPDATE checker.monitor_finding f SET resolved_at = s.at
        FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[])) AS s(id, at)
        WHERE f.site_id = :site AND f.resolved_at IS NULL AND f.page_id = s.id
    """).bindparams(ids=[i for i, _ in scans], ats=[a for _, a in scans], site=site_id))
    return result.rowcount or 0


def refresh_page(session: Session, site_id: int, page_id: int | None, url: str, findings: Sequence[Finding],
                 seen_at: datetime, indicator_set: IndicatorSet | None = None) -> tuple[int, int]:
    """A scan of the page, written whole: observe what it found and resolve what it no longer shows.
    Returns (problems seen, problems resolved)."""
    keys = observe(session, site_id, page_id, url, findings, seen_at, indicator_set)
    return len(keys), resolve_page(session, site_id, page_id, keys, seen_at, url=url)


def refresh_site_pass(session: Session, site_id: int, findings: Sequence[Finding], seen_at: datetime,
                      indicator_set: IndicatorSet | None = None) -> tuple[int, int]:
    """A site pass, written whole: its findings observed (each on the URL it names, with no page id), the open
    site-pass problems it no longer makes resolved. Returns (problems seen, problems resolved)."""
    by_url: dict[str, list[Finding]] = {}
    for finding in findings:
        url = finding.evidence[0].url if finding.evidence else ""
        by_url.setdefault(url, []).append(finding)
    keys: list[str] = []
    for url, group in by_url.items():
        keys += observe(session, site_id, None, url, group, seen_at, indicator_set)
    where = [MonitorFinding.site_id == site_id, MonitorFinding.resolved_at.is_(None),
             MonitorFinding.indicator.in_(SITE_PASS)]
    if keys:
        where.append(MonitorFinding.key.not_in(keys))
    result = session.exec(MonitorFinding.__table__.update().where(*where).values(resolved_at=seen_at))
    return len(keys), result.rowcount or 0


def prune_resolved(session: Session, before: datetime, limit: int = 10_000) -> int:
    """Delete problems resolved before `before` (bounded batch; run repeatedly)."""
    ids = select(MonitorFinding.id).where(MonitorFinding.resolved_at < before).limit(limit)
    result = session.exec(MonitorFinding.__table__.delete().where(MonitorFinding.__table__.c.id.in_(ids)))
    return result.rowcount or 0


# ---------------------------------------------------------------------------------------------------
# Reading the ledger


def open_problems(session: Session, site_id: int, *, limit: int | None = None) -> list[MonitorFinding]:
    """The site's open problems, veto-level first, newest first: one query on the partial open index."""
    query = (select(MonitorFinding).where(MonitorFinding.site_id == site_id, MonitorFinding.resolved_at.is_(None))
             .order_by(case((MonitorFinding.severity == "veto", 0), else_=1), MonitorFinding.first_seen_at.desc(),
                       MonitorFinding.id))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def site_status(site: MonitorSite | None) -> str:
    if site is None or (site.cycle_started_at is None and site.last_full_cycle_at is None):
        return "never"
    return "monitoring" if site.last_full_cycle_at is not None else "first_cycle"


def open_counts(session: Session, site_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{site_id: (open problems, open veto-level problems)} in one grouped query."""
    if not site_ids:
        return {}
    rows = session.exec(
        select(MonitorFinding.site_id, func.count(),
               func.count().filter(MonitorFinding.severity == "veto"))
        .where(MonitorFinding.site_id.in_(list(site_ids)), MonitorFinding.resolved_at.is_(None))
        .group_by(MonitorFinding.site_id)).all()
    return {site_id: (total, veto) for site_id, total, veto in rows}


def coverage_of(site: MonitorSite, counts: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """The Coverage shape (design file) of a monitored site's row."""
    return {"site_id": site.site_id, "site_name": site.name, "homepage_url": site.homepage_url,
            "status": site_status(site), "pages_known": site.pages_known,
            "pages_fetched_cycle": site.pages_fetched_cycle, "attachments_known": site.attachments_known,
            "attachments_scanned": site.attachments_scanned,
            "attachments_unscannable": site.attachments_unscannable, "links_checked": site.links_checked,
            "links_broken": site.links_broken, "not_reached": not_reached_rows(site.not_reached or {}),
            "cycle_started_at": site.cycle_started_at, "last_full_cycle_at": site.last_full_cycle_at,
            "last_fetch_at": site.last_fetch_at, "open_findings": counts[0], "open_veto_findings": counts[1],
            "policy_summary": site.policy_summary}


def coverage(session: Session, site_id: int) -> dict[str, Any] | None:
    """Coverage of a monitored site, or None when the monitor does not know it."""
    site = session.get(MonitorSite, site_id)
    if site is None:
        return None
    return coverage_of(site, open_counts(session, [site_id]).get(site_id, (0, 0)))


# ---------------------------------------------------------------------------------------------------
# Inspections read the ledger


@dataclass(frozen=True)
class Cited:
    page_id: int | None
    url: str
    kind: str


@dataclass
class Recheck:
    """What the engine saw on the cited pages, for `apply_recheck`. `refreshed`: (page, when, the findings it
    shows now, whole) — whole: the page was read, so its problems not shown are resolved; not whole: only the
    status is known (a transport error, an unreadable file), so problems are observed but none resolved."""
    refreshed: list[tuple[Cited, datetime, list[Finding], bool]] = field(default_factory=list)
    unreached: list[tuple[Cited, str]] = field(default_factory=list)  # (page, why)


@dataclass
class LedgerPlan:
    """The period's ledger of a monitored site as an inspection takes it (no database access after this)."""
    site_id: int
    coverage: dict[str, Any]
    cited: list[Cited]
    open: list[dict[str, Any]]           # open problems: id, page_id, url, indicator, severity, message, …
    beyond_cap: int = 0                  # cited pages past MAX_RECHECK_PAGES (their problems are carried)
    recheck: Recheck = field(default_factory=Recheck)


def plan_for_inspection(session: Session, site_id: int | None, *,
                        max_pages: int = MAX_RECHECK_PAGES) -> LedgerPlan | None:
    """The ledger of a site whose first full monitoring cycle has ended; None for any other site (it gets the
    crawl). Cited pages: veto-level problems' pages first, then by how many problems they hold."""
    if site_id is None:
        return None
    site = session.get(MonitorSite, site_id)
    if site is None or site.last_full_cycle_at is None:
        return None
    problems = open_problems(session, site_id)
    kinds: dict[int, str] = {}
    page_ids = {p.page_id for p in problems if p.page_id is not None}
    if page_ids:
        kinds = dict(session.exec(select(MonitorPage.id, MonitorPage.kind).where(
            MonitorPage.id.in_(list(page_ids)))).all())
    weight: dict[tuple[int | None, str], tuple[int, int]] = {}
    for p in problems:
        if p.indicator in SITE_PASS:
            continue   # the site's, not a page's: carried, never re-fetched
        veto, count = weight.get((p.page_id, p.url), (0, 0))
        weight[(p.page_id, p.url)] = (veto + (p.severity == "veto"), count + 1)
    ordered = sorted(weight, key=lambda k: (-weight[k][0], -weight[k][1], k[1]))
    cited = [Cited(page_id, url, kinds.get(page_id, "other") if page_id is not None else "other")
             for page_id, url in ordered]
    rows = [{"id": p.id, "page_id": p.page_id, "url": p.url, "indicator": p.indicator, "severity": p.severity,
             "message": p.message, "evidence": p.evidence, "data": p.data, "first_seen_at": p.first_seen_at}
            for p in problems]
    counts = (len(problems), sum(p.severity == "veto" for p in problems))
    return LedgerPlan(site_id=site_id, coverage=coverage_of(site, counts), cited=cited[:max_pages], open=rows,
                      beyond_cap=max(len(cited) - max_pages, 0))


def page_findings(page: Page, snapshot: SiteSnapshot, ctx: Any, *, attachment: bool = False) -> list[Finding]:
    """The page-level checks (word lists, dark and illegal links) over one page alone, as the monitor's pipeline
    runs them: a template phrase the site-wide checks report once still counts on every page that shows it.
    Broken links belong to their target's page (the monitor attaches them there), not to the linking page."""
    from services.checker.checks import (
        dark_link, personal_data, secrecy_marking, sensitive_content, serious_error, typo,
    )
    alone = SiteSnapshot(homepage_url=snapshot.homepage_url, now=page.fetched_at, home=None,
                         pages={page.final_url or page.url: page}, columns=[], links={}, probes=[],
                         registry=snapshot.registry)
    found: list[Finding] = []
    text_checks = (serious_error, sensitive_content, typo, secrecy_marking, personal_data)
    for module in text_checks if attachment else (*text_checks, dark_link):
        if module.CODE in ctx.enabled:
            found += module.check(alone, ctx)
    return found


def carried(problem: dict[str, Any]) -> Finding:
    """An open problem on a page the inspection could not re-fetch, into the result with its monitoring
    evidence (the verdict still counts it: the ledger is the period's record)."""
    evidence = [Evidence(url=e.get("url", problem["url"]), excerpt=e.get("excerpt", ""),
                         observed_at=e.get("observed_at", ""), snapshot=e.get("snapshot"))
                for e in problem.get("evidence") or []] or [
        Evidence(url=problem["url"], excerpt=problem["message"], observed_at=problem["first_seen_at"].isoformat())]
    data = {**(problem.get("data") or {}), "ledger_id": problem["id"],
            "first_seen_at": problem["first_seen_at"].isoformat(), "carried": True}
    return Finding(problem["indicator"], problem["message"], evidence, data=data)


def apply_recheck(session: Session, plan: LedgerPlan, indicator_set: IndicatorSet | None = None) -> tuple[int, int]:
    """Write an inspection's fresh evidence back: a cited page read whole is scanned whole (problems it no longer
    shows are resolved, a removed page resolves its text problems), a page only status-checked is observed.
    Commits. Returns (problems seen, problems resolved)."""
    seen = resolved = 0
    for cited, at, findings, whole in plan.recheck.refreshed:
        if whole:
            s, r = refresh_page(session, plan.site_id, cited.page_id, cited.url, findings, at, indicator_set)
        else:
            s, r = len(observe(session, plan.site_id, cited.page_id, cited.url, findings, at, indicator_set)), 0
        seen, resolved = seen + s, resolved + r
    session.commit()
    return seen, resolved


def is_attachment(cited: Cited) -> bool:
    from services.checker.crawl.attachments import looks_like_attachment
    return cited.kind == "attachment" or (cited.kind not in _CHECKED_ONLY and looks_like_attachment(cited.url))


_CHECKED_ONLY = ("resource", "external")   # models.CHECKED_ONLY: status-checked, never read
BROKEN = "broken_link"


def split_cited(plan: LedgerPlan) -> tuple[list[str], list[Cited], list[Cited]]:
    """(HTML pages the crawl fetches, attachments read with their text, link targets only status-checked)."""
    pages, files, targets = [], [], []
    for cited in plan.cited:
        if cited.kind in _CHECKED_ONLY:
            targets.append(cited)
        elif is_attachment(cited):
            files.append(cited)
        else:
            pages.append(cited.url)
    return pages, files, targets


async def fetch_cited(files: Sequence[Cited], targets: Sequence[Cited], settings: Any,
                      ) -> tuple[list[Page], dict[str, Any]]:
    """Cited attachments, fetched and their text extracted (crawl/attachments.py) into pages the word-list
    checks read like any other (a file whose text cannot be read comes back with `error` = the reason), and
    cited link targets, status-checked. Returns (pages, {url: LinkStatus})."""
    from services.checker.crawl.extract import extract
    from services.checker.crawl.fetch import Fetcher
    pages: list[Page] = []
    statuses: dict[str, Any] = {}
    if not files and not targets:
        return pages, statuses
    async with Fetcher(settings) as fetcher:
        for item in files:
            at = datetime.now(UTC)
            out = await fetcher.request("GET", item.url, deadline=settings.page_deadline, body="any")
            page = Page(url=item.url, final_url=out.final_url or item.url, status=out.status, error=out.error,
                        fetched_at=at, elapsed_ms=out.elapsed_ms, content_type=out.content_type, role="attachment")
            if out.body is not None and out.error is None and (out.status or 0) < 400:
                extracted = await extract(out.body, url=item.url, content_type=out.content_type)
                if extracted.scannable:
                    # An empty document keeps the checks' HTML readers quiet; the text is what they match.
                    page.html, page.text = "<html><body></body></html>", extracted.text
                else:
                    page.error = extracted.reason or "not_scannable"
            pages.append(page)
        for item in targets:
            statuses[item.url] = await fetcher.check_link(item.url)
    return pages, statuses


def _sources(problems: Sequence[dict[str, Any]]) -> list[str]:
    """The pages a broken target was linked from, as its evidence names them ("HTTP 404；所在页面：URL")."""
    out: list[str] = []
    for problem in problems:
        for item in problem.get("evidence") or []:
            _, _, source = (item.get("excerpt") or "").partition("所在页面：")
            if source.strip() and source.strip() not in out:
                out.append(source.strip())
    return out


def _by_page(plan: LedgerPlan) -> dict[tuple[int | None, str], list[dict[str, Any]]]:
    grouped: dict[tuple[int | None, str], list[dict[str, Any]]] = {}
    for problem in plan.open:
        grouped.setdefault((problem["page_id"], problem["url"]), []).append(problem)
    return grouped


def _seen(snapshot: SiteSnapshot) -> dict[str, Page]:
    seen: dict[str, Page] = {}
    for page in [snapshot.home, *snapshot.pages.values()]:
        if page is not None:
            seen.setdefault(page.url, page)
            seen.setdefault(page.final_url, page)
    return seen


def add_cited_links(snapshot: SiteSnapshot, plan: LedgerPlan, statuses: dict[str, Any]) -> None:
    """Before the checks: the broken targets the ledger cites, with what they answer now, join the snapshot's
    links (with the pages that link to them), so the result judges them like any broken link it finds."""
    from services.checker.model import LinkStatus
    pages = _seen(snapshot)
    grouped = _by_page(plan)
    for cited in plan.cited:
        problems = [p for p in grouped.get((cited.page_id, cited.url), []) if p["indicator"] == BROKEN]
        if not problems or cited.url in snapshot.links:
            continue
        status, page = statuses.get(cited.url), pages.get(cited.url)
        if status is None and page is not None:
            error = None if page.error == "not_html" else page.error
            status = LinkStatus(url=cited.url, status=page.status, error=error, checked_at=page.fetched_at)
        if status is not None:
            snapshot.links[cited.url] = LinkStatus(url=cited.url, status=status.status, error=status.error,
                                                   checked_at=status.checked_at, sources=_sources(problems))


def recheck(snapshot: SiteSnapshot, plan: LedgerPlan, ctx: Any, indicator_set: IndicatorSet | None = None,
            ) -> list[Finding]:
    """After the checks of a monitored site's crawl (hub pages + cited pages): fill `plan.recheck` with what
    each cited page shows now, and return the open problems to carry into the result unchanged (their page
    could not be read, or lies beyond the re-fetch cap). Availability is the probe series' to judge: an open
    `unreachable` is never carried, and resolved once the homepage is read."""
    from services.checker.checks import broken_link
    from services.checker.checks.base import is_ok
    pages, grouped = _seen(snapshot), _by_page(plan)
    settled: set[tuple[int | None, str]] = set()   # pages whose every problem the recheck decided
    decided: set[int] = set()                      # problems decided on pages read only in part
    for cited in plan.cited:
        problems = grouped.get((cited.page_id, cited.url), [])
        page, link = pages.get(cited.url), snapshot.links.get(cited.url)
        current: list[Finding] = []
        if link is not None and link.broken and any(p["indicator"] == BROKEN for p in problems):
            alone = SiteSnapshot(homepage_url=snapshot.homepage_url, now=link.checked_at, home=snapshot.home,
                                 pages={}, columns=[], links={cited.url: link}, probes=[], registry=snapshot.registry)
            # The monitor's record of the pages that link to it stays (the re-check fetches the target alone).
            linking = {k: v for p in problems if p["indicator"] == BROKEN
                       for k, v in (p.get("data") or {}).items() if k in ("sources", "source_count")}
            current = [replace(f, data={**f.data, "target": cited.url, **linking})
                       for f in broken_link.check(alone, ctx)]
        if cited.kind in _CHECKED_ONLY:
            if link is None:
                plan.recheck.unreached.append((cited, "budget"))
                continue
            if link.broken:  # still failing: confirmed when judged (not while the homepage is down)
                plan.recheck.refreshed.append((cited, link.checked_at, current, False))
                decided |= {p["id"] for p in problems if p["indicator"] == BROKEN and current}
            else:            # answers again: its problems are resolved
                plan.recheck.refreshed.append((cited, link.checked_at, current, True))
                settled.add((cited.page_id, cited.url))
        elif page is None:
            plan.recheck.unreached.append((cited, "budget"))
        elif is_ok(page) and page.html is not None:
            current += page_findings(page, snapshot, ctx, attachment=page.role == "attachment")
            plan.recheck.refreshed.append((cited, page.fetched_at, current, True))
            settled.add((cited.page_id, cited.url))
        elif page.status is not None and (page.status >= 400 or page.error == "not_html"):
            # Removed (404/410 …) or no longer a document: its text problems are gone with it.
            plan.recheck.refreshed.append((cited, page.fetched_at, current, True))
            settled.add((cited.page_id, cited.url))
        else:
            # A transport error or an unreadable file: the broken-link problem is confirmed, the rest carried.
            plan.recheck.refreshed.append((cited, page.fetched_at, current, False))
            plan.recheck.unreached.append((cited, page.error or "error"))
            decided |= {p["id"] for p in problems if p["indicator"] == BROKEN and current}
    # With the homepage down, failures are unreachable's, not the links' (checks/broken_link.py): open broken
    # links stay in the ledger but are not judged.
    not_carried = {"unreachable"} if is_ok(snapshot.home) else {"unreachable", BROKEN}
    kept = [p for p in plan.open if p["indicator"] in SITE_PASS or (
        (p["page_id"], p["url"]) not in settled and p["id"] not in decided and p["indicator"] not in not_carried)]
    now_open = [e for c, _, f, _ in plan.recheck.refreshed for e in entries(c.url, f, indicator_set)]
    plan.coverage = {**plan.coverage, "open_findings": len(now_open) + len(kept),
                     "open_veto_findings": sum(p["severity"] == "veto" for p in kept)
                     + sum(e.severity == "veto" for e in now_open)}
    return [carried(p) for p in kept]


def result_coverage(snapshot: SiteSnapshot, plan: LedgerPlan | None, status: str = "never") -> dict[str, Any]:
    """The `coverage` of a site result: the monitor's (source "monitor") when the ledger was read, else what this
    crawl covered (source "crawl"; the pages it sampled, and the same-site pages it did not reach)."""
    if plan is not None:
        return jsonable({**plan.coverage, "source": "monitor",
                          "refetched_pages": sum(1 for *_, whole in plan.recheck.refreshed if whole),
                          "unreached_pages": len(plan.recheck.unreached) + plan.beyond_cap})
    return crawl_coverage(snapshot, status)
