"""Filings move sites and accounts through the lifecycle DESIGN.md fixes; rules and evidence gate them."""
from datetime import date, timedelta

from tests.registry.helpers import account_payload, new_unit, org_id, pdf, site_payload, upload

CITY = "渭南市"


def open_site(registry, login, who="weinan_supervisor", **extra):
    host, _ = new_unit(CITY)
    response = registry.post("/api/v1/sites", headers=login(who), json=site_payload(host, org_id(CITY), **extra))
    assert response.status_code == 201, response.text
    return response.json()


DECIDER = "weinan_admin"  # nobody decides their own filing: the supervisor files, the administrator decides


def approve_with(registry, login, filing, kinds, who="weinan_supervisor", decider=DECIDER):
    for kind in kinds:
        assert upload(registry, login(who), filing["id"], kind).status_code == 201
    response = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(decider), json={"note": "同意"})
    assert response.status_code == 200, response.text
    return response.json()


def test_open_needs_evidence_then_approval_activates(registry, login):
    filing = open_site(registry, login)
    site = registry.get(f"/api/v1/sites/{filing['subject_id']}", headers=login("weinan_supervisor")).json()
    assert site["state"] == "pending_open"
    assert filing["missing_evidence"] == ["approval_document"]

    refused = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(DECIDER))
    assert refused.status_code == 409 and refused.json()["detail"]["missing"] == ["approval_document"]

    decided = approve_with(registry, login, filing, ["approval_document"])
    assert decided["state"] == "approved" and decided["decided_by_name"]
    site = registry.get(f"/api/v1/sites/{filing['subject_id']}", headers=login("weinan_supervisor")).json()
    assert site["state"] == "active" and site["preconditions"]["approval"] is True


def test_illegal_transition_names_the_allowed_ones(registry, login):
    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    response = registry.post(f"/api/v1/sites/{filing['subject_id']}/filings", headers=login("weinan_supervisor"),
                             json={"kind": "deregister"})
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "illegal_transition" and detail["state"] == "active"
    assert set(detail["allowed"]) == {"rename", "change", "suspend", "close"}
    # People read the states and filings in Chinese (issue 16, item 5), never "active" or "deregister".
    assert detail["message"].startswith("当前状态为运行，不能办理注销备案；可办理：")
    assert set(detail["message"].split("：")[1].split("、")) == {"更名", "变更", "临时关停", "关停"}


def test_rename_applies_only_when_approved_and_one_pending_at_a_time(registry, login):
    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    site_id = filing["subject_id"]
    sup = login("weinan_supervisor")
    rename = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup,
                           json={"kind": "rename", "payload": {"new_name": "新名称网站"}}).json()
    assert registry.get(f"/api/v1/sites/{site_id}", headers=sup).json()["name"] != "新名称网站"
    second = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={"kind": "suspend"})
    assert second.status_code == 409 and second.json()["detail"]["code"] == "filing_pending"
    approve_with(registry, login, rename, ["approval_document"])
    assert registry.get(f"/api/v1/sites/{site_id}", headers=sup).json()["name"] == "新名称网站"


def test_suspend_and_resume(registry, login):
    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    sup, site_id = login("weinan_supervisor"), filing["subject_id"]
    suspend = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={"kind": "suspend"}).json()
    approve_with(registry, login, suspend, ["approval_document"])
    assert registry.get(f"/api/v1/sites/{site_id}", headers=sup).json()["state"] == "suspended"
    resume = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={"kind": "resume"}).json()
    approve_with(registry, login, resume, ["approval_document"])
    assert registry.get(f"/api/v1/sites/{site_id}", headers=sup).json()["state"] == "active"


def test_permanent_closure_keeps_notice_30_days_then_deregisters_with_checklist(registry, login):
    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    sup, site_id = login("weinan_supervisor"), filing["subject_id"]

    missing = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={"kind": "close", "payload": {}})
    assert missing.status_code == 422 and missing.json()["detail"]["field"] == "payload.closure_notice_on"

    recent = (date.today() - timedelta(days=10)).isoformat()
    close = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={
        "kind": "close", "payload": {"closure_notice_on": recent,
                                     "migration_target_url": "https://www.weinan.gov.cn/"}}).json()
    approve_with(registry, login, close, ["approval_document", "closure_notice", "migration_proof"])
    site = registry.get(f"/api/v1/sites/{site_id}", headers=sup).json()
    assert site["state"] == "closing" and site["closure_notice_on"] == recent

    early = registry.post(f"/api/v1/sites/{site_id}/filings", headers=sup, json={"kind": "offline"})
    assert early.status_code == 409 and early.json()["detail"]["code"] == "closure_notice_period"
    assert early.json()["detail"]["earliest"] == (date.today() + timedelta(days=20)).isoformat()


