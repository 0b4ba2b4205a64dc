"""Reading sites and maintaining their columns (lifecycle changes go through filings)."""
from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.errors import conflict
from services.registry.audit import service as audit
from services.registry.filings.models import Filing, FilingKind, FilingState, SubjectKind
from services.registry.filings.rules import SITE_LIVE
from services.registry.filings.service import get_subject
from services.registry.listing import order_by, paginate, scoped_query
from services.registry.models_base import utcnow
from services.registry.sites.models import (
    Site, SiteColumn, SiteColumnBase, SiteDetail, SiteKind, SiteState,
)

SORTS = {"id", "name", "kind", "site_code", "created_at", "updated_at", "state"}


def site_query(session: Session, principal: Principal, *, q: str | None = None, state: SiteState | None = None,
               kind: SiteKind | None = None, org_id: int | None = None, host_org_id: int | None = None):
    return scoped_query(session, Site, principal, q=q, search=(Site.name, Site.homepage_url, Site.site_code),
                        equals={Site.state: state, Site.kind: kind, Site.host_org_id: host_org_id}, org_id=org_id)


def list_sites(session: Session, principal: Principal, *, sort: str, limit: int, offset: int,
               **filters) -> tuple[list[Site], int]:
    return paginate(session, site_query(session, principal, **filters), order_by(Site, sort, SORTS), limit, offset)


def host_sites(session: Session, *, q: str | None, limit: int) -> list[Site]:
    """Running portals and department sites, by name or homepage (the hosts a 专栏 may name)."""
    query = select(Site).where(Site.kind != SiteKind.column, Site.state.in_(SITE_LIVE))
    if q and q.strip():
        needle = f"%{q.strip()}%"
        query = query.where(Site.name.ilike(needle) | Site.homepage_url.ilike(needle))
    return list(session.exec(query.order_by(Site.kind, Site.id).limit(limit)).all())


def detail(session: Session, site: Site) -> SiteDetail:
    approved_open = session.exec(select(Filing.id).where(
        Filing.subject_kind == SubjectKind.site, Filing.subject_id == site.id,
        Filing.kind.in_([FilingKind.open, FilingKind.import_]), Filing.state == FilingState.approved)).first()
    preconditions = {"approval": approved_open is not None, "badge": site.has_badge,
                     "icp": bool(site.icp_number), "psb": bool(site.psb_number), "site_code": bool(site.site_code)}
    if site.kind == SiteKind.column:  # a 专栏's identifiers are its host site's
        preconditions = {"approval": preconditions["approval"]}
    return SiteDetail.model_validate(site, update={"columns": site.columns, "preconditions": preconditions})


def replace_columns(session: Session, principal: Principal, site_id: int,
                    columns: list[SiteColumnBase]) -> Site:
    site = get_subject(session, principal, SubjectKind.site, site_id)
    assert isinstance(site, Site)
    if site.state == SiteState.deregistered:  # the record is closed for good; its columns are history
        raise conflict("site_deregistered", "该网站已注销，栏目不能再编辑", state=site.state)
    before = {"columns": [c.model_dump(mode="json") for c in site.columns]}
    site.columns = [SiteColumn(**c.model_dump()) for c in columns]
    site.updated_at = utcnow()
    audit.record(session, principal, "site.columns", "site", site.id, site.org_path, before=before,
                 after={"columns": [c.model_dump(mode="json") for c in columns]})
    session.commit()
    session.refresh(site)
    return site
