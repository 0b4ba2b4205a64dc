"""Side effects around inspection state changes: planning targets from the registry, scheduling the
probe series and the check jobs on the arq queue, cancelling, re-running one target.

Job ids are deterministic, so enqueueing twice (a retried planning job, a double click) never creates
a second job while the first is queued, running or its outcome is kept:
  plan        f"{queue}:{inspection_id}:plan"
  check       f"{queue}:{inspection_id}:{kind}:{target_id}"
  probe round f"{queue}:{inspection_id}:probe:{seq}"      (one round probes every active site of the inspection)
arq's job and result keys are global to the Redis database, so ids carry the queue name: deployments
(or test runs) sharing a Redis with their own queues never mistake another's inspection 1 for theirs.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import job_key_prefix, result_key_prefix, retry_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_ms, to_unix_ms
from sqlmodel import Session, func, select

from services.checker.inspections import service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.models import (
    RUNNING_STATES, STATE_LABELS, Inspection, InspectionState, InspectionTarget, TargetKind, utcnow,
)
from services.checker.registry_client import RegistryClient
from services.common.auth import Principal
from services.common.errors import conflict
from services.common.settings import get_settings

log = logging.getLogger(__name__)


def _job_id(inspection_id: int, rest: str, queue: str | None = None) -> str:
    return f"{queue or get_checker_settings().checker_queue}:{inspection_id}:{rest}"


def plan_job_id(inspection_id: int, queue: str | None = None) -> str:
    return _job_id(inspection_id, "plan", queue)


def check_job_id(inspection_id: int, kind: str, target_id: int) -> str:
    return _job_id(inspection_id, f"{kind}:{target_id}")


def probe_job_id(inspection_id: int, seq: int) -> str:
    return _job_id(inspection_id, f"probe:{seq}")


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(get_settings().redis_url)


async def arq_pool() -> ArqRedis:
    return await create_pool(redis_settings(), default_queue_name=get_checker_settings().checker_queue)


# ---------------------------------------------------------------------------------------------------
# Schedule of the availability window


@dataclass(frozen=True)
class Slot:
    seq: int
    run_at: datetime     # wall-clock time the probe round runs
    at: datetime         # the monitoring time it stands for, inside the declared window


def window_scale(inspection: Inspection) -> float:
    return inspection.window_scale or get_checker_settings().probe_window_scale


def schedule(inspection: Inspection, real_now: datetime) -> tuple[datetime, datetime, list[Slot]]:
    """Probe rounds evenly spread over the window (in the middle of each of n equal slices), and when the
    window closes. A window that already began starts now; a compressed window always starts now."""
    assert inspection.window_start and inspection.window_end
    declared = inspection.window_end - inspection.window_start
    scale = window_scale(inspection)
    start = inspection.schedule_start or (max(real_now, inspection.window_start) if scale >= 1 else real_now)
    end = start + declared * scale
    n = inspection.probe_count
    slots = [Slot(seq=i, run_at=start + declared * scale * ((i + 0.5) / n),
                  at=inspection.window_start + declared * ((i + 0.5) / n)) for i in range(n)]
    return start, end, slots


# ---------------------------------------------------------------------------------------------------
# Planning


def _site_target(inspection_id: int, site: dict[str, Any]) -> dict[str, Any]:
    return dict(inspection_id=inspection_id, kind=TargetKind.site, target_id=site["id"], name=site["name"][:200],
                url=site.get("homepage_url"), platform=None, state=site.get("state"),
                org_path=site.get("org_path") or "", facts=site,
                job_id=check_job_id(inspection_id, TargetKind.site, site["id"]))


def _account_target(inspection_id: int, account: dict[str, Any]) -> dict[str, Any]:
    return dict(inspection_id=inspection_id, kind=TargetKind.account, target_id=account["id"],
                name=(account.get("registered_name") or account.get("name") or "")[:200],
                url=account.get("interaction_url"), platform=account.get("platform"), state=account.get("state"),
                org_path=account.get("org_path") or "", facts=account,
                job_id=check_job_id(inspection_id, TargetKind.account, account["id"]))


def site_states(inspection: Inspection) -> tuple[str, ...]:
    # Closed sites are targets too: their domain must not keep serving content (domain_not_released).
    return (*RUNNING_STATES, "closed") if inspection.include_closed else RUNNING_STATES


async def fetch_listed(inspection: Inspection, registry: RegistryClient) -> list[dict[str, Any]]:
    """The named targets of a re-check, one registry lookup each (a re-check names a few targets of what
    may be a province-wide scope). The rules of a whole-scope inspection apply: a target outside the
    scope, of another kind or in another state is left out."""
    def wanted(record: dict[str, Any] | None, states: tuple[str, ...]) -> bool:
        return bool(record) and record.get("state") in states and \
            (record.get("org_path") or "").startswith(inspection.scope_org_path)

    targets: list[dict[str, Any]] = []
    for ref in inspection.targets or []:
        kind, target_id = TargetKind(ref["kind"]), int(ref["target_id"])
        if kind not in inspection.target_kinds:
            continue
        if kind == TargetKind.site:
            if wanted(site := await registry.get_site(target_id), site_states(inspection)):
                targets.append(_site_target(inspection.id, site))
        elif wanted(account := await registry.get_account(target_id), ("active",)):
            targets.append(_account_target(inspection.id, account))
    return targets


async def fetch_targets(inspection: Inspection, registry: RegistryClient) -> list[dict[str, Any]]:
    if inspection.targets is not None:
        return await fetch_listed(inspection, registry)
    targets: list[dict[str, Any]] = []
    inside = inspection.scope_org_path
    if TargetKind.site in inspection.target_kinds:
        for state in site_states(inspection):
            async for site in registry.sites(inspection.scope_org_id, state=state):
                if (site.get("org_path") or "").startswith(inside):
                    targets.append(_site_target(inspection.id, site))
    if TargetKind.account in inspection.target_kinds:
        async for account in registry.accounts(inspection.scope_org_id, state="active"):
            if (account.get("org_path") or "").startswith(inside):
                targets.append(_account_target(inspection.id, account))
    return targets


async def plan(session: Session, redis: ArqRedis, inspection_id: int, registry: RegistryClient) -> str:
    """Fetch the targets, store them, enqueue probe rounds and one check job per target. Idempotent: a
    retried planning job re-inserts nothing, keeps the schedule, and re-enqueues only missing jobs."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or inspection.state not in (InspectionState.pending, InspectionState.running):
        return "skipped"
    fetched = await fetch_targets(inspection, registry)
    real_now = utcnow()
    slots: list[Slot] = []
    start = end = None
    has_sites = any(t["kind"] == TargetKind.site and t["state"] in RUNNING_STATES for t in fetched)
    if inspection.probe_count and inspection.window_start and has_sites:
        start, end, slots = schedule(inspection, real_now)
    for target in fetched:
        # Site checks wait for the probe series; accounts and closed sites go at once.
        probed = target["kind"] == TargetKind.site and target["state"] in RUNNING_STATES and end is not None
        target["due_at"] = end + timedelta(seconds=1) if probed else None
    service.add_targets(session, fetched)
    count = session.exec(select(func.count()).select_from(InspectionTarget)
                         .where(InspectionTarget.inspection_id == inspection_id)).one()
    if not service.set_running(session, inspection_id, count, start, end):
        return "cancelled"
    for slot in slots:
        await redis.enqueue_job("probe_round", inspection_id, slot.seq, slot.at.isoformat(),
                                _job_id=probe_job_id(inspection_id, slot.seq), _defer_until=slot.run_at)
    await enqueue_checks(redis, service.targets_of(session, inspection_id))
    service.complete_if_done(session, inspection_id)  # an empty scope completes at once
    return f"planned {count} targets, {len(slots)} probe rounds"


