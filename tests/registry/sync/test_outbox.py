"""Every approved filing writes an outbox row in its own transaction; the worker pushes it with its
idempotency key; failures are retried with backoff, and supervisors retry or resolve what failed."""
import io
from datetime import date, timedelta

from services.common.settings import get_settings
from services.registry.sync import worker
from services.registry.sync.models import OutboxState
from tests.registry.helpers import new_unit, org_id, site_payload
from tests.registry.sync.conftest import outbox_of
from tests.registry.sync.helpers import (
    DECIDER, SUP, acknowledged_once, active_account, active_site, file_and_approve, settle,
)


def test_every_approved_site_filing_is_pushed_once_in_order(registry, login, national):
    worker.drain()
    opened = active_site(registry, login)
    site_id = opened["subject_id"]
    filings = [opened]
    filings.append(file_and_approve(registry, login, "rename", "site", site_id, {"new_name": "改名后的测试网站"},
                                    ["approval_document"]))
    filings.append(file_and_approve(registry, login, "change", "site", site_id, {"icp_number": "陕ICP备999号"},
                                    ["approval_document"]))
    filings.append(file_and_approve(registry, login, "suspend", "site", site_id, None, ["approval_document"]))
    filings.append(file_and_approve(registry, login, "resume", "site", site_id, None, ["approval_document"]))
    notice = (date.today() - timedelta(days=40)).isoformat()
    filings.append(file_and_approve(registry, login, "close", "site", site_id,
                                    {"closure_notice_on": notice, "migration_target_url": "https://www.weinan.gov.cn/"},
                                    ["approval_document", "closure_notice", "migration_proof"]))
    filings.append(file_and_approve(registry, login, "offline", "site", site_id, None, ["closure_notice"]))
    filings.append(file_and_approve(registry, login, "deregister", "site", site_id, None,
                                    ["icp_cancelled", "badge_cancelled", "psb_cancelled", "domain_released"]))
    ids = [f["id"] for f in filings]
    rows = outbox_of(ids)
    assert [r.action for r in rows] == ["open", "rename", "change", "suspend", "resume", "close", "offline",
                                        "deregister"]
    assert [r.record["state"] for r in rows] == ["active", "active", "active", "suspended", "active", "closing",
                                                 "closed", "deregistered"]
    assert rows[1].record["name"] == "改名后的测试网站" and rows[2].record["icp_number"] == "陕ICP备999号"
    assert all(r.state == OutboxState.pending for r in rows) and len({r.key for r in rows}) == 8

    # The per-filing state is visible over the API before and after the push.
    state = registry.get(f"/api/v1/sync/filings/{ids[0]}", headers=login(SUP)).json()
    assert [s["state"] for s in state] == ["pending"]
    rows = settle(ids)
    assert all(r.state == OutboxState.acknowledged and r.national_id for r in rows)
    acknowledged_once(national, ids)
    received = [r for r in national.received() if r["body"].get("filing_id") in ids]
    assert [r["body"]["action"] for r in received] == [r.action for r in rows]  # in order, once each
    assert [r["key"] for r in received] == [r.key for r in rows]  # the idempotency key is the row's key
    state = registry.get(f"/api/v1/sync/filings/{ids[-1]}", headers=login(SUP)).json()
    assert state[0]["state"] == "acknowledged" and state[0]["acknowledged_at"]
    summary = registry.get("/api/v1/sync/outbox/summary", headers=login(SUP)).json()
    assert summary["acknowledged"] >= 8


def test_account_filings_and_imports_write_outbox_rows(registry, login, national):
    opened = active_account(registry, login)
    closed = file_and_approve(registry, login, "close", "account", opened["subject_id"],
                              {"closure_notice_on": date.today().isoformat()}, ["approval_document", "closure_notice"])
    unit_id, unit = new_unit("渭南市")
    csv = f"账号名称,账号类型,账号ID,主办单位\n导入账号{unit_id},新浪微博,imported{unit_id},{unit}\n".encode()
    response = registry.post("/api/v1/imports/accounts", headers=login(SUP),
                             files={"file": ("a.csv", io.BytesIO(csv), "text/csv")})
    assert response.status_code == 200, response.text
    imported = registry.get("/api/v1/filings", headers=login(SUP),
                            params={"kind": "import", "q": f"导入账号{unit_id}"}).json()["items"]
    assert len(imported) == 1
    ids = [opened["id"], closed["id"], imported[0]["id"]]
    rows = outbox_of(ids)
    assert [r.action for r in rows] == ["open", "close", "import"]
    assert rows[2].record["platform_id"] == f"imported{unit_id}" and rows[2].record["type"] == "account"
    settle(ids)
    acknowledged_once(national, ids)


