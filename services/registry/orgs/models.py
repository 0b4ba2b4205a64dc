"""Organisations: the tier tree (province → city → county → township, departments under any)."""
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, field_validator, model_validator
from sqlalchemy import Column, DateTime, Index
from sqlmodel import Field, SQLModel

from services.common.validation import plain_name
from services.registry.models_base import SCHEMA, enum_type, fk, utcnow


class OrgKind(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"
    department = "department"


KIND_LABELS = {OrgKind.province: "省级", OrgKind.city: "市级", OrgKind.county: "县级", OrgKind.township: "乡镇（街道）",
               OrgKind.department: "部门单位"}

# GB/T 2260: 2 digits province, 2 city, 2 county. A tier's code is its prefix padded with zeros.
REGION_PREFIX = {OrgKind.province: 2, OrgKind.city: 4, OrgKind.county: 6, OrgKind.township: 6}


def is_region_code(value: str) -> bool:
    return re.fullmatch(r"[0-9]{6}", value) is not None


def _six_digits(value: str) -> str:
    if not is_region_code(value):
        raise ValueError("行政区划代码应为6位数字 (region code must be 6 digits)")
    return value


# The one rule for a region code, on creation and on edits alike.
RegionCode = Annotated[str, AfterValidator(_six_digits)]


class OrgBase(SQLModel):
    name: str = Field(min_length=2, max_length=100)
    kind: OrgKind = Field(sa_type=enum_type(OrgKind))
    region_code: RegionCode | None = Field(default=None, max_length=6,
                                           description="GB/T 2260 行政区划代码 (6 digits); departments inherit")


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

    _plain = field_validator("name")(classmethod(lambda cls, v: plain_name(v)))


class OrgUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=100)
    region_code: RegionCode | None = Field(default=None, max_length=6,
                                           description="null: a department inherits its parent's code")

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("名称不能为空 (name cannot be null)")
        return plain_name(value)


class OrgPublic(SQLModel):
    """What reads answer. It does not re-apply the input rules: a row stored before a rule existed (or written
    around it) must not turn every list that contains it into a 500. A stored region code that is not six
    digits is answered as null with `region_code_valid: false`, so clients that rely on the format stay safe
    and an admin sees what to correct (PATCH validates)."""
    id: int
    parent_id: int | None
    path: str
    name: str
    kind: OrgKind
    region_code: str | None = Field(default=None, description="GB/T 2260 行政区划代码; null when missing or invalid")
    region_code_valid: bool = Field(default=True, description="false: the stored code is not six digits")

    @model_validator(mode="before")
    @classmethod
    def _flag_invalid_region(cls, data: Any) -> Any:
        values = dict(data) if isinstance(data, dict) else {
            name: getattr(data, name, None) for name in ("id", "parent_id", "path", "name", "kind", "region_code")}
        code = values.get("region_code")
        if code is not None and not (isinstance(code, str) and is_region_code(code)):
            values["region_code"], values["region_code_valid"] = None, False
        return values
