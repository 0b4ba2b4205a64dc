"""Batch actions of the supervising office: 催办 (once per task and Beijing day, through the notification
channels, on the task's history, audited) and 指派 (to a unit of the office's subtree and a responsible
person); a refused task in a batch is reported with its reason and the others go through."""
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from services.common.db import get_engine
from services.common.settings import get_settings
from services.reporting.notifications import service as notifications
from services.reporting.rectification.models import Audit, RectificationTask
from tests.reporting.conftest import org
from tests.reporting.rectification.conftest import OPERATOR, SUPERVISOR, today
from tests.reporting.rectification.test_reminders import Webhook

CJK = "\u4e00"


def make_overdue(task_id: int, days: int = 3) -> None:
    with Session(get_engine()) as session:
        session.exec(update(RectificationTask).where(RectificationTask.id == task_id)
                     .values(deadline=today() - timedelta(days=days)))
        session.commit()


def chinese(body: dict) -> bool:
    return any(CJK <= ch <= "\u9fff" for ch in body["detail"]["message"])


@pytest.fixture
def hook(reporting, auth, monkeypatch):
    receiver = Webhook()
    monkeypatch.setattr(get_settings(), "outbound_allow", f"127.0.0.1:{receiver.server.server_port}")
    channel = reporting.post("/api/v1/notifications/channels", headers=auth(SUPERVISOR),
                             json={"kind": "webhook", "target": receiver.url, "include_subtree": True,
                                   "kinds": ["urged"]})
    assert channel.status_code == 201, channel.text
    yield receiver
    reporting.delete(f"/api/v1/notifications/channels/{channel.json()['id']}", headers=auth(SUPERVISOR))
    receiver.server.shutdown()


def test_urge_goes_out_once_a_day_and_is_on_the_history(reporting, auth, task, hook):
    make_overdue(task["id"])
    h = auth(SUPERVISOR)
    first = reporting.post("/api/v1/rectification/tasks/urge", headers=h,
                           json={"task_ids": [task["id"]], "note": "请本周内完成"})
    assert first.status_code == 200, first.text
    assert first.json()["succeeded"] == 1 and first.json()["items"][0]["ok"]
    with Session(get_engine()) as session:
        notifications.deliver_pending(session)
    urged = [b for b in hook.bodies if b.get("task_id") == task["id"]]
    assert len(urged) == 1 and "整改催办" in urged[0]["title"] and "已逾期" in urged[0]["body"], hook.bodies

    # The unit sees it in its bell and on the task's history, with who urged and when.
    seen = reporting.get("/api/v1/notifications", headers=auth(OPERATOR)).json()["items"]
    assert any(n["kind"] == "urged" and n["task_id"] == task["id"] for n in seen)
    detail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=auth(OPERATOR)).json()
    (event,) = [e for e in detail["events"] if e["action"] == "urged"]
    assert event["actor_name"] and "请本周内完成" in event["note"] and event["at"]
    assert detail["last_urged_at"] is not None

    # Twice the same day: refused, in Chinese, and nothing more is sent.
    again = reporting.post(f"/api/v1/rectification/tasks/{task['id']}/urge", headers=h)
    assert again.status_code == 429 and again.json()["detail"]["code"] == "urged_today" and chinese(again.json())
    batch = reporting.post("/api/v1/rectification/tasks/urge", headers=h, json={"task_ids": [task["id"]]}).json()
    assert batch["failed"] == 1 and batch["items"][0]["code"] == "urged_today" and "明天" in batch["items"][0]["message"]
    with Session(get_engine()) as session:
        notifications.deliver_pending(session)
        audits = session.exec(select(Audit).where(Audit.entity_kind == "rectification_task",
                                                  Audit.entity_id == task["id"], Audit.action == "urged")).all()
    assert len([b for b in hook.bodies if b.get("task_id") == task["id"]]) == 1
    assert len(audits) == 1 and audits[0].actor.startswith("user:")


