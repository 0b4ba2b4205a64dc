"""Notifications: create once (deduplicated), fan out to the channels that want them, deliver with retries."""
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.errors import ApiError, not_found
from services.common.scope import ancestor_paths, scope_filter
from services.reporting.models_base import utcnow
from services.reporting.notifications.models import (
    ChannelCreate, ChannelKind, Delivery, DeliveryState, Notification, NotificationKind, NotifyChannel, payload,
)
from services.reporting.settings import get_reporting_settings

log = logging.getLogger(__name__)


def notify(session: Session, *, kind: NotificationKind, org_id: int, org_path: str, title: str, body: str,
           dedupe_key: str, task_id: int | None = None, report_id: int | None = None) -> Notification | None:
    """Create the notification and its deliveries unless one with the same key exists (then None).
    Runs in the caller's transaction: a notification exists exactly when the change that caused it does."""
    row = session.execute(insert(Notification).values(
        kind=kind, org_id=org_id, org_path=org_path, title=title[:300], body=body[:4000], dedupe_key=dedupe_key[:200],
        task_id=task_id, report_id=report_id, created_at=utcnow(),
    ).on_conflict_do_nothing(constraint="uq_notification_dedupe").returning(Notification.id)).first()
    if row is None:
        return None
    notification = session.get(Notification, row[0])
    assert notification is not None
    for channel, target in channels_for(session, notification):
        session.add(Delivery(notification_id=notification.id, channel=channel, target=target))
    return notification


def channels_for(session: Session, n: Notification) -> list[tuple[ChannelKind, str]]:
    rs = get_reporting_settings()
    found: dict[tuple[ChannelKind, str], None] = {}
    if rs.notify_webhook_url:
        found[(ChannelKind.webhook, rs.notify_webhook_url)] = None
    for address in (rs.notify_email_to or "").split(","):
        if address.strip():
            found[(ChannelKind.email, address.strip())] = None
    rows = session.exec(select(NotifyChannel).where(
        NotifyChannel.enabled, NotifyChannel.org_path.in_(ancestor_paths(n.org_path)))).all()  # type: ignore[attr-defined]
    for ch in rows:
        if ch.org_path != n.org_path and not ch.include_subtree:
            continue
        if ch.kinds and str(n.kind) not in ch.kinds:
            continue
        found[(ch.kind, ch.target)] = None
    return list(found)


# ---------------------------------------------------------------------------------------------------
# Delivery


def send_webhook(url: str, n: Notification) -> None:
    response = httpx.post(url, json=payload(n), timeout=get_reporting_settings().notify_timeout_seconds)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook answered {response.status_code}: {response.text[:200]}")


