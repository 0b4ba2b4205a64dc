"""Organisations: the tier tree (province → city → county → township, departments under any)."""
import re
from datetime import datetime
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from services.registry.models_base import SCHEMA, enum_type, fk, utcnow


class OrgKind(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"
    department = "department"


# GB/T 2260: 2 digits province, 2 city, 2 county. A tier's code is its prefix padded with zeros.
REGION_PREFIX = {OrgKind.province: 2, OrgKind.city: 4, OrgKind.county: 6, OrgKind.township: 6}


class OrgBase(SQLModel):
    name: str = Field(min_length=2, max_length=100)
    kind: OrgKind = Field(sa_type=enum_type(OrgKind))
    region_code: str | None = Field(default=None, max_length=6,
                                    description="GB/T 2260 行政区划代码 (6 digits); departments inherit")

    @field_validator("region_code")
    @classmethod
    def _six_digits(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{6}", value):
            raise ValueError("行政区划代码应为6位数字 (region code must be 6 digits)")
        return value


class Organisation(OrgBase, table=True):
    __tablename__ = "organisation"
    __table_args__ = (
        Index("ix_organisation_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key=fk("organisation"), index=True)
    path: str = Field(default="", max_length=400)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class OrgCreate(OrgBase):
    parent_id: int


class OrgUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=100)
    region_code: str | None = Field(default=None, max_length=6)


class OrgPublic(OrgBase):
    id: int
    parent_id: int | None
    path: str
