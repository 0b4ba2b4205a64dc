"""Bad input gets a clear 4xx JSON error and changes nothing."""
from sqlmodel import func, select

from services.registry.audit.models import AuditLog
from tests.registry.helpers import new_unit, org_id, site_payload


def audit_rows(session) -> int:
    return session.exec(select(func.count()).select_from(AuditLog)).one()


def test_malformed_json_wrong_types_unknown_enums(registry, login, session):
    sup = login("weinan_supervisor")
    before = audit_rows(session)
    broken = registry.post("/api/v1/sites", headers={**sup, "Content-Type": "application/json"}, content=b"{not json")
    assert broken.status_code == 422 and broken.json()["detail"]["code"] == "validation_error"
    host, _ = new_unit("渭南市")
    wrong_type = registry.post("/api/v1/sites", headers=sup, json=site_payload("abc", org_id("渭南市")))
    assert wrong_type.status_code == 422 and wrong_type.json()["detail"]["field"] == "body.host_org_id"
    unknown = registry.post("/api/v1/sites", headers=sup, json=site_payload(host, org_id("渭南市"), kind="blog"))
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "body.kind"
    bad_platform = registry.get("/api/v1/accounts", headers=sup, params={"platform": "myspace"})
    assert bad_platform.status_code == 422
    bad_kind = registry.post("/api/v1/sites/1/filings", headers=sup, json={"kind": "explode"})
    assert bad_kind.status_code == 422
    extra = registry.post("/api/v1/sites/1/filings", headers=sup,
                          json={"kind": "rename", "payload": {"new_name": "合法名称", "hack": 1}})
    assert extra.status_code == 422 and extra.json()["detail"]["field"] == "payload.hack"
    bad_region = registry.post("/api/v1/orgs", headers=login("weinan_admin"),
                               json={"name": "某县", "kind": "county", "parent_id": org_id("渭南市"), "region_code": "620101"})
    assert bad_region.status_code == 422 and bad_region.json()["detail"]["code"] == "region_code_parent"
    huge_page = registry.get("/api/v1/sites", headers=sup, params={"limit": 100000})
    assert huge_page.status_code == 422
    assert audit_rows(session) == before


def test_unknown_routes_and_methods_answer_json(registry, login):
    assert registry.get("/api/v1/nothing-here").json()["detail"]["code"] == "not_found"
    assert registry.delete("/api/v1/sites", headers=login("weinan_supervisor")).status_code == 405
