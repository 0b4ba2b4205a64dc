"""Veto-level problems that whole-site monitoring finds (严重错敏词, 暗链, 首页无法访问) become notifications for
the site's host unit and its supervising office within one sweep of the checker recording them.

The checker's ledger is read over REST (`GET /api/v1/monitor/alerts?after_id=`) with the reporting service's
token; how far it was read is kept in `upstream_cursor`. Notifications are deduplicated by key, so a sweep
retried after a crash, or two workers reading the same page, never notify twice."""
import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.common.clock import to_beijing
from services.reporting.clients import ServiceClient
from services.reporting.models_base import utcnow
from services.reporting.monitoring.models import UpstreamCursor
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import NotificationKind

log = logging.getLogger(__name__)
FEED = "monitor_alerts"
PAGE = 200


def pull_alerts(session: Session, upstream: ServiceClient, *, page: int = PAGE) -> int:
    """Notify every alert after the stored position; returns the number of notifications created."""
    cursor = session.get(UpstreamCursor, FEED) or UpstreamCursor(name=FEED, position=0)
    orgs: dict[int, dict[str, Any] | None] = {}
    created = 0
    while True:
        body = upstream.monitor_alerts(cursor.position, page)
        if body is None:  # a checker without monitoring answers 404: nothing to read
            return created
        items: list[dict[str, Any]] = body.get("items", [])
        for alert in items:
            created += _notify(session, upstream, alert, orgs)
        if items:
            cursor.position = max(int(body.get("last_id") or 0), *(int(a["id"]) for a in items))
            cursor.updated_at = utcnow()
            session.add(cursor)
        session.commit()
        if len(items) < page:
            return created


def _notify(session: Session, upstream: ServiceClient, alert: dict[str, Any],
            orgs: dict[int, dict[str, Any] | None]) -> int:
    created = 0
    recipients = dict.fromkeys(o for o in (alert.get("host_org_id"), alert.get("supervising_org_id")) if o)
    for org_id in recipients:
        if org_id not in orgs:
            orgs[org_id] = upstream.org(org_id)
        org = orgs[org_id]
        if org is None:  # the unit was removed since; the other recipient still hears of it
            log.warning("monitor alert %s: organisation %s not found", alert.get("id"), org_id)
            continue
        title, body = wording(alert)
        made = notifications.notify(session, kind=NotificationKind.monitor_alert, org_id=org_id,
                                    org_path=org["path"], title=title, body=body,
                                    dedupe_key=f"monitor:{alert['id']}:{org_id}")
        created += made is not None
    return created


def wording(alert: dict[str, Any]) -> tuple[str, str]:
    """Title and body as an office reads them: the site, what was found, where, and since when (Beijing time)."""
    site = alert.get("site_name") or "所属网站"
    problem = alert.get("indicator_name") or "严重问题"
    title = f"全站监测发现{problem}：{site}"
    seen = _beijing(alert.get("first_seen_at"))
    message = (alert.get("message") or problem).rstrip("。")
    where = f"，页面：{alert['url']}" if alert.get("url") else ""
    body = f"{site}{message}{where}（首次发现：{seen}）。请主办单位立即核实处理，并在整改后留存佐证材料。"
    return title, body


def _beijing(value: str | None) -> str:
    if not value:
        return "近期"
    local = to_beijing(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
