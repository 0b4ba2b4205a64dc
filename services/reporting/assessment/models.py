"""Annual assessment (年度考核): deductions per organisation for failures, overdue and unrectified
rectification tasks and late or missing self-inspection reports, with weights an office may set per year."""
from datetime import date, datetime
from typing import Any

from pydantic import model_validator

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, ts_now


class Weights(SQLModel):
    base: float = Field(default=100.0, ge=0, le=1000, description="score before deductions")
    site_failure: float = Field(default=2.0, ge=0, le=100, description="per failing site in an issued notice")
    account_failure: float = Field(default=1.0, ge=0, le=100, description="per failing account in an issued notice")
    overdue_task: float = Field(default=2.0, ge=0, le=100, description="per task that went past its deadline")
    unrectified_task: float = Field(default=3.0, ge=0, le=100, description="per task still not rectified")
    late_report: float = Field(default=1.0, ge=0, le=100, description="per self-inspection report submitted late")
    missing_report: float = Field(default=2.0, ge=0, le=100, description="per due self-inspection report never submitted")
    # Grades by score (年度考核等次): at least `excellent` 优秀, `good` 良好, `passing` 合格, below 不合格.
    excellent: float = Field(default=90.0, ge=0, le=1000, description="lowest score graded 优秀")
    good: float = Field(default=80.0, ge=0, le=1000, description="lowest score graded 良好")
    passing: float = Field(default=60.0, ge=0, le=1000, description="lowest score graded 合格")
    in_use_since: date | None = Field(default=None, description="the day the platform went into use for the "
                                      "office's units: nothing before its quarter is deducted")

    @model_validator(mode="after")
    def _bands_descend(self) -> "Weights":
        if not self.excellent >= self.good >= self.passing:
            raise ValueError("等次分数线须满足：优秀 ≥ 良好 ≥ 合格")
        return self


class AssessmentWeights(SQLModel, table=True):
    __tablename__ = "assessment_weights"
    __table_args__ = (
        UniqueConstraint("org_id", "year", name="uq_weights_org_year"),
        Index("ix_weights_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int
    org_path: str = Field(max_length=400)
    year: int
    weights: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_by: str
    updated_at: datetime = ts_now()


class WeightsPut(SQLModel):
    year: int = Field(ge=2015, le=2100)
    org_id: int | None = Field(default=None, description="defaults to the caller's organisation")
    weights: Weights


class WeightsPublic(SQLModel):
    org_id: int
    year: int
    weights: Weights
    source: str = Field(description="org id whose setting applies, or 'default'")


class AssessmentRow(SQLModel):
    rank: int
    org_id: int
    org_path: str
    unit_name: str
    site_failures: int = 0
    account_failures: int = 0
    overdue_tasks: int = 0
    unrectified_tasks: int = 0
    late_reports: int = 0
    missing_reports: int = 0
    tasks: int = 0
    deduction: float = 0.0
    score: float = 0.0
    grade: str = Field(default="", description="优秀 | 良好 | 合格 | 不合格")
    since: date | None = Field(default=None, description="first day of the first quarter assessed (onboarding)")


class Assessment(SQLModel):
    year: int
    org_id: int
    org_path: str
    weights: Weights
    weights_source: str
    rows: list[AssessmentRow]
