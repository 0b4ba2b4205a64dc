"""Inspections: create (202, planned and run by the workers; `targets` makes it a re-check of those
only), list, progress (poll or SSE), cancel, targets and re-running one target, audit trail."""
import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, func, select
from sse_starlette import EventSourceResponse

from services.checker.api.deps import Queue, Reader, Runner, Token, org_path_of
from services.checker.inspections import flows, service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.models import (
    TERMINAL, Audit, AuditPublic, Finding, Inspection, InspectionCreate, InspectionPublic, InspectionState,
    InspectionUpdate, TargetKind, TargetPublic, utcnow,
)
from services.checker.store import indicator_sets
from services.common.db import SessionDep, get_engine
from services.common.errors import not_found
from services.common.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])


def public(session: Session, inspection: Inspection) -> InspectionPublic:
    return InspectionPublic.model_validate(inspection, update={"progress": service.progress(session, inspection)})


@router.post("", response_model=InspectionPublic, status_code=202,
             summary="Create an inspection; targets are fetched and checked by the workers")
async def create_inspection(session: SessionDep, principal: Runner, token: Token, queue: Queue,
                            body: InspectionCreate) -> InspectionPublic:
    org_id, path = await org_path_of(principal, token, body.scope_org_id)
    chosen = indicator_sets.get(session, principal, body.indicator_set)
    targets = [t.model_dump(mode="json") for t in body.targets] if body.targets is not None else None
    inspection = Inspection(**body.model_dump(exclude={"now", "targets"}), scope_org_path=path,
                            indicator_set_version=chosen.version, now=body.now or utcnow(),
                            created_by=principal.sub, created_by_name=principal.name, targets=targets)
    inspection.scope_org_id = org_id
    inspection = service.create_inspection(session, principal, inspection)
    await flows.start(queue, inspection)
    return public(session, inspection)


@router.get("", response_model=Page[InspectionPublic])
def list_inspections(session: SessionDep, principal: Reader, page: PageDep,
                     state: InspectionState | None = None,
                     q: Annotated[str | None, Query(max_length=200, description="name contains")] = None,
                     scope_org_id: int | None = None, indicator_set: str | None = None,
                     sort: str = "-created_at") -> Page[InspectionPublic]:
    rows, total = service.list_inspections(session, principal, sort=sort, limit=page.limit, offset=page.offset,
                                           state=state, q=q, scope_org_id=scope_org_id,
                                           indicator_set=indicator_set)
    return Page(items=[public(session, r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{inspection_id}", response_model=InspectionPublic, summary="An inspection with live progress")
def get_inspection(session: SessionDep, principal: Reader, inspection_id: int) -> InspectionPublic:
    return public(session, service.get_visible(session, principal, inspection_id))


@router.patch("/{inspection_id}", response_model=InspectionPublic)
def update_inspection(session: SessionDep, principal: Runner, inspection_id: int,
                      body: InspectionUpdate) -> InspectionPublic:
    inspection = service.get_visible(session, principal, inspection_id)
    if body.name is not None:
        inspection = service.rename(session, principal, inspection, body.name)
    return public(session, inspection)


@router.post("/{inspection_id}/cancel", response_model=InspectionPublic,
             summary="Cancel: queued jobs are dropped, results so far are kept")
async def cancel_inspection(session: SessionDep, principal: Runner, queue: Queue,
                            inspection_id: int) -> InspectionPublic:
    inspection = service.get_visible(session, principal, inspection_id)
    return public(session, await flows.cancel(session, queue, principal, inspection))


@router.get("/{inspection_id}/events", summary="Progress as server-sent events until the inspection ends",
            response_class=EventSourceResponse)
async def inspection_events(request: Request, session: SessionDep, principal: Reader,
                            inspection_id: int) -> EventSourceResponse:
    service.get_visible(session, principal, inspection_id)  # scope check before streaming anything
    interval = get_checker_settings().sse_interval

    def snapshot() -> InspectionPublic | None:
        with Session(get_engine()) as fresh:
            inspection = fresh.get(Inspection, inspection_id)
            return None if inspection is None else public(fresh, inspection)

    async def events() -> AsyncIterator[dict[str, str]]:
        last = None
        while True:
            current = await asyncio.to_thread(snapshot)
            if current is None:
                yield {"event": "end", "data": json.dumps({"state": "deleted"})}
                return
            data = current.model_dump_json()
            if data != last:
                yield {"event": "progress", "data": data, "id": str(current.progress.done + current.progress.failed)}
                last = data
            if current.state in TERMINAL:
                yield {"event": "end", "data": json.dumps({"state": str(current.state)})}
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(interval)

    return EventSourceResponse(events(), ping=15)


@router.get("/{inspection_id}/targets", response_model=Page[TargetPublic])
def list_targets(session: SessionDep, principal: Reader, page: PageDep, inspection_id: int,
                 kind: TargetKind | None = None,
                 pending: Annotated[bool | None, Query(description="only targets without a result")] = None,
                 ) -> Page[TargetPublic]:
    inspection = service.get_visible(session, principal, inspection_id)
    rows, total = service.list_targets(session, inspection, kind=kind, pending=pending, limit=page.limit,
                                       offset=page.offset)
    items = [TargetPublic.model_validate(t, update={"has_result": has, "stalled": service.is_stalled(t, has)})
             for t, has in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/{inspection_id}/targets/{kind}/{target_id}/rerun", status_code=202,
             summary="Check one target again (its result is replaced when the job ends)")
async def rerun_target(session: SessionDep, principal: Runner, queue: Queue, inspection_id: int,
                       kind: TargetKind, target_id: int) -> dict:
    inspection = service.get_visible(session, principal, inspection_id)
    target = service.get_target(session, inspection_id, kind, target_id)
    if target is None:
        raise not_found("检查对象")
    enqueued = await flows.rerun(session, queue, principal, inspection, target)
    return {"inspection_id": inspection_id, "kind": kind, "target_id": target_id, "job_id": target.job_id,
            "enqueued": enqueued, "reruns": target.reruns}


@router.get("/{inspection_id}/audit", response_model=Page[AuditPublic],
            summary="Audit trail of the inspection and the review of its findings")
def inspection_audit(session: SessionDep, principal: Reader, page: PageDep, inspection_id: int) -> Page[AuditPublic]:
    service.get_visible(session, principal, inspection_id)
    findings = select(Finding.id).where(Finding.inspection_id == inspection_id)
    query = select(Audit).where(
        ((Audit.entity_kind == "inspection") & (Audit.entity_id == inspection_id))
        | ((Audit.entity_kind == "finding") & Audit.entity_id.in_(findings)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Audit.id).offset(page.offset).limit(page.limit)).all()
    return Page(items=list(rows), total=total, limit=page.limit, offset=page.offset)
