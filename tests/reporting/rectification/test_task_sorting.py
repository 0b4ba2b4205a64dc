"""The rectification task list sorts by its main columns on the server (issue 16); an unknown key is a zh-CN
422; without a sort the list stays work first."""
import pytest

from tests.reporting.rectification.conftest import SUPERVISOR, issue_notice, this_year_inspection


@pytest.fixture(scope="module")
def two_notices(reporting, auth) -> None:
    """Tasks of two notices (so names, units and deadlines differ)."""
    from datetime import timedelta

    from services.reporting.rectification.service import today
    issue_notice(reporting, auth(SUPERVISOR), this_year_inspection(), today() + timedelta(days=5))
    issue_notice(reporting, auth(SUPERVISOR), this_year_inspection(("韩城市财政局", "韩城市人民政府")),
                 today() + timedelta(days=20))


@pytest.mark.parametrize("sort", ["target_name", "-target_name", "unit_name", "-deadline", "deadline", "state",
                                  "-notice_title", "-updated_at"])
def test_tasks_sort_by_a_column(reporting, auth, two_notices, sort):
    response = reporting.get("/api/v1/rectification/tasks", headers=auth(SUPERVISOR),
                             params={"sort": sort, "limit": 100})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    name = sort.lstrip("-")
    values = [item[name] for item in items if item[name] is not None]
    assert len(items) >= 2 and values == sorted(values, reverse=sort.startswith("-"))
    assert all(item[name] is not None for item in items[:len(values)])  # no value: last either way
    ids = [item["id"] for item in items]
    again = reporting.get("/api/v1/rectification/tasks", headers=auth(SUPERVISOR),
                          params={"sort": sort, "limit": 2, "offset": 2}).json()["items"]
    assert [item["id"] for item in again] == ids[2:4]  # pages of one stable order (id breaks ties)


@pytest.mark.parametrize("sort", ["org_path", "findings", "-explanation; --"])
def test_an_unknown_task_sort_is_a_chinese_422(reporting, auth, sort):
    response = reporting.get("/api/v1/rectification/tasks", headers=auth(SUPERVISOR), params={"sort": sort})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_sort" and detail["message"].startswith("不支持的排序字段") and detail["field"] == "sort"
