"""The reporting worker's periodic sweep: open the tasks of issued notices that lack them, request and
read re-checks, mark overdue tasks, create due-soon/overdue reminders (tasks and self-inspection
reports), deliver notifications. Every step is idempotent; one failing step does not stop the others."""
import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services.common.db import get_engine
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.models_base import utcnow
from services.reporting.monitoring import flows as monitoring
from services.reporting.notifications import service as notifications
from services.reporting.rectification import flows
from services.reporting.rectification import service as rectification
from services.reporting.selfreports import service as selfreports

log = logging.getLogger(__name__)


def run_sweep(now: datetime | None = None, client: ServiceClient | None = None) -> dict[str, Any]:
    now = now or utcnow()
    day = rectification.today(now)
    out: dict[str, Any] = {}
    with Session(get_engine()) as session, (client or ServiceClient()) as upstream:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("tasks_opened", lambda: flows.open_missing(session, upstream)),
            ("rechecks", lambda: flows.sweep_rechecks(session, upstream)),
            ("deadlines", lambda: rectification.sweep_deadlines(session, day)),
            ("self_reports", lambda: selfreports.sweep_due(session, day)),
            ("monitor_alerts", lambda: monitoring.pull_alerts(session, upstream)),
            ("deliveries", lambda: notifications.deliver_pending(session, now)),
        ]
        for name, step in steps:
            try:
                out[name] = step()
            except UpstreamError as exc:
                session.rollback()
                out[name] = f"upstream unavailable: {exc}"
                log.warning("sweep %s: %s", name, exc)
    return out


async def sweep(ctx: dict[str, Any]) -> dict[str, Any]:
    # The steps are blocking database and HTTP work: off the event loop.
    return await asyncio.to_thread(run_sweep)


async def startup(ctx: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.INFO)
    # arq's CLI gives its logger a handler of its own: through the root handler too, each job line was
    # written twice (two writes per job start and end on the worker's hot path).
    logging.getLogger("arq").propagate = False
    get_engine()
