"""The alert feed: veto-level problems (严重错敏词, 违法暗链, 首页无法访问 … as the indicator set rates them) in the
order they opened, for the reporting worker that notifies the host unit and the supervising office.

Paging is by `alert_seq` (`after_id` → `last_id`): a problem takes a new position each time it opens, reopens
or becomes veto-level, so a problem that comes back is alerted again, and an alert's `id` (its position) is a
fresh notification key each time. Positions are drawn from a sequence inside the writer's transaction, so a
lower position may commit after a higher one has been read; an alert is therefore served only once its
position is older than the settle time (longer than any monitoring transaction), which makes the served
positions a gap-free prefix. Problems resolved before they were read are not served (nothing to notify).
"""
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, func, select

from services.checker.indicators.labels import indicator_name
from services.checker.monitor.ledger import MonitorFinding
from services.checker.monitor.models import MonitorSite
from services.common.auth import Principal
from services.common.scope import scope_filter

SETTLE_SECONDS = 120


def alerts(session: Session, principal: Principal, *, after_id: int = 0, limit: int = 100,
           settle_seconds: float = SETTLE_SECONDS) -> dict[str, Any]:
    """{items: [...], last_id}: the next veto-level problems after `after_id` inside the caller's scope."""
    settled = func.clock_timestamp() - text(f"interval '{float(settle_seconds)} seconds'")
    rows = session.exec(
        select(MonitorFinding, MonitorSite)
        .join(MonitorSite, MonitorSite.site_id == MonitorFinding.site_id)
        .where(MonitorFinding.severity == "veto", MonitorFinding.alert_seq > after_id,
               MonitorFinding.resolved_at.is_(None), MonitorFinding.opened_at <= settled,
               scope_filter(MonitorSite.org_path, principal))
        .order_by(MonitorFinding.alert_seq).limit(limit)).all()
    items = [{"id": f.alert_seq, "finding_id": f.id, "site_id": site.site_id, "site_name": site.name,
              "homepage_url": site.homepage_url, "host_org_id": site.host_org_id,
              "org_id": site.supervising_org_id, "supervising_org_id": site.supervising_org_id,
              "indicator": f.indicator,
              "indicator_name": indicator_name(f.indicator), "severity": f.severity, "message": f.message,
              "url": f.url, "excerpt": f.excerpt, "first_seen_at": f.first_seen_at, "opened_at": f.opened_at}
             for f, site in rows]
    return {"items": items, "last_id": items[-1]["id"] if items else after_id}
