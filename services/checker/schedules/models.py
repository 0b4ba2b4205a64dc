"""A schedule (检查计划) and what it records on the inspections it creates.

An inspection created by a schedule carries `schedule_id` and `schedule_period` ("2026Q4", "2026-12"); the
unique constraint `uq_inspection_schedule_period` on the inspection table is what guarantees one inspection
per schedule and period, however many cron runs race for it.
"""
from datetime import datetime
from enum import StrEnum

from pydantic import model_validator
from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.checker.inspections.models import SCHEMA, TargetKind, enum_str, ts, ts_now


class Frequency(StrEnum):
    quarterly = "quarterly"
    monthly = "monthly"


FREQUENCY_LABELS = {Frequency.quarterly: "每季度", Frequency.monthly: "每月"}


class ScheduleBase(SQLModel):
    title: str = Field(min_length=2, max_length=100, description="name of each round after its period, "
                       "e.g. 政府网站和政务新媒体抽查 → 2026年第四季度政府网站和政务新媒体抽查")
    scope_org_id: int | None = Field(default=None, description="organisation whose subtree is inspected")
    frequency: Frequency = Frequency.quarterly
    day_of_period: int = Field(default=1, ge=1, le=28, description="day of the period's first month (Beijing)")
    hour: int = Field(default=9, ge=0, le=23, description="hour of that day, Beijing time")
    target_kinds: list[TargetKind] = Field(default_factory=lambda: [TargetKind.site, TargetKind.account],
                                           sa_column=Column(JSONB, nullable=False))
    indicator_set: str = Field(default="gov-2019", max_length=80)
    include_closed: bool = True
    probe_count: int = Field(default=0, ge=0, le=5000, description="homepage probes over the window")
    window_hours: int = Field(default=0, ge=0, le=24 * 31, description="availability window from the start; 0: none")
    enabled: bool = True


class InspectionSchedule(ScheduleBase, table=True):
    __tablename__ = "inspection_schedule"
    __table_args__ = (
        Index("ix_schedule_scope_path", "scope_org_path", postgresql_ops={"scope_org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    scope_org_id: int
    scope_org_path: str = Field(max_length=400)
    frequency: Frequency = enum_str(Frequency.quarterly)
    created_by: str
    created_by_name: str | None = None
    created_at: datetime = ts_now()
    updated_at: datetime = ts_now()
    last_period: str | None = Field(default=None, max_length=10, description="period of the last round created")
    last_run_at: datetime | None = ts()
    last_inspection_id: int | None = None
    last_error: str | None = Field(default=None, max_length=500)


def _check(body: "ScheduleCreate | ScheduleUpdate") -> None:
    if body.target_kinds is not None and not body.target_kinds:
        raise ValueError("请至少选择一类检查对象")
    if body.probe_count and not body.window_hours:
        raise ValueError("首页探测需要设置监测时长")


class ScheduleCreate(ScheduleBase):
    @model_validator(mode="after")
    def _valid(self) -> "ScheduleCreate":
        _check(self)
        return self


class ScheduleUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=2, max_length=100)
    frequency: Frequency | None = None
    day_of_period: int | None = Field(default=None, ge=1, le=28)
    hour: int | None = Field(default=None, ge=0, le=23)
    target_kinds: list[TargetKind] | None = None
    indicator_set: str | None = Field(default=None, max_length=80)
    include_closed: bool | None = None
    probe_count: int | None = Field(default=None, ge=0, le=5000)
    window_hours: int | None = Field(default=None, ge=0, le=24 * 31)
    enabled: bool | None = None

    @model_validator(mode="after")
    def _valid(self) -> "ScheduleUpdate":
        _check(self)
        return self


class SchedulePublic(ScheduleBase):
    id: int
    scope_org_id: int
    scope_org_path: str
    created_by: str
    created_by_name: str | None
    created_at: datetime
    updated_at: datetime
    last_period: str | None
    last_run_at: datetime | None
    last_inspection_id: int | None
    last_error: str | None
    next_run_at: datetime | None = Field(default=None, description="when the next round is created (None: paused)")
    next_name: str | None = Field(default=None, description="the name the next round will carry")
    description: str = Field(default="", description="zh-CN: 每季度第1天 9:00（北京时间）")
