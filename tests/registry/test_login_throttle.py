"""Login throttling: five wrong passwords for a username lock it (429, zh-CN, Retry-After), the right
password included, with an audit row; the lock ends after its window; a success resets the count; many
failures from one address lock the address; unknown usernames lock alike (no enumeration)."""
import itertools
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.registry.auth.throttle import get_login_settings
from services.registry.main import app
from tests.registry.helpers import new_unit

ADMIN = "weinan_admin"
PASSWORD = "Throttle#Test2024"
LOCKOUT = 2
_n = itertools.count(1)


@pytest.fixture
def short_lockout() -> Iterator[None]:
    settings = get_login_settings()
    saved = settings.login_lockout_seconds, settings.login_ip_max_failures, settings.login_max_failures
    settings.login_lockout_seconds = LOCKOUT  # 15 minutes in production
    yield
    settings.login_lockout_seconds, settings.login_ip_max_failures, settings.login_max_failures = saved


def from_address(address: str) -> TestClient:
    """The registry app as seen from one client address (the suite's other logins come from elsewhere)."""
    return TestClient(app, client=(address, 40000))


def new_user(registry: TestClient, login) -> tuple[int, str]:
    unit_id, _ = new_unit("渭南市")
    username = f"throttle_{next(_n)}_{int(time.time())}"
    response = registry.post("/api/v1/users", headers=login(ADMIN), json={
        "username": username, "display_name": "锁定测试", "org_id": unit_id, "role": "viewer", "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["id"], username


def attempt(client: TestClient, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(registry, login, short_lockout):
    user_id, username = new_user(registry, login)
    client = from_address("198.51.100.11")
    for _ in range(4):
        assert attempt(client, username, "wrong-password").status_code == 401
    fifth = attempt(client, username, "wrong-password")
    assert fifth.status_code == 429
    right = attempt(client, username, PASSWORD)
    assert right.status_code == 429 and "access_token" not in right.text
    detail = right.json()["detail"]
    assert detail["code"] == "login_locked" and "锁定" in detail["message"] and "分钟后再试" in detail["message"]
    assert 0 < int(right.headers["Retry-After"]) <= LOCKOUT
    # From another address too: the lock is on the username.
    assert attempt(from_address("198.51.100.12"), username, PASSWORD).status_code == 429

    entries = registry.get("/api/v1/audit", headers=login(ADMIN),
                           params={"action": "auth.lockout", "entity_kind": "user", "entity_id": user_id}).json()
    assert entries["total"] == 1
    assert entries["items"][0]["after"]["by"] == "username"

    time.sleep(LOCKOUT + 0.2)
    assert attempt(client, username, PASSWORD).status_code == 200  # unlocked after the window


def test_a_success_resets_the_count(registry, login, short_lockout):
    get_login_settings().login_max_failures = 3  # fewer (slow, argon2) attempts; restored by the fixture
    _, username = new_user(registry, login)
    client = from_address("198.51.100.21")
    for _ in range(2):
        assert attempt(client, username, "wrong-password").status_code == 401
    assert attempt(client, username, PASSWORD).status_code == 200
    for _ in range(2):  # without the reset the first of these would be the third failure and lock
        assert attempt(client, username, "wrong-password").status_code == 401
    assert attempt(client, username, "wrong-password").status_code == 429  # the third in a row does


def test_unknown_usernames_lock_alike(registry, login, short_lockout):
    client = from_address("198.51.100.31")
    ghost = f"nobody_{next(_n)}_{int(time.time())}"
    statuses = [attempt(client, ghost, "wrong-password").status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    entries = registry.get("/api/v1/audit", headers=login("shaanxi_admin"),
                           params={"action": "auth.lockout", "entity_kind": "login"}).json()
    assert any(e["after"]["username"] == ghost for e in entries["items"])


def test_many_failures_from_one_address_lock_the_address(registry, login, short_lockout):
    get_login_settings().login_ip_max_failures = 3
    _, username = new_user(registry, login)
    spray = from_address("198.51.100.41")
    assert [attempt(spray, f"spray_{next(_n)}", "wrong-password").status_code for _ in range(3)] == [401, 401, 429]
    locked = attempt(spray, username, PASSWORD)  # any username from that address
    assert locked.status_code == 429 and "网络地址" in locked.json()["detail"]["message"]
    assert attempt(from_address("198.51.100.42"), username, PASSWORD).status_code == 200
