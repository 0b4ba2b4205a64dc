"""Crawl state operations: plain functions taking the session (no network).

The frontier lives on `monitor_page`: `due_at` is when the row should be fetched next (NULL: never again,
e.g. over the budget), `priority` orders due rows (hub < new < retry < revalidate). Claiming a slice sets
`due_at = lease_until = now + lease`: a worker that dies mid-slice simply lets its rows fall due again
when the lease passes, and the next slice (of any worker) redoes them. Recording a page sets its next
due time (hub pages: hub interval; others: re-validation interval; failures: retry after a while).
"""
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from services.checker.inspections.models import utcnow
from services.checker.monitor.models import CHECKED_ONLY, MonitorLink, MonitorPage, MonitorSite, PageKind, Priority
from services.checker.store.models import IndicatorSetVersion

PRIORITIES = [Priority.hub, Priority.new, Priority.retry, Priority.revalidate]
DEFAULT_PORTS = {"http": 80, "https": 443}
_SESSION_PARAM = re.compile(r";jsessionid=[^/?#]*", re.I)
_TRACKING = {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm"}
# Labels of the reasons a page was not reached, as the coverage view prints them.
NOT_REACHED_LABELS = {
    "budget": "超出单站页面上限，未纳入监测",
    "error": "访问出错（超时、连接失败或服务器错误）",
    "too_large": "文件超过大小上限，未下载",
    "not_scannable": "附件无法提取文字（如纯图片PDF、加密文件）",
    "pending": "已发现，尚未抓取",
}


# ---------------------------------------------------------------------------------------------------
# URLs


def normalise(url: str) -> str | None:
    """One spelling per resource: lowercase scheme and host, default port and fragment dropped, session
    ids and tracking parameters dropped, query parameters sorted, empty path as "/". None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _SESSION_PARAM.sub("", parts.path) or "/"
    path = quote(unquote(path), safe="/%:@!$&'()*+,;=-._~")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if k.lower() not in _TRACKING))
    return urlunsplit((scheme, netloc, path, query, ""))


def url_hash(url: str) -> int:
    """64 bits of sha1 as a signed bigint: the per-site uniqueness key (the URL text is not indexed)."""
    return int.from_bytes(hashlib.sha1(url.encode("utf-8")).digest()[:8], "big", signed=True)


def content_hash(body: bytes) -> int:
    return int.from_bytes(hashlib.sha1(body).digest()[:8], "big", signed=True)


def site_host(url: str) -> str:
    """The site's host as the same-site rule compares it: netloc without "www." (ports kept)."""
    normal = normalise(url) or url
    return urlsplit(normal).netloc.removeprefix("www.")


def same_site(url: str, host: str) -> bool:
    """Same host as the homepage (with or without www.); other subdomains are other sites."""
    return urlsplit(url).netloc.removeprefix("www.") == host


# ---------------------------------------------------------------------------------------------------
# Sites


def _site_values(record: dict[str, Any], at: datetime) -> dict[str, Any]:
    home = normalise(record.get("homepage_url") or "") or ""
    return dict(name=(record.get("name") or "")[:200], homepage_url=home, host=site_host(home),
                supervising_org_id=record.get("supervising_org_id"), host_org_id=record.get("host_org_id"),
                org_path=record.get("org_path") or "", active=True, synced_at=at)


Override = tuple[str, int | None, int | None]   # (org_path, hub hours, re-validation days)


def schedule_overrides(session: Session) -> list[Override]:
    """The monitoring schedule the organisations' own indicator sets ask for (latest version of each set;
    parameters `monitor_hub_hours` / `monitor_revalidate_days`), deepest organisation first."""
    latest: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for code, version, path, definition in session.exec(select(
            IndicatorSetVersion.code, IndicatorSetVersion.version, IndicatorSetVersion.org_path,
            IndicatorSetVersion.definition)).all():
        if code not in latest or version > latest[code][0]:
            latest[code] = (version, path, definition)
    out = []
    for _, path, definition in latest.values():
        params = (definition or {}).get("parameters") or {}
        hub, days = params.get("monitor_hub_hours"), params.get("monitor_revalidate_days")
        if hub or days:
            out.append((path, hub, days))
    return sorted(out, key=lambda o: len(o[0]), reverse=True)


def _schedule_for(org_path: str, overrides: Sequence[Override]) -> tuple[int | None, int | None]:
    for path, hub, days in overrides:
        if org_path.startswith(path):
            return hub, days
    return None, None


def sync_sites(session: Session, records: Iterable[dict[str, Any]], at: datetime | None = None,
               overrides: Sequence[Override] = ()) -> tuple[int, int]:
    """Make the monitored sites the registry's running ones: new sites get their homepage due now, sites no
    longer listed stop being monitored (their state is kept for when they return); each takes the schedule
    its organisation's indicator set asks for. Returns (new, stopped)."""
    at = at or utcnow()
    # A 信息公开专栏 is not monitored on its own: its pages are its host site's (an inspection crawls its prefix).
    listed: dict[int, dict[str, Any]] = {int(r["id"]): r for r in records
                                         if r.get("homepage_url") and r.get("kind") != "column"}
    existing = {s.site_id: s for s in session.exec(select(MonitorSite)).all()}
    added = 0
    for site_id, record in listed.items():
        values = _site_values(record, at)
        if not values["homepage_url"]:
            continue
        values["hub_interval_hours"], values["revalidate_days"] = _schedule_for(values["org_path"], overrides)
        site = existing.get(site_id)
        if site is None:
            site = MonitorSite(site_id=site_id, **values)
            session.add(site)
            added += 1
        else:
            for key, value in values.items():
                setattr(site, key, value)
        session.flush()
        ensure_home(session, site, at)
    stopped = 0
    for site_id, site in existing.items():
        if site_id not in listed and site.active:
            site.active = False
            stopped += 1
    session.commit()
    return added, stopped


def ensure_home(session: Session, site: MonitorSite, at: datetime) -> None:
    """The homepage row (kind home, hub), due now when it is new."""
    stmt = insert(MonitorPage).values(site_id=site.site_id, url_hash=url_hash(site.homepage_url),
                                      url=site.homepage_url, kind=PageKind.home, hub=True, depth=0,
                                      first_seen_at=at, priority=Priority.hub, due_at=at)
    session.exec(stmt.on_conflict_do_update(
        index_elements=["site_id", "url_hash"],
        set_={"kind": PageKind.home, "hub": True},
        where=MonitorPage.kind != PageKind.home))


def hub_hours(site: MonitorSite, default: int) -> int:
    return site.hub_interval_hours or default


def revalidate_days(site: MonitorSite, default: int) -> int:
    return site.revalidate_days or default


# ---------------------------------------------------------------------------------------------------
# Cycles and claims


def start_cycle_if_needed(session: Session, site: MonitorSite, now: datetime) -> bool:
    """A new cycle starts with the first slice after the previous one was full (or at the very start)."""
    if site.cycle_started_at is not None and (site.last_full_cycle_at is None
                                              or site.last_full_cycle_at < site.cycle_started_at):
        return False
    site.cycle += 1
    site.cycle_started_at = now
    site.pages_fetched_cycle = 0
    site.not_reached = {k: v for k, v in (site.not_reached or {}).items() if k != "budget"}
    session.add(site)
    session.commit()
    return True


@dataclass
class Claimed:
    """What a slice needs of a claimed row (detached from the session)."""
    id: int
    site_id: int
    url: str
    kind: str
    hub: bool
    depth: int
    etag: str | None
    last_modified: str | None
    content_hash: int | None
    wordlist_version: str | None
    attempts: int
    http_status: int | None
    last_fetched_at: datetime | None


_CLAIM = text("""
SELECT id FROM checker.monitor_page
WHERE site_id = :site_id AND priority = :priority AND due_at IS NOT NULL AND due_at <= :now
ORDER BY due_at
LIMIT :limit
FOR UPDATE SKIP LOCKED
""")


def claim_slice(session: Session, site_id: int, limit: int, lease_seconds: float,
                now: datetime | None = None) -> list[Claimed]:
    """Claim up to `limit` due pages of a site (row locks, SKIP LOCKED: concurrent claimers never get the
    same row) and lease them: they are due again at `now + lease` unless recorded before."""
    now = now or utcnow()
    ids: list[int] = []
    for priority in PRIORITIES:  # one bounded index range per priority class (the frontier index)
        if len(ids) >= limit:
            break
        rows = session.exec(_CLAIM.bindparams(site_id=site_id, priority=priority, now=now,
                                              limit=limit - len(ids))).all()
        ids.extend(r[0] for r in rows)
    if not ids:
        session.commit()
        return []
    until = now + timedelta(seconds=lease_seconds)
    rows = session.exec(text("""
        UPDATE checker.monitor_page SET due_at = :until, lease_until = :until
        WHERE id IN :ids
        RETURNING id, site_id, url, kind, hub, depth, etag, last_modified, content_hash, wordlist_version,
                  attempts, http_status, last_fetched_at
    """).bindparams(bindparam("ids", value=ids, expanding=True), until=until)).all()
    session.commit()
    order = {i: n for n, i in enumerate(ids)}
    return sorted((Claimed(*r) for r in rows), key=lambda c: order[c.id])


def release(session: Session, page_ids: Sequence[int], now: datetime | None = None) -> None:
    """Give back claimed pages a slice did not get to (due again at once)."""
    if page_ids:
        session.exec(text("UPDATE checker.monitor_page SET due_at = :now, lease_until = NULL WHERE id IN :ids")
                     .bindparams(bindparam("ids", value=list(page_ids), expanding=True), now=now or utcnow()))
        session.commit()


def defer(session: Session, page_id: int, until: datetime) -> None:
    """A claimed row put off without a fetch (its outside target's answer was not had in time). It stays leased
    until then, so the site's cycle does not count as complete while it waits."""
    session.exec(text("UPDATE checker.monitor_page SET due_at = :until, lease_until = :until WHERE id = :id")
                 .bindparams(until=until, id=page_id))


def pending(session: Session, site_id: int, now: datetime, lease_seconds: float = 3600) -> tuple[bool, bool]:
    """(any page due now, any page leased now). A leased row is due when its lease ends (claim_slice), so
    leases are looked for in the short range (now, now + lease] of the frontier index, not the whole site."""
    due = session.exec(text("""
        SELECT EXISTS (SELECT 1 FROM checker.monitor_page WHERE site_id = :s AND priority = ANY(:p)
                       AND due_at IS NOT NULL AND due_at <= :now)
    """).bindparams(s=site_id, p=PRIORITIES, now=now)).one()[0]
    leased = session.exec(text("""
        SELECT EXISTS (SELECT 1 FROM checker.monitor_page WHERE site_id = :s AND priority = ANY(:p)
                       AND due_at > :now AND due_at <= :until AND lease_until > :now)
    """).bindparams(s=site_id, p=PRIORITIES, now=now, until=now + timedelta(seconds=lease_seconds))).one()[0]
    return bool(due), bool(leased)


def stalled_cycles(session: Session, now: datetime, lease_seconds: float) -> list[int]:
    """Active sites whose cycle is open with nothing due or leased: their last slice died before it could
    close the cycle (a lost database connection in its last write). A slice that claims nothing closes it."""
    rows = session.exec(text("""
        SELECT s.site_id FROM checker.monitor_site s
        WHERE s.active AND s.cycle_started_at IS NOT NULL
          AND (s.last_full_cycle_at IS NULL OR s.last_full_cycle_at < s.cycle_started_at)
          AND NOT EXISTS (SELECT 1 FROM checker.monitor_page p WHERE p.site_id = s.site_id
                          AND p.priority = ANY(:p) AND p.due_at IS NOT NULL AND p.due_at <= :until)
        ORDER BY s.site_id
    """).bindparams(p=PRIORITIES, until=now + timedelta(seconds=lease_seconds))).all()
    return [r[0] for r in rows]


def backlog(session: Session, site_id: int, now: datetime, cap: int = 20_000) -> int:
    """Pages of the site due now, counted up to `cap` (an index range scan of the frontier)."""
    return int(session.exec(text("""
        SELECT count(*) FROM (SELECT 1 FROM checker.monitor_page WHERE site_id = :s AND priority = ANY(:p)
                              AND due_at IS NOT NULL AND due_at <= :now LIMIT :cap) due
    """).bindparams(s=site_id, p=PRIORITIES, now=now, cap=cap)).one()[0])


def sites_with_due(session: Session, now: datetime) -> list[int]:
    """Active sites with at least one page due (one short index probe per site and priority class)."""
    rows = session.exec(text("""
        SELECT s.site_id FROM checker.monitor_site s
        WHERE s.active AND EXISTS (SELECT 1 FROM checker.monitor_page p WHERE p.site_id = s.site_id
                                   AND p.priority = ANY(:p) AND p.due_at IS NOT NULL AND p.due_at <= :now)
        ORDER BY s.site_id
    """).bindparams(p=PRIORITIES, now=now)).all()
    return [r[0] for r in rows]


# ---------------------------------------------------------------------------------------------------
# Discovered URLs and the link graph


@dataclass(frozen=True)
class Found:
    url: str            # normalised
    kind: str
    depth: int
    hub: bool = False


# Array parameters, not IN lists or multi-row VALUES: one statement text whatever the batch size, so neither
# SQLAlchemy nor psycopg compiles it again (compiling a 500-row VALUES insert cost more than running it).
_KNOWN = text("SELECT url_hash, id, kind FROM checker.monitor_page WHERE site_id = :s AND url_hash = ANY(:h)")
_INSERT = text("""
    INSERT INTO checker.monitor_page (site_id, url_hash, url, kind, hub, depth, first_seen_at, priority, due_at)
    SELECT :s, h, u, k, hub, d, :at, p, :at
    FROM unnest(CAST(:h AS bigint[]), CAST(:u AS text[]), CAST(:k AS text[]), CAST(:hub AS boolean[]),
                CAST(:d AS smallint[]), CAST(:p AS smallint[])) AS n(h, u, k, hub, d, p)
    ON CONFLICT (site_id, url_hash) DO NOTHING
    RETURNING url_hash, id
""")


def upsert_urls(session: Session, site: MonitorSite, found: Sequence[Found], at: datetime,
                max_pages: int) -> tuple[dict[str, int], int]:
    """Insert URLs not known yet, due now (hub pages first); a known row whose kind was a guess ("other")
    takes the better kind. Returns ({url: page id} for every URL that has a row, URLs dropped by the
    per-site budget)."""
    if not found:
        return {}, 0
    unique: dict[str, Found] = {}
    for f in found:
        if f.url not in unique or (unique[f.url].kind == PageKind.other and f.kind != PageKind.other):
            unique[f.url] = f
    hashes = {url_hash(u): u for u in unique}
    rows_known = session.exec(_KNOWN.bindparams(h=list(hashes), s=site.site_id)).all()
    known = {h: i for h, i, _ in rows_known}
    guessed = {h for h, _, kind in rows_known if kind == PageKind.other}
    fresh = [unique[u] for h, u in hashes.items() if h not in known]
    room = max(0, max_pages - site.pages_known)
    dropped = max(0, len([f for f in fresh if f.kind not in CHECKED_ONLY]) - room)
    keep, crawled = [], 0
    for f in fresh:
        if f.kind not in CHECKED_ONLY:
            crawled += 1
            if crawled > room:
                continue
        keep.append(f)
    if keep:
        inserted = session.exec(_INSERT.bindparams(
            s=site.site_id, h=[url_hash(f.url) for f in keep], u=[f.url for f in keep], k=[str(f.kind) for f in keep],
            hub=[f.hub for f in keep], d=[min(f.depth, 32767) for f in keep],
            p=[Priority.hub if f.hub else Priority.new for f in keep], at=at)).all()
        site.pages_known += len([f for f in keep if f.kind not in CHECKED_ONLY])
        known.update((h, i) for h, i in inserted)
        if len(inserted) < len(keep):  # another slice inserted some meanwhile
            known = {h: i for h, i, _ in session.exec(_KNOWN.bindparams(h=list(hashes), s=site.site_id)).all()}
    # Better kinds for rows first seen as a plain link (e.g. a column list reached from an article).
    better = [(known[url_hash(f.url)], f) for f in unique.values()
              if f.kind != PageKind.other and url_hash(f.url) in guessed]
    for page_id, f in better:
        session.exec(text("""
            UPDATE checker.monitor_page SET kind = :k, hub = hub OR :hub,
                   priority = CASE WHEN :hub AND NOT hub THEN 0 ELSE priority END,
                   due_at = CASE WHEN :hub AND NOT hub AND last_fetched_at IS NOT NULL THEN :at ELSE due_at END
            WHERE id = :id AND kind = 'other'
        """).bindparams(k=f.kind, hub=f.hub, id=page_id, at=at))
    return {hashes[h]: i for h, i in known.items()}, dropped


def replace_links_many(session: Session, edges: dict[int, tuple[set[int], bool]]) -> None:
    """Each source page's outgoing edges become exactly its target set: edges gone are pruned, new ones added,
    for a whole batch of pages in three statements. `skip_hubs` (per source): edges to hub pages (home, column
    lists) are not stored — from an ordinary page they are the site template's navigation, repeated on every
    page, and would multiply the graph's size; hub pages' own edges are kept, so a failing hub still has its
    sources."""
    if not edges:
        return
    existing: dict[int, set[int]] = {s: set() for s in edges}
    for source, target in session.exec(text("SELECT source_id, target_id FROM checker.monitor_link "
                                            "WHERE source_id = ANY(:s)").bindparams(s=sorted(edges))).all():
        existing[source].add(target)
    new_targets = {t for s, (targets, _) in edges.items() for t in targets - existing[s]}
    hubs: set[int] = set()
    if new_targets and any(skip for _, skip in edges.values()):
        hubs = set(session.exec(text("SELECT id FROM checker.monitor_page WHERE id = ANY(:t) AND hub")
                                .bindparams(t=sorted(new_targets))).scalars().all())
    gone_s, gone_t, new_s, new_t = [], [], [], []
    for source, (targets, skip_hubs) in edges.items():
        targets = {t for t in targets if t != source}
        for t in existing[source] - targets:
            gone_s.append(source)
            gone_t.append(t)
        for t in sorted(targets - existing[source]):
            if not (skip_hubs and t in hubs):
                new_s.append(source)
                new_t.append(t)
    if gone_s:
        session.exec(text("DELETE FROM checker.monitor_link l USING unnest(CAST(:s AS bigint[]), CAST(:t AS bigint[])) "
                          "AS g(s, t) WHERE l.source_id = g.s AND l.target_id = g.t").bindparams(s=gone_s, t=gone_t))
    if new_s:
        session.exec(text("INSERT INTO checker.monitor_link (source_id, target_id) SELECT * FROM "
                          "unnest(CAST(:s AS bigint[]), CAST(:t AS bigint[])) ON CONFLICT DO NOTHING")
                     .bindparams(s=new_s, t=new_t))


def sources_of(session: Session, target_id: int, limit: int = 20) -> tuple[list[str], int]:
    """The pages that link to a target, shallowest first (at most `limit`), and how many there are in all."""
    rows = session.exec(text("""
        SELECT p.url, count(*) OVER () FROM checker.monitor_link l JOIN checker.monitor_page p ON p.id = l.source_id
        WHERE l.target_id = :t ORDER BY p.depth, p.id LIMIT :n
    """).bindparams(t=target_id, n=limit)).all()
    return [r[0] for r in rows], (rows[0][1] if rows else 0)


# ---------------------------------------------------------------------------------------------------
# Recording a fetch


@dataclass
class Recorded:
    """What one fetch established about a page."""
    status: int | None
    error: str | None
    kind: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    content_hash: int | None = None
    size: int | None = None
    published: date | None = None
    wordlist_version: str | None = None
    scannable: bool | None = None
    reason: str | None = None
    read: bool = False             # parsed or extracted: title and policy below replace the row's
    title: str | None = None
    policy: dict[str, Any] | None = None
    changed: bool = False          # content differs from the last fetch (or first fetch)
    unchanged: bool = False        # 304, or the same content hash: nothing re-scanned
    hub: bool | None = None        # set when the fetch showed the page is (or is not) a hub
    due_at: datetime | None = None  # next time due (computed by next_due)
    priority: int = Priority.revalidate
    attempts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def transport_error(self) -> bool:
        return self.error is not None and self.error not in ("not_html", "too_large")

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)