def test_deregistration_requires_the_four_cancellations(registry, login, session):
    from services.registry.sites.models import Site, SiteState

    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    site = session.get(Site, filing["subject_id"])
    site.state, site.closure_notice_on = SiteState.closed, date.today() - timedelta(days=40)
    session.commit()
    sup = login("weinan_supervisor")
    dereg = registry.post(f"/api/v1/sites/{site.id}/filings", headers=sup, json={"kind": "deregister"}).json()
    assert set(dereg["missing_evidence"]) == {"icp_cancelled", "badge_cancelled", "psb_cancelled", "domain_released"}
    upload(registry, sup, dereg["id"], "icp_cancelled")
    partial = registry.post(f"/api/v1/filings/{dereg['id']}/approve", headers=login(DECIDER))
    assert partial.status_code == 409
    assert set(partial.json()["detail"]["missing"]) == {"badge_cancelled", "psb_cancelled", "domain_released"}
    approve_with(registry, login, dereg, ["badge_cancelled", "psb_cancelled", "domain_released"])
    result = registry.get(f"/api/v1/sites/{site.id}", headers=sup).json()
    assert result["state"] == "deregistered"
    assert all(result[k] for k in ("icp_cancelled", "badge_cancelled", "psb_cancelled", "domain_released"))


def test_offline_after_notice_period(registry, login, session):
    from services.registry.sites.models import Site, SiteState

    filing = open_site(registry, login)
    approve_with(registry, login, filing, ["approval_document"])
    site = session.get(Site, filing["subject_id"])
    site.state, site.closure_notice_on = SiteState.closing, date.today() - timedelta(days=30)
    session.commit()
    offline = registry.post(f"/api/v1/sites/{site.id}/filings", headers=login("weinan_supervisor"),
                            json={"kind": "offline"})
    assert offline.status_code == 201
    approve_with(registry, login, offline.json(), ["closure_notice"])
    assert registry.get(f"/api/v1/sites/{site.id}", headers=login("weinan_supervisor")).json()["state"] == "closed"


def test_one_site_per_unit_needs_a_recorded_reason(registry, login):
    host, _ = new_unit(CITY)
    sup = login("weinan_supervisor")
    first = registry.post("/api/v1/sites", headers=sup, json=site_payload(host, org_id(CITY)))
    assert first.status_code == 201
    second = registry.post("/api/v1/sites", headers=sup, json=site_payload(host, org_id(CITY)))
    assert second.status_code == 409
    assert [r["rule"] for r in second.json()["detail"]["rules"]] == ["one_site_per_unit"]
    forced = registry.post("/api/v1/sites", headers=sup,
                           json=site_payload(host, org_id(CITY), override_reason="专题网站经市政府批准保留"))
    assert forced.status_code == 201 and forced.json()["override_reason"] == "专题网站经市政府批准保留"


def test_gov_domain_rule(registry, login):
    host, _ = new_unit(CITY)
    response = registry.post("/api/v1/sites", headers=login("weinan_supervisor"),
                             json=site_payload(host, org_id(CITY), homepage_url="https://example.com/"))
    assert response.status_code == 409 and response.json()["detail"]["rules"][0]["rule"] == "gov_domain"


def test_one_account_per_platform_and_unique_platform_id(registry, login):
    host, _ = new_unit(CITY)
    sup = login("weinan_supervisor")
    first = registry.post("/api/v1/accounts", headers=sup, json=account_payload(host, org_id(CITY)))
    assert first.status_code == 201
    second = registry.post("/api/v1/accounts", headers=sup, json=account_payload(host, org_id(CITY)))
    assert second.status_code == 409 and second.json()["detail"]["code"] == "rule_violation"
    other_platform = registry.post("/api/v1/accounts", headers=sup,
                                   json=account_payload(host, org_id(CITY), platform="douyin"))
    assert other_platform.status_code == 201
    host2, _ = new_unit(CITY)
    duplicate = account_payload(host2, org_id(CITY))
    duplicate["platform_id"] = registry.get(f"/api/v1/accounts/{first.json()['subject_id']}",
                                            headers=sup).json()["platform_id"]
    again = registry.post("/api/v1/accounts", headers=sup, json=duplicate)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "duplicate_platform_id"


