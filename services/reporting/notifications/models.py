"""Notifications (提醒): in the app for the unit and its supervising offices, and pushed through the
configured channels (webhook, e-mail). A reminder exists once per task and occasion (`dedupe_key`),
so the periodic sweep never sends the same one twice."""
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, enum_type, fk, ts, ts_now


class NotificationKind(StrEnum):
    assigned = "assigned"            # a notice opened a task for the unit
    due_soon = "due_soon"            # the deadline is near and the task is not submitted
    overdue = "overdue"              # the deadline passed unresolved
    rejected = "rejected"            # the reviewer sent it back
    recheck_failed = "recheck_failed"
    verified = "verified"
    report_due = "report_due"        # a quarterly self-inspection report is due soon / late
    monitor_alert = "monitor_alert"  # whole-site monitoring found a veto-level problem (错敏词, 暗链, 无法访问)
    urged = "urged"                  # the supervising office urged an overdue or open task (催办)


class ChannelKind(StrEnum):
    webhook = "webhook"
    email = "email"


class DeliveryState(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"                # gave up after the configured attempts; see `error`


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_notification_dedupe"),
        Index("ix_notification_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: NotificationKind = Field(sa_type=enum_type(NotificationKind))
    org_id: int
    org_path: str = Field(max_length=400, description="the unit it concerns; seen by that unit and its offices")
    task_id: int | None = Field(default=None, index=True)
    report_id: int | None = None
    title: str = Field(max_length=300)
    body: str = Field(max_length=4000)
    dedupe_key: str = Field(max_length=200)
    created_at: datetime = ts_now()
    read_at: datetime | None = ts()
    read_by: str | None = None


class NotifyChannel(SQLModel, table=True):
    """Where an organisation wants its reminders pushed; with `include_subtree` also its units' ones."""
    __tablename__ = "notify_channel"
    __table_args__ = (
        Index("ix_channel_org_path", "org_path", postgresql_ops={"org_path": "text_pattern_ops"}),
        {"schema": SCHEMA},
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(index=True)
    org_path: str = Field(max_length=400)
    kind: ChannelKind = Field(sa_type=enum_type(ChannelKind))
    target: str = Field(max_length=500, description="webhook URL or e-mail address")
    include_subtree: bool = False
    kinds: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False),
                             description="notification kinds to push; empty = all")
    enabled: bool = True
    created_by: str
    created_at: datetime = ts_now()


class Delivery(SQLModel, table=True):
    __tablename__ = "notification_delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel", "target", name="uq_delivery"),
                      {"schema": SCHEMA})
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(sa_column=Column(Integer, ForeignKey(fk("notification"), ondelete="CASCADE"),
                                                  nullable=False, index=True))
    channel: ChannelKind = Field(sa_type=enum_type(ChannelKind))
    target: str = Field(max_length=500)
    state: DeliveryState = Field(default=DeliveryState.pending, sa_type=enum_type(DeliveryState), index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=2000, description="failure code (notifications.service.OUTCOMES)")
    next_attempt_at: datetime = ts_now()
    sent_at: datetime | None = ts()


# ---------------------------------------------------------------------------------------------------
# API shapes


class NotificationPublic(SQLModel):
    id: int
    kind: NotificationKind
    org_id: int
    org_path: str
    task_id: int | None
    report_id: int | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class ChannelCreate(SQLModel):
    org_id: int | None = Field(default=None, description="defaults to the caller's organisation")
    kind: ChannelKind
    target: str = Field(min_length=3, max_length=500)
    include_subtree: bool = False
    kinds: list[NotificationKind] = []


class ChannelPublic(SQLModel):
    id: int
    org_id: int
    org_path: str
    kind: ChannelKind
    target: str
    include_subtree: bool
    kinds: list[str]
    enabled: bool
    created_by: str
    created_at: datetime


class DeliveryPublic(SQLModel):
    """Shown to those who may manage the channel; the target's own answer is never echoed."""
    id: int
    notification_id: int
    channel: ChannelKind
    target: str
    state: DeliveryState
    attempts: int
    outcome: str = Field(description="short zh-CN outcome, e.g. 已送达, 对方返回 HTTP 500")
    sent_at: datetime | None


def payload(n: Notification) -> dict[str, Any]:
    """What a webhook receives (and what an e-mail says)."""
    return {"id": n.id, "kind": str(n.kind), "org_id": n.org_id, "org_path": n.org_path, "task_id": n.task_id,
            "report_id": n.report_id, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()}