async def enqueue_check(redis: ArqRedis, target: InspectionTarget) -> bool:
    job = await redis.enqueue_job("check_target", target.inspection_id, str(target.kind), target.target_id,
                                  _job_id=target.job_id, _defer_until=target.due_at,
                                  _expires=_expiry(target.due_at))
    return job is not None


# arq's enqueue_job for many jobs at once: each is added unless its job or its kept outcome exists (the
# check arq makes under WATCH, made atomic here by the script). KEYS: queue, then each job's job and
# result keys; ARGV: each job's id, payload, score and expiry (ms).
_ENQUEUE_MANY = """
local queued = 0
for j = 0, #ARGV / 4 - 1 do
  if redis.call('exists', KEYS[2 + 2 * j], KEYS[3 + 2 * j]) == 0 then
    redis.call('psetex', KEYS[2 + 2 * j], ARGV[4 + 4 * j], ARGV[2 + 4 * j])
    redis.call('zadd', KEYS[1], ARGV[3 + 4 * j], ARGV[1 + 4 * j])
    queued = queued + 1
  end
end
return queued
"""
ENQUEUE_BATCH = 500


async def enqueue_checks(redis: ArqRedis, targets: list[InspectionTarget]) -> int:
    """`enqueue_check` for every target, a batch per round trip: planning a province's tens of thousands
    of targets one WATCH/MULTI transaction at a time held up the very worker that was to check them."""
    script = redis.register_script(_ENQUEUE_MANY)
    queued = 0
    for start in range(0, len(targets), ENQUEUE_BATCH):
        keys: list[str] = [redis.default_queue_name]   # as enqueue_job: the pool's queue (arq_pool: the checker's)
        args: list[Any] = []
        now_ms = timestamp_ms()
        for target in targets[start:start + ENQUEUE_BATCH]:
            payload = serialize_job("check_target", (target.inspection_id, str(target.kind), target.target_id), {},
                                    None, now_ms, serializer=redis.job_serializer)
            score = to_unix_ms(target.due_at) if target.due_at else now_ms
            keys += [job_key_prefix + target.job_id, result_key_prefix + target.job_id]
            args += [target.job_id, payload, score, to_ms(_expiry(target.due_at))]
        queued += await script(keys=keys, args=args)
    return queued