def next_due(rec: Recorded, claimed: Claimed, *, hub_hours: int, revalidate_days: int, retry_minutes: int,
             max_attempts: int) -> None:
    """Set rec.due_at / priority / attempts: failures are retried a few times, then wait their cycle."""
    at = rec.fetched_at
    hub = claimed.hub if rec.hub is None else rec.hub
    regular = at + (timedelta(hours=hub_hours) if hub else timedelta(days=revalidate_days))
    if (rec.transport_error or (rec.status is not None and rec.status >= 500)) and claimed.attempts + 1 < max_attempts:
        rec.due_at, rec.priority, rec.attempts = at + timedelta(minutes=retry_minutes), Priority.retry, \
            claimed.attempts + 1
        if hub:
            rec.due_at = min(rec.due_at, regular)
    else:
        rec.due_at, rec.priority, rec.attempts = regular, Priority.hub if hub else Priority.revalidate, 0


_RECORD = text("""
    UPDATE checker.monitor_page SET
        last_fetched_at = :at, http_status = :status, error = :error, kind = :kind,
        hub = COALESCE(:hub, hub),
        etag = CASE WHEN :unchanged THEN COALESCE(:etag, etag) ELSE :etag END,
        last_modified = CASE WHEN :unchanged THEN COALESCE(:lm, last_modified) ELSE :lm END,
        content_hash = COALESCE(:hash, content_hash),
        size = COALESCE(:size, size),
        published = COALESCE(:published, published),
        wordlist_version = COALESCE(:wl, wordlist_version),
        scannable = CASE WHEN :unchanged THEN scannable ELSE :scannable END,
        reason = CASE WHEN :unchanged THEN reason ELSE :reason END,
        title = CASE WHEN :read THEN :title ELSE title END,
        policy = CASE WHEN :read THEN CAST(:policy AS jsonb) ELSE policy END,
        last_changed_at = CASE WHEN :changed THEN :at ELSE last_changed_at END,
        gone_at = CASE WHEN :gone THEN COALESCE(gone_at, :at) ELSE NULL END,
        due_at = :due, priority = :priority, attempts = :attempts, lease_until = NULL
    WHERE id = :id
""")


