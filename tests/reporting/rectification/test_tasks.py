"""Tasks from issued notices, scope, and the whole review cycle: submit, reject, resubmit, accept,
re-check (pass → verified; fail → open again), override close. Every decision is audited."""
from datetime import timedelta

from sqlmodel import Session, select

from services.checker.inspections.models import Inspection
from services.common.db import get_engine
from services.common.settings import get_settings
from services.reporting.rectification.models import RectificationTask
from services.reporting.rectification.service import today
from tests.reporting.issuing import issue
from tests.reporting.rectification.conftest import (
    FAILING_UNIT, OPERATOR, SUPERVISOR, finish_recheck, issue_notice, pdf, png, tasks_of, this_year_inspection,
    upload,
)


def test_issuing_opens_one_task_per_failing_target_for_its_host_unit(reporting, auth):
    h = auth(SUPERVISOR)
    deadline = today() + timedelta(days=7)
    notice = issue_notice(reporting, h, this_year_inspection(), deadline)
    (task,) = tasks_of(reporting, h, notice["id"])
    assert task["target_name"] == FAILING_UNIT and task["unit_name"] == FAILING_UNIT
    assert task["state"] == "open" and task["deadline"] == deadline.isoformat() and task["days_left"] == 7
    detail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=h).json()
    assert [f["indicator"] for f in detail["findings"]] == ["unreachable"]
    assert detail["problems"] == "监测时间点无法访问"
    assert detail["allowed_actions"] == ["upload", "submit", "close"]
    assert [e["action"] for e in detail["events"]] == ["opened"]
    # The unit is told.
    notes = reporting.get("/api/v1/notifications", headers=auth(OPERATOR), params={"kind": "assigned"}).json()
    assert any(n["task_id"] == task["id"] for n in notes["items"]) and notes["unread"] >= 1
    # Re-issuing a revised notice keeps the task (one per target) and moves its deadline.
    assert reporting.post(f"/api/v1/notices/{notice['id']}/revise", headers=h).status_code == 200
    later = deadline + timedelta(days=5)
    reporting.patch(f"/api/v1/notices/{notice['id']}", headers=h, json={"deadline": later.isoformat()})
    assert issue(reporting, h, notice["id"], ("docx",)).json()["version"] == 2
    (again,) = tasks_of(reporting, h, notice["id"])
    assert again["id"] == task["id"] and again["deadline"] == later.isoformat()


def test_a_unit_sees_only_its_own_tasks(reporting, auth, task):
    assert [t["id"] for t in tasks_of(reporting, auth(OPERATOR), task["notice_id"])] == [task["id"]]
    assert reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=auth("weinan_supervisor")).status_code == 200
    for other in ("linwei_shuiwu_operator", "huayin_supervisor", "minzheng_operator"):
        assert tasks_of(reporting, auth(other), task["notice_id"]) == []
        response = reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=auth(other))
        assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found"


