"""A check holds its job as a short lease: a worker killed mid-check (SIGKILL) has its target shown as
stalled and retried by another worker seconds later (arq alone locks it for job timeout + 10 s = 610 s),
while a live check longer than the lease keeps it and runs once."""
import asyncio
import time
from datetime import UTC, datetime

import pytest
import redis
from arq import create_pool
from sqlmodel import Session, select

from services.checker.inspections import flows, service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import redis_settings
from services.checker.inspections.models import Inspection, InspectionResult, InspectionState, TargetKind
from services.common.auth import Principal, Role
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.checker.inspections.harness import WorkerProcess, worker_env

QUEUE = f"{get_checker_settings().checker_queue}:lease-test"
LEASE = 4
pytestmark = pytest.mark.slow


def _inspection(world, name: str) -> Inspection:
    """A re-check of the slow farm site only (every answer takes 0.5 s, so its check lasts seconds)."""
    now = int(time.time())
    principal = Principal(sub="user:0", org_id=world.county.id, org_path=world.county.path, role=Role.supervisor,
                          jti="t", iat=now, exp=now + 600, name="lease test")
    with Session(get_engine()) as session:
        return service.create_inspection(session, principal, Inspection(
            name=name, scope_org_id=world.county.id, scope_org_path=world.county.path,
            target_kinds=[TargetKind.site], now=datetime(2024, 6, 14, tzinfo=UTC), created_by="user:0",
            targets=[{"kind": "site", "target_id": world.sites["slow"].id}]))


def _enqueue(inspection: Inspection) -> None:
    async def run() -> None:
        pool = await create_pool(redis_settings(), default_queue_name=QUEUE)
        await flows.start(pool, inspection)
        await pool.aclose()

    asyncio.run(run())


def _result(inspection_id: int) -> InspectionResult | None:
    with Session(get_engine()) as session:
        return session.exec(select(InspectionResult).where(InspectionResult.inspection_id == inspection_id)).first()


def _progress(inspection_id: int):
    with Session(get_engine()) as session:
        inspection = session.get(Inspection, inspection_id)
        rows, _ = service.list_targets(session, inspection, kind=None, pending=None, limit=10, offset=0)
        target, has = rows[0]
        return service.progress(session, inspection), target, service.is_stalled(target, has)


def _wait_in_progress(r: redis.Redis, inspection_id: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if r.keys(f"arq:in-progress:{QUEUE}:{inspection_id}:site:*") and _result(inspection_id) is None:
            return
        time.sleep(0.05)
    pytest.fail(f"the check never started: {_result(inspection_id)}")


def test_killed_worker_check_is_retried_within_seconds(checker_env, world, quiet_worker, tmp_path):
    # arq's own job timeout stays at its 600 s default: only the lease makes the retry fast.
    env = worker_env(checker_env, GOVWATCH_CHECKER_QUEUE=QUEUE, GOVWATCH_CHECKER_LEASE_SECONDS=str(LEASE),
                     GOVWATCH_CHECKER_CHECK_TIMEOUT="60")
    inspection = _inspection(world, "租约强杀")
    _enqueue(inspection)
    r = redis.Redis.from_url(get_settings().redis_url)
    first = WorkerProcess(env, tmp_path / "first.log").start()
    try:
        _wait_in_progress(r, inspection.id)
        time.sleep(0.5)  # the check is under way (registry read, first requests to the slow site)
        first.kill9()
        killed_at = time.monotonic()
    finally:
        first.stop()
    assert _result(inspection.id) is None
    progress, target, stalled = _progress(inspection.id)
    assert (progress.running, progress.stalled, target.attempts, stalled) == (1, 0, 1, False)

    # Nobody renews the lease: the target is shown as stalled once it lapses.
    deadline = time.monotonic() + LEASE + 5
    while time.monotonic() < deadline:
        progress, target, stalled = _progress(inspection.id)
        if stalled:
            break
        time.sleep(0.2)
    assert stalled and (progress.stalled, progress.running) == (1, 0), progress

    second = WorkerProcess(env, tmp_path / "second.log").start()
    try:
        deadline = killed_at + 30
        while _result(inspection.id) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        recovered = time.monotonic() - killed_at
    finally:
        second.stop()
    row = _result(inspection.id)
    assert row is not None, (tmp_path / "second.log").read_text()[-3000:]
    print(f"killed check redone {recovered:.1f} s after SIGKILL (lease {LEASE} s)")
    assert recovered < 30
    assert (row.status, row.attempts) == ("ok", 2), row.error
    progress, target, stalled = _progress(inspection.id)
    assert (target.attempts, stalled, progress.stalled, progress.retried) == (2, False, 0, 1)
    with Session(get_engine()) as session:
        assert session.get(Inspection, inspection.id).state == InspectionState.completed


def test_live_check_longer_than_its_lease_keeps_it(checker_env, world, quiet_worker, tmp_path):
    """Lease 1 s, the check lasts several: the renewals keep a second idle worker from taking it."""
    env = worker_env(checker_env, GOVWATCH_CHECKER_QUEUE=QUEUE, GOVWATCH_CHECKER_LEASE_SECONDS="1",
                     GOVWATCH_CHECKER_CHECK_TIMEOUT="60")
    inspection = _inspection(world, "租约续期")
    _enqueue(inspection)
    workers = [WorkerProcess(env, tmp_path / f"w{n}.log").start() for n in (1, 2)]
    try:
        deadline = time.monotonic() + 90
        while _result(inspection.id) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.stop()
    row = _result(inspection.id)
    assert row is not None
    _, target, _ = _progress(inspection.id)
    assert (row.checked_at - target.started_at).total_seconds() > 2  # longer than the lease, several renewals
    assert (row.status, row.attempts, target.attempts) == ("ok", 1, 1)
