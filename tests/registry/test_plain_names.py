"""Names of the inventory are plain text of a bounded length (issue 16, item 9): markup is refused with a
422 in Chinese on every way a name comes in, and a name past the limit is told the limit."""
import pytest

from tests.registry.helpers import account_payload, new_unit, org_id, site_payload

CITY = "渭南市"
MARKUP = ["<script>alert(1)</script>", "市政府<b>办公室</b>", "办公室>", "a<img src=x onerror=alert(1)>"]


def refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["field"] == field and "不能包含 < 或 > 等标记字符" in detail["errors"][0]["message"], detail


@pytest.mark.parametrize("name", MARKUP)
def test_markup_in_a_name_is_refused_everywhere(registry, login, name):
    admin, sup = login("weinan_admin"), login("weinan_supervisor")
    city = org_id(CITY)
    refused(registry.post("/api/v1/orgs", headers=admin, json={"name": name, "kind": "department",
                                                                "parent_id": city}), "body.name")
    unit, _ = new_unit(CITY)
    refused(registry.patch(f"/api/v1/orgs/{unit}", headers=admin, json={"name": name}), "body.name")
    refused(registry.post("/api/v1/sites", headers=sup, json=site_payload(unit, city, name=name)), "body.name")
    refused(registry.post("/api/v1/accounts", headers=sup, json=account_payload(unit, city, registered_name=name)),
            "body.registered_name")
    refused(registry.post("/api/v1/users", headers=admin, json={
        "username": "markup_user", "display_name": name, "org_id": unit, "role": "viewer",
        "password": "Secret@2024x"}), "body.display_name")
    assert registry.get(f"/api/v1/orgs/{unit}", headers=admin).json()["name"] != name


def test_a_rename_filing_refuses_markup(registry, login):
    sup = login("weinan_supervisor")
    site = registry.get("/api/v1/sites", headers=sup, params={"state": "active", "limit": 1}).json()["items"][0]
    response = registry.post(f"/api/v1/sites/{site['id']}/filings", headers=sup,
                             json={"kind": "rename", "payload": {"new_name": "<script>新名称</script>"}})
    assert response.status_code == 422 and "标记字符" in response.json()["detail"]["message"], response.text


def test_a_long_name_is_told_the_limit_and_plain_names_pass(registry, login):
    admin = login("weinan_admin")
    too_long = registry.post("/api/v1/orgs", headers=admin, json={"name": "长" * 300, "kind": "department",
                                                                   "parent_id": org_id(CITY)})
    assert too_long.status_code == 422
    assert too_long.json()["detail"]["errors"][0]["message"] == "长度不能超过 100 个字符"
    # Titles in Chinese use 《》 and brackets; those are text, not markup.
    ok = registry.post("/api/v1/orgs", headers=admin, json={"name": "《条例》实施办公室（临时）", "kind": "department",
                                                             "parent_id": org_id(CITY)})
    assert ok.status_code == 201, ok.text
