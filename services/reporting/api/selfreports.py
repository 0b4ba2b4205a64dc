"""Quarterly self-inspection reports (自查报告): created pre-filled by the unit, edited, submitted,
reviewed by the supervising office, exported as .docx."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.common.db import SessionDep
from services.common.files import download_headers
from services.common.pagination import Page, PageDep
from services.reporting.api.deps import Reader, Token, Writer, org_path_of, org_record, service_client
from services.reporting.clients import ServiceClient
from services.reporting.notices.storage import CONTENT_TYPES
from services.reporting.rectification.service import today
from services.reporting.selfreports import service
from services.reporting.selfreports.models import (
    ReportState, SelfReportCreate, SelfReportPublic, SelfReportReview, SelfReportUpdate,
)
from services.reporting.selfreports.render import render_report

router = APIRouter(prefix="/api/v1/self-reports", tags=["self-reports"])
Client = Annotated[ServiceClient, Depends(service_client)]


@router.post("", response_model=SelfReportPublic, status_code=201,
             summary="Start the unit's report for a quarter, pre-filled with the system's figures")
def create_report(session: SessionDep, principal: Writer, token: Token, client: Client,
                  body: SelfReportCreate) -> SelfReportPublic:
    org = org_record(principal, token, body.org_id)
    with client:
        report = service.create(session, principal, client, (org["id"], org["path"], org["name"]), body, today())
    return service.public(report, today())


@router.get("", response_model=Page[SelfReportPublic])
def list_reports(session: SessionDep, principal: Reader, token: Token, page: PageDep, year: int | None = None,
                 quarter: Annotated[int | None, Query(ge=1, le=4)] = None, state: ReportState | None = None,
                 org_id: int | None = None) -> Page[SelfReportPublic]:
    org_path = org_path_of(principal, token, org_id)[1] if org_id is not None else None
    rows, total = service.list_reports(session, principal, limit=page.limit, offset=page.offset, year=year,
                                       quarter=quarter, state=state, org_path=org_path)
    day = today()
    return Page(items=[service.public(r, day) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{report_id}", response_model=SelfReportPublic)
def get_report(session: SessionDep, principal: Reader, report_id: int) -> SelfReportPublic:
    return service.public(service.get_visible(session, principal, report_id), today())


@router.patch("/{report_id}", response_model=SelfReportPublic, summary="Edit a draft or returned report")
def update_report(session: SessionDep, principal: Writer, report_id: int, body: SelfReportUpdate) -> SelfReportPublic:
    return service.public(service.update(session, principal, report_id, body), today())


@router.post("/{report_id}/refresh", response_model=SelfReportPublic,
             summary="Gather the figures again (and, with rewrite=true, the pre-filled text)")
def refresh_report(session: SessionDep, principal: Writer, client: Client, report_id: int,
                   rewrite: bool = False) -> SelfReportPublic:
    with client:
        return service.public(service.refresh_figures(session, principal, client, report_id, rewrite), today())


@router.post("/{report_id}/submit", response_model=SelfReportPublic)
def submit_report(session: SessionDep, principal: Writer, report_id: int) -> SelfReportPublic:
    day = today()
    return service.public(service.submit(session, principal, report_id, day), day)


@router.post("/{report_id}/review", response_model=SelfReportPublic, summary="Accept, or return with a note")
def review_report(session: SessionDep, principal: Writer, report_id: int, body: SelfReportReview) -> SelfReportPublic:
    return service.public(service.review(session, principal, report_id, body), today())


@router.get("/{report_id}/docx", summary="The report as .docx (official-document format)")
def export_report(session: SessionDep, principal: Reader, report_id: int) -> Response:
    report = service.get_visible(session, principal, report_id)
    return Response(render_report(report), media_type=CONTENT_TYPES["docx"],
                    headers=download_headers(f"{report.title[:80]}.docx"))
