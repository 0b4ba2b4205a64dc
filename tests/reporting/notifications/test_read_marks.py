"""Read marks are shared state of the organisation: a viewer reads a unit's notifications but cannot mark
them read (nor change anything else through the reporting API); the unit's operator can."""
from datetime import timedelta

from sqlmodel import Session, select

from services.common.db import get_engine
from services.reporting.notifications.models import Notification
from services.reporting.rectification.service import today
from tests.reporting.rectification.conftest import OPERATOR, SUPERVISOR, issue_notice, tasks_of, this_year_inspection

VIEWER = "weinan_viewer"


def read_at(notification_id: int):  # noqa: ANN201
    with Session(get_engine()) as session:
        return session.get(Notification, notification_id).read_at


def test_a_viewer_cannot_mark_a_units_notification_read(reporting, auth):
    h = auth(SUPERVISOR)
    notice = issue_notice(reporting, h, this_year_inspection(), today() + timedelta(days=10))
    (task,) = tasks_of(reporting, h, notice["id"])
    seen = reporting.get("/api/v1/notifications", headers=auth(VIEWER), params={"unread": True, "limit": 200}).json()
    (n,) = [x for x in seen["items"] if x["task_id"] == task["id"]]

    one = reporting.post(f"/api/v1/notifications/{n['id']}/read", headers=auth(VIEWER))
    assert one.status_code == 403 and one.json()["detail"]["code"] == "forbidden"
    assert reporting.post("/api/v1/notifications/read-all", headers=auth(VIEWER)).status_code == 403
    assert read_at(n["id"]) is None
    # Nor does a viewer trigger other writes, e.g. reading the re-check outcome into the task.
    assert reporting.post(f"/api/v1/rectification/tasks/{task['id']}/refresh", headers=auth(VIEWER)).status_code == 403

    marked = reporting.post(f"/api/v1/notifications/{n['id']}/read", headers=auth(OPERATOR))
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    assert read_at(n["id"]) is not None