def test_all_overdue_urges_every_late_task_and_a_bad_row_loses_nothing(reporting, auth, task):
    make_overdue(task["id"])
    h = auth(SUPERVISOR)
    outcome = reporting.post("/api/v1/rectification/tasks/urge", headers=h, json={"all_overdue": True}).json()
    ours = [i for i in outcome["items"] if i["task_id"] == task["id"]]
    assert ours and ours[0]["ok"], outcome

    other = reporting.post("/api/v1/rectification/tasks/urge", headers=h,
                           json={"task_ids": [2_000_000_000, task["id"]]}).json()
    missing, again = other["items"]
    assert not missing["ok"] and missing["code"] == "not_found" and chinese({"detail": missing})
    assert not again["ok"] and again["code"] == "urged_today"


def test_only_the_office_above_urges_and_assigns(reporting, auth, task):
    refused = reporting.post(f"/api/v1/rectification/tasks/{task['id']}/urge", headers=auth(OPERATOR))
    assert refused.status_code == 403 and chinese(refused.json())
    batch = reporting.post("/api/v1/rectification/tasks/assign", headers=auth(OPERATOR),
                           json={"task_ids": [task["id"]], "responsible_person": "张三"}).json()
    assert batch["failed"] == 1 and batch["items"][0]["code"] == "forbidden"
    # Another county's office does not see the task at all.
    outside = reporting.post(f"/api/v1/rectification/tasks/{task['id']}/urge", headers=auth("huayin_supervisor"))
    assert outside.status_code == 404 and chinese(outside.json())


def test_assign_to_a_unit_and_person_within_scope(reporting, auth, task, upstream):
    h = auth(SUPERVISOR)
    with Session(get_engine()) as session:
        natural, elsewhere, own = (org(session, "韩城市自然资源局"), org(session, "华阴市教育局"),
                                   org(session, "韩城市"))
    # A unit outside the office's subtree, or the office itself, is refused before any task changes.
    out = reporting.post("/api/v1/rectification/tasks/assign", headers=h,
                         json={"task_ids": [task["id"]], "org_id": elsewhere.id})
    assert out.status_code == 404 and chinese(out.json())
    mine = reporting.post("/api/v1/rectification/tasks/assign", headers=h,
                          json={"task_ids": [task["id"]], "org_id": own.id})
    assert mine.status_code == 422 and mine.json()["detail"]["code"] == "unit_out_of_scope" and chinese(mine.json())
    markup = reporting.post("/api/v1/rectification/tasks/assign", headers=h,
                            json={"task_ids": [task["id"]], "responsible_person": "<b>张</b>"})
    assert markup.status_code == 422

    done = reporting.post("/api/v1/rectification/tasks/assign", headers=h,
                          json={"task_ids": [task["id"], 2_000_000_000], "org_id": natural.id,
                                "responsible_person": "李四", "responsible_phone": "0913-5201234"}).json()
    assert done["succeeded"] == 1 and done["failed"] == 1 and done["items"][1]["code"] == "not_found"
    moved = reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=h).json()
    assert moved["unit_name"] == "韩城市自然资源局" and moved["org_id"] == natural.id
    assert moved["responsible_person"] == "李四" and moved["responsible_phone"] == "0913-5201234"
    assert any(e["action"] == "assigned" and "李四" in e["note"] for e in moved["events"])
    # The former unit no longer sees it; the new unit is told.
    assert reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=auth(OPERATOR)).status_code == 404
    with Session(get_engine()) as session:
        audits = session.exec(select(Audit).where(Audit.entity_id == task["id"], Audit.action == "assigned")).all()
    assert len(audits) == 1 and audits[0].before["unit_name"] == "韩城市财政局"
    # Back to its unit: other tests count 韩城市自然资源局's tasks in the year's assessment.
    back = reporting.post("/api/v1/rectification/tasks/assign", headers=h,
                          json={"task_ids": [task["id"]], "org_id": task["org_id"]}).json()
    assert back["succeeded"] == 1
