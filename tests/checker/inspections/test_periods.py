"""Period summary across inspections (GET /api/v1/period-summary): the figures, the scope of the caller
and of the organisation asked for, Beijing-day bounds of the period and the month filtering of metrics.

Inspections, results and findings are written into the checker's tables the way the workers leave them;
their monitoring time points lie in 2019/2020, away from every other test's inspections."""
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, InspectionTarget, ResultStatus, TargetKind, Verdict,
)
from services.checker.inspections.periods import month_inside
from services.common.db import get_engine
from services.common.settings import get_settings
from services.registry.orgs.models import Organisation

PERIOD = {"start": "2020-01-01", "end": "2020-04-01"}   # 2020年第一季度
# Monitoring time points (UTC). Periods are Beijing days: B is 2020-01-01 01:00 there, A still 2019-12-31,
# E already 2020-04-01 00:00.
A = datetime(2019, 12, 31, 15, 30, tzinfo=UTC)
B = datetime(2019, 12, 31, 17, 0, tzinfo=UTC)
C = datetime(2020, 3, 10, 2, 0, tzinfo=UTC)
D = datetime(2020, 2, 1, 2, 0, tzinfo=UTC)
E = datetime(2020, 3, 31, 16, 0, tzinfo=UTC)
G = datetime(2020, 2, 10, 2, 0, tzinfo=UTC)

PORTAL_B = {"items_by_month": {"2019-12": 5, "2020-01": 3},
            "messages_by_month": {"2019-12": {"received": 2, "answered": 1},
                                  "2020-01": {"received": 1, "answered": 1}}}
PORTAL_C = {"items_by_month": {"2019-11": 7, "2020-02": 6, "2020-03": 2},
            "messages_by_month": {"2019-12": {"received": 5, "answered": 5},
                                  "2020-02": {"received": 3, "answered": 2},
                                  "2020-03": {"received": 1, "answered": 0}}}
EDU_B = {"items_by_month": {"2019-11": 4, "2020-01": 2},
         "messages_by_month": {"2020-01": {"received": 2, "answered": 2}}}
ACCOUNT_B = {"posts_by_month": {"2019-12": 3, "2020-01": 1}, "original_by_month": {"2019-12": 1, "2020-01": 0}}
STALE_NEWS = "栏目“工作动态”超过2周未更新（最新信息发布于2019-11-02）"


def target(world, key: str) -> dict[str, Any]:
    if key == "account":
        account = world.accounts["county"]
        return {"kind": "account", "target_id": account.id, "name": account.registered_name,
                "org_path": account.org_path, "url": "weibo"}
    site = world.sites[key]
    return {"kind": "site", "target_id": site.id, "name": site.name, "org_path": site.org_path,
            "url": site.homepage_url}


def write(session: Session, scope: Organisation, now: datetime, results: list[dict[str, Any]],
          state: InspectionState = InspectionState.completed, targets: list[dict] | None = None) -> int:
    """An inspection with targets, results and findings as the workers leave them. results: target fields
    plus verdict (None: the check could not run), metrics and findings [(code, message, dismissed)]."""
    inspection = Inspection(name=f"期间汇总测试{now:%Y%m%d%H%M}", scope_org_id=scope.id, scope_org_path=scope.path,
                            now=now, target_kinds=[TargetKind.site, TargetKind.account], state=state,
                            created_by="user:test", target_count=len(results), started_at=now, finished_at=now,
                            targets=targets)
    session.add(inspection)
    session.flush()
    for r in results:
        kind = TargetKind(r["kind"])
        session.add(InspectionTarget(inspection_id=inspection.id, kind=kind, target_id=r["target_id"],
                                     name=r["name"], url=r["url"], org_path=r["org_path"], facts={},
                                     job_id=f"period:{inspection.id}:{kind}:{r['target_id']}"))
        checked = r["verdict"] is not None
        row = InspectionResult(
            inspection_id=inspection.id, kind=kind, target_id=r["target_id"], name=r["name"], url=r["url"],
            org_path=r["org_path"], status=ResultStatus.ok if checked else ResultStatus.error,
            verdict=Verdict(r["verdict"]) if checked else None, score=(100.0 if r["verdict"] == "pass" else 40.0)
            if checked else None, error=None if checked else "检查超时", checked_at=now,
            result={"target": {"kind": r["kind"], "id": r["target_id"]}, "indicator_set": "gov-2019",
                    "checked_at": now.isoformat(), "verdict": r["verdict"], "findings": [],
                    "metrics": r.get("metrics", {})} if checked else {})
        session.add(row)
        session.flush()
        for code, message, dismissed in r.get("findings", []):
            session.add(Finding(result_id=row.id, inspection_id=inspection.id, kind=kind, target_id=r["target_id"],
                                indicator=code, severity="deduct", message=message, dismissed=dismissed,
                                evidence=[{"url": r["url"], "excerpt": message}]))
    session.commit()
    return inspection.id


