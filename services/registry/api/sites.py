"""Sites: list, search, export, detail, open (a filing), lifecycle filings, columns."""
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from services.common.auth import Writer
from services.common.db import SessionDep
from services.registry import listing
from services.registry.api.deps import ListReader, Reader
from services.registry.api.exporting import ExportFormat, export_response
from services.registry.api.filings import filing_detail
from services.registry.filings import service as filings
from services.registry.filings.models import FilingCreate, FilingDetail, SubjectKind
from services.registry.sites import service
from services.registry.sites.models import (
    Site, SiteColumnBase, SiteCreate, SiteDetail, SiteKind, SitePublic, SiteState,
)

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
Search = Annotated[str | None, Query(max_length=200, description="name, homepage URL or 网站标识码")]


LIST = listing.ListSpec("registry.site", SitePublic, frozenset(service.SORTS))


@router.get("", response_model=listing.ListPage[SitePublic])
async def list_sites(principal: ListReader, q: Search = None, state: SiteState | None = None,
                     kind: SiteKind | None = None,
                     org_id: Annotated[int | None, Query(description="subtree of this organisation")] = None,
                     host_org_id: int | None = None, sort: str = "id", limit: listing.Limit = 50,
                     offset: listing.Offset = 0, cursor: listing.Cursor = None,
                     count: listing.Count = listing.CountMode.exact) -> Response:
    return await listing.list_page(LIST, principal, q=q, org_id=org_id, sort=sort, limit=limit, offset=offset,
                                   equals={"state": state, "kind": kind, "host_org_id": host_org_id},
                                   cursor=cursor, count=count)


@router.get("/export", summary="Export the filtered list as .xlsx or .csv")
def export_sites(session: SessionDep, principal: Reader, q: Search = None, state: SiteState | None = None,
                 kind: SiteKind | None = None, org_id: int | None = None,
                 format: ExportFormat = ExportFormat.xlsx) -> Response:
    query = service.site_query(session, principal, q=q, state=state, kind=kind, org_id=org_id)
    return export_response(session, SubjectKind.site, query, format, "政府网站")


class HostSite(BaseModel):
    id: int
    name: str
    homepage_url: str


@router.get("/hosts", response_model=list[HostSite],
            summary="Running sites a 信息公开专栏 can be hosted on (any unit may file a 专栏 on its portal)")
def host_sites(session: SessionDep, principal: Reader,
               q: Annotated[str | None, Query(max_length=200)] = None,
               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[HostSite]:
    # Outside the caller's subtree on purpose: a department's 专栏 is on its government's portal. Only public
    # facts (name and homepage) are answered.
    return [HostSite(id=s.id, name=s.name, homepage_url=s.homepage_url)
            for s in service.host_sites(session, q=q, limit=limit)]


@router.post("", response_model=FilingDetail, status_code=201,
             summary="File to open a site (creates it in pending_open with an open filing)")
def open_site(session: SessionDep, principal: Writer, body: SiteCreate) -> FilingDetail:
    return filing_detail(session, filings.open_site(session, principal, body))


@router.get("/{site_id}", response_model=SiteDetail)
def get_site(session: SessionDep, principal: Reader, site_id: int) -> SiteDetail:
    site = filings.get_subject(session, principal, SubjectKind.site, site_id)
    assert isinstance(site, Site)
    return service.detail(session, site)


@router.post("/{site_id}/filings", response_model=FilingDetail, status_code=201,
             summary="File a lifecycle change (rename, change, suspend, resume, close, offline, deregister)")
def file_site_change(session: SessionDep, principal: Writer, site_id: int, body: FilingCreate) -> FilingDetail:
    return filing_detail(session, filings.file_change(session, principal, SubjectKind.site, site_id, body))


@router.put("/{site_id}/columns", response_model=SiteDetail, summary="Replace the site's column list")
def replace_columns(session: SessionDep, principal: Writer, site_id: int,
                    body: list[SiteColumnBase]) -> SiteDetail:
    return service.detail(session, service.replace_columns(session, principal, site_id, body))
