"""The site pass of whole-site monitoring: judgements over all of a site's stored pages, not one page at a time —
政策解读 (checks/policy_interpretation.py) and 转载 (checks/repost_missing.py). Run after each full cycle
(jobs._finish) over the monitor rows: the pipeline keeps each page's title and, on policy documents and 解读 pages
only, what they are matched by, so the pass reads a few narrow columns and never a page body.

Its findings go to the ledger with no page id (they are the site's, though each names the document or the
homepage it is about): a finding seen again moves last seen, one the pass no longer makes is resolved; a page
re-scan never resolves them (ledger.SITE_PASS). The figures (documents, share with 解读, forms, reposts found)
are kept on the site row as `policy_summary` and shown with its coverage.
"""
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.checks import policy_interpretation, repost_missing
from services.checker.checks.base import CHINA
from services.checker.indicators import IndicatorSet, resolve
from services.checker.model import Finding
from services.checker.monitor import ledger
from services.checker.monitor.models import MonitorPage, MonitorSite, PageKind
from services.checker.store.models import IndicatorSetVersion

log = logging.getLogger(__name__)
DOCUMENT_KINDS = (PageKind.article, PageKind.attachment, PageKind.other, PageKind.service, PageKind.interaction)


def indicator_set_for(session: Session, org_path: str) -> IndicatorSet:
    """The set of the site's deepest organisation that has one (its latest version), else the monitor's."""
    from services.checker.inspections.config import get_checker_settings
    latest: dict[str, IndicatorSetVersion] = {}
    for row in session.exec(select(IndicatorSetVersion)).all():
        if org_path.startswith(row.org_path) and (row.code not in latest or row.version > latest[row.code].version):
            latest[row.code] = row
    for row in sorted(latest.values(), key=lambda r: len(r.org_path), reverse=True):
        try:
            return IndicatorSet.model_validate(row.definition)
        except ValueError:
            log.warning("indicator set %s v%s does not validate; skipped", row.code, row.version)
    return resolve(get_checker_settings().monitor_indicator_set)


def _stored_pages(session: Session, site_id: int) -> list[policy_interpretation.StoredPage]:
    rows = session.exec(select(MonitorPage.id, MonitorPage.url, MonitorPage.kind, MonitorPage.title,
                               MonitorPage.published, MonitorPage.first_seen_at, MonitorPage.policy)
                        .where(MonitorPage.site_id == site_id, MonitorPage.policy.is_not(None),
                               MonitorPage.gone_at.is_(None), MonitorPage.kind.in_(DOCUMENT_KINDS))).all()
    return [policy_interpretation.StoredPage(id=i, url=url, kind=kind, title=title or "",
                                             published=published or first.astimezone(CHINA).date(), facts=facts)
            for i, url, kind, title, published, first, facts in rows]


def _edges(session: Session, ids: list[int]) -> list[tuple[int, int]]:
    if not ids:
        return []
    return [tuple(r) for r in session.exec(text(
        "SELECT source_id, target_id FROM checker.monitor_link WHERE source_id = ANY(:ids) OR target_id = ANY(:ids)"
    ).bindparams(ids=ids)).all()]


def _titles(session: Session, site_id: int) -> list[str]:
    return list(session.exec(select(MonitorPage.title).where(
        MonitorPage.site_id == site_id, MonitorPage.title.is_not(None), MonitorPage.gone_at.is_(None),
        MonitorPage.kind.not_in((PageKind.resource, PageKind.external)))).all())


def run(session: Session, site_id: int, now: datetime, indicator_set: IndicatorSet | None = None,
        ) -> dict[str, Any] | None:
    """Judge the site over its stored pages, write the findings to the ledger and the figures on the site row.
    Commits. Returns the figures (None for a site the monitor does not know)."""
    site = session.get(MonitorSite, site_id)
    if site is None:
        return None
    chosen = indicator_set or indicator_set_for(session, site.org_path)
    params, today = chosen.parameters, now.astimezone(CHINA).date()
    enabled = {code for code, rule in chosen.indicators.items() if rule.enabled}
    findings: list[Finding] = []
    summary: dict[str, Any] = {"at": now.isoformat()}
    if policy_interpretation.CODE in enabled:
        pages = _stored_pages(session, site_id)
        figures, found = policy_interpretation.judge(
            pages, _edges(session, [p.id for p in pages]), today, site.homepage_url,
            age_days=params.policy_interpretation_days or policy_interpretation.AGE_DAYS,
            min_share=(policy_interpretation.MIN_SHARE if params.policy_interpretation_min_share is None
                       else params.policy_interpretation_min_share),
            min_forms=params.policy_interpretation_min_forms or policy_interpretation.MIN_FORMS)
        findings += found
        summary["policy"] = figures.as_dict()
    if repost_missing.CODE in enabled and chosen.reposts:
        figures, found = repost_missing.judge(chosen.reposts, _titles(session, site_id), today, site.homepage_url,
                                              days=params.repost_days or repost_missing.DAYS)
        findings += found
        summary["reposts"] = figures.as_dict()
    ledger.refresh_site_pass(session, site_id, findings, now, chosen)
    site.policy_summary = summary
    session.add(site)
    session.commit()
    return summary
