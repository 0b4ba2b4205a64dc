"""Revocation on every service: a token the registry revoked (password change or reset, role change,
deactivation of a user or a client) is refused by the checker and the reporting APIs as well, within the
revocation cache; fresh tokens keep working; Redis down fails closed with a 503 JSON body."""
import itertools
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.common import revocation
from services.common.settings import get_settings
from tests.checker.inspections.harness import ThreadedUvicorn, free_port
from tests.registry.helpers import new_unit

ADMIN = "weinan_admin"
PASSWORD = "Revoke#Test2024"
CACHE_SECONDS = 0.3
_n = itertools.count(1)


@pytest.fixture(scope="module")
def apis(registry: TestClient) -> Iterator[tuple[TestClient, TestClient]]:
    """The checker and reporting apps, verifying against a real registry on a loopback port."""
    settings, rs = get_settings(), revocation.get_revocation_settings()
    saved = settings.registry_url, rs.revocation_cache_seconds
    server = ThreadedUvicorn("services.registry.main:app", free_port()).start()
    settings.registry_url = server.url
    rs.revocation_cache_seconds = CACHE_SECONDS  # the production default is 2 s; the test waits it out
    from services.checker.main import app as checker_app
    from services.reporting.main import app as reporting_app
    yield TestClient(checker_app), TestClient(reporting_app)
    server.stop()
    settings.registry_url, rs.revocation_cache_seconds = saved


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_user(registry: TestClient, login, role: str = "supervisor") -> tuple[int, str]:
    unit_id, _ = new_unit("渭南市")
    username = f"revoke_{role}_{next(_n)}_{int(time.time())}"
    response = registry.post("/api/v1/users", headers=login(ADMIN), json={
        "username": username, "display_name": "撤销测试", "org_id": unit_id, "role": role, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["id"], username


def password_token(registry: TestClient, username: str, password: str = PASSWORD) -> str:
    response = registry.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def works_everywhere(apis: tuple[TestClient, TestClient], token: str) -> None:
    checker, reporting = apis
    assert checker.get("/api/v1/indicator-sets", headers=bearer(token)).status_code == 200
    put = reporting.put("/api/v1/assessment/weights", headers=bearer(token),
                        json={"year": 2031, "weights": {"site_failure": 3}})
    assert put.status_code == 200, put.text


def refused_everywhere(apis: tuple[TestClient, TestClient], token: str) -> None:
    time.sleep(CACHE_SECONDS + 0.1)  # what a service may still have cached
    checker, reporting = apis
    responses = [checker.get("/api/v1/indicator-sets", headers=bearer(token)),
                 reporting.put("/api/v1/assessment/weights", headers=bearer(token),
                               json={"year": 2031, "weights": {"site_failure": 9}}),
                 reporting.get("/api/v1/assessment/weights", headers=bearer(token), params={"year": 2031})]
    for response in responses:
        assert response.status_code == 401, response.text
        detail = response.json()["detail"]
        assert detail["code"] == "unauthorized" and "撤销" in detail["message"]


def test_password_change_revokes_on_checker_and_reporting(registry, login, apis):
    _, username = new_user(registry, login)
    old = password_token(registry, username)
    works_everywhere(apis, old)
    changed = registry.post("/api/v1/auth/password", headers=bearer(old),
                            json={"current_password": PASSWORD, "new_password": "Changed#Pass2024"})
    assert changed.status_code == 204, changed.text
    refused_everywhere(apis, old)
    works_everywhere(apis, password_token(registry, username, "Changed#Pass2024"))  # the new one is not caught


def test_password_reset_by_an_administrator_revokes(registry, login, apis):
    user_id, username = new_user(registry, login)
    old = password_token(registry, username)
    works_everywhere(apis, old)
    reset = registry.post(f"/api/v1/users/{user_id}/password", headers=login(ADMIN),
                          json={"new_password": "Reset#Pass2024"})
    assert reset.status_code == 204, reset.text
    refused_everywhere(apis, old)


def test_role_downgrade_revokes_the_writing_token(registry, login, apis):
    user_id, username = new_user(registry, login)
    old = password_token(registry, username)  # says "supervisor": may PUT weights
    works_everywhere(apis, old)
    patched = registry.patch(f"/api/v1/users/{user_id}", headers=login(ADMIN), json={"role": "viewer"})
    assert patched.status_code == 200, patched.text
    refused_everywhere(apis, old)
    new = password_token(registry, username)  # a viewer's token reads, and may no longer write
    checker, reporting = apis
    assert checker.get("/api/v1/indicator-sets", headers=bearer(new)).status_code == 200
    assert reporting.put("/api/v1/assessment/weights", headers=bearer(new),
                         json={"year": 2031, "weights": {"site_failure": 9}}).status_code == 403


def test_deactivation_revokes(registry, login, apis):
    user_id, username = new_user(registry, login)
    old = password_token(registry, username)
    works_everywhere(apis, old)
    patched = registry.patch(f"/api/v1/users/{user_id}", headers=login(ADMIN), json={"is_active": False})
    assert patched.status_code == 200, patched.text
    refused_everywhere(apis, old)


def test_deactivated_client_is_refused(registry, login, apis):
    unit_id, _ = new_unit("渭南市")
    created = registry.post("/api/v1/clients", headers=login(ADMIN), json={
        "client_id": f"revoke-client-{next(_n)}-{int(time.time())}", "name": "撤销测试客户端", "org_id": unit_id,
        "role": "integration"}).json()
    token = registry.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": created["client_id"],
        "client_secret": created["client_secret"]}).json()["access_token"]
    checker, reporting = apis
    assert checker.get("/api/v1/indicator-sets", headers=bearer(token)).status_code == 200
    assert reporting.get("/api/v1/assessment/weights", headers=bearer(token), params={"year": 2031}).status_code == 200
    assert registry.post(f"/api/v1/clients/{created['id']}/deactivate", headers=login(ADMIN)).status_code == 200
    time.sleep(CACHE_SECONDS + 0.1)
    assert checker.get("/api/v1/indicator-sets", headers=bearer(token)).status_code == 401
    assert reporting.get("/api/v1/assessment/weights", headers=bearer(token), params={"year": 2031}).status_code == 401


