"""Planning enqueues its check jobs in batches (flows.enqueue_checks): the very jobs arq's enqueue_job
makes (function, arguments, time to run, expiry), and never a second job for a target whose job is still
queued or whose outcome is kept."""
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import Job, JobStatus
from arq.utils import to_unix_ms

from services.checker.inspections import flows
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.models import InspectionTarget, TargetKind

INSPECTION = 990_001


def _target(queue: str, target_id: int, due: datetime | None = None) -> InspectionTarget:
    return InspectionTarget(inspection_id=INSPECTION, kind=TargetKind.account, target_id=target_id, name="账号",
                            org_path="/1/", job_id=f"{queue}:{INSPECTION}:account:{target_id}", due_at=due)


async def test_batches_enqueue_what_enqueue_job_would_and_skip_existing_jobs():
    queue = f"{get_checker_settings().checker_queue}:enqueue-batch-test"
    pool = await create_pool(flows.redis_settings(), default_queue_name=queue)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    targets = [_target(queue, i, due if i == 3 else None) for i in range(1, flows.ENQUEUE_BATCH * 2 + 103)]
    keys = [k for t in targets for k in (job_key_prefix + t.job_id, result_key_prefix + t.job_id)]
    await pool.delete(queue, *keys)
    try:
        await flows.enqueue_check(pool, targets[6])                      # queued already (arq's own call)
        await pool.set(result_key_prefix + targets[4].job_id, b"kept")  # its outcome is kept
        assert await flows.enqueue_checks(pool, targets) == len(targets) - 2
        assert await pool.zcard(queue) == len(targets) - 1
        assert await pool.zscore(queue, targets[4].job_id) is None
        for target in (targets[0], targets[2], targets[-1]):             # first and last batch, a deferred one
            info = await Job(target.job_id, pool, _queue_name=queue).info()
            assert (info.function, info.args, info.kwargs) == ("check_target", (INSPECTION, "account", target.target_id), {})
            assert await Job(target.job_id, pool, _queue_name=queue).status() in (JobStatus.queued, JobStatus.deferred)
            ttl_days = await pool.pttl(job_key_prefix + target.job_id) / 86_400_000
            assert 2 - 0.01 < ttl_days - (3 / 24 if target.due_at else 0) <= 2
        assert info.score <= to_unix_ms(datetime.now(UTC))
        assert await pool.zscore(queue, targets[2].job_id) == to_unix_ms(due)
        assert await flows.enqueue_checks(pool, targets) == 0                     # a retried planning job
    finally:
        await pool.delete(queue, *keys)
        await pool.aclose()
