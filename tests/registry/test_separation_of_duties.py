"""Separation of duties: nobody approves or rejects a filing they filed themselves; another supervisor
of the supervising tier decides."""
from tests.registry.helpers import new_unit, org_id, site_payload, upload

CITY = "渭南市"


def test_nobody_decides_their_own_filing(registry, login):
    host, _ = new_unit(CITY)
    supervisor = login("weinan_supervisor")
    filing = registry.post("/api/v1/sites", headers=supervisor, json=site_payload(host, org_id(CITY))).json()
    assert upload(registry, supervisor, filing["id"], "approval_document").status_code == 201

    for action, body in (("approve", {"note": "同意"}), ("reject", {"note": "自己驳回"})):
        refused = registry.post(f"/api/v1/filings/{filing['id']}/{action}", headers=supervisor, json=body)
        assert refused.status_code == 403, refused.text
        detail = refused.json()["detail"]
        assert detail["code"] == "self_decision" and "不能审批自己提交的备案" in detail["message"]
    still = registry.get(f"/api/v1/filings/{filing['id']}", headers=supervisor).json()
    assert still["state"] == "pending" and not still.get("decided_by")

    decided = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login("weinan_admin"),
                            json={"note": "同意"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"


def test_an_administrator_cannot_approve_their_own_filing_either(registry, login):
    host, _ = new_unit(CITY)
    admin = login("weinan_admin")
    filing = registry.post("/api/v1/sites", headers=admin, json=site_payload(host, org_id(CITY))).json()
    assert upload(registry, admin, filing["id"], "approval_document").status_code == 201
    assert registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=admin).status_code == 403
    assert registry.post(f"/api/v1/filings/{filing['id']}/approve",
                         headers=login("weinan_supervisor")).status_code == 200
