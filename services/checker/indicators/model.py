"""Indicator sets as data: thresholds, severities and points, validated with pydantic."""
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameters(_Strict):
    """Thresholds the checks read. Every field is required: the values live in the set files only."""
    home_window_days: int
    news_window_days: int
    notice_window_days: int              # 通知公告 and 政策文件 columns
    other_window_days: int               # other should-update columns
    stale_veto_news_notice_policy: int   # stale news+notice+policy columns that make a veto
    stale_veto_should_update: int        # stale should-update columns (any category) that make a veto
    empty_veto: int                      # empty columns that make a veto
    unreachable_ratio: float             # failed share of probes that makes a veto
    unreachable_window_days: int
    probe_timeout_seconds: float         # a probe without a complete response within this time failed
    message_unanswered_days: int
    message_lookback_days: int           # only messages of this past period are judged
    reply_limit_days: int
    reply_recent_days: int
    guide_min_missing_elements: int      # a guide missing this many of the ten elements is incomplete
    guide_veto_count: int                # incomplete guides that make a veto
    account_update_days: int
    account_original_days: int
    # Whole-site monitoring schedule of the organisations using the set (optional; unset: the deployment's
    # GOVWATCH_MONITOR_HUB_HOURS / GOVWATCH_MONITOR_REVALIDATE_DAYS).
    monitor_hub_hours: int | None = Field(default=None, ge=1, le=24 * 31)
    monitor_revalidate_days: int | None = Field(default=None, ge=1, le=366)
    # Personal numbers on one page that make it a published list of personal data: its personal_data finding
    # carries the flag `bulk` (optional; unset: checks/personal_data.BULK_RECORDS).
    personal_data_bulk_records: int | None = Field(default=None, ge=1)
    # 政策解读 (checks/policy_interpretation.py; optional, unset: its defaults): a policy document older than
    # this many days without a 解读 is a finding; the share of documents with one, and the number of 解读 forms
    # (文字, 图解, 视频, 问答), below these are findings of the site.
    policy_interpretation_days: int | None = Field(default=None, ge=1, le=3660)
    policy_interpretation_min_share: float | None = Field(default=None, ge=0, le=1)
    policy_interpretation_min_forms: int | None = Field(default=None, ge=1, le=4)
    # 转载: days a required item may take to appear when the item does not say (checks/repost_missing.py).
    repost_days: int | None = Field(default=None, ge=1, le=366)


class VetoWhen(_Strict):
    """Escalation of an indicator's findings to veto: by a counted threshold or by a finding flag."""
    count_param: str | None = None       # name of a Parameters field: veto when the summed count reaches it
    categories: list[str] | None = None  # count only findings whose data["category"] is one of these
    flag: str | None = None              # veto when any finding has data[flag] set

    @model_validator(mode="after")
    def _one_trigger(self) -> "VetoWhen":
        if (self.count_param is None) == (self.flag is None):
            raise ValueError("veto_when needs exactly one of count_param or flag")
        if self.count_param is not None and self.count_param not in Parameters.model_fields:
            raise ValueError(f"unknown parameter {self.count_param!r}")
        return self


class IndicatorRule(_Strict):
    enabled: bool = True
    severity: Literal["veto", "deduct"]
    points: float = 0.0                  # per occurrence (Finding.count), deduct only
    scope_points: dict[str, float] = {}  # per occurrence by data["scope"] (e.g. home/other pages)
    max_points: float = 0.0              # cap of the indicator's total deduction
    veto_when: list[VetoWhen] = []


class RepostItem(_Strict):
    """An item every site under the set must repost (转载) within `days` of `issued` (unset: repost_days)."""
    title: str = Field(min_length=2, max_length=200)
    source: str = Field(min_length=2, max_length=100)    # 中国政府网, 陕西省人民政府 …
    issued: date
    days: int | None = Field(default=None, ge=1, le=366)


class RequiredColumn(_Strict):
    """A column (栏目) a site must have: found when a column or link name contains its name or a synonym."""
    synonyms: list[str] = []
    within: str | None = None            # a sub-column of this required column, looked for on its page


class IndicatorSet(_Strict):
    id: str
    version: int
    parent: str | None = None
    name: str
    pass_score: float
    parameters: Parameters
    indicators: dict[str, IndicatorRule]
    # Columns a site must have, by site kind (portal, department), by name; a tier overrides an entry by its
    # name, and drops one by setting it to null (mappings merge key by key, see loader._merge).
    required_columns: dict[str, dict[str, RequiredColumn | None]] = {}

    @model_validator(mode="after")
    def _parents_required(self) -> "IndicatorSet":
        for kind, columns in self.required_columns.items():
            for name, column in columns.items():
                if column is not None and column.within is not None and columns.get(column.within) is None:
                    raise ValueError(f"required_columns.{kind}.{name}: within names no required column")
        return self
    reposts: list[RepostItem] = []       # 转载 items (a child's list replaces its parent's)
