"""验证码 of the login page: a picture code asked for once a username has had `login_captcha_after` wrong
passwords (auth/throttle.py). Each code is stored in Redis (the throttle's namespace) for five minutes and is
good for one attempt, right or wrong, so it cannot be replayed or guessed at leisure."""
import base64
import secrets

import redis
from captcha.image import ImageCaptcha

from services.common import revocation
from services.registry.auth import throttle

TTL_SECONDS = 300
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: people misread them
LENGTH = 4
_image = ImageCaptcha(width=160, height=60)


def _key(captcha_id: str) -> str:
    return f"{revocation.namespace()}:login:captcha:{captcha_id}"


def issue() -> tuple[str, str]:
    """A new code: (id, PNG as a data URL)."""
    captcha_id = secrets.token_urlsafe(18)
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    try:
        revocation.client().set(_key(captcha_id), answer, ex=TTL_SECONDS)
    except redis.RedisError as exc:
        raise throttle.unavailable() from exc
    png = _image.generate(answer).getvalue()
    return captcha_id, "data:image/png;base64," + base64.b64encode(png).decode()


def verify(captcha_id: str | None, answer: str | None) -> bool:
    """Whether `answer` is the code of `captcha_id` (case and surrounding spaces ignored); the code is used up."""
    if not captcha_id or not answer or len(captcha_id) > 64:
        return False
    try:
        stored = revocation.client().getdel(_key(captcha_id))
    except redis.RedisError as exc:
        raise throttle.unavailable() from exc
    return stored is not None and secrets.compare_digest(stored.upper(), answer.strip().upper().encode())
