"""Outside link targets checked once per cycle for every site that links to them, kept in Redis.

Every county site links to the same 中国政府网 / 省政府 / 政务服务网 pages. Checked per site, a province's 2,000 sites
queue tens of thousands of checks on three or four outside hosts, which politeness (2 at a time, 0.5 s apart)
serialises into hours. So an outside URL's answer is shared: the first slice that needs it takes a short claim
(SET NX), checks it and stores the answer for `ttl` seconds (a working link) or `broken_ttl` (a failing one, so
a retry after `monitor_retry_minutes` really asks again). Slices of other sites needing it meanwhile wait for
that answer (in one worker process only one of them asks Redis, the others share its future); one that waits
longer than `WAIT_SECONDS` (or its slice's `wait`) puts its row off instead (`None`). The claim is renewed while
its check runs, so a killed worker's claim expires within seconds and another slice checks the URL.
"""
import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from services.checker.model import LinkStatus

WAIT_SECONDS = 90.0         # longest wait for another slice's check (it may itself wait on the host's politeness)
POLL_SECONDS = 0.25
CLAIM_SECONDS = 10          # a claim is renewed every CLAIM_RENEW seconds while its check runs: a killed
CLAIM_RENEW = 3             # worker's claim frees itself within seconds
DEFER_SECONDS = 10          # a row whose target could not be had in time is due again after this

# This process's lookups in progress, by URL: the first caller resolves, the others await its future.
_inflight: dict[str, "asyncio.Future[LinkStatus | None]"] = {}


@dataclass(frozen=True)
class TargetCache:
    redis: Redis
    namespace: str
    ttl: int                  # seconds a working link's answer serves every site
    broken_ttl: int           # seconds a failing link's answer serves (shorter: retries must ask again)
    wait: float | None = None  # a slice's own bound on waiting for another's check (below WAIT_SECONDS)

    def _key(self, url: str, part: str) -> str:
        digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:20]
        return f"{self.namespace}:monitor:target:{part}:{digest}"

    async def get(self, url: str) -> LinkStatus | None:
        raw = await self.redis.get(self._key(url, "status"))
        if raw is None:
            return None
        value = json.loads(raw)
        return LinkStatus(url=url, status=value["status"], error=value["error"],
                          checked_at=datetime.fromisoformat(value["at"]))

    async def claim(self, url: str) -> bool:
        """True when this caller is to check the URL (nobody else is checking it now)."""
        return bool(await self.redis.set(self._key(url, "claim"), "1", nx=True, ex=CLAIM_SECONDS))

    async def put(self, status: LinkStatus) -> None:
        value = json.dumps({"status": status.status, "error": status.error, "at": status.checked_at.isoformat()})
        ttl = self.broken_ttl if status.broken else self.ttl
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(status.url, "status"), value, ex=max(1, ttl))
            pipe.delete(self._key(status.url, "claim"))
            await pipe.execute()

    async def _renew(self, url: str) -> None:
        while True:
            await asyncio.sleep(CLAIM_RENEW)
            await self.redis.expire(self._key(url, "claim"), CLAIM_SECONDS)

    async def drop_claim(self, url: str) -> None:
        await self.redis.delete(self._key(url, "claim"))

    async def status_of(self, url: str, check: Callable[[], Awaitable[LinkStatus]], *,
                        wait: float | None = None) -> LinkStatus | None:
        """The URL's answer for this cycle: stored already, checked here, or awaited from the slice checking it.
        None when that took longer than `wait` (the caller puts its row off)."""
        pending = _inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[LinkStatus | None] = asyncio.get_running_loop().create_future()
        _inflight[url] = future
        try:
            bound = min(WAIT_SECONDS, self.wait if self.wait is not None else WAIT_SECONDS)
            status = await self._resolve(url, check, bound if wait is None else wait)
        except BaseException:
            future.set_result(None)   # the others put their rows off; this caller's error goes up
            raise
        finally:
            _inflight.pop(url, None)
        future.set_result(status)
        return status

    async def _resolve(self, url: str, check: Callable[[], Awaitable[LinkStatus]], wait: float) -> LinkStatus | None:
        deadline = time.monotonic() + wait
        while True:
            stored = await self.get(url)
            if stored is not None:
                return stored
            if await self.claim(url):
                renew = asyncio.create_task(self._renew(url))
                try:
                    status = await check()
                except BaseException:
                    await asyncio.shield(self.drop_claim(url))
                    raise
                finally:
                    renew.cancel()
                await self.put(status)
                return status
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)
