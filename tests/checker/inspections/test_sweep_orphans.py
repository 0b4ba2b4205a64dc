"""The orphan sweeper closes only targets whose job is really gone: a check still waiting in the queue
or running on a worker is left alone, however late it is, and so is a check planned on another queue (its
job is invisible from here: the sweeper of a worker on that queue judges it)."""
import asyncio
import time
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlmodel import Session, select

from services.checker.inspections import jobs, service
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import check_job_id, plan_job_id, redis_settings
from services.checker.inspections.models import (
    Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind,
)
from services.common.auth import Principal, Role
from services.common.db import get_engine


def test_sweeper_closes_only_targets_without_a_live_job(checker_env, world):
    now = int(time.time())
    principal = Principal(sub="user:0", org_id=world.county.id, org_path=world.county.path, role=Role.supervisor,
                          jti="t", iat=now, exp=now + 600, name="sweep test")
    queued, running, gone, elsewhere = (world.sites[name].id for name in ("portal", "edu", "slow", "closing"))
    with Session(get_engine()) as session:
        inspection = service.create_inspection(session, principal, Inspection(
            name="清扫测试", scope_org_id=world.county.id, scope_org_path=world.county.path,
            target_kinds=[TargetKind.site], now=datetime(2024, 6, 14, tzinfo=UTC), created_by="user:0"))
        iid = inspection.id
        service.add_targets(session, [
            dict(inspection_id=iid, kind=TargetKind.site, target_id=tid, name=f"站点{tid}", url=None, platform=None,
                 state="active", org_path=world.county.path, facts={},
                 job_id=check_job_id(iid, TargetKind.site, tid)) for tid in (queued, running, gone)] + [
            dict(inspection_id=iid, kind=TargetKind.site, target_id=elsewhere, name="别的队列", url=None,
                 platform=None, state="active", org_path=world.county.path, facts={},
                 job_id=f"{get_checker_settings().checker_queue}:other-queue:{iid}:site:{elsewhere}")])
        # The window closed long ago, far beyond the grace: every target without a live job is an orphan.
        long_ago = datetime.now(UTC) - timedelta(days=1)
        assert service.set_running(session, iid, 4, long_ago - timedelta(hours=1), long_ago)

    async def scenario() -> str:
        queue = get_checker_settings().checker_queue
        pool = await create_pool(redis_settings(), default_queue_name=queue)
        try:
            waiting = await pool.enqueue_job("check_target", iid, "site", queued,
                                             _job_id=check_job_id(iid, "site", queued), _defer_by=3600)
            assert waiting is not None
            await pool.set(in_progress_key_prefix + check_job_id(iid, "site", running), b"1", px=60_000)
            return await jobs.sweep_orphans({"redis": pool})
        finally:
            ids = [check_job_id(iid, "site", tid) for tid in (queued, running)]
            await pool.zrem(queue, *ids)
            await pool.delete(*(job_key_prefix + i for i in ids), *(in_progress_key_prefix + i for i in ids))
            await pool.aclose()

    asyncio.run(scenario())
    with Session(get_engine()) as session:
        rows = session.exec(select(InspectionResult).where(InspectionResult.inspection_id == iid)).all()
        assert [(r.target_id, r.status) for r in rows] == [(gone, "error")]
        assert "中断" in rows[0].error
        assert session.get(Inspection, iid).state == InspectionState.running  # three targets still to come
        # A result that arrives while the sweeper looks is never replaced by its error.
        target = service.get_target(session, iid, TargetKind.site, queued)
        service.upsert_result(session, target, status=ResultStatus.ok, result={"verdict": "pass", "score": 100.0},
                              error=None, attempts=1)
        inserted = service.record_orphan(session, target, "检查任务多次中断，未能完成", 5)
        assert not inserted
        kept = session.exec(select(InspectionResult).where(InspectionResult.inspection_id == iid,
                                                           InspectionResult.target_id == queued)).one()
        assert (kept.status, kept.verdict, kept.error) == ("ok", "pass", None)
        inspection = session.get(Inspection, iid)
        inspection.state = InspectionState.cancelled  # nothing left for other sweepers of this run
        session.add(inspection)
        session.commit()


def test_sweeper_waits_for_a_plan_still_to_be_retried(checker_env, world):
    """A worker killed midway through planning leaves targets whose checks were never enqueued. While the
    plan job is still queued for its retry, those targets are not orphans: the retry enqueues them."""
    now = int(time.time())
    principal = Principal(sub="user:0", org_id=world.county.id, org_path=world.county.path, role=Role.supervisor,
                          jti="t", iat=now, exp=now + 600, name="sweep test")
    site = world.sites["portal"].id
    with Session(get_engine()) as session:
        inspection = service.create_inspection(session, principal, Inspection(
            name="规划中断", scope_org_id=world.county.id, scope_org_path=world.county.path,
            target_kinds=[TargetKind.site], now=datetime(2024, 6, 14, tzinfo=UTC), created_by="user:0"))
        iid = inspection.id
        service.add_targets(session, [dict(
            inspection_id=iid, kind=TargetKind.site, target_id=site, name="门户", url=None, platform=None,
            state="active", org_path=world.county.path, facts={}, job_id=check_job_id(iid, TargetKind.site, site))])
        long_ago = datetime.now(UTC) - timedelta(days=1)
        assert service.set_running(session, iid, 1, long_ago - timedelta(hours=1), long_ago)

    async def sweep(with_plan: bool) -> str:
        queue = get_checker_settings().checker_queue
        pool = await create_pool(redis_settings(), default_queue_name=queue)
        try:
            if with_plan:
                assert await pool.enqueue_job("plan_inspection", iid, _job_id=plan_job_id(iid), _defer_by=3600)
            return await jobs.sweep_orphans({"redis": pool})
        finally:
            await pool.zrem(queue, plan_job_id(iid))
            await pool.delete(job_key_prefix + plan_job_id(iid))
            await pool.aclose()

    def results() -> list[tuple[int, str]]:
        with Session(get_engine()) as session:
            return [(r.target_id, r.status) for r in session.exec(
                select(InspectionResult).where(InspectionResult.inspection_id == iid)).all()]

    asyncio.run(sweep(with_plan=True))
    assert results() == []
    asyncio.run(sweep(with_plan=False))  # the plan is gone for good: the check will never come
    assert results() == [(site, "error")]
