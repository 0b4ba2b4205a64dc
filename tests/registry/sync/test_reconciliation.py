"""Reconciliation finds planted differences between the registry and the national register, exports them
as .xlsx, and turns a difference into the right filing (or a fresh push) in one step."""
import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlmodel import Session

from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from services.registry.sync import reconciliation, worker
from services.registry.sync.models import Reconciliation
from tests.registry.helpers import new_unit
from tests.registry.sync.helpers import SUP, active_account, active_site, approve, file_and_approve


def path_of(org_id: int) -> str:
    with Session(get_engine()) as session:
        return session.get(Organisation, org_id).path


def test_planted_differences_are_found_exported_and_filed(registry, login, national):
    worker.drain()
    scope_id, scope_name = new_unit("渭南市")
    scope_path = path_of(scope_id)
    same = active_site(registry, login, scope_name)
    icp = active_site(registry, login, scope_name)
    renamed = active_site(registry, login, scope_name)
    closed_here = active_site(registry, login, scope_name)
    closed_there = active_account(registry, login, scope_name)
    worker.drain()
    national_of = {r["body"]["govwatch_id"]: r["body"] for r in national.records() if r["body"]["type"] == "site"}

    # Changes here not yet pushed: a rename, a closure, a new site.
    file_and_approve(registry, login, "rename", "site", renamed["subject_id"], {"new_name": "已改名未报送网站"},
                     ["approval_document"])
    file_and_approve(registry, login, "close", "site", closed_here["subject_id"],
                     {"closure_notice_on": (date.today() - timedelta(days=1)).isoformat()},
                     ["approval_document", "closure_notice", "migration_proof"])
    unknown_there = active_site(registry, login, scope_name)
    # Changes there: a different ICP number, a closed account, a site unknown here.
    body = {k: v for k, v in national_of[icp["subject_id"]].items() if k not in ("action", "filing_id")}
    account = {k: v for k, v in next(r["body"] for r in national.records()
                                     if r["body"].get("govwatch_id") == closed_there["subject_id"]
                                     and r["body"]["type"] == "account").items() if k not in ("action", "filing_id")}
    host_id, host_name = new_unit(scope_name)
    national.plant([{**body, "icp_number": "陕ICP备00000001号"}, {**account, "state": "closed"},
                    {"type": "site", "name": "国家系统独有网站", "site_code": "NAT0000001",
                     "homepage_url": "https://only-there.weinan.gov.cn/", "icp_number": "陕ICP备1号", "state": "active",
                     "host_unit": host_name, "org_path": path_of(host_id), "site_kind": "department"}])

    response = registry.post("/api/v1/sync/reconciliations", headers=login(SUP), json={"scope_org_id": scope_id})
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["scope_path"] == scope_path and report["local_count"] == 6 and report["national_count"] == 6
    diffs = registry.get(f"/api/v1/sync/reconciliations/{report['id']}/differences", headers=login(SUP)).json()
    found = {(d["kind"], d["subject_id"], d["field"]): d for d in diffs["items"]}
    assert ("name_differs", renamed["subject_id"], "name") in found
    assert ("running_there_closed_here", closed_here["subject_id"], "state") in found
    assert ("missing_there", unknown_there["subject_id"], None) in found
    assert ("field_differs", icp["subject_id"], "icp_number") in found
    assert ("closed_there_running_here", closed_there["subject_id"], "state") in found
    [only_there] = [d for d in diffs["items"] if d["kind"] == "missing_here"]
    assert only_there["theirs"] == "NAT0000001" and only_there["suggested_filing"] == "open"
    assert not [d for d in diffs["items"] if d["subject_id"] == same["subject_id"]]
    assert report["difference_count"] == diffs["total"] == 6

    # The .xlsx export has one row per difference.
    export = registry.get(f"/api/v1/sync/reconciliations/{report['id']}/export", headers=login(SUP))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "差异类型", "对象类型") and len(rows) == 7
    assert any(r[1] == "国家系统无此记录" for r in rows[1:])

    base = f"/api/v1/sync/reconciliations/{report['id']}/differences"
    # ICP differs → a change filing with the national value; approved as usual.
    d = found[("field_differs", icp["subject_id"], "icp_number")]
    filed = registry.post(f"{base}/{d['id']}/file", headers=login(SUP), json={})
    assert filed.status_code == 201, filed.text
    assert filed.json()["kind"] == "change" and filed.json()["payload"] == {"icp_number": "陕ICP备00000001号"}
    approve(registry, login, filed.json(), ["approval_document"])
    site = registry.get(f"/api/v1/sites/{icp['subject_id']}", headers=login(SUP)).json()
    assert site["icp_number"] == "陕ICP备00000001号"
    again = registry.post(f"{base}/{d['id']}/file", headers=login(SUP))
    assert again.status_code == 409 and again.json()["detail"]["code"] == "already_filed"
    # Unknown here → an open filing for the national record.
    filed = registry.post(f"{base}/{only_there['id']}/file", headers=login(SUP)).json()
    assert filed["kind"] == "open" and filed["state"] == "pending"
    site = registry.get(f"/api/v1/sites/{filed['subject_id']}", headers=login(SUP)).json()
    assert site["site_code"] == "NAT0000001" and site["host_org_id"] == host_id and site["state"] == "pending_open"
    # Closed there → a close filing here.
    d = found[("closed_there_running_here", closed_there["subject_id"], "state")]
    filed = registry.post(f"{base}/{d['id']}/file", headers=login(SUP)).json()
    assert filed["kind"] == "close" and filed["subject_kind"] == "account" and "closure_notice_on" in filed["payload"]
    # Running there, closed here → not a filing: push the registry's record instead.
    d = found[("running_there_closed_here", closed_here["subject_id"], "state")]
    refused = registry.post(f"{base}/{d['id']}/file", headers=login(SUP))
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "not_fileable"
    pushed = registry.post(f"{base}/{d['id']}/push", headers=login(SUP))
    assert pushed.status_code == 200 and pushed.json()["outbox_id"]

    # Scope: another county's supervisor does not see the report.
    assert registry.get(f"/api/v1/sync/reconciliations/{report['id']}",
                        headers=login("linwei_supervisor")).status_code == 404
    assert registry.post("/api/v1/sync/reconciliations", headers=login("weinan_viewer")).status_code == 403

    # After the pushes the renamed and closed sites agree with the national register.
    worker.drain()
    second = registry.post("/api/v1/sync/reconciliations", headers=login(SUP),
                           json={"scope_org_id": scope_id, "subject_kind": "site"}).json()
    diffs = registry.get(f"/api/v1/sync/reconciliations/{second['id']}/differences", headers=login(SUP)).json()
    subjects = {d["subject_id"] for d in diffs["items"]}
    assert renamed["subject_id"] not in subjects and closed_here["subject_id"] not in subjects
    assert unknown_there["subject_id"] not in subjects


def test_national_system_unavailable_is_503(registry, login, national):
    national.stop()
    response = registry.post("/api/v1/sync/reconciliations", headers=login(SUP), json={})
    assert response.status_code == 503 and response.json()["detail"]["code"] == "national_unavailable"
    # What a person reads says what is down, in Chinese; the exception (English, addresses) is only logged.
    message = response.json()["detail"]["message"]
    assert message.startswith("国家报送系统暂不可用") and not re.search(r"[A-Za-z]", message), message


def test_scheduled_run_reports_every_top_level_scope(registry, login, national):
    worker.drain()
    with Session(get_engine()) as session:
        before = session.query(Reconciliation).count()
    client = worker.NationalClient()
    try:
        reconciliation.scheduled(client)
    finally:
        client.close()
    with Session(get_engine()) as session:
        reports = session.query(Reconciliation).order_by(Reconciliation.id).all()[before:]
    assert reports and all(r.started_by == "system:sync" and r.local_count > 0 for r in reports)
    listed = registry.get("/api/v1/sync/reconciliations", headers=login("shaanxi_admin")).json()
    assert reports[-1].id in [r["id"] for r in listed["items"]]
