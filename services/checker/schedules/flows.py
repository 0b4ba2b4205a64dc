"""The cron job of the checker worker (`run_schedules`, every minute): creates the due rounds and starts
each through the same flow as an inspection created in the SPA (the plan job on the arq queue)."""
import logging
from datetime import datetime
from typing import Any

from arq import ArqRedis
from sqlmodel import Session

from services.checker.inspections import flows
from services.checker.inspections.models import utcnow
from services.checker.schedules import service
from services.checker.store import indicator_sets
from services.common.db import get_engine
from services.common.errors import ApiError

log = logging.getLogger(__name__)


async def run_due(redis: ArqRedis, now: datetime | None = None) -> list[int]:
    """Ids of the inspections this run created (a racing run that lost creates none)."""
    now = now or utcnow()
    created: list[int] = []
    with Session(get_engine()) as session:
        for schedule, period in service.due(session, now):
            try:
                chosen = indicator_sets.get(session, None, schedule.indicator_set)
            except ApiError:
                service.record_error(session, schedule.id, f"指标集“{schedule.indicator_set}”不存在，未能创建{period.label}的检查任务")
                continue
            inspection = service.create_round(session, schedule, period, now, chosen.version)
            if inspection is None:
                continue
            await flows.start(redis, inspection)
            created.append(inspection.id)
            log.info("schedule %s created inspection %s for %s", schedule.id, inspection.id, period.key)
    return created


async def run_schedules(ctx: dict[str, Any]) -> str:
    created = await run_due(ctx["redis"])
    return f"created {len(created)} scheduled inspections"
