"""Notifications (提醒) in the app, and the channels (webhook, e-mail) an organisation pushes them to."""
from fastapi import APIRouter
from pydantic import BaseModel

from services.common.db import SessionDep
from services.common.pagination import Page, PageDep
from services.reporting.api.deps import Issuer, Reader, Token, Writer, org_path_of
from services.reporting.notifications import service
from services.reporting.notifications.models import (
    ChannelCreate, ChannelPublic, DeliveryPublic, NotificationKind, NotificationPublic,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


class NotificationPage(Page[NotificationPublic]):
    unread: int


@router.get("", response_model=NotificationPage, summary="Notifications of the caller's subtree, newest first")
def list_notifications(session: SessionDep, principal: Reader, page: PageDep, unread: bool | None = None,
                       kind: NotificationKind | None = None) -> NotificationPage:
    rows, total, unread_count = service.list_for(session, principal, unread=unread, kind=kind, limit=page.limit,
                                                 offset=page.offset)
    return NotificationPage(items=[NotificationPublic.model_validate(r) for r in rows], total=total,
                            limit=page.limit, offset=page.offset, unread=unread_count)


class Marked(BaseModel):
    marked: int


# Read marks are shared by the organisation: viewers read but do not change them.
@router.post("/{notification_id}/read", response_model=Marked)
def mark_read(session: SessionDep, principal: Writer, notification_id: int) -> Marked:
    return Marked(marked=service.mark_read(session, principal, notification_id))


@router.post("/read-all", response_model=Marked)
def mark_all_read(session: SessionDep, principal: Writer) -> Marked:
    return Marked(marked=service.mark_read(session, principal, None))


@router.get("/{notification_id}/deliveries", response_model=list[DeliveryPublic],
            summary="How the notification went out through the channels the caller manages")
def list_deliveries(session: SessionDep, principal: Reader, notification_id: int) -> list[DeliveryPublic]:
    return [DeliveryPublic(id=d.id, notification_id=d.notification_id, channel=d.channel, target=d.target,  # type: ignore[arg-type]
                           state=d.state, attempts=d.attempts, outcome=service.outcome(d.state, d.error),
                           sent_at=d.sent_at)
            for d in service.deliveries(session, principal, notification_id)]


@router.get("/channels", response_model=list[ChannelPublic])
def list_channels(session: SessionDep, principal: Issuer) -> list[ChannelPublic]:
    return [ChannelPublic.model_validate(c) for c in service.channels(session, principal)]


@router.post("/channels", response_model=ChannelPublic, status_code=201,
             summary="Push this organisation's (and optionally its units') reminders to a webhook or an e-mail address")
def add_channel(session: SessionDep, principal: Issuer, token: Token, body: ChannelCreate) -> ChannelPublic:
    org_id, org_path = org_path_of(principal, token, body.org_id)
    return ChannelPublic.model_validate(service.add_channel(session, principal, org_path, org_id, body))


@router.delete("/channels/{channel_id}", status_code=204)
def delete_channel(session: SessionDep, principal: Issuer, channel_id: int) -> None:
    service.remove_channel(session, principal, channel_id)