def _record_params(claimed: Claimed, rec: Recorded) -> dict[str, Any]:
    return dict(at=rec.fetched_at, status=rec.status, error=(rec.error or None) and rec.error[:32],
                kind=rec.kind, hub=rec.hub, unchanged=rec.unchanged, etag=(rec.etag or None) and rec.etag[:200],
                lm=(rec.last_modified or None) and rec.last_modified[:64], hash=rec.content_hash,
                size=rec.size, published=rec.published, wl=rec.wordlist_version, scannable=rec.scannable,
                reason=rec.reason and rec.reason[:20], changed=rec.changed, gone=rec.gone, due=rec.due_at,
                priority=rec.priority, attempts=rec.attempts, id=claimed.id, read=rec.read,
                title=(rec.title or None) and rec.title[:200],
                policy=json.dumps(rec.policy, ensure_ascii=False) if rec.policy is not None else None)


def record_many(session: Session, outcomes: Sequence[tuple[Claimed, Recorded]]) -> None:
    """Store fetches' outcomes and the pages' next due times (one executemany); validators and hash are kept
    from the last full answer when the server said 304."""
    if outcomes:
        session.connection().execute(_RECORD, [_record_params(c, r) for c, r in outcomes])


# ---------------------------------------------------------------------------------------------------
# Coverage, cycle end, pruning