def _expiry(due: datetime | None) -> timedelta:
    # arq drops jobs not started within `expires`; keep deferred checks alive until well after their time.
    wait = (due - utcnow()) if due else timedelta(0)
    return max(wait, timedelta(0)) + timedelta(days=2)


async def start(redis: ArqRedis, inspection: Inspection) -> None:
    # Named after the queue it goes to, as the plan names the jobs it enqueues (the sweeper looks it up).
    await redis.enqueue_job("plan_inspection", inspection.id,
                            _job_id=plan_job_id(inspection.id, redis.default_queue_name))


# ---------------------------------------------------------------------------------------------------
# Cancel and re-run


async def cancel(session: Session, redis: ArqRedis, principal: Principal, inspection: Inspection) -> Inspection:
    inspection = service.cancel(session, principal, inspection)
    # Queued jobs are removed; a job already running notices the state and stores nothing new.
    queue = get_checker_settings().checker_queue
    ids = [plan_job_id(inspection.id)] + [t.job_id for t in service.targets_of(session, inspection.id)]
    ids += [probe_job_id(inspection.id, seq) for seq in range(inspection.probe_count)]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        await redis.zrem(queue, *part)
        await redis.delete(*(job_key_prefix + i for i in part))
    return inspection


async def rerun(session: Session, redis: ArqRedis, principal: Principal, inspection: Inspection,
                target: InspectionTarget) -> bool:
    """Check one target again now (same monitoring time point and probe series). False when its job is
    still queued or running, in which case nothing new is enqueued."""
    if inspection.state in (InspectionState.cancelled, InspectionState.failed, InspectionState.pending):
        raise conflict("inspection_not_running", f"检查任务{STATE_LABELS[inspection.state]}，不能重新检查",
                       state=str(inspection.state))
    # The kept outcome of the previous run would make arq refuse the same job id.
    await redis.delete(result_key_prefix + target.job_id, retry_key_prefix + target.job_id)
    target.due_at = None
    target.reruns += 1
    session.add(target)
    service.audit(session, principal, "target.rerun", "inspection", inspection.id, target.org_path,
                  after={"kind": str(target.kind), "target_id": target.target_id, "reruns": target.reruns})
    session.commit()
    session.refresh(target)
    return await enqueue_check(redis, target)
