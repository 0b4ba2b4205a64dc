"""Password expiry enforced by the API (issue 16), not only by the SPA's router: a token issued for a password
that expired or that an administrator reset answers 403 password_expired (zh-CN) on every endpoint but the
password change and /auth/me; the picture code (验证码) is rate-limited per client address."""
from datetime import timedelta

import pytest
from sqlmodel import Session

from services.common.db import get_engine
from services.registry.auth.throttle import get_login_settings
from services.registry.models_base import utcnow
from services.registry.users.models import User
from tests.registry.test_login_hardening import PASSWORD, attempt, new_user
from tests.registry.test_login_throttle import ADMIN, from_address

EXPIRED_MESSAGE = "密码已过期或已被管理员重置，请先修改密码后再继续操作"


def assert_password_expired(response) -> None:
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "password_expired" and detail["message"] == EXPIRED_MESSAGE


def test_a_reset_password_allows_only_the_change(registry, login):
    user_id, username = new_user(registry, login)
    client = from_address("198.51.100.71")
    assert registry.post(f"/api/v1/users/{user_id}/password", headers=login(ADMIN),
                         json={"new_password": "Temporary#2024"}).status_code == 204
    token = attempt(client, username, "Temporary#2024").json()
    assert token["password_expired"] is True
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    # The lean list path, the ORM paths, exports and writes alike.
    for method, path in [("GET", "/api/v1/sites"), ("GET", "/api/v1/accounts"), ("GET", "/api/v1/filings"),
                         ("GET", "/api/v1/orgs"), ("GET", "/api/v1/sites/export?format=csv"),
                         ("GET", "/api/v1/audit"), ("POST", "/api/v1/sites")]:
        assert_password_expired(registry.request(method, path, headers=headers, json={}))
    me = registry.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.json()["password_expired"] is True
    changed = registry.post("/api/v1/auth/password", headers=headers,
                            json={"current_password": "Temporary#2024", "new_password": "Chosen#Mine2024"})
    assert changed.status_code == 204
    # The change revoked the old token; a new one works everywhere.
    assert registry.get("/api/v1/orgs", headers=headers).status_code == 401
    fresh = attempt(client, username, "Chosen#Mine2024").json()
    assert fresh["password_expired"] is False
    ok = registry.get("/api/v1/sites", headers={"Authorization": f"Bearer {fresh['access_token']}"})
    assert ok.status_code == 200, ok.text


def test_an_old_password_is_refused_by_the_api_too(registry, login):
    user_id, username = new_user(registry, login)
    with Session(get_engine()) as session:
        user = session.get(User, user_id)
        user.password_changed_at = utcnow() - timedelta(days=get_login_settings().password_max_age_days + 1)
        session.add(user)
        session.commit()
    token = attempt(from_address("198.51.100.72"), username, PASSWORD).json()
    assert token["password_expired"] is True
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert_password_expired(registry.get("/api/v1/accounts", headers=headers))
    assert_password_expired(registry.get(f"/api/v1/users/{user_id}", headers=headers))
    assert registry.get("/api/v1/auth/me", headers=headers).status_code == 200


@pytest.fixture
def five_codes_a_window():
    settings = get_login_settings()
    saved = settings.captcha_max_per_address, settings.captcha_window_seconds
    settings.captcha_max_per_address, settings.captcha_window_seconds = 5, 30
    yield
    settings.captcha_max_per_address, settings.captcha_window_seconds = saved


def test_the_captcha_is_rate_limited_per_address(registry, five_codes_a_window):
    client = from_address("198.51.100.73")
    for _ in range(5):
        assert client.get("/api/v1/auth/captcha").status_code == 200
    refused = client.get("/api/v1/auth/captcha")
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert detail["code"] == "captcha_rate_limited" and "获取验证码过于频繁" in detail["message"]
    assert "captcha_id" not in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 30 and detail["retry_after"] == int(refused.headers["Retry-After"])
    # Another address is counted on its own.
    assert from_address("198.51.100.74").get("/api/v1/auth/captcha").status_code == 200
