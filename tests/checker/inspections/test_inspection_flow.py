"""An inspection end to end: targets from the real registry, probe series over a compressed window, one
result per target written by a real arq worker, progress by polling and by SSE."""
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from services.checker.inspections.flows import check_job_id
from services.checker.inspections.models import InspectionResult, InspectionTarget, Probe
from services.common.db import get_engine
from tests.checker.inspections.harness import wait_for

NOW = datetime(2024, 6, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def finished(checker, tokens, world, worker):
    """One county-wide inspection with an availability window of a week compressed to a few seconds."""
    headers = tokens("ct_supervisor")
    response = checker.post("/api/v1/inspections", headers=headers, json={
        "name": "2024年第一次全面检查", "scope_org_id": world.county.id, "target_kinds": ["site", "account"],
        "indicator_set": "gov-2019", "now": NOW.isoformat(),
        "window_start": "2024-06-07T10:00:00+00:00", "window_end": NOW.isoformat(), "probe_count": 6,
        "window_scale": 0.000005})  # a week → about 3 s
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["state"] == "pending"
    body = wait_for(checker, headers, created["id"])
    return created, body


def test_created_inspection_records_set_and_scope(finished, world):
    created, _ = finished
    assert created["indicator_set"] == "gov-2019" and created["indicator_set_version"] == 1
    assert created["scope_org_path"] == world.county.path
    assert created["targets"] is None  # the whole scope, not a re-check
    assert created["created_by"].startswith("user:")


def test_every_target_has_exactly_one_result(finished, world):
    created, body = finished
    with Session(get_engine()) as session:
        targets = session.exec(select(InspectionTarget).where(InspectionTarget.inspection_id == created["id"])).all()
        results = session.exec(select(InspectionResult).where(InspectionResult.inspection_id == created["id"])).all()
    keys = {(t.kind, t.target_id) for t in targets}
    # The county's sites (its department's included, the closed one for domain_not_released) and accounts;
    # the neighbour county's are outside the scope.
    expected_sites = {s.id for k, s in world.sites.items() if k != "neighbour"}
    assert {t for k, t in keys if k == "site"} == expected_sites
    assert {t for k, t in keys if k == "account"} == {world.accounts["county"].id, world.accounts["edu"].id}
    assert sorted((r.kind, r.target_id) for r in results) == sorted(keys)
    progress = body["progress"]
    assert progress["total"] == len(keys) and progress["remaining"] == 0
    assert progress["done"] + progress["failed"] == len(keys)
    assert body["finished_at"] is not None


def test_probe_series_spread_over_the_window(finished, world):
    created, body = finished
    with Session(get_engine()) as session:
        probes = session.exec(select(Probe).where(Probe.inspection_id == created["id"])).all()
    active = [s.id for k, s in world.sites.items() if k not in ("neighbour", "closed")]   # closing ones run
    assert sorted({p.target_id for p in probes}) == sorted(active)
    assert all(len([p for p in probes if p.target_id == site]) == 6 for site in active)
    # Probe times stand for the declared window, not the compressed real time.
    assert all(datetime.fromisoformat("2024-06-07T10:00:00+00:00") < p.at < NOW for p in probes)
    flaky = [p for p in probes if p.target_id == world.sites["flaky"].id]
    assert any(not p.ok and p.status == 503 for p in flaky)
    assert all(p.ok for p in probes if p.target_id == world.sites["portal"].id)
    assert body["progress"]["probes_done"] == body["progress"]["probes_total"] == 6 * len(active)


def test_probe_series_reaches_the_engine(checker, tokens, finished, world):
    """The flaky homepage failed a third of the probes: the set's 5 % ratio judges it unreachable; the
    closed site still serves content at its domain."""
    created, _ = finished
    headers = tokens("ct_viewer")
    flaky = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{world.sites['flaky'].id}",
                        headers=headers).json()
    assert flaky["status"] == "ok" and flaky["verdict"] == "fail"
    assert "unreachable" in flaky["indicators"]
    portal = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{world.sites['portal'].id}",
                         headers=headers).json()
    assert "unreachable" not in portal["indicators"]
    closed = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{world.sites['closed'].id}",
                         headers=headers).json()
    assert "domain_not_released" in closed["indicators"]
    # A site in its closing period is still inspected (and probed), and its homepage lacks the 关停公告.
    closing = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{world.sites['closing'].id}",
                          headers=headers).json()
    assert "closure_notice_missing" in closing["indicators"]
    assert "closure_notice_missing" not in portal["indicators"]
    contract = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{world.sites['flaky'].id}/contract",
                           headers=headers).json()
    assert set(contract) == {"target", "indicator_set", "checked_at", "verdict", "score", "findings"}
    assert contract["indicator_set"] == "gov-2019"
    assert all(set(f) == {"indicator", "severity", "message", "evidence"} for f in contract["findings"])


