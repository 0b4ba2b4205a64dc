"""Results of an inspection: list and filter, one target's result with its findings, and the review
(add a finding by hand with evidence, dismiss or restore an automatic one; audited, verdict recomputed)."""
from typing import Annotated, Any

import asyncio

from fastapi import APIRouter, Query, Response
from sqlmodel import Session, func, select

from services.checker.api.deps import Reader, Runner
from services.checker.inspections import export, service
from services.checker.inspections.models import (
    Finding, FindingCreate, FindingDismiss, FindingPublic, Inspection, InspectionResult, ResultDetail, ResultStatus,
    ResultSummary, TargetKind, Verdict,
)
from services.checker.registry_client import RegistryClient, RegistryError
from services.common.clock import file_stamp
from services.common.db import SessionDep, get_engine
from services.common.errors import unavailable
from services.common.files import XLSX, download_headers
from services.common.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/inspections/{inspection_id}", tags=["results"])


@router.get("/results", response_model=Page[ResultSummary], summary="Results, failing targets first")
def list_results(session: SessionDep, principal: Reader, page: PageDep, inspection_id: int,
                 verdict: Verdict | None = None, status: ResultStatus | None = None,
                 kind: TargetKind | None = None,
                 q: Annotated[str | None, Query(max_length=200, description="target name or URL contains")] = None,
                 indicator: Annotated[str | None, Query(description="has an active finding of this code")] = None,
                 ) -> Page[ResultSummary]:
    inspection = service.get_visible(session, principal, inspection_id)
    items, total = service.list_results(session, inspection, limit=page.limit, offset=page.offset,
                                        verdict=verdict, status=status, kind=kind, q=q, indicator=indicator)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def _unit_names() -> dict[str, str]:
    try:
        async with RegistryClient() as registry:
            return {o["path"]: o["name"] async for o in registry.orgs()}
    except RegistryError as exc:
        raise unavailable("registry_unavailable", "登记系统暂不可用，无法取得责任单位名称，请稍后再导出", exc) from exc


def _workbook(inspection_id: int, names: dict[str, str]) -> bytes:
    with Session(get_engine()) as fresh:  # off the event loop, in a session of its own
        inspection = fresh.get(Inspection, inspection_id)
        assert inspection is not None
        return export.workbook(fresh, inspection, names)


@router.get("/export", summary="Results with their findings as .xlsx: one row per finding",
            response_class=Response, responses={200: {"content": {XLSX.mime: {}}}})
async def export_results(session: SessionDep, principal: Reader, inspection_id: int) -> Response:
    inspection = service.get_visible(session, principal, inspection_id)
    names = await _unit_names()
    data = await asyncio.to_thread(_workbook, inspection.id, names)
    filename = f"{inspection.name}_检查结果与问题_{file_stamp()}.xlsx"
    return Response(data, media_type=XLSX.mime, headers=download_headers(filename))


@router.get("/results/{kind}/{target_id}", response_model=ResultDetail)
def get_result(session: SessionDep, principal: Reader, inspection_id: int, kind: TargetKind,
               target_id: int) -> ResultDetail:
    inspection = service.get_visible(session, principal, inspection_id)
    return service.result_detail(session, service.get_result(session, inspection, kind, target_id))


@router.get("/results/{kind}/{target_id}/contract", summary="The result in the DESIGN.md check-output shape")
def get_result_contract(session: SessionDep, principal: Reader, inspection_id: int, kind: TargetKind,
                        target_id: int) -> dict[str, Any]:
    inspection = service.get_visible(session, principal, inspection_id)
    return service.contract_json(session, service.get_result(session, inspection, kind, target_id))


@router.get("/findings", response_model=Page[FindingPublic], summary="Findings of the inspection as rows")
def list_findings(session: SessionDep, principal: Reader, page: PageDep, inspection_id: int,
                  indicator: str | None = None, severity: str | None = None, kind: TargetKind | None = None,
                  dismissed: bool | None = False) -> Page[FindingPublic]:
    service.get_visible(session, principal, inspection_id)
    query = select(Finding).where(Finding.inspection_id == inspection_id)
    for column, value in ((Finding.indicator, indicator), (Finding.severity, severity), (Finding.kind, kind),
                          (Finding.dismissed, dismissed)):
        if value is not None:
            query = query.where(column == value)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Finding.id).offset(page.offset).limit(page.limit)).all()
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)


@router.post("/results/{kind}/{target_id}/findings", response_model=ResultDetail, status_code=201,
             summary="Add a finding by hand, with evidence")
def add_finding(session: SessionDep, principal: Runner, inspection_id: int, kind: TargetKind, target_id: int,
                body: FindingCreate) -> ResultDetail:
    inspection = service.get_visible(session, principal, inspection_id)
    row: InspectionResult = service.get_result(session, inspection, kind, target_id)
    service.add_finding(session, principal, inspection, row, body)
    return service.result_detail(session, row)


@router.post("/results/{kind}/{target_id}/findings/{finding_id}/dismiss", response_model=ResultDetail,
             summary="Dismiss a finding with a reason (the verdict is recomputed)")
def dismiss_finding(session: SessionDep, principal: Runner, inspection_id: int, kind: TargetKind,
                    target_id: int, finding_id: int, body: FindingDismiss) -> ResultDetail:
    inspection = service.get_visible(session, principal, inspection_id)
    row = service.get_result(session, inspection, kind, target_id)
    service.dismiss_finding(session, principal, row, service.get_finding(session, row, finding_id), body.reason)
    return service.result_detail(session, row)


@router.post("/results/{kind}/{target_id}/findings/{finding_id}/restore", response_model=ResultDetail,
             summary="Undo a dismissal")
def restore_finding(session: SessionDep, principal: Runner, inspection_id: int, kind: TargetKind,
                    target_id: int, finding_id: int) -> ResultDetail:
    inspection = service.get_visible(session, principal, inspection_id)
    row = service.get_result(session, inspection, kind, target_id)
    service.restore_finding(session, principal, row, service.get_finding(session, row, finding_id))
    return service.result_detail(session, row)
