"""Per-host politeness shared by every monitoring worker on every machine, kept in Redis.

Two rules per host, checked and applied in one atomic Lua script on the Redis server's clock (so workers on
hosts with skewed clocks still agree):
- at most `per_host` requests in flight: each request holds a slot, a member of a sorted set scored by its
  expiry, so the slot of a killed worker frees itself when its lease passes;
- request starts at least `delay` seconds apart: the next allowed start is kept in a key.
A caller that may not start yet is told how long to wait and tries again.
"""
import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from redis.asyncio import Redis

from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.fetch import Fetcher

PREFIX = "govwatch:polite"

# KEYS[1] slots (zset token → expiry ms), KEYS[2] next allowed start (ms).
# ARGV: token, per_host, delay ms, slot lease ms. Returns 0 when acquired, else milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, delay, lease = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local busy = redis.call('ZCARD', KEYS[1])
if busy >= limit then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  -- A slot frees when its holder releases it (usually much sooner than its expiry): poll meanwhile.
  return math.max(1, math.min(tonumber(first[2]) - now, math.max(delay, 50)))
end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then
  return nxt - now
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease + 1000)
if delay > 0 then
  redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000)
end
return 0
"""


@dataclass(frozen=True)
class Politeness:
    per_host: int = 2
    delay: float = 0.5          # seconds between request starts to one host
    slot_lease: float = 60.0    # a slot not released (killed worker) frees itself after this
    max_wait: float = 0.25      # longest single sleep between attempts (a freed slot is noticed soon)


@dataclass
class _Queue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


_LOCAL: dict[str, _Queue] = {}   # per host key: this process's callers waiting for a slot


class HostGate:
    """Acquire and release per-host request slots in Redis."""

    def __init__(self, redis: Redis, rules: Politeness, *, namespace: str = "") -> None:
        self.redis = redis
        self.rules = rules
        self.namespace = namespace
        self._script = redis.register_script(_ACQUIRE)

    def _keys(self, host: str) -> list[str]:
        base = f"{PREFIX}:{self.namespace}:{host}" if self.namespace else f"{PREFIX}:{host}"
        return [f"{base}:slots", f"{base}:next"]

    async def acquire(self, host: str) -> str:
        token = secrets.token_hex(8)
        keys = self._keys(host)
        args = [token, self.rules.per_host, int(self.rules.delay * 1000), int(self.rules.slot_lease * 1000)]
        # Callers in this process queue here, and only the head of the queue asks Redis: with many pages of
        # one host waiting (an outside host linked from every site), polling from each of them cost more
        # worker CPU than the fetches themselves.
        waiting = _LOCAL.setdefault(keys[0], _Queue())
        waiting.users += 1
        try:
            async with waiting.lock:
                while True:
                    wait_ms = int(await self._script(keys=keys, args=args))
                    if wait_ms <= 0:
                        return token
                    await asyncio.sleep(min(wait_ms / 1000, self.rules.max_wait))
        finally:
            waiting.users -= 1
            if not waiting.users:
                _LOCAL.pop(keys[0], None)

    async def release(self, host: str, token: str) -> None:
        await self.redis.zrem(self._keys(host)[0], token)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        token = await self.acquire(host)
        try:
            yield
        finally:
            # Shielded: a cancelled request still gives its slot back (else it waits for the lease).
            await asyncio.shield(self.release(host, token))


class PoliteFetcher(Fetcher):
    """The crawler's Fetcher (SSRF guard, redirects, decoding, limits) with its per-host politeness taken
    from Redis instead of from this process, so all workers together keep it."""

    def __init__(self, gate: HostGate, settings: CrawlSettings | None = None, *,
                 allow_private: bool | None = None) -> None:
        super().__init__(settings, allow_private=allow_private)
        self.gate = gate

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        async with self.gate.slot(host):
            yield
