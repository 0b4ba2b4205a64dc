"""One rectification task per target and problem across overlapping notices: 渭南市's notice and 韩城市's notice
of the same quarter naming 韩城市自然资源局's site share one task (both list it), the assessment deducts once; the
county's next round, or another problem, opens a task of its own."""
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from services.common.db import get_engine
from services.reporting.rectification.service import today
from tests.reporting.conftest import make_inspection, org, registry_sites
from tests.reporting.issuing import issue
from tests.reporting.issuing import issue
from tests.reporting.rectification.conftest import issue_notice, tasks_of

UNIT = "韩城市自然资源局"


def inspection(scope: str, days_ago: int, indicator: str = "home_not_updated") -> int:
    """An inspection of `scope` in which only UNIT's site is checked, and fails for `indicator`."""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
    with Session(get_engine()) as session:
        site = next(s for s in registry_sites(session, org(session, "韩城市")) if s.name == UNIT)
        target = {"kind": "site", "target_id": site.id, "name": site.name, "org_path": site.org_path,
                  "url": site.homepage_url, "verdict": "fail", "findings": [(indicator, "veto", "首页长期未更新", {})]}
        return make_inspection(session, org(session, scope), f"{scope}共享整改测试", now, [target]).id


def opened_tasks(reporting, headers: dict[str, str], notice_id: int, seconds: float = 30) -> list[dict]:
    """The notice's tasks once the worker has opened them (it does after rendering the issued version)."""
    deadline = time.monotonic() + seconds
    while not (found := tasks_of(reporting, headers, notice_id)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return found


def test_city_and_county_notices_share_one_task_and_one_deduction(reporting, auth):
    city, county = auth("weinan_supervisor"), auth("hancheng_supervisor")
    deadline = today() + timedelta(days=10)
    first = issue_notice(reporting, city, inspection("渭南市", 1), deadline)
    (task,) = opened_tasks(reporting, city, first["id"])
    assert task["target_name"] == UNIT
    second = issue_notice(reporting, county, inspection("韩城市", 1), deadline + timedelta(days=5))
    # The county's notice lists the same task; the city still sees it; the unit has one task, one deadline.
    assert [t["id"] for t in opened_tasks(reporting, county, second["id"])] == [task["id"]]
    assert [t["id"] for t in tasks_of(reporting, city, first["id"])] == [task["id"]]
    detail = reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=county).json()
    assert [e["action"] for e in detail["events"]] == ["opened", "named_again"]
    assert detail["deadline"] == deadline.isoformat()
    # Re-issuing the county's notice keeps sharing (and does not move the city's deadline).
    reporting.post(f"/api/v1/notices/{second['id']}/revise", headers=county)
    again = issue(reporting, county, second["id"], ("docx",))
    assert again.json()["version"] == 2
    assert [t["id"] for t in tasks_of(reporting, county, second["id"])] == [task["id"]]
    assert reporting.get(f"/api/v1/rectification/tasks/{task['id']}", headers=county).json()["deadline"] == deadline.isoformat()

    # One failure and one task in the county's assessment, though two notices named the site.
    rows = reporting.get("/api/v1/assessment", headers=county, params={"year": today().year}).json()["rows"]
    unit = next(r for r in rows if r["unit_name"] == UNIT)
    assert (unit["site_failures"], unit["tasks"]) == (1, 1)


def test_another_problem_opens_its_own_task(reporting, auth):
    county = auth("hancheng_supervisor")
    notice = issue_notice(reporting, county, inspection("韩城市", 2, indicator="dark_link"), today() + timedelta(days=10))
    (task,) = opened_tasks(reporting, county, notice["id"])
    assert task["target_name"] == UNIT and task["notice_id"] == notice["id"]
