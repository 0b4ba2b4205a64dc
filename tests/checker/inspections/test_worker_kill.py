"""A worker killed with SIGKILL in the middle of an inspection loses nothing: another worker finishes it
and every target ends with exactly one result."""
import asyncio
import time
from datetime import UTC, datetime

import pytest
import redis
from arq import create_pool
from sqlmodel import Session, func, select

from services.checker.inspections import flows, service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import redis_settings
from services.checker.inspections.models import (
    Inspection, InspectionResult, InspectionState, InspectionTarget, TargetKind,
)
from services.common.auth import Principal, Role
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.checker.inspections.harness import WorkerProcess, worker_env

# Under the run's own queue name: arq keeps job results for an hour, and inspection ids restart per run.
QUEUE = f"{get_checker_settings().checker_queue}:kill-test"
pytestmark = pytest.mark.slow


def _principal(world) -> Principal:
    now = int(time.time())
    return Principal(sub="user:0", org_id=world.county.id, org_path=world.county.path, role=Role.supervisor,
                     jti="t", iat=now, exp=now + 600, name="kill test")


def _state(inspection_id: int) -> tuple[str, int, int]:
    with Session(get_engine()) as session:
        inspection = session.get(Inspection, inspection_id)
        results = session.exec(select(func.count()).select_from(InspectionResult)
                               .where(InspectionResult.inspection_id == inspection_id)).one()
        return inspection.state, inspection.target_count, results


def test_kill9_mid_run_then_another_worker_finishes(checker_env, world, tmp_path):
    env = worker_env(checker_env, GOVWATCH_CHECKER_QUEUE=QUEUE, GOVWATCH_CHECKER_JOB_TIMEOUT="10",
                     GOVWATCH_CHECKER_CHECK_TIMEOUT="6", GOVWATCH_CHECKER_MAX_JOBS="2")
    with Session(get_engine()) as session:
        inspection = service.create_inspection(session, _principal(world), Inspection(
            name="强杀测试", scope_org_id=world.county.id, scope_org_path=world.county.path,
            target_kinds=[TargetKind.site, TargetKind.account], now=datetime(2024, 6, 14, tzinfo=UTC),
            window_start=datetime(2024, 6, 7, tzinfo=UTC), window_end=datetime(2024, 6, 14, tzinfo=UTC),
            probe_count=8, window_scale=6 / (7 * 86400), created_by="user:0"))

    async def enqueue() -> None:
        pool = await create_pool(redis_settings(), default_queue_name=QUEUE)
        await flows.start(pool, inspection)
        await flows.start(pool, inspection)  # a second enqueue of the same job id is a no-op
        await pool.aclose()

    asyncio.run(enqueue())
    first = WorkerProcess(env, tmp_path / "first.log").start()
    r = redis.Redis.from_url(get_settings().redis_url)
    try:
        # Kill while a job is in progress (the slow site answers after a second) and work remains.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state, total, results = _state(inspection.id)
            in_progress = r.keys(f"arq:in-progress:*:{inspection.id}:*")  # job ids: {queue}:{inspection}:…
            if state == "running" and in_progress and results < total:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"never caught the worker mid-run: {_state(inspection.id)}")
        first.kill9()
        killed_at = _state(inspection.id)
        assert killed_at[2] < killed_at[1], killed_at
    finally:
        first.stop()

    second = WorkerProcess(env, tmp_path / "second.log").start()
    try:
        deadline = time.monotonic() + 120
        while _state(inspection.id)[0] != InspectionState.completed and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        second.stop()
    state, total, results = _state(inspection.id)
    assert state == InspectionState.completed, (tmp_path / "second.log").read_text()[-3000:]
    with Session(get_engine()) as session:
        targets = session.exec(select(InspectionTarget.kind, InspectionTarget.target_id)
                               .where(InspectionTarget.inspection_id == inspection.id)).all()
        rows = session.exec(select(InspectionResult.kind, InspectionResult.target_id)
                            .where(InspectionResult.inspection_id == inspection.id)).all()
        probes = service.progress(session, session.get(Inspection, inspection.id))
    assert total == len(targets) == 8   # 6 sites (the neighbour's outside the scope) and 2 accounts
    assert sorted(rows) == sorted(targets)  # exactly one result per target, none missing
    assert probes.probes_done == probes.probes_total == 8 * 5  # running sites only (the closing one too)
