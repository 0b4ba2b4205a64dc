"""Differences turned into filings: a host-unit difference that breaks an inventory rule takes an override
reason like any filing; a site closed nationally but running here goes 关停 → 下线 → 注销 without the
national record ever moving backwards; the .xlsx export speaks Chinese (and stays formula-free)."""
import io
from datetime import timedelta

from openpyxl import load_workbook

from services.registry.filings.service import today
from services.registry.sync import worker
from services.registry.sync.models import OutboxState
from tests.registry.helpers import new_unit
from tests.registry.sync.conftest import outbox_of
from tests.registry.sync.helpers import SUP, active_site, approve, file_and_approve, settle
from tests.registry.sync.test_reconciliation import path_of

CLOSE_EVIDENCE = ["approval_document", "closure_notice", "migration_proof"]
DEREGISTER_EVIDENCE = ["icp_cancelled", "badge_cancelled", "psb_cancelled", "domain_released"]


def national_body(national, subject_id: int) -> dict:
    body = [r["body"] for r in national.records()
            if r["body"]["type"] == "site" and r["body"].get("govwatch_id") == subject_id][-1]
    return {k: v for k, v in body.items() if k not in ("action", "filing_id")}


def reconcile(registry, login, scope_id: int) -> tuple[dict, dict]:
    response = registry.post("/api/v1/sync/reconciliations", headers=login(SUP),
                             json={"scope_org_id": scope_id, "subject_kind": "site"})
    assert response.status_code == 201, response.text
    report = response.json()
    diffs = registry.get(f"/api/v1/sync/reconciliations/{report['id']}/differences", headers=login(SUP)).json()
    return report, {(d["kind"], d["subject_id"], d["field"]): d for d in diffs["items"]}


def test_a_host_unit_difference_is_filed_with_an_override_reason(registry, login, national):
    worker.drain()
    scope_id, scope_name = new_unit("渭南市")
    moved = active_site(registry, login, scope_name)
    other = active_site(registry, login, scope_name)  # its host unit already has a site
    worker.drain()
    there = national_body(national, other["subject_id"])
    national.plant([{**national_body(national, moved["subject_id"]), "host_unit": there["host_unit"]}])
    report, found = reconcile(registry, login, scope_id)
    diff = found[("field_differs", moved["subject_id"], "host_unit")]
    url = f"/api/v1/sync/reconciliations/{report['id']}/differences/{diff['id']}/file"

    refused = registry.post(url, headers=login(SUP), json={})
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "rule_violation"
    assert "override_reason" in refused.json()["detail"]["message"]
    blank = registry.post(url, headers=login(SUP), json={"override_reason": "   "})
    assert blank.status_code == 409 and blank.json()["detail"]["code"] == "rule_violation"
    filed = registry.post(url, headers=login(SUP), json={"override_reason": "国家系统已登记：两站由同一单位主办"})
    assert filed.status_code == 201, filed.text
    filing = filed.json()
    assert filing["kind"] == "change" and filing["override_reason"] == "国家系统已登记：两站由同一单位主办"
    approve(registry, login, filing, ["approval_document"])
    site = registry.get(f"/api/v1/sites/{moved['subject_id']}", headers=login(SUP)).json()
    assert site["rule_override_reason"] == "国家系统已登记：两站由同一单位主办"
    assert site["host_org_id"] == registry.get(f"/api/v1/sites/{other['subject_id']}",
                                               headers=login(SUP)).json()["host_org_id"]

    export = registry.get(f"/api/v1/sync/reconciliations/{report['id']}/export", headers=login(SUP))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][8] == "建议备案"
    [row] = [r for r in rows[1:] if r[5] == "主办单位"]
    assert row[8] == "变更" and row[9] == filing["id"]


def test_closed_there_running_here_deregisters_without_pushing_backwards(registry, login, national):
    worker.drain()
    scope_id, scope_name = new_unit("渭南市")
    site = active_site(registry, login, scope_name)
    worker.drain()
    noticed = (today() - timedelta(days=40)).isoformat()  # the notice period is long over
    host_id, host_name = new_unit(scope_name)
    national.plant([{**national_body(national, site["subject_id"]), "state": "closed", "closure_notice_on": noticed},
                    {"type": "site", "name": "=HYPERLINK(\"http://x\")国家系统独有", "site_code": "NAT0000177",
                     "homepage_url": "https://only-there-17.weinan.gov.cn/", "state": "active",
                     "host_unit": host_name, "org_path": path_of(host_id), "site_kind": "department"}])
    report, found = reconcile(registry, login, scope_id)
    diff = found[("closed_there_running_here", site["subject_id"], "state")]
    assert diff["suggested_filing"] == "close"

    export = registry.get(f"/api/v1/sync/reconciliations/{report['id']}/export", headers=login(SUP))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    by_kind = {r[1]: r for r in rows[1:]}
    closed_row = by_kind["国家系统已关停、本系统运行"]
    assert closed_row[5] == "状态" and closed_row[6] == "运行" and closed_row[7] == "已下线"
    assert closed_row[8].startswith("关停") and "注销" in closed_row[8]
    assert by_kind["本系统无此记录"][8] == "开设"
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    [planted] = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("=")]
    assert planted.data_type == "s" and planted.quotePrefix  # text shown as text, never a formula
    assert not {"change", "rename", "open", "close"} & {r[8] for r in rows[1:]}

    filed = registry.post(f"/api/v1/sync/reconciliations/{report['id']}/differences/{diff['id']}/file",
                          headers=login(SUP), json={})
    assert filed.status_code == 201, filed.text
    close = approve(registry, login, filed.json(), CLOSE_EVIDENCE)
    assert close["payload"]["closure_notice_on"] == noticed
    [row] = outbox_of([close["id"]])  # recorded, not pushed: 关停中 would put the national record back
    assert row.state == OutboxState.resolved and "已下线" in row.resolution_note
    offline = file_and_approve(registry, login, "offline", "site", site["subject_id"], None, ["closure_notice"])
    deregister = file_and_approve(registry, login, "deregister", "site", site["subject_id"], None,
                                  DEREGISTER_EVIDENCE)
    rows = settle([close["id"], offline["id"], deregister["id"]])
    assert [r.state for r in rows] == [OutboxState.resolved, OutboxState.acknowledged, OutboxState.acknowledged]
    pushed = [r["body"] for r in national.records() if r["body"].get("govwatch_id") == site["subject_id"]
              and r["body"].get("filing_id") in (close["id"], offline["id"], deregister["id"])]
    assert [(b["action"], b["state"]) for b in pushed] == [("offline", "closed"), ("deregister", "deregistered")]
    assert all(r["body"].get("state") != "closing" for r in national.received()
               if r["body"].get("govwatch_id") == site["subject_id"])
    _, found = reconcile(registry, login, scope_id)
    assert not [d for d in found.values() if d["subject_id"] == site["subject_id"]]
