"""Deadlines: overdue marks (kept for the assessment), due-soon and overdue reminders once each, pushed to a
real webhook receiver and a real SMTP server on loopback, with retries; the per-unit counts; the arq worker."""
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from services.common.db import get_engine
from services.common.settings import get_settings
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import Delivery, DeliveryState, Notification
from services.reporting.rectification import service
from services.reporting.rectification.models import RectificationTask
from services.reporting.settings import get_reporting_settings
from tests.checker.inspections.harness import free_port
from tests.reporting.conftest import org
from tests.reporting.rectification.conftest import (
    FAILING_UNIT, OPERATOR, SUPERVISOR, issue_notice, tasks_of, this_year_inspection, today,
)

ROOT = Path(__file__).resolve().parents[3]


class Webhook:
    """A loopback HTTP receiver; answers `status` (switchable) and keeps every JSON body it got."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def channels(reporting, auth, monkeypatch):
    hook, mailbox = Webhook(), Mailbox()
    # Webhooks reach public addresses only; this loopback receiver is allowed by name and port.
    monkeypatch.setattr(get_settings(), "outbound_allow", f"127.0.0.1:{hook.server.server_port}")
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    rs = get_reporting_settings()
    saved = rs.smtp_host, rs.smtp_port
    rs.smtp_host, rs.smtp_port = "127.0.0.1", smtp.port
    with Session(get_engine()) as session:
        unit = org(session, FAILING_UNIT)
    h = auth(SUPERVISOR)
    created = [reporting.post("/api/v1/notifications/channels", headers=h,
                              json={"kind": "webhook", "target": hook.url, "include_subtree": True,
                                    "kinds": ["overdue", "due_soon"]}),
               reporting.post("/api/v1/notifications/channels", headers=h,
                              json={"kind": "email", "target": "czj@hancheng.example.gov.cn", "org_id": unit.id})]
    assert all(c.status_code == 201 for c in created), [c.text for c in created]
    yield hook, mailbox
    for c in created:
        reporting.delete(f"/api/v1/notifications/channels/{c.json()['id']}", headers=h)
    rs.smtp_host, rs.smtp_port = saved
    smtp.stop()
    hook.server.shutdown()


def deliver(now: datetime | None = None) -> dict[str, int]:
    with Session(get_engine()) as session:
        return notifications.deliver_pending(session, now)


def sweep(day) -> dict[str, int]:  # noqa: ANN001
    with Session(get_engine()) as session:
        return service.sweep_deadlines(session, day)


def test_bad_channels_are_refused(reporting, auth):
    h = auth(SUPERVISOR)
    bad = reporting.post("/api/v1/notifications/channels", headers=h, json={"kind": "webhook", "target": "ftp://x"})
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "invalid_webhook"
    bad = reporting.post("/api/v1/notifications/channels", headers=h, json={"kind": "email", "target": "no-at-sign"})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "target"
    other = reporting.post("/api/v1/notifications/channels", headers=h,
                           json={"kind": "email", "target": "a@b.cn", "org_id": 1})  # the province: not below 韩城市
    assert other.status_code == 404
    assert reporting.post("/api/v1/notifications/channels", headers=auth(OPERATOR),
                          json={"kind": "email", "target": "a@b.cn"}).status_code == 403


def test_due_soon_then_overdue_each_once_through_webhook_and_email(reporting, auth, channels):
    hook, mailbox = channels
    h = auth(SUPERVISOR)
    deadline = today() + timedelta(days=2)
    notice = issue_notice(reporting, h, this_year_inspection(), deadline)
    (task,) = tasks_of(reporting, h, notice["id"])
    deliver()
    # "assigned" goes to the unit's e-mail channel only (the webhook wants overdue and due_soon).
    assert any(f"新的整改任务：{FAILING_UNIT}" in str(make_header(decode_header(m["Subject"])))
               for _, m in mailbox.messages)
    assert not [b for b in hook.bodies if b["task_id"] == task["id"]]

    assert sweep(today())["reminders"] >= 1
    sweep(today())  # a second sweep the same day adds nothing
    deliver()
    mine = [b for b in hook.bodies if b["task_id"] == task["id"]]
    assert [b["kind"] for b in mine] == ["due_soon"] and "还有 2 天" in mine[0]["body"]
    assert f"整改期限为{deadline.year}年{deadline.month}月{deadline.day}日" in mine[0]["body"]  # a date as people write it

    # The deadline passes: marked overdue once, one overdue reminder, visible in the counts.
    late_day = deadline + timedelta(days=1)
    sweep(late_day)
    sweep(late_day + timedelta(days=1))
    deliver()
    mine = [b for b in hook.bodies if b["task_id"] == task["id"]]
    assert [b["kind"] for b in mine] == ["due_soon", "overdue"]
    subjects = [str(make_header(decode_header(m["Subject"]))) for rcpt, m in mailbox.messages
                if rcpt == ["czj@hancheng.example.gov.cn"]]
    assert f"整改已逾期：{FAILING_UNIT}" in subjects
    with Session(get_engine()) as session:
        row = session.get(RectificationTask, task["id"])
        assert row.overdue_at is not None
        kinds = [str(n.kind) for n in session.exec(select(Notification).where(Notification.task_id == task["id"]))]
        assert sorted(kinds) == ["assigned", "due_soon", "overdue"]
    app = reporting.get("/api/v1/notifications", headers=auth(OPERATOR), params={"kind": "overdue"}).json()
    assert any(n["task_id"] == task["id"] for n in app["items"])
    marked = reporting.post("/api/v1/notifications/read-all", headers=auth(OPERATOR)).json()["marked"]
    assert marked >= 3 and reporting.get("/api/v1/notifications", headers=auth(OPERATOR)).json()["unread"] == 0


def test_a_failing_webhook_is_retried_then_given_up(reporting, auth, channels):
    hook, _ = channels
    hook.status = 500
    rs = get_reporting_settings()
    h = auth(SUPERVISOR)
    notice = issue_notice(reporting, h, this_year_inspection(), today() - timedelta(days=1))
    (task,) = tasks_of(reporting, h, notice["id"])
    sweep(today())
    now = datetime.now(UTC)
    for attempt in range(rs.notify_max_attempts):
        deliver(now + timedelta(hours=attempt * 24))
    with Session(get_engine()) as session:
        (overdue,) = session.exec(select(Notification).where(Notification.task_id == task["id"],
                                                             Notification.kind == "overdue")).all()
        (delivery,) = session.exec(select(Delivery).where(Delivery.notification_id == overdue.id,
                                                          Delivery.channel == "webhook")).all()
        assert delivery.state == DeliveryState.failed and delivery.attempts == rs.notify_max_attempts
        assert "500" in delivery.error
    assert len([b for b in hook.bodies if b["task_id"] == task["id"]]) == rs.notify_max_attempts
    shown = reporting.get(f"/api/v1/notifications/{overdue.id}/deliveries", headers=h).json()
    assert {d["state"] for d in shown} == {"failed", "sent"}  # the e-mail went out


def test_counts_per_unit_show_overdue(reporting, auth):
    h = auth(SUPERVISOR)
    notice = issue_notice(reporting, h, this_year_inspection(), today() - timedelta(days=3))
    (task,) = tasks_of(reporting, h, notice["id"])
    counts = reporting.get("/api/v1/rectification/summary", headers=h).json()
    unit = next(u for u in counts["units"] if u["unit_name"] == FAILING_UNIT)
    assert unit["overdue"] >= 1 and counts["overdue"] >= 1 and counts["total"] >= unit["total"]
    listed = reporting.get("/api/v1/rectification/tasks", headers=h, params={"overdue": True}).json()["items"]
    assert task["id"] in [t["id"] for t in listed] and all(t["overdue"] for t in listed)
    mine = reporting.get("/api/v1/rectification/summary", headers=auth(OPERATOR)).json()
    assert [u["unit_name"] for u in mine["units"]] == [FAILING_UNIT]
    assert reporting.get("/api/v1/rectification/summary", headers=auth("linwei_shuiwu_operator")).json()["total"] == 0


def test_the_worker_opens_missing_tasks_and_marks_overdue(reporting, auth, upstream):
    """The real arq worker (its own process) sweeps: tasks of a notice issued without them get opened,
    and past their deadline they are marked overdue."""
    from services.reporting.notices import flows as notices
    from services.reporting.clients import ServiceClient
    from services.common.auth import Principal, Role

    h = auth(SUPERVISOR)
    draft = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": this_year_inspection()}).json()
    reporting.patch(f"/api/v1/notices/{draft['id']}", headers=h,
                    json={"deadline": (today() - timedelta(days=1)).isoformat()})
    with Session(get_engine()) as session, ServiceClient() as client:
        me = Principal(sub="user:test", org_id=draft["scope_org_id"], org_path=draft["scope_org_path"],
                       role=Role.supervisor, jti="t", iat=0, exp=0)
        issued = notices.issue_now(session, me, client, draft["id"], ("docx",))   # no worker: no tasks yet
        assert issued.state == "issued" and issued.tasks_opened_version is None
    assert tasks_of(reporting, h, draft["id"]) == []
    env = {**os.environ, "GOVWATCH_REGISTRY_URL": upstream["registry"], "GOVWATCH_CHECKER_URL": upstream["checker"],
           "GOVWATCH_REPORTING_QUEUE": f"govwatch:test-reporting:{os.getpid()}", "GOVWATCH_SWEEP_EVERY_SECONDS": "2"}
    worker = subprocess.Popen([str(Path(sys.executable).with_name("arq")), "services.reporting.worker.WorkerSettings"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            tasks = tasks_of(reporting, h, draft["id"])
            if tasks and tasks[0]["was_overdue"]:
                break
            time.sleep(0.5)
        assert tasks and tasks[0]["overdue"] and tasks[0]["was_overdue"], tasks
    finally:
        worker.terminate()
        worker.wait(timeout=20)