_COVERAGE = text("""
SELECT
  count(*) FILTER (WHERE kind NOT IN ('resource', 'external') AND gone_at IS NULL),
  count(*) FILTER (WHERE kind NOT IN ('resource', 'external') AND gone_at IS NULL AND last_fetched_at >= :start),
  count(*) FILTER (WHERE kind = 'attachment' AND gone_at IS NULL),
  count(*) FILTER (WHERE kind = 'attachment' AND scannable),
  count(*) FILTER (WHERE kind = 'attachment' AND scannable = false),
  count(*) FILTER (WHERE kind <> 'home' AND last_fetched_at IS NOT NULL),
  count(*) FILTER (WHERE kind <> 'home' AND last_fetched_at IS NOT NULL
                   AND (http_status >= 400 OR (error IS NOT NULL AND error NOT IN ('not_html', 'too_large')))),
  count(*) FILTER (WHERE kind NOT IN ('resource', 'external') AND last_fetched_at IS NOT NULL
                   AND (http_status >= 500 OR (error IS NOT NULL AND error NOT IN ('not_html', 'too_large')))),
  count(*) FILTER (WHERE reason = 'too_large' OR error = 'too_large'),
  count(*) FILTER (WHERE kind = 'attachment' AND scannable = false AND reason IS DISTINCT FROM 'too_large'),
  count(*) FILTER (WHERE kind NOT IN ('resource', 'external') AND last_fetched_at IS NULL AND due_at IS NOT NULL),
  max(last_fetched_at)
FROM checker.monitor_page WHERE site_id = :s
""")


