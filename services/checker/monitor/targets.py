"""Outside link targets checked once per cycle for every site that links to them, kept in Redis.

Every county site links to the same 中国政府网 / 省政府 / 政务服务网 pages. Checked per site, a province's 2,000 sites
queue tens of thousands of checks on three or four outside hosts, which politeness (2 at a time, 0.5 s apart)
serialises into hours. So an outside URL's answer is shared: the first slice that needs it takes a short claim
(SET NX), checks it and stores the answer for `ttl` seconds (a working link) or `broken_ttl` (a failing one,
so a retry after `monitor_retry_minutes` really asks again); slices of other sites that need it meanwhile read
the stored answer, or defer their row for `DEFER_SECONDS` while another slice holds the claim. A lost claim
(killed worker) expires by itself.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from services.checker.model import LinkStatus

DEFER_SECONDS = 20          # a row whose target another slice is checking is due again after this
CLAIM_SECONDS = 120         # a claim outlives one check (link deadline, politeness wait), then frees itself


@dataclass(frozen=True)
class TargetCache:
    redis: Redis
    namespace: str
    ttl: int                  # seconds a working link's answer serves every site
    broken_ttl: int           # seconds a failing link's answer serves (shorter: retries must ask again)

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

    async def drop_claim(self, url: str) -> None:
        await self.redis.delete(self._key(url, "claim"))
