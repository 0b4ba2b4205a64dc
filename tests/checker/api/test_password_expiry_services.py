"""The checker and reporting APIs verify tokens themselves: one issued for an expired or reset password answers
403 password_expired (zh-CN) there too (issue 16), while a current one is served."""
import time

import httpx
from fastapi.testclient import TestClient

from services.registry.demo.loader import DEFAULT_PASSWORD
from tests.registry.helpers import new_unit


def _token(registry_url: str, username: str, password: str) -> dict:
    response = httpx.post(f"{registry_url}/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_checker_and_reporting_refuse_a_token_of_an_expired_password(checker_env: str, checker: TestClient):
    from services.reporting.main import app as reporting_app
    admin = {"Authorization": f"Bearer {_token(checker_env, 'weinan_admin', DEFAULT_PASSWORD)['access_token']}"}
    unit_id, _ = new_unit("渭南市")
    username = f"pwx_{int(time.time() * 1000)}"
    created = httpx.post(f"{checker_env}/api/v1/users", headers=admin, json={
        "username": username, "display_name": "过期测试", "org_id": unit_id, "role": "viewer",
        "password": "Expiry#Test2024"})
    assert created.status_code == 201, created.text
    reset = httpx.post(f"{checker_env}/api/v1/users/{created.json()['id']}/password", headers=admin,
                       json={"new_password": "Temporary#2024"})
    assert reset.status_code == 204
    token = _token(checker_env, username, "Temporary#2024")
    assert token["password_expired"] is True
    expired = {"Authorization": f"Bearer {token['access_token']}"}
    with TestClient(reporting_app) as reporting:
        for client, path in [(checker, "/api/v1/inspections"), (reporting, "/api/v1/notices"),
                             (reporting, "/api/v1/rectification/tasks")]:
            response = client.get(path, headers=expired)
            assert response.status_code == 403, (path, response.text)
            detail = response.json()["detail"]
            assert detail["code"] == "password_expired" and "请先修改密码" in detail["message"]
        # The same user after changing the password is served.
        assert httpx.post(f"{checker_env}/api/v1/auth/password", headers=expired, json={
            "current_password": "Temporary#2024", "new_password": "Chosen#Mine2024"}).status_code == 204
        fresh = {"Authorization": f"Bearer {_token(checker_env, username, 'Chosen#Mine2024')['access_token']}"}
        assert checker.get("/api/v1/inspections", headers=fresh).status_code == 200
        assert reporting.get("/api/v1/notices", headers=fresh).status_code == 200