def send_email(address: str, n: Notification) -> None:
    rs = get_reporting_settings()
    if not rs.smtp_host:
        raise RuntimeError("SMTP is not configured (GOVWATCH_SMTP_HOST)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = rs.smtp_from, address, n.title
    message.set_content(f"{n.body}\n\n—— 政府网站与政务新媒体监管平台（自动发送，请勿回复）")
    with smtplib.SMTP(rs.smtp_host, rs.smtp_port, timeout=rs.notify_timeout_seconds) as smtp:
        if rs.smtp_starttls:
            smtp.starttls()
        if rs.smtp_user:
            smtp.login(rs.smtp_user, rs.smtp_password or "")
        smtp.send_message(message)


SENDERS = {ChannelKind.webhook: send_webhook, ChannelKind.email: send_email}


def deliver_pending(session: Session, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Try every due delivery once; failures back off (1, 2, 4 … minutes) until the attempts run out."""
    rs = get_reporting_settings()
    now = now or utcnow()
    rows = session.exec(select(Delivery).where(Delivery.state == DeliveryState.pending,
                                               Delivery.next_attempt_at <= now)
                        .order_by(Delivery.id).limit(limit).with_for_update(skip_locked=True)).all()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for delivery in rows:
        n = session.get(Notification, delivery.notification_id)
        assert n is not None
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](delivery.target, n)
        except Exception as exc:  # noqa: BLE001 - any failure of the channel is recorded and retried
            delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= rs.notify_max_attempts:
                delivery.state = DeliveryState.failed
                counts["failed"] += 1
            else:
                delivery.next_attempt_at = now + timedelta(minutes=2 ** (delivery.attempts - 1))
                counts["retry"] += 1
            log.warning("notification %s via %s to %s: %s", n.id, delivery.channel, delivery.target, delivery.error)
        else:
            delivery.state, delivery.sent_at, delivery.error = DeliveryState.sent, utcnow(), None
            counts["sent"] += 1
        session.add(delivery)
        session.commit()
    return counts


# ---------------------------------------------------------------------------------------------------
# Reading


def visible(principal: Principal):  # noqa: ANN201
    return scope_filter(Notification.org_path, principal)


def list_for(session: Session, principal: Principal, *, unread: bool | None, kind: NotificationKind | None,
             limit: int, offset: int) -> tuple[list[Notification], int, int]:
    query = select(Notification).where(visible(principal))
    if kind is not None:
        query = query.where(Notification.kind == kind)
    if unread is not None:
        query = query.where(Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None))  # type: ignore[union-attr]
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    unread_count = session.exec(select(func.count()).select_from(Notification)
                                .where(visible(principal), Notification.read_at.is_(None))).one()  # type: ignore[union-attr]
    rows = session.exec(query.order_by(Notification.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total, unread_count


def mark_read(session: Session, principal: Principal, notification_id: int | None) -> int:
    query = select(Notification).where(visible(principal), Notification.read_at.is_(None))  # type: ignore[union-attr]
    if notification_id is not None:
        if session.exec(select(Notification.id).where(Notification.id == notification_id,
                                                      visible(principal))).first() is None:
            raise not_found("提醒")
        query = query.where(Notification.id == notification_id)
    rows = session.exec(query).all()
    for row in rows:
        row.read_at, row.read_by = utcnow(), principal.sub
        session.add(row)
    session.commit()
    return len(rows)


# ---------------------------------------------------------------------------------------------------
# Channels


def add_channel(session: Session, principal: Principal, org_path: str, org_id: int, body: ChannelCreate) -> NotifyChannel:
    target = body.target.strip()
    if body.kind == ChannelKind.webhook and not target.startswith(("http://", "https://")):
        raise ApiError(422, "invalid_webhook", "Webhook 地址须以 http:// 或 https:// 开头", field="target")
    if body.kind == ChannelKind.email and ("@" not in target or " " in target):
        raise ApiError(422, "invalid_email", "邮箱地址格式不正确", field="target")
    channel = NotifyChannel(org_id=org_id, org_path=org_path, kind=body.kind, target=target,
                            include_subtree=body.include_subtree, kinds=[str(k) for k in body.kinds],
                            created_by=principal.sub)
    session.add(channel)
    session.commit()
    session.refresh(channel)
    return channel


def channels(session: Session, principal: Principal) -> list[NotifyChannel]:
    return list(session.exec(select(NotifyChannel).where(scope_filter(NotifyChannel.org_path, principal))
                             .order_by(NotifyChannel.id)).all())


def remove_channel(session: Session, principal: Principal, channel_id: int) -> None:
    row = session.exec(select(NotifyChannel).where(NotifyChannel.id == channel_id,
                                                   scope_filter(NotifyChannel.org_path, principal))).first()
    if row is None:
        raise not_found("提醒渠道")
    session.delete(row)
    session.commit()


def deliveries(session: Session, principal: Principal, notification_id: int) -> list[Delivery]:
    if session.exec(select(Notification.id).where(Notification.id == notification_id, visible(principal))).first() is None:
        raise not_found("提醒")
    return list(session.exec(select(Delivery).where(Delivery.notification_id == notification_id)
                             .order_by(Delivery.id)).all())

