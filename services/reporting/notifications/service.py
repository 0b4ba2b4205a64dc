"""Notifications: create once (deduplicated), fan out to the channels that want them, deliver with retries."""
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, func, select

from services.common import netguard
from services.common.auth import Principal, Role
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


class DeliveryFailed(Exception):
    """A delivery that did not go through, with a stable code (stored; shown to users as `OUTCOMES`)."""

    def __init__(self, code: str, final: bool = False) -> None:
        super().__init__(code)
        self.code, self.final = code, final   # final: retrying cannot help (the target is refused)


# What a user is told about a delivery: never the target's answer (a webhook could point anywhere).
OUTCOMES = {
    "forbidden_address": "目标地址不允许（不能推送到本机、内网或保留地址），已停止推送",
    "invalid_target": "Webhook 地址无效，已停止推送",
    "dns_error": "目标主机名无法解析",
    "timeout": "连接超时",
    "connect_error": "无法连接到目标",
    "smtp_not_configured": "未配置邮件服务器",
    "smtp_refused": "邮件服务器拒绝投递",
    "error": "推送失败",
}


def outcome(state: DeliveryState, error: str | None) -> str:
    """The short zh-CN outcome of a delivery; stored codes only (anything else reads as a failure)."""
    if state == DeliveryState.sent:
        return "已送达"
    if error is None:
        return "等待推送"
    if error.startswith("http_") and error[5:].isdigit():
        text = f"对方返回 HTTP {error[5:]}"
    else:
        text = OUTCOMES.get(error, OUTCOMES["error"])
    return text if state == DeliveryState.failed else f"{text}，将重试"


def webhook_rules() -> netguard.Policy:
    """Webhooks reach public addresses only, whatever GOVWATCH_ALLOW_PRIVATE_TARGETS says (the demo and test
    stacks allow private targets for their loopback sites, not for webhooks); an intranet receiver is let
    through by naming its address and port in GOVWATCH_OUTBOUND_ALLOW."""
    return netguard.policy(allow_private=False)


def check_webhook_target(url: str) -> None:
    """A webhook target as entered: http(s), and every address it resolves to now permitted. A name that
    does not resolve yet is accepted: every delivery is vetted again on the address it connects to."""
    try:
        netguard.check_url(url, rules=webhook_rules())
    except netguard.BadUrl as exc:
        raise ApiError(422, "invalid_webhook", "Webhook 地址须以 http:// 或 https:// 开头", field="target") from exc
    except netguard.ResolveError:
        pass
    except netguard.ForbiddenAddress as exc:
        raise ApiError(422, "webhook_forbidden", "Webhook 地址不能指向本机、内网或保留地址", field="target") from exc


def send_webhook(url: str, n: Notification) -> None:
    """POST through the outbound guard, which vets the address connected to (so a name re-pointed at an
    internal address after the channel was added is refused without anything being sent). The address
    configured by the deployment (GOVWATCH_NOTIFY_WEBHOOK_URL) is trusted."""
    rs = get_reporting_settings()
    rules = netguard.Policy(allow_private=True) if url == rs.notify_webhook_url else webhook_rules()
    try:
        with httpx.Client(transport=netguard.SyncGuardedTransport(rules=rules), timeout=rs.notify_timeout_seconds,
                          follow_redirects=False) as client:
            response = client.post(url, json=payload(n))
    except netguard.ForbiddenAddress as exc:
        raise DeliveryFailed("forbidden_address", final=True) from exc
    except netguard.ResolveError as exc:
        raise DeliveryFailed("dns_error") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise DeliveryFailed("invalid_target", final=True) from exc
    except httpx.TimeoutException as exc:
        raise DeliveryFailed("timeout") from exc
    except httpx.TransportError as exc:
        raise DeliveryFailed("connect_error") from exc
    if response.status_code >= 300:
        raise DeliveryFailed(f"http_{response.status_code}")


def send_email(address: str, n: Notification) -> None:
    rs = get_reporting_settings()
    if not rs.smtp_host:
        raise DeliveryFailed("smtp_not_configured")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = rs.smtp_from, address, n.title
    message.set_content(f"{n.body}\n\n—— 政府网站与政务新媒体监管平台（自动发送，请勿回复）")
    try:
        with smtplib.SMTP(rs.smtp_host, rs.smtp_port, timeout=rs.notify_timeout_seconds) as smtp:
            if rs.smtp_starttls:
                smtp.starttls()
            if rs.smtp_user:
                smtp.login(rs.smtp_user, rs.smtp_password or "")
            smtp.send_message(message)
    except smtplib.SMTPException as exc:
        raise DeliveryFailed("smtp_refused") from exc
    except TimeoutError as exc:
        raise DeliveryFailed("timeout") from exc
    except OSError as exc:
        raise DeliveryFailed("connect_error") from exc


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
            # Only a code is stored: the target's answer is never kept (nor shown).
            failed = exc if isinstance(exc, DeliveryFailed) else DeliveryFailed("error")
            delivery.error = failed.code
            if failed.final or delivery.attempts >= rs.notify_max_attempts:
                delivery.state = DeliveryState.failed
                counts["failed"] += 1
            else:
                delivery.next_attempt_at = now + timedelta(minutes=2 ** (delivery.attempts - 1))
                counts["retry"] += 1
            log.warning("notification %s via %s to %s: %s (%r)", n.id, delivery.channel, delivery.target,
                        failed.code, exc)
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
    if body.kind == ChannelKind.webhook:
        check_webhook_target(target)
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


MANAGERS = (Role.admin, Role.supervisor)


def deliveries(session: Session, principal: Principal, notification_id: int) -> list[Delivery]:
    """How a notification went out, through the channels the caller may manage only: those of its own
    organisation and below (a unit never sees its office's targets). The deployment-wide targets
    (settings) are shown to the administrators of a top-level organisation."""
    n = session.exec(select(Notification).where(Notification.id == notification_id, visible(principal))).first()
    if n is None:
        raise not_found("提醒")
    if principal.role not in MANAGERS:
        raise ApiError(403, "forbidden", "只有管理提醒渠道的监管单位可以查看推送情况")
    managed = {(ch.kind, ch.target) for ch in session.exec(select(NotifyChannel).where(
        NotifyChannel.org_path.in_(ancestor_paths(n.org_path)),  # type: ignore[attr-defined]
        scope_filter(NotifyChannel.org_path, principal))).all()}
    if principal.role == Role.admin and len(ancestor_paths(principal.org_path)) == 1:
        rs = get_reporting_settings()
        if rs.notify_webhook_url:
            managed.add((ChannelKind.webhook, rs.notify_webhook_url))
        managed.update((ChannelKind.email, a.strip()) for a in (rs.notify_email_to or "").split(",") if a.strip())
    rows = session.exec(select(Delivery).where(Delivery.notification_id == notification_id).order_by(Delivery.id)).all()
    return [d for d in rows if (d.channel, d.target) in managed]