def test_redis_down_fails_closed_with_503_json(registry, login, apis):
    _, username = new_user(registry, login)
    token = password_token(registry, username)
    works_everywhere(apis, token)
    settings = get_settings()
    saved = settings.redis_url
    settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        revocation.clear_cache()
        checker, reporting = apis
        for response in (checker.get("/api/v1/indicator-sets", headers=bearer(token)),
                         reporting.get("/api/v1/assessment/weights", headers=bearer(token), params={"year": 2031})):
            assert response.status_code == 503
            assert response.json()["detail"]["code"] == "revocation_unavailable"
            assert "暂不可用" in response.json()["detail"]["message"]
        # A revocation that cannot be published is not applied either (no half-done password change).
        refused = registry.post("/api/v1/auth/password", headers=bearer(token),
                                json={"current_password": PASSWORD, "new_password": "Never#Applied2024"})
        assert refused.status_code == 503
    finally:
        settings.redis_url = saved
    works_everywhere(apis, token)
    assert password_token(registry, username)  # the old password still holds


def test_markers_lost_by_redis_are_republished_by_the_registry(registry, login, apis):
    """Redis restarted without its data: the registry notices the missing epoch on its next request and
    publishes every token version again, so a revoked token stays refused."""
    _, username = new_user(registry, login)
    old = password_token(registry, username)
    assert registry.post("/api/v1/auth/password", headers=bearer(old),
                         json={"current_password": PASSWORD, "new_password": "Changed#Pass2024"}).status_code == 204
    new = password_token(registry, username, "Changed#Pass2024")
    client, ns = revocation.client(), revocation.namespace()
    client.delete(*client.keys(f"{ns}:*"))  # what a restart without persistence leaves
    from services.registry.auth import service as auth_service
    auth_service._published_check["at"] = 0.0  # this process checked a moment ago; others would in 5 s
    assert registry.get("/api/v1/auth/me", headers=bearer(new)).status_code == 200
    assert client.exists(f"{ns}:epoch")
    refused_everywhere(apis, old)
