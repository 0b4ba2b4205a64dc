"""Per-host politeness shared by every monitoring worker on every machine, kept in Redis.

Two rules per host, checked and applied in atomic Lua scripts on the Redis server's clock (so workers on
hosts with skewed clocks still agree):
- at most `per_host` requests in flight: each request holds a slot, a member of a sorted set scored by its
  expiry, so the slot of a killed worker frees itself when its lease passes;
- request starts at least `delay` seconds apart, counted from when a request really went out. A grant alone
  is not a start: a busy worker may send its request a while after it was granted, and the next worker's
  on-time request would then follow it closely (the province benchmark saw 12 starts in a 10-delay window at
  load 30). So a grant leaves the host *pending* until its holder reports the request headers sent (or gives
  the slot back); no other request is granted meanwhile, and the next start is set from the report.
A caller that may not start yet is told how long to wait and tries again.
"""
import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from redis.asyncio import Redis

from services.checker.crawl.config import CrawlSettings
from services.checker.crawl.fetch import Fetcher

PREFIX = "govwatch:polite"

# KEYS[1] slots (zset token → expiry ms), KEYS[2] next allowed start (ms), KEYS[3] pending grant (token).
# ARGV: token, per_host, delay ms, slot lease ms, pending ttl ms. Returns 0 when acquired, else ms to wait.
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
if delay > 0 and redis.call('EXISTS', KEYS[3]) == 1 then
  return 10  -- the last grant has not gone out yet: its start sets the next one
end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then
  return nxt - now
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease + 1000)
if delay > 0 then
  redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000)
  redis.call('SET', KEYS[3], ARGV[1], 'PX', tonumber(ARGV[5]))
end
return 0
"""

# KEYS[1] slots, KEYS[2] next, KEYS[3] pending; ARGV: token, delay ms, release (1) or start report (0).
# The next start is `delay` after now; a grant that never went out (refused connection, cancelled) counts
# as a start too, which errs on the polite side.
_STARTED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(ARGV[2])
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
end
if redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('DEL', KEYS[3])
  if delay > 0 and now + delay > tonumber(redis.call('GET', KEYS[2]) or '0') then
    redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000)
  end
end
return 0
"""


@dataclass(frozen=True)
class Politeness:
    per_host: int = 2
    delay: float = 0.5          # seconds between request starts to one host
    slot_lease: float = 60.0    # a slot not released (killed worker) frees itself after this
    pending_ttl: float = 10.0   # a grant never reported sent (killed worker) stops holding the host after this
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
        self._started = redis.register_script(_STARTED)

    def _keys(self, host: str) -> list[str]:
        base = f"{PREFIX}:{self.namespace}:{host}" if self.namespace else f"{PREFIX}:{host}"
        return [f"{base}:slots", f"{base}:next", f"{base}:pending"]

    async def acquire(self, host: str) -> str:
        token = secrets.token_hex(8)
        keys = self._keys(host)
        args = [token, self.rules.per_host, int(self.rules.delay * 1000), int(self.rules.slot_lease * 1000),
                int(self.rules.pending_ttl * 1000)]
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

    async def started(self, host: str, token: str) -> None:
        """The granted request's headers are on the wire: the next start on this host is `delay` from now."""
        await self._started(keys=self._keys(host), args=[token, int(self.rules.delay * 1000), 0])

    async def release(self, host: str, token: str) -> None:
        await self._started(keys=self._keys(host), args=[token, int(self.rules.delay * 1000), 1])

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[str]:
        token = await self.acquire(host)
        try:
            yield token
        finally:
            # Shielded: a cancelled request still gives its slot back (else it waits for the lease).
            await asyncio.shield(self.release(host, token))


# The grant the current request holds: [host, token, the task reporting its start]. `_slot` sets it in the
# request's task, where the Fetcher asks `_on_sent` for the callback libcurl calls when the headers go out.
_GRANT: ContextVar[list | None] = ContextVar("polite_grant", default=None)


class PoliteFetcher(Fetcher):
    """The crawler's Fetcher (SSRF guard, redirects, decoding, limits) with its per-host politeness taken
    from Redis instead of from this process, so all workers together keep it."""

    def __init__(self, gate: HostGate, settings: CrawlSettings | None = None, *,
                 allow_private: bool | None = None) -> None:
        super().__init__(settings, allow_private=allow_private)
        self.gate = gate

    def _on_sent(self) -> Callable[[], None] | None:
        grant = _GRANT.get()
        if grant is None:
            return None

        def sent() -> None:  # inside libcurl's callback: the report goes out as a task of its own
            if grant[2] is None:
                grant[2] = asyncio.ensure_future(self.gate.started(grant[0], grant[1]))
        return sent

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        async with self.gate.slot(host) as token:
            grant: list = [host, token, None]
            _GRANT.set(grant)
            try:
                yield
            finally:
                _GRANT.set(None)
                if grant[2] is not None:
                    # The start is recorded before the slot is given back; a lost report is covered by the
                    # release, which counts as a start too.
                    with suppress(Exception):
                        await asyncio.shield(grant[2])
