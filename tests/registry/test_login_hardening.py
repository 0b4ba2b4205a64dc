"""Login hardening (issue 16): a picture code (验证码) after failed attempts, counted towards the lockout;
passwords expire, and one an administrator reset must be changed at the next login."""
import itertools
import time
from datetime import timedelta

import pytest
from sqlmodel import Session

from services.common import revocation
from services.common.db import get_engine
from services.registry.auth.throttle import get_login_settings
from services.registry.models_base import utcnow
from services.registry.users.models import User
from tests.registry.helpers import new_unit
from tests.registry.test_login_throttle import ADMIN, from_address

PASSWORD = "Harden#Test2024"
_n = itertools.count(1)


def new_user(registry, login) -> tuple[int, str]:
    unit_id, _ = new_unit("渭南市")
    username = f"harden_{next(_n)}_{int(time.time())}"
    response = registry.post("/api/v1/users", headers=login(ADMIN), json={
        "username": username, "display_name": "加固测试", "org_id": unit_id, "role": "viewer", "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["id"], username


def attempt(client, username: str, password: str, **extra):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password, **extra})


def answer_of(captcha_id: str) -> str:
    """What a person reads off the picture (the test reads the stored code instead)."""
    return revocation.client().get(f"{revocation.namespace()}:login:captcha:{captcha_id}").decode()


@pytest.fixture
def captcha_after_two():
    settings = get_login_settings()
    saved = settings.login_captcha_after
    settings.login_captcha_after = 2  # fewer (slow, argon2) attempts
    yield
    settings.login_captcha_after = saved


def test_a_captcha_after_failed_logins(registry, login, captcha_after_two):
    _, username = new_user(registry, login)
    client = from_address("198.51.100.61")
    first = attempt(client, username, "wrong-password")
    assert first.status_code == 401 and first.json()["detail"]["captcha_required"] is False
    second = attempt(client, username, "wrong-password")
    assert second.status_code == 401 and second.json()["detail"]["captcha_required"] is True
    # Now the right password alone is not enough, and is not even checked.
    bare = attempt(client, username, PASSWORD)
    assert bare.status_code == 401 and bare.json()["detail"]["code"] == "captcha_required"
    assert bare.json()["detail"]["message"] == "请输入图中的验证码" and "access_token" not in bare.text

    picture = client.get("/api/v1/auth/captcha")
    assert picture.status_code == 200 and picture.headers["cache-control"] == "no-store"
    body = picture.json()
    assert body["image"].startswith("data:image/png;base64,") and len(body["image"]) > 1000
    code = answer_of(body["captcha_id"])
    wrong = attempt(client, username, PASSWORD, captcha_id=body["captcha_id"], captcha_answer="ZZZZ" if code != "ZZZZ" else "YYYY")
    assert wrong.status_code == 401 and wrong.json()["detail"]["message"] == "验证码错误，请重新输入"
    # One attempt per code: the right answer after a wrong one is refused (and that counts as the fifth failure).
    reused = attempt(client, username, PASSWORD, captcha_id=body["captcha_id"], captcha_answer=code)
    assert reused.status_code == 429  # 2 wrong passwords + 3 refused codes: the lockout still comes


def test_the_right_captcha_and_password_log_in(registry, login, captcha_after_two):
    _, username = new_user(registry, login)
    client = from_address("198.51.100.62")
    for _ in range(2):
        attempt(client, username, "wrong-password")
    captcha_id = client.get("/api/v1/auth/captcha").json()["captcha_id"]
    ok = attempt(client, username, PASSWORD, captcha_id=captcha_id, captcha_answer=f" {answer_of(captcha_id).lower()} ")
    assert ok.status_code == 200, ok.text
    assert attempt(client, username, PASSWORD).status_code == 200  # the success reset the count


def test_reset_by_an_admin_and_expired_passwords_must_be_changed(registry, login):
    user_id, username = new_user(registry, login)
    client = from_address("198.51.100.63")
    fresh = attempt(client, username, PASSWORD).json()
    assert fresh["password_expired"] is False
    assert registry.post(f"/api/v1/users/{user_id}/password", headers=login(ADMIN),
                         json={"new_password": "Temporary#2024"}).status_code == 204
    reset = attempt(client, username, "Temporary#2024").json()
    assert reset["password_expired"] is True
    headers = {"Authorization": f"Bearer {reset['access_token']}"}
    same = registry.post("/api/v1/auth/password", headers=headers,
                         json={"current_password": "Temporary#2024", "new_password": "Temporary#2024"})
    assert same.status_code == 422 and same.json()["detail"]["message"] == "新密码不能与当前密码相同"
    changed = registry.post("/api/v1/auth/password", headers=headers,
                            json={"current_password": "Temporary#2024", "new_password": "Chosen#Mine2024"})
    assert changed.status_code == 204
    assert attempt(client, username, "Chosen#Mine2024").json()["password_expired"] is False
    # Older than GOVWATCH_PASSWORD_MAX_AGE_DAYS (90): expired again.
    with Session(get_engine()) as session:
        user = session.get(User, user_id)
        user.password_changed_at = utcnow() - timedelta(days=get_login_settings().password_max_age_days + 1)
        session.add(user)
        session.commit()
    assert attempt(client, username, "Chosen#Mine2024").json()["password_expired"] is True
