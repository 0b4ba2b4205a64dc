"""Token revocation shared by every service, through Redis.

The registry bumps a subject's token version (users and API clients) on a password change or reset,
a role change, a deactivation or a client re-key; tokens carry the version they were issued with
(`ver`). The registry publishes each bump here, as the key `<namespace>:ver:<sub>` = the new version,
and every service refuses a token whose `ver` is below it. A marker lives as long as a token can
(after that every token it revokes has expired anyway).

The namespace names the database (host, port, name and the database's oid), so deployments or test
runs sharing a Redis never see each other's subjects, and a re-created database never inherits old
markers. Reads are cached in-process for `GOVWATCH_REVOCATION_CACHE_SECONDS` (2 s), so the cost per
request is a dictionary lookup almost always and one Redis GET per subject every two seconds.

Redis down: the check fails closed (503 JSON). Redis is already required for the queues and the
login throttle; accepting unchecked tokens would reopen exactly the hole this closes (a deactivated
account writing through the checker or reporting API), while a 503 is visible and ends with the outage.
Redis restarted without its data: the registry notices the missing `<namespace>:epoch` key within a
few seconds of its next request and republishes every marker from its tables.
"""
import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from functools import lru_cache

import redis
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.common.errors import ApiError
from services.common.settings import get_settings

log = logging.getLogger("govwatch.revocation")

# Raise only: a publish never lowers a marker (start-up republishing races with live revocations).
_SET_MAX = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
local wanted = tonumber(ARGV[1])
if wanted > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return math.max(wanted, current)
"""


class RevocationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    revocation_cache_seconds: float = 2.0
    revocation_redis_timeout_seconds: float = 1.0
    # Set the same value on every service when they do not share GOVWATCH_DATABASE_URL (the default
    # namespace is derived from it, and services that disagree would not see each other's revocations).
    revocation_namespace: str = ""


@lru_cache
def get_revocation_settings() -> RevocationSettings:
    return RevocationSettings()


class RevocationUnavailable(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "revocation_unavailable", "身份校验服务暂不可用，请稍后重试")


_clients: dict[str, redis.Redis] = {}
_namespaces: dict[str, str] = {}
_lock = threading.Lock()


def client() -> redis.Redis:
    """One connection pool per Redis URL (tests switch the URL of a running process)."""
    url = get_settings().redis_url
    with _lock:
        if url not in _clients:
            timeout = get_revocation_settings().revocation_redis_timeout_seconds
            _clients[url] = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return _clients[url]


def namespace() -> str:
    """`govwatch:auth:<hash of the database's identity>`; looked up once per process and database URL."""
    if explicit := get_revocation_settings().revocation_namespace:
        return f"govwatch:auth:{explicit}"
    url = get_settings().database_url
    with _lock:
        if url in _namespaces:
            return _namespaces[url]
    from services.common.db import get_engine  # late: the engine is created on first use

    with get_engine().connect() as connection:
        oid = connection.execute(text("SELECT oid FROM pg_database WHERE datname = current_database()")).scalar()
    parsed = make_url(url)
    identity = f"{parsed.host}:{parsed.port}/{parsed.database}#{oid}"
    value = "govwatch:auth:" + hashlib.sha256(identity.encode()).hexdigest()[:16]
    with _lock:
        _namespaces[url] = value
    return value


def _key(sub: str) -> str:
    return f"{namespace()}:ver:{sub}"


def marker_ttl() -> int:
    """A marker outlives every token issued before it (tokens live `access_token_minutes`)."""
    return get_settings().access_token_minutes * 60 + 120


def publish(sub: str, version: int) -> None:
    """Tokens of `sub` below `version` are revoked everywhere. Raises RevocationUnavailable when Redis
    cannot take it, so the caller's transaction (the password change, the deactivation) is not committed."""
    try:
        client().eval(_SET_MAX, 1, _key(sub), str(version), str(marker_ttl()))
    except redis.RedisError as exc:
        log.error("could not publish the revocation of %s: %r", sub, exc)
        raise RevocationUnavailable() from exc
    with _lock:
        _cache.pop(sub, None)  # this process sees its own revocations at once


def publish_all(versions: Iterable[tuple[str, int]]) -> int:
    """Every subject's current version (registry start-up, or Redis lost its data), then the epoch key."""
    ns, ttl, count = namespace(), str(marker_ttl()), 0
    script = client().register_script(_SET_MAX)
    pipe = client().pipeline(transaction=False)
    for sub, version in versions:
        if version > 0:
            script(keys=[f"{ns}:ver:{sub}"], args=[str(version), ttl], client=pipe)
            count += 1
    pipe.set(f"{ns}:epoch", str(int(time.time())))
    pipe.execute()
    return count


def epoch_present() -> bool:
    return bool(client().exists(f"{namespace()}:epoch"))


# sub → (revoked-below version, monotonic time it was read)
_cache: dict[str, tuple[int, float]] = {}


def revoked_below(sub: str) -> int:
    """The lowest version of `sub` still valid (0 when nothing was ever revoked), cached briefly."""
    now = time.monotonic()
    ttl = get_revocation_settings().revocation_cache_seconds
    hit = _cache.get(sub)
    if hit is not None and now - hit[1] < ttl:
        return hit[0]
    try:
        raw = client().get(_key(sub))
    except redis.RedisError as exc:
        log.warning("revocation state unreadable: %r", exc)
        raise RevocationUnavailable() from exc
    value = int(raw) if raw is not None else 0
    with _lock:
        if len(_cache) > 50_000:  # bounded: subjects are users and clients, but never grow without end
            _cache.clear()
        _cache[sub] = (value, now)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def check(sub: str, version: int) -> None:
    """Raise 401 when the token of `sub` issued at `version` has been revoked."""
    if version < revoked_below(sub):
        raise ApiError(401, "unauthorized", "令牌已被撤销，请重新登录 (token revoked)")