@pytest.fixture(scope="module")
def period(world) -> dict[str, int]:
    portal, edu, account, neighbour = (target(world, k) for k in ("portal", "edu", "account", "neighbour"))
    with Session(get_engine()) as session:
        ids = {
            "A": write(session, world.county, A, [{**portal, "verdict": "fail",
                                                  "findings": [("typo", "旧问题", False)],
                                                  "metrics": {"items_by_month": {"2019-12": 40}}}]),
            "B": write(session, world.county, B, [
                {**portal, "verdict": "fail", "metrics": PORTAL_B,
                 "findings": [("column_not_updated", STALE_NEWS, False),
                              ("column_not_updated", "栏目“通知公告”超过6个月未更新", False),
                              ("home_not_updated", "首页超过2周未更新", False)]},
                {**edu, "verdict": "pass", "metrics": EDU_B},
                {**account, "verdict": "fail", "metrics": ACCOUNT_B,
                 "findings": [("account_not_updated", "14天未更新", False)]}]),
            # The re-check (复查) of the two failing targets: the account could not be checked this time.
            "C": write(session, world.county, C, [
                {**portal, "verdict": "fail", "metrics": PORTAL_C,
                 "findings": [("column_not_updated", STALE_NEWS, False), ("typo", "“再接再励”应为“再接再厉”", True)]},
                {**account, "verdict": None}],
                targets=[{"kind": "site", "target_id": portal["target_id"]},
                         {"kind": "account", "target_id": account["target_id"]}]),
            # Not counted: cancelled, and at the end of the period (Beijing midnight of 1 April).
            "D": write(session, world.county, D, [{**portal, "verdict": "pass",
                                                   "metrics": {"items_by_month": {"2020-02": 100}}}],
                       state=InspectionState.cancelled),
            "E": write(session, world.county, E, [{**portal, "verdict": "pass",
                                                   "metrics": {"items_by_month": {"2020-03": 50}}}]),
            "G": write(session, world.neighbour, G, [
                {**neighbour, "verdict": "fail", "findings": [("dark_link", "存在暗链", False)],
                 "metrics": {"items_by_month": {"2020-02": 9}, "messages_by_month": {}}}]),
        }
    return ids


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def summary(checker, headers, **params) -> httpx.Response:
    return checker.get("/api/v1/period-summary", headers=headers, params={**PERIOD, **params})


def test_county_summary_figures(checker, tokens, world, period):
    response = summary(checker, tokens("ct_supervisor"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["org_id"], body["start"], body["end"]) == (world.county.id, "2020-01-01", "2020-04-01")
    assert body["inspections"] == 2                                  # B and the re-check C
    portal, edu, account = body["targets"]                           # sites first, by name
    assert (portal["kind"], portal["target_id"], portal["name"]) == ("site", world.sites["portal"].id,
                                                                     world.sites["portal"].name)
    assert portal["org_path"] == world.county.path
    assert (portal["checks"], portal["failed_checks"]) == (2, 2)
    # Grouped by indicator over B and C, worded as the latest check words it; the dismissed typo is left out.
    assert [{**f, "first_seen": moment(f["first_seen"]), "last_seen": moment(f["last_seen"])}
            for f in portal["findings"]] == [
        {"indicator": "column_not_updated", "message": STALE_NEWS, "first_seen": B, "last_seen": C, "count": 2},
        {"indicator": "home_not_updated", "message": "首页超过2周未更新", "first_seen": B, "last_seen": B, "count": 1}]
    assert portal["metrics"] == PORTAL_C                                # the latest check's, every month
    assert (portal["latest_verdict"], portal["latest_inspection_id"]) == ("fail", period["C"])
    assert moment(portal["latest_checked_at"]) == C

    assert (edu["target_id"], edu["checks"], edu["failed_checks"]) == (world.sites["edu"].id, 1, 0)
    assert edu["findings"] == []
    assert edu["metrics"] == EDU_B and edu["latest_verdict"] == "pass"

    # The re-check could not run on the account: its latest check stays B's.
    assert (account["kind"], account["target_id"]) == ("account", world.accounts["county"].id)
    assert (account["checks"], account["failed_checks"]) == (1, 1)
    assert [(f["indicator"], f["count"]) for f in account["findings"]] == [("account_not_updated", 1)]
    assert account["metrics"] == ACCOUNT_B
    assert (account["latest_verdict"], account["latest_inspection_id"]) == ("fail", period["B"])

    # Months inside the quarter only, from each target's latest check (B's January items of the portal
    # are not added to C's: nothing counts twice).
    assert body["totals"] == {"sites": 2, "accounts": 1, "findings": 3, "items_published": 6 + 2 + 2,
                              "messages_received": 3 + 1 + 2, "messages_answered": 2 + 0 + 2,
                              "posts": 1, "original_posts": 0}


def test_department_sees_its_own_targets_only(checker, tokens, world, period):
    body = summary(checker, tokens("ct_operator")).json()
    assert body["org_id"] == world.dept.id and body["inspections"] == 1
    assert [t["target_id"] for t in body["targets"]] == [world.sites["edu"].id]
    assert body["totals"] == {"sites": 1, "accounts": 0, "findings": 0, "items_published": 2,
                              "messages_received": 2, "messages_answered": 2, "posts": 0, "original_posts": 0}


def test_ancestors_and_services_may_ask_for_a_county(checker, tokens, world, period):
    own = summary(checker, tokens("ct_supervisor")).json()
    assert summary(checker, tokens("ct_viewer"), org_id=world.county.id).json() == own
    assert summary(checker, tokens("weinan_supervisor"), org_id=world.county.id).json() == own
    settings = get_settings()  # the reporting service's kind of caller: a client-credentials service token
    issued = httpx.post(f"{settings.registry_url}/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": settings.service_client_id,
        "client_secret": settings.service_client_secret})
    assert issued.status_code == 200, issued.text
    service = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert summary(checker, service, org_id=world.county.id).json() == own


