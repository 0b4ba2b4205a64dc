"""Targeted inspections (re-checks, 复查): only the named targets are planned (those inside the scope and
of the inspection's target kinds), through the same queue, jobs, results and completion as a whole-scope
inspection."""
from datetime import UTC, datetime

import pytest

from services.checker.inspections.flows import check_job_id
from tests.checker.inspections.harness import wait_for

NOW = datetime(2024, 6, 14, 10, 0, tzinfo=UTC)


def create(checker, headers, scope: int, targets, **fields):
    body = {"name": "整改复查", "scope_org_id": scope, "target_kinds": ["site"], "now": NOW.isoformat(),
            "targets": targets, **fields}
    return checker.post("/api/v1/inspections", headers=headers, json=body)


@pytest.fixture(scope="module")
def recheck(checker, tokens, world, worker):
    """One farm site of the county (which has several) re-checked; the neighbour's site (outside the scope)
    and an account (not a target kind here) are named too and must be ignored."""
    targets = [{"kind": "site", "target_id": world.sites["edu"].id},
               {"kind": "site", "target_id": world.sites["neighbour"].id},
               {"kind": "account", "target_id": world.accounts["county"].id}]
    response = create(checker, tokens("ct_supervisor"), world.county.id, targets)
    assert response.status_code == 202, response.text
    created = response.json()
    return created, targets, wait_for(checker, tokens("ct_supervisor"), created["id"])


def test_targets_are_kept_as_given(recheck):
    created, targets, body = recheck
    assert created["targets"] == targets and body["targets"] == targets
    assert created["state"] == "pending"


def test_only_the_named_target_in_scope_is_planned_and_checked(checker, tokens, world, recheck):
    created, _, body = recheck
    assert body["state"] == "completed" and body["finished_at"] is not None
    assert body["progress"]["total"] == 1 and body["progress"]["done"] == 1 and body["progress"]["remaining"] == 0
    headers = tokens("ct_viewer")
    planned = checker.get(f"/api/v1/inspections/{created['id']}/targets", headers=headers).json()
    edu = world.sites["edu"].id
    assert [(t["kind"], t["target_id"]) for t in planned["items"]] == [("site", edu)]
    assert planned["items"][0]["job_id"] == check_job_id(created["id"], "site", edu)
    results = checker.get(f"/api/v1/inspections/{created['id']}/results", headers=headers).json()
    assert [(r["kind"], r["target_id"]) for r in results["items"]] == [("site", edu)]
    detail = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{edu}", headers=headers).json()
    assert detail["status"] == "ok" and detail["verdict"] in ("pass", "fail")
    # The homepage lists five dated news items of June (harness.homepage); the site has no message board.
    assert detail["result"]["metrics"] == {"items_by_month": {"2024-06": 5}, "messages_by_month": {}}


def test_a_recheck_of_nothing_in_scope_completes_empty(checker, tokens, world, worker):
    headers = tokens("ct_supervisor")
    outside = [{"kind": "site", "target_id": world.sites["neighbour"].id}]
    response = create(checker, headers, world.county.id, outside)
    assert response.status_code == 202, response.text
    body = wait_for(checker, headers, response.json()["id"])
    assert body["progress"]["total"] == 0


@pytest.mark.parametrize("targets", [
    [],                                                                          # empty when given
    [{"kind": "site", "target_id": 1}, {"kind": "site", "target_id": 1}],        # repeated
    [{"kind": "site", "target_id": n} for n in range(1, 1002)],                  # over 1000
    [{"kind": "page", "target_id": 1}],
    [{"kind": "site", "target_id": 0}],
    [{"kind": "site"}],
])
def test_bad_targets_are_422(checker, tokens, world, targets):
    response = create(checker, tokens("ct_supervisor"), world.county.id, targets)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "validation_error" and detail["field"].startswith("body")


def test_a_recheck_is_the_supervising_offices_work(checker, tokens, world):
    target = [{"kind": "site", "target_id": world.sites["edu"].id}]
    assert create(checker, tokens("ct_viewer"), world.county.id, target).status_code == 403
    assert create(checker, tokens("ct_operator"), world.dept.id, target).status_code == 403
    assert create(checker, tokens("nb_supervisor"), world.county.id, target).status_code == 404
