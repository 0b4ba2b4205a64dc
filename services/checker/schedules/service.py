"""Schedules: plain functions on a session. Periods are Beijing calendar periods (a quarter or a month);
a round is due from its run time (day `day_of_period` of the period's first month, `hour` o'clock Beijing)
until the period ends, so a worker that was down at the run time still creates it when it comes back.

Scope: a principal sees and edits the schedules of its own subtree (`scope_org_path` under its path)."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, func, select

from services.checker.inspections import service as inspections
from services.checker.inspections.models import Inspection, InspectionState, TargetKind, utcnow
from services.checker.schedules.models import (
    FREQUENCY_LABELS, Frequency, InspectionSchedule, ScheduleCreate, SchedulePublic, ScheduleUpdate,
)
from services.common.auth import Principal
from services.common.clock import to_beijing, zone
from services.common.errors import ApiError, not_found
from services.common.scope import scope_filter

QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    key: str            # "2026Q4" | "2026-12": what the unique constraint holds
    label: str          # "2026年第四季度" | "2026年12月": the start of each round's name
    run_at: datetime    # when the round is created (aware)
    end: datetime       # the next period's start (aware)


def _start_of(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=zone())


def period_of(schedule: InspectionSchedule | ScheduleCreate, moment: datetime) -> Period:
    """The period (Beijing time) holding `moment`."""
    local = to_beijing(moment)
    if schedule.frequency == Frequency.quarterly:
        quarter = (local.month - 1) // 3
        first = quarter * 3 + 1
        key, label = f"{local.year}Q{quarter + 1}", f"{local.year}年第{QUARTERS[quarter]}季度"
        months = 3
    else:
        first, months = local.month, 1
        key, label = f"{local.year}-{local.month:02d}", f"{local.year}年{local.month}月"
    start = _start_of(local.year, first)
    end_year, end_month = (local.year + (first - 1 + months) // 12, (first - 1 + months) % 12 + 1)
    run_at = start.replace(day=schedule.day_of_period, hour=schedule.hour)
    return Period(key, label, run_at.astimezone(UTC), _start_of(end_year, end_month).astimezone(UTC))


def round_name(schedule: InspectionSchedule | ScheduleCreate, period: Period) -> str:
    return f"{period.label}{schedule.title}"[:200]


def next_run(schedule: InspectionSchedule, now: datetime | None = None) -> Period | None:
    """The period whose round comes next: this one while its round is not created, else the next one."""
    if not schedule.enabled:
        return None
    now = now or utcnow()
    current = period_of(schedule, now)
    if schedule.last_period != current.key:
        return current
    return period_of(schedule, current.end)


def describe(schedule: InspectionSchedule) -> str:
    day = f"首月{schedule.day_of_period}日" if schedule.frequency == Frequency.quarterly else f"{schedule.day_of_period}日"
    return f"{FREQUENCY_LABELS[Frequency(schedule.frequency)]}（{day} {schedule.hour}:00，北京时间）"


def public(schedule: InspectionSchedule, now: datetime | None = None) -> SchedulePublic:
    upcoming = next_run(schedule, now)
    return SchedulePublic.model_validate(schedule, update={
        "frequency": Frequency(schedule.frequency), "target_kinds": [TargetKind(k) for k in schedule.target_kinds],
        "next_run_at": upcoming.run_at if upcoming else None,
        "next_name": round_name(schedule, upcoming) if upcoming else None,
        "description": describe(schedule)})


def _dump(schedule: InspectionSchedule) -> dict[str, Any]:
    """The row as the audit log keeps it. A row read back holds its enums as plain strings (the columns are
    text): dumped through the public model, which reads them as the enums they are."""
    return public(schedule).model_dump(mode="json", include=set(InspectionSchedule.model_fields))


# ---------------------------------------------------------------------------------------------------
# CRUD


def create(session: Session, principal: Principal, body: ScheduleCreate, org_id: int, org_path: str) -> InspectionSchedule:
    schedule = InspectionSchedule(**body.model_dump(exclude={"scope_org_id"}), scope_org_id=org_id,
                                  scope_org_path=org_path, created_by=principal.sub, created_by_name=principal.name)
    session.add(schedule)
    session.flush()
    inspections.audit(session, principal, "schedule.create", "schedule", schedule.id, org_path, after=_dump(schedule))
    session.commit()
    session.refresh(schedule)
    return schedule


def query(principal: Principal):  # noqa: ANN201
    return select(InspectionSchedule).where(scope_filter(InspectionSchedule.scope_org_path, principal))


def list_visible(session: Session, principal: Principal, *, limit: int, offset: int
                 ) -> tuple[list[InspectionSchedule], int]:
    q = query(principal)
    total = session.exec(select(func.count()).select_from(q.subquery())).one()
    rows = session.exec(q.order_by(InspectionSchedule.id).offset(offset).limit(limit)).all()
    return list(rows), total


def get_visible(session: Session, principal: Principal, schedule_id: int) -> InspectionSchedule:
    row = session.exec(query(principal).where(InspectionSchedule.id == schedule_id)).first()
    if row is None:
        raise not_found("检查计划")
    return row


def update(session: Session, principal: Principal, schedule: InspectionSchedule,
           body: ScheduleUpdate) -> InspectionSchedule:
    before = _dump(schedule)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)  # a null leaves the field as it is
    for name, value in changes.items():
        setattr(schedule, name, value)
    if schedule.probe_count and not schedule.window_hours:
        raise ApiError(422, "window_required", "首页探测需要设置监测时长", field="window_hours")
    schedule.updated_at = utcnow()
    session.add(schedule)
    action = "schedule.update"
    if set(changes) == {"enabled"}:
        action = "schedule.resume" if schedule.enabled else "schedule.pause"
    inspections.audit(session, principal, action, "schedule", schedule.id, schedule.scope_org_path,
                      before=before, after=_dump(schedule))
    session.commit()
    session.refresh(schedule)
    return schedule


def delete(session: Session, principal: Principal, schedule: InspectionSchedule) -> None:
    """The rounds it created stay (their schedule_id becomes NULL)."""
    inspections.audit(session, principal, "schedule.delete", "schedule", schedule.id, schedule.scope_org_path,
                      before=_dump(schedule))
    session.delete(schedule)
    session.commit()


# ---------------------------------------------------------------------------------------------------
# The cron's part: create the rounds that are due


def due(session: Session, now: datetime) -> list[tuple[InspectionSchedule, Period]]:
    """Enabled schedules whose current period's round is due and not created yet."""
    found = []
    for schedule in session.exec(select(InspectionSchedule).where(InspectionSchedule.enabled)
                                 .order_by(InspectionSchedule.id)).all():
        period = period_of(schedule, now)
        if now >= period.run_at and schedule.last_period != period.key:
            found.append((schedule, period))
    return found