def test_results_list_filters_and_detail(checker, tokens, finished, world):
    created, _ = finished
    headers = tokens("ct_viewer")
    page = checker.get(f"/api/v1/inspections/{created['id']}/results", headers=headers).json()
    assert page["total"] == created_total(checker, headers, created["id"])
    some = page["items"][0]
    detail = checker.get(f"/api/v1/inspections/{created['id']}/results/{some['kind']}/{some['target_id']}",
                         headers=headers)
    assert detail.status_code == 200
    assert detail.json()["target"]["id"] == some["target_id"]
    only = checker.get(f"/api/v1/inspections/{created['id']}/results", headers=headers,
                       params={"q": "教育局", "kind": "site"}).json()
    assert [r["target_id"] for r in only["items"]] == [world.sites["edu"].id]
    for verdict in ("pass", "fail"):
        rows = checker.get(f"/api/v1/inspections/{created['id']}/results", headers=headers,
                           params={"verdict": verdict}).json()["items"]
        assert all(r["verdict"] == verdict for r in rows)


def created_total(checker, headers, inspection_id):
    return checker.get(f"/api/v1/inspections/{inspection_id}", headers=headers).json()["progress"]["total"]


def test_sse_stream_ends_with_the_final_state(checker, tokens, finished):
    created, _ = finished
    with checker.stream("GET", f"/api/v1/inspections/{created['id']}/events",
                        headers=tokens("ct_viewer")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if fields:
            events.append(fields)
    progress = [json.loads(e["data"]) for e in events if e.get("event") == "progress"]
    assert progress and progress[-1]["state"] == "completed"
    assert progress[-1]["progress"]["remaining"] == 0
    assert events[-1]["event"] == "end" and json.loads(events[-1]["data"]) == {"state": "completed"}


def test_targets_listing(checker, tokens, finished):
    created, _ = finished
    page = checker.get(f"/api/v1/inspections/{created['id']}/targets", headers=tokens("ct_viewer"),
                       params={"pending": True}).json()
    assert page["total"] == 0
    everything = checker.get(f"/api/v1/inspections/{created['id']}/targets", headers=tokens("ct_viewer")).json()
    assert all(t["job_id"] == check_job_id(created["id"], t["kind"], t["target_id"]) for t in everything["items"])


def test_rerun_replaces_the_one_result(checker, tokens, finished, world):
    created, _ = finished
    headers = tokens("ct_supervisor")
    site = world.sites["portal"].id
    before = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{site}", headers=headers).json()
    response = checker.post(f"/api/v1/inspections/{created['id']}/targets/site/{site}/rerun", headers=headers)
    assert response.status_code == 202 and response.json()["enqueued"] is True
    import time
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline and after["checked_at"] == before["checked_at"]:
        time.sleep(0.3)
        after = checker.get(f"/api/v1/inspections/{created['id']}/results/site/{site}", headers=headers).json()
    assert after["checked_at"] != before["checked_at"] and after["id"] == before["id"]
    with Session(get_engine()) as session:
        count = session.exec(select(func.count()).select_from(InspectionResult).where(
            InspectionResult.inspection_id == created["id"], InspectionResult.target_id == site,
            InspectionResult.kind == "site")).one()
    assert count == 1
