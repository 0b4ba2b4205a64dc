"""Login throttling: after `login_max_failures` wrong passwords for one username within
`login_window_seconds`, the username is locked for `login_lockout_seconds`; after
`login_ip_max_failures` from one client address, the address is. While locked, every password login
(the right password too) answers 429 with Retry-After; each lockout writes an audit row.

Counters live in Redis under the namespace of services/common/revocation.py (per database), so
several registry processes share them. Redis down: password logins answer 503 (an unthrottled login
would let guessing run free during the outage). Client-credentials logins are not throttled: their
secrets are long random strings, and a misconfigured service must not lock out the real one.
"""
import hashlib
import logging
import math
import time
from functools import lru_cache

import redis
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, select
from starlette.exceptions import HTTPException

from services.common import revocation
from services.common.auth import Principal, Role
from services.registry.audit import service as audit
from services.registry.orgs.models import Organisation
from services.registry.users.models import User

log = logging.getLogger("govwatch.auth")


class LoginSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVWATCH_", extra="ignore")

    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 15 * 60
    # Per client address: higher, since an office's users may share one address (NAT).
    login_ip_max_failures: int = 50
    # After this many wrong passwords for a username (in the window) a login also needs the picture code (验证码).
    login_captcha_after: int = 3
    # A password older than this must be changed at login (0: never expires).
    password_max_age_days: int = 90
    # Picture codes per client address within the window: enough for an office behind one NAT, too few to farm
    # codes (each costs an image rendering) or fill Redis.
    captcha_max_per_address: int = 30
    captcha_window_seconds: int = 60


@lru_cache
def get_login_settings() -> LoginSettings:
    return LoginSettings()


def _digest(value: str) -> str:  # bounded keys whatever a client sends
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _keys(kind: str, value: str) -> tuple[str, str]:
    base = f"{revocation.namespace()}:login:{kind}:{_digest(value)}"
    return f"{base}:failures", f"{base}:locked"


def unavailable() -> HTTPException:
    return HTTPException(503, {"code": "login_unavailable", "message": "登录服务暂不可用，请稍后重试", "field": None})


def _locked(seconds: int, by_address: bool) -> HTTPException:
    minutes = max(1, math.ceil(seconds / 60))
    what = "该网络地址登录失败次数过多" if by_address else "密码错误次数过多，账号已临时锁定"
    return HTTPException(429, {"code": "login_locked", "message": f"{what}，请 {minutes} 分钟后再试",
                               "field": None, "retry_after": seconds},
                         headers={"Retry-After": str(seconds)})


def check(username: str, address: str) -> None:
    """Raise 429 while the username or the address is locked."""
    try:
        pipe = revocation.client().pipeline(transaction=False)
        pipe.ttl(_keys("user", username)[1])
        pipe.ttl(_keys("ip", address)[1])
        user_ttl, ip_ttl = pipe.execute()
    except redis.RedisError as exc:
        log.warning("login throttle unreadable: %r", exc)
        raise unavailable() from exc
    if user_ttl is not None and user_ttl > 0:
        raise _locked(int(user_ttl), by_address=False)
    if ip_ttl is not None and ip_ttl > 0:
        raise _locked(int(ip_ttl), by_address=True)


def _count(kind: str, value: str, limit: int) -> bool:
    """One more failure; True when this one reaches the limit (and locks)."""
    settings = get_login_settings()
    failures, locked = _keys(kind, value)
    client = revocation.client()
    pipe = client.pipeline()
    pipe.set(failures, 0, ex=settings.login_window_seconds, nx=True)  # the window opens at the first failure
    pipe.incr(failures)
    count = pipe.execute()[1]
    if count < limit:
        return False
    pipe = client.pipeline()
    pipe.set(locked, "1", ex=settings.login_lockout_seconds)
    pipe.delete(failures)  # after the lockout the count starts again
    pipe.execute()
    return count == limit  # concurrent failures beyond the limit do not audit the same lockout twice


def _system(root: Organisation) -> Principal:
    now = int(time.time())
    return Principal(sub="system:login", org_id=root.id, org_path=root.path, role=Role.admin, jti="login",
                     iat=now, exp=now + 60, name="登录保护")


def failed(session: Session, username: str, address: str) -> None:
    """Count a wrong password; when it locks the username or the address, audit it and raise 429."""
    settings = get_login_settings()
    try:
        user_locked = _count("user", username, settings.login_max_failures)
        ip_locked = _count("ip", address, settings.login_ip_max_failures)
    except redis.RedisError as exc:
        log.warning("login throttle unwritable: %r", exc)
        raise unavailable() from exc
    if not (user_locked or ip_locked):
        return
    root = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).first()
    if root is not None:
        user = session.exec(select(User).where(User.username == username)).first()
        org = session.get(Organisation, user.org_id) if user is not None else None
        note = (f"连续 {settings.login_max_failures} 次密码错误" if user_locked
                else f"同一地址 {settings.login_ip_max_failures} 次登录失败")
        after = {"username": username[:64], "address": address, "lockout_seconds": settings.login_lockout_seconds,
                 "by": "username" if user_locked else "address"}
        audit.record(session, _system(root), "auth.lockout", "user" if user is not None else "login",
                     user.id if user is not None else None, (org or root).path, after=after, note=note)
        session.commit()
    raise _locked(settings.login_lockout_seconds, by_address=not user_locked)


def captcha_needed(username: str) -> bool:
    """Whether the username has had `login_captcha_after` wrong passwords in the current window."""
    try:
        count = revocation.client().get(_keys("user", username)[0])
    except redis.RedisError as exc:
        log.warning("login throttle unreadable: %r", exc)
        raise unavailable() from exc
    return count is not None and int(count) >= get_login_settings().login_captcha_after


def succeeded(username: str) -> None:
    try:
        revocation.client().delete(_keys("user", username)[0])
    except redis.RedisError as exc:  # the login itself succeeded; a stale count only expires later
        log.warning("login throttle not reset: %r", exc)


def captcha_allowed(address: str) -> None:
    """Count one picture code for the address; 429 with Retry-After past `captcha_max_per_address` in the
    window (a fixed window opened by the first code)."""
    settings = get_login_settings()
    key = f"{revocation.namespace()}:login:captcha-rate:{_digest(address)}"
    try:
        pipe = revocation.client().pipeline()
        pipe.set(key, 0, ex=settings.captcha_window_seconds, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
    except redis.RedisError as exc:
        log.warning("captcha rate unreadable: %r", exc)
        raise unavailable() from exc
    if count > settings.captcha_max_per_address:
        seconds = max(1, int(ttl) if ttl and ttl > 0 else settings.captcha_window_seconds)
        raise HTTPException(429, {"code": "captcha_rate_limited",
                                  "message": f"获取验证码过于频繁，请 {seconds} 秒后再试",
                                  "field": None, "retry_after": seconds},
                            headers={"Retry-After": str(seconds)})