def create_round(session: Session, schedule: InspectionSchedule, period: Period, now: datetime,
                 indicator_set_version: int) -> Inspection | None:
    """The period's inspection, or None when another run created it first (the unique constraint decides:
    INSERT … ON CONFLICT DO NOTHING on (schedule_id, schedule_period))."""
    window_start = window_end = None
    if schedule.window_hours:
        window_start, window_end = now, now + timedelta(hours=schedule.window_hours)
    values = dict(name=round_name(schedule, period), scope_org_id=schedule.scope_org_id,
                  scope_org_path=schedule.scope_org_path,
                  target_kinds=[str(TargetKind(k)) for k in schedule.target_kinds],
                  indicator_set=schedule.indicator_set, include_closed=schedule.include_closed,
                  indicator_set_version=indicator_set_version, now=now, window_start=window_start,
                  window_end=window_end, probe_count=schedule.probe_count if window_start else 0,
                  state=InspectionState.pending, target_count=0, created_by=schedule.created_by,
                  created_by_name=schedule.created_by_name, created_at=now, schedule_id=schedule.id,
                  schedule_period=period.key)
    inserted = session.exec(insert(Inspection).values(**values).on_conflict_do_nothing(
        constraint="uq_inspection_schedule_period").returning(Inspection.id)).first()
    if inserted is None:
        session.rollback()
        return None
    inspection = session.get(Inspection, inserted[0])
    assert inspection is not None
    schedule.last_period, schedule.last_run_at, schedule.last_inspection_id = period.key, now, inspection.id
    schedule.last_error = None
    session.add(schedule)
    inspections.audit(session, None, "inspection.create", "inspection", inspection.id, inspection.scope_org_path,
                      after=inspections.dump(inspection), note=f"定期检查计划自动创建（{period.label}）")
    session.commit()
    session.refresh(inspection)
    return inspection


def record_error(session: Session, schedule_id: int, message: str) -> None:
    row = session.get(InspectionSchedule, schedule_id)
    if row is not None:
        row.last_error = message[:500]
        session.add(row)
        session.commit()


def rounds(session: Session, schedule: InspectionSchedule, limit: int = 12) -> list[Inspection]:
    return list(session.exec(select(Inspection).where(Inspection.schedule_id == schedule.id)
                             .order_by(Inspection.id.desc()).limit(limit)).all())
