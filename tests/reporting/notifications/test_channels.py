"""Webhook channels and the outbound guard: a webhook aimed at the platform's own services (registry,
checker, S3, Redis) or at loopback in any IPv6/legacy-IPv4 spelling is refused when added (422) and, if
its target became internal afterwards, refused again when sent (nothing is posted). Webhooks reach
private addresses only when named in GOVWATCH_OUTBOUND_ALLOW (host:port), even where private targets are
allowed for crawling (the test and demo stacks). What went out is shown only to those who manage the
channel, and never with the target's answer."""
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from services.common.db import get_engine
from services.common.settings import get_settings
from services.reporting.notifications import service as notifications
from services.reporting.notifications.models import Delivery, DeliveryState, Notification
from services.reporting.rectification.service import today
from tests.reporting.rectification.conftest import OPERATOR, SUPERVISOR, issue_notice, tasks_of, this_year_inspection

SECRET = "内部数据 SECRET-7f3a internal answer"


class Receiver:
    """A loopback webhook receiver: counts POSTs and answers `status` with a body that must never be shown."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                answer = SECRET.encode()
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def allow(monkeypatch: pytest.MonkeyPatch, *urls: str) -> None:
    """Name these loopback receivers in GOVWATCH_OUTBOUND_ALLOW (host:port), as a deployment would an
    intranet one; nothing named: webhooks reach public addresses only."""
    entries = ",".join(f"{urlsplit(u).hostname}:{urlsplit(u).port}" for u in urls)
    monkeypatch.setattr(get_settings(), "outbound_allow", entries)


def add_webhook(reporting, headers: dict[str, str], url: str):  # noqa: ANN001, ANN201
    return reporting.post("/api/v1/notifications/channels", headers=headers,
                          json={"kind": "webhook", "target": url, "include_subtree": True, "kinds": ["assigned"]})


def deliver() -> dict[str, int]:
    with Session(get_engine()) as session:
        return notifications.deliver_pending(session)


def assigned_notification(task_id: int) -> Notification:
    with Session(get_engine()) as session:
        return session.exec(select(Notification).where(Notification.task_id == task_id,
                                                       Notification.kind == "assigned")).one()


def webhook_deliveries(notification_id: int) -> list[Delivery]:
    with Session(get_engine()) as session:
        return list(session.exec(select(Delivery).where(Delivery.notification_id == notification_id,
                                                        Delivery.channel == "webhook")).all())


def internal_targets(upstream: dict[str, str]) -> list[str]:
    registry = urlsplit(upstream["registry"]).port
    checker = urlsplit(upstream["checker"]).port
    return [
        f"{upstream['registry']}/api/v1/auth/token", f"{upstream['checker']}/api/v1/inspections",
        f"http://{get_settings().s3_endpoint}/govwatch-evidence/", "http://127.0.0.1:6379/", "http://127.0.0.1:5432/",
        f"http://localhost:{registry}/", f"http://[::1]:{registry}/", f"http://[::ffff:127.0.0.1]:{registry}/",
        f"http://[::7f00:1]:{registry}/", f"http://[64:ff9b::7f00:1]:{checker}/", f"http://[64:ff9b:1::7f00:1]/",
        f"http://[2002:7f00:1::1]:{registry}/", f"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        f"http://2130706433:{registry}/", f"http://0x7f.1:{registry}/", f"http://0177.0.0.1:{registry}/",
        "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://100.64.0.1/", "http://[fd00::1]/",
    ]


def test_internal_webhook_targets_are_refused_when_added(reporting, auth, upstream, monkeypatch):
    # Private targets allowed for crawling (as on the test and demo stacks): webhooks are still refused.
    monkeypatch.setattr(get_settings(), "allow_private_targets", True)
    allow(monkeypatch)
    h = auth(SUPERVISOR)
    before = reporting.get("/api/v1/notifications/channels", headers=h).json()
    for url in internal_targets(upstream):
        refused = add_webhook(reporting, h, url)
        assert refused.status_code == 422, (url, refused.text)
        detail = refused.json()["detail"]
        assert detail["code"] == "webhook_forbidden" and detail["field"] == "target", url
        assert detail["message"] == "Webhook 地址不能指向本机、内网或保留地址"
    for url in ("javascript:alert(1)", "gopher://127.0.0.1:6379/_FLUSHALL", "file:///etc/passwd", "http://"):
        refused = add_webhook(reporting, h, url)
        assert refused.status_code == 422 and refused.json()["detail"]["code"] == "invalid_webhook", url
    assert reporting.get("/api/v1/notifications/channels", headers=h).json() == before
    # A name that does not resolve yet is accepted: each delivery is vetted on the address it connects to.
    later = add_webhook(reporting, h, "https://hooks.example.invalid/zhenggai")
    assert later.status_code == 201, later.text
    reporting.delete(f"/api/v1/notifications/channels/{later.json()['id']}", headers=h)


def test_a_target_that_became_internal_is_refused_when_sent(reporting, auth, upstream, receiver,
                                                            monkeypatch: pytest.MonkeyPatch):
    h = auth(SUPERVISOR)
    # Added while allowed (as a name re-pointed at an internal address after the check would be) …
    registry_hook = f"{upstream['registry']}/api/v1/auth/token"
    allow(monkeypatch, receiver.url, registry_hook)
    added = [add_webhook(reporting, h, receiver.url), add_webhook(reporting, h, registry_hook)]
    assert [a.status_code for a in added] == [201, 201], [a.text for a in added]
    try:
        notice = issue_notice(reporting, h, this_year_inspection(), today() + timedelta(days=10))
        (task,) = tasks_of(reporting, h, notice["id"])
        n = assigned_notification(task["id"])
        # … and sent once no longer allowed: nothing is posted, the refusal is recorded, no retries.
        allow(monkeypatch)
        deliver()
        assert receiver.bodies == []
        rows = {d.target: d for d in webhook_deliveries(n.id)}
        for target in (receiver.url, registry_hook):
            assert rows[target].state == DeliveryState.failed and rows[target].attempts == 1
            assert rows[target].error == "forbidden_address"
        shown = {d["target"]: d for d in reporting.get(f"/api/v1/notifications/{n.id}/deliveries", headers=h).json()}
        assert shown[registry_hook]["state"] == "failed"
        assert shown[registry_hook]["outcome"] == "目标地址不允许（不能推送到本机、内网或保留地址），已停止推送"
    finally:
        for a in added:
            reporting.delete(f"/api/v1/notifications/channels/{a.json()['id']}", headers=h)


def test_deliveries_show_an_outcome_not_the_answer_and_only_to_channel_managers(reporting, auth, receiver,
                                                                                 monkeypatch):
    receiver.status = 500
    allow(monkeypatch, receiver.url)
    h = auth(SUPERVISOR)
    added = add_webhook(reporting, h, receiver.url)
    assert added.status_code == 201, added.text
    try:
        notice = issue_notice(reporting, h, this_year_inspection(), today() + timedelta(days=10))
        (task,) = tasks_of(reporting, h, notice["id"])
        n = assigned_notification(task["id"])
        deliver()
        assert [b["id"] for b in receiver.bodies] == [n.id]
        (row,) = [d for d in webhook_deliveries(n.id) if d.target == receiver.url]
        assert row.state == DeliveryState.pending and row.error == "http_500"   # retried later; no body kept

        # The office that owns the channel sees the target and a short outcome, never the answer.
        shown = reporting.get(f"/api/v1/notifications/{n.id}/deliveries", headers=h)
        assert shown.status_code == 200
        (mine,) = [d for d in shown.json() if d["target"] == receiver.url]
        assert mine["outcome"] == "对方返回 HTTP 500，将重试" and "error" not in mine
        assert "SECRET" not in shown.text and "内部数据" not in shown.text

        # The unit sees its notification, but not its office's channel targets or their errors.
        listed = reporting.get("/api/v1/notifications", headers=auth(OPERATOR), params={"kind": "assigned"}).json()
        assert n.id in [x["id"] for x in listed["items"]]
        denied = reporting.get(f"/api/v1/notifications/{n.id}/deliveries", headers=auth(OPERATOR))
        assert denied.status_code == 403 and receiver.url not in denied.text
        # An office elsewhere does not even see the notification.
        assert reporting.get(f"/api/v1/notifications/{n.id}/deliveries",
                             headers=auth("linwei_shuiwu_operator")).status_code in (403, 404)
    finally:
        reporting.delete(f"/api/v1/notifications/channels/{added.json()['id']}", headers=h)
