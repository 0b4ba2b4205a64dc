"""Scheduled inspections (定期检查): set up once (quarterly or monthly, day and hour in Beijing time, kinds,
scope, probe window), pause, edit, delete; each shows its next run and the rounds it created."""
from fastapi import APIRouter

from services.checker.api.deps import Reader, Runner, Token, org_path_of
from services.checker.inspections.models import InspectionPublic
from services.checker.schedules import service
from services.checker.schedules.models import ScheduleCreate, SchedulePublic, ScheduleUpdate
from services.checker.store import indicator_sets
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules"])


class ScheduleDetail(SchedulePublic):
    rounds: list[InspectionPublic] = []


@router.get("", response_model=Page[SchedulePublic], summary="Schedules of the caller's subtree")
def list_schedules(session: SessionDep, principal: Reader, page: PageDep) -> Page[SchedulePublic]:
    rows, total = service.list_visible(session, principal, limit=page.limit, offset=page.offset)
    return Page(items=[service.public(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=SchedulePublic, status_code=201, summary="Set up a schedule")
async def create_schedule(session: SessionDep, principal: Runner, token: Token, body: ScheduleCreate) -> SchedulePublic:
    org_id, path = await org_path_of(principal, token, body.scope_org_id)
    indicator_sets.get(session, principal, body.indicator_set)  # 404 in Chinese for a set the caller cannot use
    return service.public(service.create(session, principal, body, org_id, path))


@router.get("/{schedule_id}", response_model=ScheduleDetail, summary="A schedule with its latest rounds")
def get_schedule(session: SessionDep, principal: Reader, schedule_id: int) -> ScheduleDetail:
    schedule = service.get_visible(session, principal, schedule_id)
    rounds = [InspectionPublic.model_validate(i) for i in service.rounds(session, schedule)]
    return ScheduleDetail(**service.public(schedule).model_dump(), rounds=rounds)


@router.patch("/{schedule_id}", response_model=SchedulePublic, summary="Edit, pause (enabled=false) or resume")
def update_schedule(session: SessionDep, principal: Runner, schedule_id: int, body: ScheduleUpdate) -> SchedulePublic:
    schedule = service.get_visible(session, principal, schedule_id)
    if body.indicator_set is not None:
        indicator_sets.get(session, principal, body.indicator_set)
    return service.public(service.update(session, principal, schedule, body))




@router.delete("/{schedule_id}", status_code=204, summary="Delete; the rounds it created stay")
def delete_schedule(session: SessionDep, principal: Runner, schedule_id: int) -> None:
    service.delete(session, principal, service.get_visible(session, principal, schedule_id))
