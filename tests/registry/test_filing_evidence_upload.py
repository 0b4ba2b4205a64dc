"""Filing evidence as an office uploads it (issue 16, item 8): the same file is attached once per kind, a
wrong file can be taken off a pending filing (audited), and the size limit is one setting the API shows."""
from sqlmodel import Session, select

from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.audit.models import AuditLog
from services.reporting.settings import get_reporting_settings
from tests.registry.helpers import new_unit, org_id, pdf, png, site_payload, upload

SUP = "weinan_supervisor"
CITY = "渭南市"


def pending_filing(registry, login) -> dict:
    host, _ = new_unit(CITY)
    response = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id(CITY)))
    assert response.status_code == 201, response.text
    return response.json()


def evidence_of(registry, login, filing_id: int) -> list[dict]:
    return registry.get(f"/api/v1/filings/{filing_id}", headers=login(SUP)).json()["evidence"]


def test_the_same_file_attaches_once_per_kind(registry, login):
    filing = pending_filing(registry, login)
    data = pdf()
    first = upload(registry, login(SUP), filing["id"], "approval_document", data, "批复.pdf")
    assert first.status_code == 201, first.text
    again = upload(registry, login(SUP), filing["id"], "approval_document", data, "批复（副本）.pdf")
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail["code"] == "duplicate_file" and "批复.pdf" in detail["message"]
    assert detail["existing_id"] == first.json()["id"]
    # One scanned document may prove another thing too; another file of the same kind is welcome.
    assert upload(registry, login(SUP), filing["id"], "other", data, "批复.pdf").status_code == 201
    assert upload(registry, login(SUP), filing["id"], "approval_document", png(), "截图.png").status_code == 201
    assert len(evidence_of(registry, login, filing["id"])) == 3


def test_a_wrong_file_is_removed_from_a_pending_filing_only(registry, login):
    filing = pending_filing(registry, login)
    stored = upload(registry, login(SUP), filing["id"], "closure_notice", png(), "错的.png").json()
    url = f"/api/v1/filings/{filing['id']}/evidence/{stored['id']}"
    assert registry.delete(url, headers=login("weinan_viewer")).status_code == 403
    assert registry.delete(url, headers=login("hancheng_supervisor")).status_code == 404  # another subtree
    assert registry.delete(url, headers=login(SUP)).status_code == 204
    assert evidence_of(registry, login, filing["id"]) == []
    missing = registry.delete(url, headers=login(SUP))
    assert missing.status_code == 404 and missing.json()["detail"]["code"] == "not_found"
    with Session(get_engine()) as session:
        row = session.exec(select(AuditLog).where(AuditLog.action == "filing.evidence_remove",
                                                  AuditLog.entity_id == filing["id"])).one()
    assert row.before["filename"] == "错的.png"
    # Once decided, the material is the record of the decision: it stays.
    kept = upload(registry, login(SUP), filing["id"], "approval_document", pdf(), "批复.pdf").json()
    assert registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login("weinan_admin"),
                         json={"note": "同意"}).status_code == 200
    refused = registry.delete(f"/api/v1/filings/{filing['id']}/evidence/{kept['id']}", headers=login(SUP))
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "filing_decided"
    assert "不能再删除" in refused.json()["detail"]["message"]


def test_one_size_limit_shown_by_the_api_and_applied(registry, login, monkeypatch):
    limits = registry.get("/api/v1/uploads/limits", headers=login("weinan_viewer"))
    assert limits.status_code == 200
    body = limits.json()
    assert body["evidence_max_bytes"] == get_settings().evidence_max_bytes == 50 * 1024 * 1024
    # Rectification evidence reads the same GOVWATCH_EVIDENCE_MAX_BYTES.
    assert get_reporting_settings().evidence_max_bytes == body["evidence_max_bytes"]
    assert body["evidence_max_mb"] == 50 and body["evidence_types_label"] == "PDF、PNG、JPG、DOCX、XLSX"
    assert {"pdf", "jpg", "jpeg", "png", "docx", "xlsx"} <= set(body["evidence_extensions"])
    assert registry.get("/api/v1/uploads/limits").status_code == 401
    # A file between the old 20 MB and the limit is taken (a structurally valid PDF padded before its %%EOF
    # would be refused by structure, so the size rule is checked at a lowered limit instead).
    monkeypatch.setattr(get_settings(), "evidence_max_bytes", 4096)
    shown = registry.get("/api/v1/uploads/limits", headers=login(SUP)).json()
    assert shown["evidence_max_bytes"] == 4096
    filing = pending_filing(registry, login)
    big = upload(registry, login(SUP), filing["id"], "approval_document", pdf() + b"0" * 5000, "大.pdf")
    assert big.status_code == 413 and big.json()["detail"]["code"] == "file_too_large"
