"""The audit log is searched by the name people know an actor by, not only by the internal subject."""
from tests.registry.helpers import new_unit


def test_audit_filters_by_actor_name_or_subject(registry, login):
    admin = login("weinan_admin")
    unit, _ = new_unit("渭南市")
    assert registry.patch(f"/api/v1/orgs/{unit}", headers=admin, json={"name": "审计筛选测试单位"}).status_code == 200
    by_name = registry.get("/api/v1/audit", headers=admin, params={"actor": "市政务公开办管理员", "action": "org.update",
                                                                   "limit": 500}).json()["items"]
    assert unit in [e["entity_id"] for e in by_name]
    assert {e["actor_name"] for e in by_name} == {"市政务公开办管理员"}
    subject = by_name[0]["actor"]
    by_subject = registry.get("/api/v1/audit", headers=admin, params={"actor": subject, "action": "org.update",
                                                                      "limit": 500}).json()["items"]
    assert [e["id"] for e in by_subject] == [e["id"] for e in by_name]
    nobody = registry.get("/api/v1/audit", headers=admin, params={"actor": "不存在的人%"}).json()
    assert nobody["total"] == 0