def test_no_outbox_row_without_an_approval(registry, login, national):
    host, _ = new_unit("渭南市")
    filing = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id("渭南市"))).json()
    refused = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(DECIDER))
    assert refused.status_code == 409  # evidence missing: the transaction rolled back, no row either
    assert outbox_of([filing["id"]]) == []
    rejected = registry.post(f"/api/v1/filings/{filing['id']}/reject", headers=login(DECIDER), json={"note": "材料不全"})
    assert rejected.status_code == 200 and outbox_of([filing["id"]]) == []


def test_transient_failures_back_off_and_then_succeed(registry, login, national):
    worker.drain()
    ids = [active_site(registry, login)["id"], active_account(registry, login)["id"]]
    national.faults("error_500", count=3)
    rows = settle(ids)
    assert all(r.state == OutboxState.acknowledged for r in rows)
    assert sum(r.attempts for r in rows) >= 3
    acknowledged_once(national, ids)

    # A timeout, a lost acknowledgement (stored there, 502 here) and a deferred one: still exactly once.
    more = [active_site(registry, login)["id"]]
    national.faults("timeout", count=1, delay=3)
    settle(more)
    more.append(active_site(registry, login)["id"])
    national.faults("lose_ack", count=1)
    settle(more)
    more.append(active_site(registry, login)["id"])
    national.faults("defer_ack", count=1)
    rows = settle(more)
    more.append(active_site(registry, login)["id"])
    national.faults("duplicate_ack", count=1)
    rows = settle(more)
    assert all(r.state == OutboxState.acknowledged for r in rows), [(r.state, r.last_error) for r in rows]
    acknowledged_once(national, more)
    lost = [r for r in national.records() if r["body"].get("filing_id") == more[1]][0]
    assert lost["receipts"] == 2  # pushed twice with one key, stored once


def test_rejection_fails_visibly_then_retry_or_resolve(registry, login, national):
    worker.drain()
    first = active_site(registry, login)
    national.faults("reject", count=1)
    [row] = settle([first["id"]])
    assert row.state == OutboxState.failed and "E1002" in row.last_error and row.last_status == 422
    listed = registry.get("/api/v1/sync/outbox", headers=login(SUP), params={"state": "failed"}).json()
    assert row.id in [r["id"] for r in listed["items"]]
    assert registry.post(f"/api/v1/sync/outbox/{row.id}/retry",
                         headers=login("minzheng_operator")).status_code in (403, 404)
    assert registry.get(f"/api/v1/sync/outbox/{row.id}", headers=login("linwei_supervisor")).status_code == 404
    retried = registry.post(f"/api/v1/sync/outbox/{row.id}/retry", headers=login(SUP))
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    [row] = settle([first["id"]])
    assert row.state == OutboxState.acknowledged
    again = registry.post(f"/api/v1/sync/outbox/{row.id}/retry", headers=login(SUP))
    assert again.status_code == 409 and again.json()["detail"]["code"] == "not_failed"

    second = active_site(registry, login)
    national.faults("reject", count=1)
    [row] = settle([second["id"]])
    assert row.state == OutboxState.failed
    resolved = registry.post(f"/api/v1/sync/outbox/{row.id}/resolve", headers=login(SUP),
                             json={"note": "已在国家系统手工录入"})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert resolved.json()["resolution_note"] == "已在国家系统手工录入"
    audit = registry.get("/api/v1/audit", headers=login(SUP),
                         params={"entity_kind": "sync_outbox", "entity_id": row.id}).json()
    assert "sync.resolve" in [a["action"] for a in audit["items"]]


def test_attempts_exhausted_marks_failed(registry, login, national):
    worker.drain()
    settings = get_settings()
    settings.national_max_attempts = 3
    try:
        filing = active_site(registry, login)
        national.faults("error_500")
        [row] = settle([filing["id"]])
        assert row.state == OutboxState.failed and row.attempts == 3 and row.last_status == 503
    finally:
        settings.national_max_attempts = 8
        national.faults("none")
    assert registry.post(f"/api/v1/sync/outbox/{row.id}/retry", headers=login(SUP)).status_code == 200
    [row] = settle([filing["id"]])
    assert row.state == OutboxState.acknowledged
