"""Password hashing, login of users and clients, token issuance and the registry's own verifier
(signature plus revocation: a deactivated principal or an older token version is refused).

Revocation reaches the other services through services/common/revocation.py: `revoke_tokens` bumps the
holder's version and publishes it before the change commits; `keep_published` republishes every
version when Redis lost them."""
import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from jose import jwt
from sqlmodel import Session, select

from services.common import revocation
from services.common.auth import ALGORITHM, JwksVerifier, Principal, unauthorized
from services.common.settings import get_settings, is_usable_secret
from services.registry.auth.keys import get_signing_key
from services.registry.auth.throttle import get_login_settings
from services.registry.orgs.models import Organisation
from services.registry.users.models import ApiClient, Token, User

log = logging.getLogger("govwatch.auth")
_hasher = PasswordHasher()
# Verified against when the user does not exist, so timing does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerifyMismatchError, InvalidHashError):
        return False


def authenticate_user(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        verify_secret(_DUMMY_HASH, password)
        return None
    if not verify_secret(user.password_hash, password) or not user.is_active:
        return None
    return user


def authenticate_client(session: Session, client_id: str, secret: str) -> ApiClient | None:
    client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    # A well-known default (or empty/short) secret never authenticates, even where an old installation
    # still holds a client registered with it: it is public.
    if client is None or not is_usable_secret(secret):
        verify_secret(_DUMMY_HASH, secret)
        return None
    if not verify_secret(client.secret_hash, secret) or not client.is_active:
        return None
    return client


def issue_token(subject: User | ApiClient, org: Organisation) -> Token:
    settings = get_settings()
    now = datetime.now(UTC)
    ttl = timedelta(minutes=settings.access_token_minutes)
    if isinstance(subject, User):
        sub, name = f"user:{subject.id}", subject.display_name
    else:
        sub, name = f"client:{subject.client_id}", subject.name
    expired = isinstance(subject, User) and password_expired(subject, now)
    claims = {
        "iss": settings.jwt_issuer, "sub": sub, "org_id": org.id, "org_path": org.path,
        "role": subject.role.value, "name": name, "ver": subject.token_version,
        "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()), "jti": uuid.uuid4().hex,
    }
    if expired:  # every API refuses the token but for the password change (services/common/auth.py)
        claims["password_expired"] = True
    key = get_signing_key()
    token = jwt.encode(claims, key.pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    return Token(access_token=token, expires_in=int(ttl.total_seconds()), role=subject.role,
                 org_id=org.id, org_path=org.path, name=name,
                 password_expired=expired)


def password_expired(user: User, now: datetime) -> bool:
    """An administrator reset it (None), or it is older than GOVWATCH_PASSWORD_MAX_AGE_DAYS."""
    days = get_login_settings().password_max_age_days
    changed = user.password_changed_at
    return changed is None or (days > 0 and changed + timedelta(days=days) < now)


def local_verifier() -> JwksVerifier:
    """The registry verifies signatures with its own key, without fetching its JWKS over HTTP."""
    return JwksVerifier(lambda: get_signing_key().jwks(), ttl=3600)


def check_not_revoked(session: Session, principal: Principal, token: str) -> None:
    """A deactivated holder, or a token older than the holder's last password or role change, is refused."""
    claims_ver = jwt.get_unverified_claims(token).get("ver", 0)
    kind, _, ident = principal.sub.partition(":")
    holder: User | ApiClient | None
    if kind == "user":
        holder = session.get(User, int(ident)) if ident.isdigit() else None
    else:
        holder = session.exec(select(ApiClient).where(ApiClient.client_id == ident)).first()
    if holder is None or not holder.is_active or holder.token_version != claims_ver:
        raise unauthorized("令牌已被撤销 (token revoked)")


def subject_of(holder: User | ApiClient) -> str:
    return f"user:{holder.id}" if isinstance(holder, User) else f"client:{holder.client_id}"


def revoke_tokens(session: Session, holder: User | ApiClient) -> None:
    """Every outstanding token of `holder` stops working, here at once and on every service within the
    revocation cache (seconds). Published before the caller commits: if Redis cannot take it, the request
    fails (503) and nothing changes; if the commit fails after it, tokens are revoked a little early."""
    holder.token_version += 1
    session.flush()
    revocation.publish(subject_of(holder), holder.token_version)


def publish_all_versions(session: Session) -> int:
    users = session.exec(select(User.id, User.token_version).where(User.token_version > 0)).all()
    clients = session.exec(select(ApiClient.client_id, ApiClient.token_version)
                           .where(ApiClient.token_version > 0)).all()
    return revocation.publish_all([(f"user:{i}", v) for i, v in users] + [(f"client:{c}", v) for c, v in clients])


_published_check = {"at": 0.0}
_published_lock = threading.Lock()
REPUBLISH_CHECK_SECONDS = 5.0


def keep_published(session: Session, force: bool = False) -> None:
    """At start-up, and every few seconds on requests: when Redis lost the markers (restarted without its
    data: no epoch key), publish them again from the tables. Never fails a request of the registry, which
    checks revocation against its own tables."""
    now = time.monotonic()
    with _published_lock:
        if not force and now - _published_check["at"] < REPUBLISH_CHECK_SECONDS:
            return
        _published_check["at"] = now
    try:
        if force or not revocation.epoch_present():
            count = publish_all_versions(session)
            log.info("published %d token versions for the other services", count)
    except Exception as exc:  # Redis down: the other services fail closed meanwhile; retried later
        log.warning("could not publish token versions: %r", exc)