def test_reject_then_accept_then_passing_recheck_verifies(reporting, auth, task):
    op, sup, tid = auth(OPERATOR), auth(SUPERVISOR), task["id"]
    url = f"/api/v1/rectification/tasks/{tid}"
    # Nothing to submit yet.
    response = reporting.post(f"{url}/submit", headers=op, json={"explanation": "已恢复网站访问。"})
    assert response.status_code == 422 and response.json()["detail"]["code"] == "evidence_required"
    assert upload(reporting, op, tid, png(1), "首页截图.png").status_code == 201
    submitted = reporting.post(f"{url}/submit", headers=op, json={"explanation": "已恢复网站访问，附首页截图。"})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    # Double submission.
    again = reporting.post(f"{url}/submit", headers=op, json={"explanation": "已恢复网站访问，附首页截图。"})
    assert again.status_code == 409 and again.json()["detail"]["allowed"] == ["accept", "reject", "close"]
    # The unit cannot review itself; a rejection needs a reason.
    assert reporting.post(f"{url}/review", headers=op, json={"decision": "accept"}).status_code == 403
    response = reporting.post(f"{url}/review", headers=sup, json={"decision": "reject"})
    assert response.status_code == 422 and response.json()["detail"]["field"] == "reason"
    rejected = reporting.post(f"{url}/review", headers=sup, json={"decision": "reject", "reason": "缺少签字扫描件"}).json()
    assert rejected["state"] == "open" and rejected["round"] == 2 and rejected["review_reason"] == "缺少签字扫描件"
    notes = reporting.get("/api/v1/notifications", headers=op, params={"kind": "rejected"}).json()["items"]
    assert any(n["task_id"] == tid and "缺少签字扫描件" in n["body"] for n in notes)
    # Files of the submitted round stay; the new round adds the signed report.
    first = rejected["evidence"][0]
    response = reporting.delete(f"{url}/evidence/{first['id']}", headers=op)
    assert response.status_code == 409 and response.json()["detail"]["code"] == "evidence_submitted"
    assert upload(reporting, op, tid, pdf("签字"), "整改报告（签字）.pdf", "signed_report").status_code == 201
    assert reporting.post(f"{url}/submit", headers=op, json={"explanation": "已补充签字扫描件。"}).status_code == 200
    accepted = reporting.post(f"{url}/review", headers=sup, json={"decision": "accept"}).json()
    assert accepted["state"] == "accepted" and accepted["recheck_error"] is None
    recheck = accepted["recheck_inspection_id"]
    with Session(get_engine()) as session:
        inspection = session.get(Inspection, recheck)
        assert inspection is not None and inspection.name.startswith(f"整改复查：{FAILING_UNIT}")
        assert [k for k in inspection.target_kinds] == ["site"]
        # Requested by the reporting service under its own client, so the checker's audit names it.
        assert inspection.created_by == f"client:{get_settings().reporting_client_id}"
    # Not closed before the re-check has answered.
    waiting = reporting.post(f"{url}/refresh", headers=sup).json()
    assert waiting["state"] == "accepted"
    finish_recheck(recheck, "site", task["target_id"], "pass")
    verified = reporting.post(f"{url}/refresh", headers=sup).json()
    assert verified["state"] == "verified" and verified["recheck_verdict"] == "pass" and verified["closed_at"]
    assert verified["allowed_actions"] == []
    assert [e["action"] for e in verified["events"]] == [
        "opened", "uploaded", "submitted", "rejected", "uploaded", "submitted", "accepted", "recheck_requested",
        "verified"]
    trail = reporting.get(f"{url}/audit", headers=sup).json()["items"]
    assert [a["action"] for a in trail] == [
        "task_opened", "evidence_uploaded", "submitted", "rejected", "evidence_uploaded", "submitted", "accepted",
        "recheck_requested", "recheck_pass"]
    assert trail[3]["actor"].startswith("user:") and trail[3]["note"] == "缺少签字扫描件"
    assert trail[3]["before"]["state"] == "submitted" and trail[3]["after"]["state"] == "open"


def test_failing_recheck_reopens_and_the_supervisor_may_close_with_a_reason(reporting, auth, task):
    op, sup, tid = auth(OPERATOR), auth(SUPERVISOR), task["id"]
    url = f"/api/v1/rectification/tasks/{tid}"
    upload(reporting, op, tid, png(2), "截图.png")
    reporting.post(f"{url}/submit", headers=op, json={"explanation": "已完成整改，附截图。"})
    accepted = reporting.post(f"{url}/review", headers=sup, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    recheck = accepted.json()["recheck_inspection_id"]
    finish_recheck(recheck, "site", task["target_id"], "fail", [("unreachable", "veto", "监测时间点无法访问")])
    reopened = reporting.post(f"{url}/refresh", headers=sup).json()
    assert reopened["state"] == "open" and reopened["round"] == 2
    assert reopened["review_reason"] == "复查未通过：监测时间点无法访问"
    assert reopened["recheck_findings"][0]["indicator"] == "unreachable"
    # Closing needs a reason and a reviewer above the unit.
    assert reporting.post(f"{url}/close", headers=op, json={"reason": "网站已永久关停"}).status_code == 403
    assert reporting.post(f"{url}/close", headers=sup, json={"reason": ""}).status_code == 422
    closed = reporting.post(f"{url}/close", headers=sup, json={"reason": "网站已按程序永久关停，无需复查"}).json()
    assert closed["state"] == "closed" and closed["close_reason"] == "网站已按程序永久关停，无需复查"
    response = reporting.post(f"{url}/submit", headers=op, json={"explanation": "再次提交。"})
    assert response.status_code == 409 and response.json()["detail"]["allowed"] == []


def test_a_recheck_that_cannot_run_waits_for_the_supervisor(reporting, auth, task):
    op, sup, tid = auth(OPERATOR), auth(SUPERVISOR), task["id"]
    url = f"/api/v1/rectification/tasks/{tid}"
    upload(reporting, op, tid, png(3), "截图.png")
    reporting.post(f"{url}/submit", headers=op, json={"explanation": "已完成整改，附截图。"})
    first = reporting.post(f"{url}/review", headers=sup, json={"decision": "accept"}).json()["recheck_inspection_id"]
    finish_recheck(first, "site", task["target_id"], None)
    errored = reporting.post(f"{url}/refresh", headers=sup).json()
    assert errored["state"] == "accepted" and "连接超时" in errored["recheck_error"]
    assert errored["allowed_actions"] == ["recheck", "close"]
    again = reporting.post(f"{url}/recheck", headers=sup).json()
    assert again["recheck_inspection_id"] not in (None, first) and again["recheck_error"] is None
    with Session(get_engine()) as session:
        assert session.exec(select(RectificationTask).where(RectificationTask.id == tid)).one().state == "accepted"