def test_another_county_is_not_found(checker, tokens, world, period):
    for user, org in (("nb_supervisor", world.county), ("ct_supervisor", world.neighbour),
                      ("ct_operator", world.county)):
        response = summary(checker, tokens(user), org_id=org.id)
        assert response.status_code == 404, (user, response.text)
        assert response.json()["detail"]["code"] == "not_found"
    neighbour = summary(checker, tokens("nb_supervisor")).json()
    assert neighbour["inspections"] == 1
    assert [t["target_id"] for t in neighbour["targets"]] == [world.sites["neighbour"].id]
    assert neighbour["totals"]["items_published"] == 9 and neighbour["totals"]["findings"] == 1


def test_period_bounds_are_beijing_days(checker, tokens, period):
    headers = tokens("ct_supervisor")
    # 31 December 2019 (Beijing) holds A only; B is already 1 January there.
    last_day = summary(checker, headers, start="2019-12-31", end="2020-01-01").json()
    assert last_day["inspections"] == 1
    assert [(f["indicator"], f["message"]) for f in last_day["targets"][0]["findings"]] == [("typo", "旧问题")]
    assert last_day["totals"]["items_published"] == 40
    # 1 April (Beijing) begins with E.
    april = summary(checker, headers, start="2020-04-01", end="2020-05-01").json()
    assert april["inspections"] == 1 and april["targets"][0]["latest_verdict"] == "pass"
    assert april["totals"]["items_published"] == 0              # E's figures are of March
    assert summary(checker, headers, start="2021-01-01", end="2021-04-01").json() == {
        "org_id": april["org_id"], "start": "2021-01-01", "end": "2021-04-01", "inspections": 0, "targets": [],
        "totals": {"sites": 0, "accounts": 0, "findings": 0, "items_published": 0, "messages_received": 0,
                   "messages_answered": 0, "posts": 0, "original_posts": 0}}


def test_months_overlapping_the_period_count():
    start, end = date(2020, 1, 15), date(2020, 3, 1)
    assert [m for m in ("2019-12", "2020-01", "2020-02", "2020-03") if month_inside(m, start, end)] == \
        ["2020-01", "2020-02"]
    assert month_inside("2019-12", date(2019, 12, 31), date(2020, 1, 1))
    assert not month_inside("2020-13", start, end) and not month_inside("garbage", start, end)


@pytest.mark.parametrize("params, code", [
    ({"start": "2020-04-01", "end": "2020-04-01"}, "invalid_period"),
    ({"start": "2020-04-01", "end": "2020-01-01"}, "invalid_period"),
    ({"start": "2020-02-30"}, "validation_error"),
    ({"end": None}, "validation_error"),
])
def test_bad_periods_are_422(checker, tokens, params, code):
    query = {k: v for k, v in {**PERIOD, **params}.items() if v is not None}
    response = checker.get("/api/v1/period-summary", headers=tokens("ct_supervisor"), params=query)
    assert response.status_code == 422 and response.json()["detail"]["code"] == code, response.text
    assert response.json()["detail"]["field"]


def test_a_token_is_required(checker):
    assert checker.get("/api/v1/period-summary", params=PERIOD).status_code == 401
