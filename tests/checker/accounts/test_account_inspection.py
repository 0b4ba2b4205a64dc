"""One inspection covering sites AND accounts end to end through the queue: targets from the real
registry, real arq workers, accounts read from the platform simulator (GOVWATCH_PLATFORM_FEEDS)."""
from datetime import UTC, datetime

import pytest

from tests.checker.inspections.harness import wait_for

NOW = datetime(2024, 6, 14, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def finished(checker, tokens, world, worker):
    headers = tokens("ct_supervisor")
    response = checker.post("/api/v1/inspections", headers=headers, json={
        "name": "网站与政务新媒体联合检查", "scope_org_id": world.county.id, "target_kinds": ["site", "account"],
        "indicator_set": "weinan-2024", "now": NOW.isoformat(), "probe_count": 0})
    assert response.status_code == 202, response.text
    return response.json(), wait_for(checker, headers, response.json()["id"], timeout=120)


def test_sites_and_accounts_all_get_results(finished, checker, tokens, world):
    created, body = finished
    results = checker.get(f"/api/v1/inspections/{created['id']}/results", headers=tokens("ct_viewer"),
                          params={"limit": 100}).json()["items"]
    kinds = {(r["kind"], r["target_id"]) for r in results}
    assert {("account", world.accounts["county"].id), ("account", world.accounts["edu"].id)} <= kinds
    assert any(kind == "site" for kind, _ in kinds)
    assert body["progress"]["remaining"] == 0


def test_account_results_come_from_the_platform(finished, checker, tokens, world):
    created, _ = finished
    headers = tokens("ct_viewer")
    base = f"/api/v1/inspections/{created['id']}/results/account"
    county = checker.get(f"{base}/{world.accounts['county'].id}", headers=headers).json()
    assert county["status"] == "ok", county
    assert county["verdict"] == "pass"
    # The stored engine output carries the feed's monthly figures (the simulator's clean account).
    assert county["result"]["metrics"] == {
        "posts_by_month": {"2024-03": 1, "2024-04": 1, "2024-05": 2, "2024-06": 4},
        "original_by_month": {"2024-03": 0, "2024-04": 1, "2024-05": 1, "2024-06": 3}}
    edu = checker.get(f"{base}/{world.accounts['edu'].id}", headers=headers).json()
    assert edu["status"] == "ok" and edu["verdict"] == "fail"
    assert "account_renamed_unfiled" in edu["indicators"]
    contract = checker.get(f"{base}/{world.accounts['edu'].id}/contract", headers=headers).json()
    assert contract["target"]["kind"] == "account" and contract["target"]["platform"] == "weibo"
    finding = next(f for f in contract["findings"] if f["indicator"] == "account_renamed_unfiled")
    assert finding["severity"] == "veto" and finding["message"].startswith("已改名(")
