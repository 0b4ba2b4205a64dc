"""Whole-site monitoring (全站监测): monitored sites with their coverage, a site's problems from the ledger, and
the alert feed of new veto-level problems. Scoped by the host unit's path on `monitor_site`: a site outside the
caller's subtree answers 404 like a missing one."""
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import case, or_
from sqlmodel import Session, func, select

from services.checker.api.deps import Reader, Token, org_path_of
from services.checker.indicators.labels import indicator_name
from services.checker.inspections.config import get_checker_settings
from services.checker.monitor import alerts as feed
from services.checker.monitor.ledger import MonitorFinding, coverage_of, open_counts
from services.checker.monitor.models import MonitorPage, MonitorSite
from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import not_found
from services.common.pagination import PageDep
from services.common.scope import scope_filter

router = APIRouter(prefix="/api/v1/monitor", tags=["monitor"])
# The reporting worker (service role) and the supervising offices read the alert feed.
AlertReader = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor, Role.service))]


class NotReached(BaseModel):
    reason: str
    label: str
    count: int


class Coverage(BaseModel):
    site_id: int
    site_name: str
    homepage_url: str
    status: Literal["never", "first_cycle", "monitoring"]
    pages_known: int
    pages_fetched_cycle: int
    attachments_known: int
    attachments_scanned: int
    attachments_unscannable: int
    links_checked: int
    links_broken: int
    not_reached: list[NotReached]
    cycle_started_at: datetime | None
    last_full_cycle_at: datetime | None
    last_fetch_at: datetime | None
    open_findings: int
    open_veto_findings: int
    # The last site pass (monitor/site_pass.py): {"policy": {documents, with_interpretation, share, overdue,
    # interpretations, forms}, "reposts": {required, found, pending, missing}, "at"}; None before the first.
    policy_summary: dict[str, Any] | None = None


class CoveragePage(BaseModel):
    items: list[Coverage]
    total: int
    limit: int
    offset: int


class EvidenceOut(BaseModel):
    url: str
    excerpt: str
    observed_at: str
    snapshot: str | None = None


class LedgerFinding(BaseModel):
    id: int
    indicator: str
    indicator_name: str
    severity: Literal["veto", "deduct"]
    message: str
    url: str
    page_kind: str | None
    excerpt: str
    evidence: list[EvidenceOut]
    linked_from: list[str] = Field(default=[], description="A broken link's problem: pages that carry the link")
    linked_from_total: int = Field(default=0, description="How many pages carry it in all")
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None


class LedgerPage(BaseModel):
    items: list[LedgerFinding]
    total: int
    limit: int
    offset: int


class Alert(BaseModel):
    id: int                       # the alert's position in the feed (a new one each time a problem (re)opens)
    finding_id: int
    site_id: int
    site_name: str
    homepage_url: str
    host_org_id: int | None
    org_id: int | None            # the supervising office
    supervising_org_id: int | None
    indicator: str
    indicator_name: str
    severity: str
    message: str
    url: str
    excerpt: str
    first_seen_at: datetime
    opened_at: datetime


class AlertPage(BaseModel):
    items: list[Alert]
    last_id: int


def _visible_site(session: Session, principal: Principal, site_id: int) -> MonitorSite:
    site = session.exec(select(MonitorSite).where(MonitorSite.site_id == site_id,
                                                  scope_filter(MonitorSite.org_path, principal))).first()
    if site is None:
        raise not_found("监测网站")
    return site


@router.get("/sites", response_model=CoveragePage, summary="Monitored sites with their coverage")
async def list_sites(session: SessionDep, principal: Reader, token: Token, page: PageDep,
                     org_id: Annotated[int | None, Query(description="this organisation's subtree")] = None,
                     q: Annotated[str | None, Query(max_length=200, description="site name or URL contains")] = None,
                     ) -> CoveragePage:
    _, path = await org_path_of(principal, token, org_id)
    query = select(MonitorSite).where(scope_filter(MonitorSite.org_path, principal),
                                      MonitorSite.org_path.startswith(path, autoescape=True))
    if q:
        query = query.where(or_(MonitorSite.name.icontains(q, autoescape=True),
                                MonitorSite.homepage_url.icontains(q, autoescape=True)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    sites = session.exec(query.order_by(MonitorSite.name, MonitorSite.site_id)
                         .offset(page.offset).limit(page.limit)).all()
    counts = open_counts(session, [s.site_id for s in sites])
    items = [Coverage.model_validate(coverage_of(s, counts.get(s.site_id, (0, 0)))) for s in sites]
    return CoveragePage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/sites/{site_id}", response_model=Coverage, summary="One monitored site's coverage")
def get_site(session: SessionDep, principal: Reader, site_id: int) -> Coverage:
    site = _visible_site(session, principal, site_id)
    return Coverage.model_validate(coverage_of(site, open_counts(session, [site_id]).get(site_id, (0, 0))))


@router.get("/sites/{site_id}/findings", response_model=LedgerPage,
            summary="The site's problems from the ledger (open: veto-level first, newest first)")
def site_findings(session: SessionDep, principal: Reader, page: PageDep, site_id: int,
                  status: Literal["open", "resolved", "all"] = "open",
                  indicator: Annotated[str | None, Query(max_length=40)] = None) -> LedgerPage:
    _visible_site(session, principal, site_id)
    query = select(MonitorFinding, MonitorPage.kind).outerjoin(
        MonitorPage, MonitorPage.id == MonitorFinding.page_id).where(MonitorFinding.site_id == site_id)
    if status == "open":
        query = query.where(MonitorFinding.resolved_at.is_(None))
    elif status == "resolved":
        query = query.where(MonitorFinding.resolved_at.is_not(None))
    if indicator:
        query = query.where(MonitorFinding.indicator == indicator)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    order: list[Any] = [MonitorFinding.resolved_at.is_not(None), case((MonitorFinding.severity == "veto", 0), else_=1),
                        MonitorFinding.first_seen_at.desc(), MonitorFinding.id]
    rows = session.exec(query.order_by(*order).offset(page.offset).limit(page.limit)).all()
    items = [LedgerFinding(id=f.id, indicator=f.indicator, indicator_name=indicator_name(f.indicator),
                           severity=f.severity, message=f.message, url=f.url, page_kind=kind, excerpt=f.excerpt,
                           evidence=[EvidenceOut(url=e.get("url") or f.url, excerpt=e.get("excerpt") or "",
                                                 observed_at=e.get("observed_at") or "", snapshot=e.get("snapshot"))
                                     for e in f.evidence or []],
                           linked_from=(f.data or {}).get("sources") or [],
                           linked_from_total=(f.data or {}).get("source_count") or 0,
                           first_seen_at=f.first_seen_at, last_seen_at=f.last_seen_at, resolved_at=f.resolved_at)
             for f, kind in rows]
    return LedgerPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/alerts", response_model=AlertPage,
            summary="New veto-level problems after a feed position (for the reporting worker)")
def list_alerts(session: SessionDep, principal: AlertReader,
                after_id: Annotated[int, Query(ge=0, description="last_id of the previous page")] = 0,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> AlertPage:
    body = feed.alerts(session, principal, after_id=after_id, limit=limit,
                       settle_seconds=get_checker_settings().monitor_alert_settle_seconds)
    return AlertPage.model_validate(body)
