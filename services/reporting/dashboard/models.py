"""Response shapes of the dashboard (no tables: everything is computed from other modules' records)."""
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DashboardFigures(BaseModel):
    checked: int = Field(description="targets with a verdict in the latest round")
    passed: int
    pass_rate: float | None = Field(description="passed ÷ checked; null without results")
    open_vetoes: int | None = Field(description="open veto-level monitoring problems; null when unknown")
    overdue_tasks: int
    sites: int = Field(description="running sites")
    monitored_sites: int
    coverage: float | None = Field(description="monitoring coverage in [0, 1]; null without running sites")
    health: float | None = Field(description="健康指数 0–100 (formula in `formula`); null without data")


class DashboardUnit(DashboardFigures):
    org_id: int
    name: str
    kind: str | None
    group: Literal["region", "department"]
    region_code: str | None


class DashboardOrg(BaseModel):
    id: int
    name: str
    kind: str | None
    region_code: str | None


class DashboardRound(BaseModel):
    inspection_id: int
    name: str
    now: datetime


class DashboardOverview(BaseModel):
    org: DashboardOrg
    round: DashboardRound | None
    monitor_available: bool
    totals: DashboardFigures
    units: list[DashboardUnit]
    formula: str