def test_duplicate_site_code_is_refused(registry, login):
    filing = open_site(registry, login)
    sup = login("weinan_supervisor")
    code = registry.get(f"/api/v1/sites/{filing['subject_id']}", headers=sup).json()["site_code"]
    host, _ = new_unit(CITY)
    response = registry.post("/api/v1/sites", headers=sup, json=site_payload(host, org_id(CITY), site_code=code))
    assert response.status_code == 409 and response.json()["detail"]["code"] == "duplicate_site_code"


def test_account_closure_and_deregistration(registry, login):
    host, _ = new_unit(CITY)
    sup = login("weinan_supervisor")
    filing = registry.post("/api/v1/accounts", headers=sup, json=account_payload(host, org_id(CITY))).json()
    approve_with(registry, login, filing, ["approval_document"])
    close = registry.post(f"/api/v1/accounts/{filing['subject_id']}/filings", headers=sup, json={
        "kind": "close", "payload": {"closure_notice_on": date.today().isoformat()}}).json()
    approve_with(registry, login, close, ["approval_document", "closure_notice"])
    dereg = registry.post(f"/api/v1/accounts/{filing['subject_id']}/filings", headers=sup,
                          json={"kind": "deregister"}).json()
    approve_with(registry, login, dereg, ["platform_cancellation"])
    assert registry.get(f"/api/v1/accounts/{filing['subject_id']}", headers=sup).json()["state"] == "deregistered"


def test_operator_files_supervisor_decides_rejection_needs_reason(registry, login):
    operator = login("minzheng_operator")
    host = org_id("渭南市民政局")
    filing = registry.post("/api/v1/accounts", headers=operator,
                           json=account_payload(host, org_id(CITY), platform="kuaishou")).json()
    assert upload(registry, operator, filing["id"], "approval_document", pdf(), "批复.pdf").status_code == 201
    assert registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=operator).status_code == 403
    no_reason = registry.post(f"/api/v1/filings/{filing['id']}/reject", headers=login("weinan_supervisor"), json={})
    assert no_reason.status_code == 422
    rejected = registry.post(f"/api/v1/filings/{filing['id']}/reject", headers=login("weinan_supervisor"),
                             json={"note": "材料不全，请补充主管部门批复"})
    assert rejected.json()["state"] == "rejected"
    late = upload(registry, operator, filing["id"], "other")
    assert late.status_code == 409
    refile = registry.post(f"/api/v1/accounts/{filing['subject_id']}/filings", headers=operator,
                           json={"kind": "open"})
    assert refile.status_code == 201


def test_evidence_is_typed_by_content_and_stored_with_sha256(registry, login):
    import hashlib

    filing = open_site(registry, login)
    sup = login("weinan_supervisor")
    exe = upload(registry, sup, filing["id"], "approval_document", b"MZ\x90\x00" + b"\x00" * 200, "批复.pdf")
    assert exe.status_code == 415 and exe.json()["detail"]["code"] == "file_type_not_allowed"
    data = pdf()
    stored = upload(registry, sup, filing["id"], "approval_document", data, "../../etc/批复.pdf").json()
    assert stored["sha256"] == hashlib.sha256(data).hexdigest() and stored["filename"] == "批复.pdf"
    download = registry.get(f"/api/v1/filings/{filing['id']}/evidence/{stored['id']}", headers=sup)
    assert download.status_code == 200 and download.content == data


def test_oversize_evidence_is_refused_whole(registry, login, monkeypatch):
    from services.common.settings import get_settings

    monkeypatch.setattr(get_settings(), "evidence_max_bytes", 1024)
    filing = open_site(registry, login)
    big = upload(registry, login("weinan_supervisor"), filing["id"], "approval_document", pdf() + b"0" * 5000)
    assert big.status_code == 413
    detail = registry.get(f"/api/v1/filings/{filing['id']}", headers=login("weinan_supervisor")).json()
    assert detail["evidence"] == []
