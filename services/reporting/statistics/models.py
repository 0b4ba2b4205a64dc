"""One row per checked target of an inspection a notice was assembled from: the facts the dashboard's
pass rates and trends are computed from (raw verdicts, never rates)."""
from datetime import datetime

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, ts_now


class TargetFact(SQLModel, table=True):
    __tablename__ = "target_fact"
    __table_args__ = (
        UniqueConstraint("inspection_id", "kind", "target_id", name="uq_fact_inspection_kind_target"),
        Index("ix_fact_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(index=True)
    inspection_name: str = Field(max_length=200)
    inspection_now: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    scope_org_path: str = Field(max_length=400)
    kind: str = Field(max_length=20)
    target_id: int
    name: str = Field(max_length=200)
    org_path: str = Field(max_length=400)
    site_kind: str | None = Field(default=None, max_length=40)
    platform: str | None = Field(default=None, max_length=40)
    verdict: str | None = Field(default=None, max_length=10)   # pass | fail | None (check error)
    ingested_at: datetime = ts_now()
