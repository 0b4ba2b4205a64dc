"""Building approved filings quickly (through the API, as supervisors do)."""
import time

from services.registry.sync import worker
from services.registry.sync.models import OutboxState
from tests.registry.helpers import account_payload, new_unit, org_id, site_payload, upload
from tests.registry.sync.conftest import outbox_of

CITY = "渭南市"
SUP = "weinan_supervisor"
DECIDER = "weinan_admin"  # nobody decides their own filing


def approve(registry, login, filing: dict, kinds: list[str]) -> dict:
    for kind in kinds:
        assert upload(registry, login(SUP), filing["id"], kind).status_code == 201
    response = registry.post(f"/api/v1/filings/{filing['id']}/approve", headers=login(DECIDER), json={"note": "同意"})
    assert response.status_code == 200, response.text
    return response.json()


def active_site(registry, login, parent: str = CITY, **extra) -> dict:
    host, _ = new_unit(parent)
    response = registry.post("/api/v1/sites", headers=login(SUP), json=site_payload(host, org_id(CITY), **extra))
    assert response.status_code == 201, response.text
    return approve(registry, login, response.json(), ["approval_document"])


def active_account(registry, login, parent: str = CITY, **extra) -> dict:
    host, _ = new_unit(parent)
    response = registry.post("/api/v1/accounts", headers=login(SUP),
                             json=account_payload(host, org_id(CITY), **extra))
    assert response.status_code == 201, response.text
    return approve(registry, login, response.json(), ["approval_document"])


def file_and_approve(registry, login, kind: str, subject_kind: str, subject_id: int, payload: dict | None,
                     evidence: list[str]) -> dict:
    response = registry.post(f"/api/v1/{subject_kind}s/{subject_id}/filings", headers=login(SUP),
                             json={"kind": kind, "payload": payload or {}})
    assert response.status_code == 201, response.text
    return approve(registry, login, response.json(), evidence)


TERMINAL = {OutboxState.acknowledged, OutboxState.failed, OutboxState.resolved}


def settle(filing_ids: list[int], timeout: float = 20) -> list:
    deadline = time.monotonic() + timeout
    while True:
        worker.drain()
        rows = outbox_of(filing_ids)
        if rows and all(r.state in TERMINAL for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def acknowledged_once(national, filing_ids: list[int]) -> None:
    per_filing: dict[int, int] = {}
    for record in national.records():
        fid = record["body"].get("filing_id")
        if fid in filing_ids:
            assert record["acknowledged"], record
            per_filing[fid] = per_filing.get(fid, 0) + 1
    assert per_filing == {f: 1 for f in filing_ids}