def refresh_coverage(session: Session, site: MonitorSite, now: datetime) -> MonitorSite:
    """Recount the site's coverage from its rows (one pass over the site's pages)."""
    row = session.exec(_COVERAGE.bindparams(s=site.site_id, start=site.cycle_started_at or now)).one()
    (site.pages_known, site.pages_fetched_cycle, site.attachments_known, site.attachments_scanned,
     site.attachments_unscannable, site.links_checked, site.links_broken, errors, too_large, unscannable,
     waiting, last_fetch) = row
    reasons = {"budget": int((site.not_reached or {}).get("budget", 0)), "error": errors, "too_large": too_large,
               "not_scannable": unscannable, "pending": waiting}
    site.not_reached = {k: v for k, v in reasons.items() if v}
    site.last_fetch_at = last_fetch
    site.coverage_at = now
    session.add(site)
    return site


def finish_slice(session: Session, site_id: int, now: datetime, *, budget_dropped: int = 0,
                 coverage_every: float = 300.0, lease_seconds: float = 3600) -> bool:
    """After a slice: count URLs the budget dropped, close the cycle when nothing is due or leased, and
    refresh coverage (at most every `coverage_every` seconds, and always at a cycle's end). True when the
    site still has due pages."""
    site = session.exec(select(MonitorSite).where(MonitorSite.site_id == site_id).with_for_update()).one()
    if budget_dropped:
        reasons = dict(site.not_reached or {})
        reasons["budget"] = int(reasons.get("budget", 0)) + budget_dropped
        site.not_reached = reasons
    due, leased = pending(session, site_id, now, lease_seconds)
    full = not due and not leased and site.cycle_started_at is not None and (
        site.last_full_cycle_at is None or site.last_full_cycle_at < site.cycle_started_at)
    if full:
        site.last_full_cycle_at = now
    if full or site.coverage_at is None or (now - site.coverage_at).total_seconds() >= coverage_every:
        refresh_coverage(session, site, now)
    session.add(site)
    session.commit()
    return due


def prune(session: Session, site_id: int, now: datetime, prune_days: int) -> int:
    """Delete a site's pages gone (404/410) for `prune_days` (their links go with them, ON DELETE CASCADE),
    and its external / resource targets no page links to any more. Run at the end of a site's full cycle
    (one pass over the site's rows). Returns rows deleted."""
    cutoff = now - timedelta(days=prune_days)
    gone = session.exec(text("DELETE FROM checker.monitor_page WHERE site_id = :s AND gone_at IS NOT NULL "
                             "AND gone_at < :c").bindparams(s=site_id, c=cutoff)).rowcount
    orphans = session.exec(text("""
        DELETE FROM checker.monitor_page p WHERE p.site_id = :s AND p.kind IN ('external', 'resource')
        AND p.first_seen_at < :c AND NOT EXISTS (SELECT 1 FROM checker.monitor_link l WHERE l.target_id = p.id)
    """).bindparams(s=site_id, c=cutoff)).rowcount
    session.commit()
    return (gone or 0) + (orphans or 0)
