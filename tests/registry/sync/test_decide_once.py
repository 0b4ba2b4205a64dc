"""A filing is decided once: simultaneous approvals (double clicks, an integration's retries) of one
filing against a real registry process give one 200, 409s naming the state, one outbox row and one
national record. Mixed approve/reject/withdraw races have one winner too."""
import threading

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.common.db import get_engine
from services.registry.sync import worker
from services.registry.sync.models import OutboxRow, OutboxState
from tests.registry.helpers import upload
from tests.registry.sync.conftest import outbox_of
from tests.registry.sync.helpers import DECIDER, SUP, acknowledged_once, active_site, settle
from tests.registry.sync.processes import registry_process

CALLS = 6


def pending_filing(registry, login, kind: str, payload: dict) -> dict:
    site = active_site(registry, login)
    response = registry.post(f"/api/v1/sites/{site['subject_id']}/filings", headers=login(SUP),
                             json={"kind": kind, "payload": payload})
    assert response.status_code == 201, response.text
    assert upload(registry, login(SUP), response.json()["id"], "approval_document").status_code == 201
    return response.json()


def race(url: str, calls: list[tuple[str, dict, dict | None]]) -> list[httpx.Response]:
    """All calls released together, each on its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | None] = [None] * len(calls)

    def call(i: int, path: str, headers: dict, body: dict | None) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            barrier.wait()
            results[i] = client.post(path, headers=headers, json=body)

    threads = [threading.Thread(target=call, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def test_concurrent_approvals_of_a_rename_push_one_record(registry, login, national, tmp_path):
    worker.drain()
    filing = pending_filing(registry, login, "rename", {"new_name": "并发审批更名网站"})
    with registry_process(tmp_path / "registry.log") as url:
        responses = race(url, [(f"/api/v1/filings/{filing['id']}/approve", login(DECIDER), {"note": "同意"})] * CALLS)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (CALLS - 1), [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        detail = refused.json()["detail"]
        assert detail["code"] == "filing_decided" and detail["state"] == "approved"
        assert detail["message"] == "该备案已批准，不能再次处理" and detail["state_label"] == "已批准"
    rows = outbox_of([filing["id"]])
    assert len(rows) == 1 and rows[0].action == "rename"
    assert [r.state for r in settle([filing["id"]])] == [OutboxState.acknowledged]
    acknowledged_once(national, [filing["id"]])
    names = [r["body"]["name"] for r in national.records() if r["body"].get("filing_id") == filing["id"]]
    assert names == ["并发审批更名网站"]


def test_approve_reject_and_withdraw_racing_have_one_winner(registry, login, national, tmp_path):
    worker.drain()
    filings = [pending_filing(registry, login, "change", {"icp_number": f"陕ICP备{n:08d}号"}) for n in (41, 42)]
    with registry_process(tmp_path / "registry.log") as url:
        for filing in filings:
            base = f"/api/v1/filings/{filing['id']}"
            responses = race(url, [(f"{base}/approve", login(DECIDER), None), (f"{base}/reject", login(DECIDER),
                                   {"note": "材料不全"}), (f"{base}/withdraw", login(SUP), None)] * 2)
            winners = [r for r in responses if r.status_code == 200]
            assert len(winners) == 1, [r.text for r in responses]
            assert {r.status_code for r in responses if r not in winners} == {409}
            state = winners[0].json()["state"]
            assert {r.json()["detail"]["state"] for r in responses if r not in winners} == {state}
            stored = registry.get(base, headers=login(SUP)).json()
            assert stored["state"] == state
            assert len(outbox_of([filing["id"]])) == (1 if state == "approved" else 0)


def test_the_outbox_refuses_a_second_row_for_a_filing(registry, login, national):
    worker.drain()
    filing = pending_filing(registry, login, "rename", {"new_name": "唯一约束网站"})
    assert registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(DECIDER)).status_code == 200
    [row] = outbox_of([filing["id"]])
    with Session(get_engine()) as session:
        session.add(OutboxRow(key="duplicate-" + row.key[:20], filing_id=filing["id"], subject_kind=row.subject_kind,
                              subject_id=row.subject_id, action=row.action, record=row.record, org_path=row.org_path))
        with pytest.raises(IntegrityError):
            session.commit()
    assert len(outbox_of([filing["id"]])) == 1
