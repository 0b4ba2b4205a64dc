"""The checker API: scope and roles, review of findings, cancel, indicator sets and word lists."""
import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlmodel import Session, select

from services.checker.inspections import jobs, runner
from services.checker.inspections.config import get_checker_settings
from services.checker.inspections.flows import check_job_id, plan_job_id, probe_job_id
from services.checker.inspections.models import Audit, InspectionResult
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.checker.inspections.harness import wait_for

NOW = "2024-06-14T10:00:00+00:00"


def create(checker, headers, **fields):
    body = {"name": "专项检查", "target_kinds": ["site"], "now": NOW, **fields}
    return checker.post("/api/v1/inspections", headers=headers, json=body)


@pytest.fixture(scope="module")
def sites_done(checker, tokens, world, worker):
    response = create(checker, tokens("ct_supervisor"), scope_org_id=world.county.id, name="网站专项检查")
    assert response.status_code == 202, response.text
    return wait_for(checker, tokens("ct_supervisor"), response.json()["id"])


# --- scope and roles ------------------------------------------------------------------------------


def test_neighbour_county_sees_nothing(checker, tokens, sites_done):
    iid = sites_done["id"]
    nb = tokens("nb_supervisor")
    assert checker.get(f"/api/v1/inspections/{iid}", headers=nb).status_code == 404
    assert checker.get(f"/api/v1/inspections/{iid}/results", headers=nb).status_code == 404
    assert checker.get(f"/api/v1/inspections/{iid}/events", headers=nb).status_code == 404
    assert iid not in [i["id"] for i in checker.get("/api/v1/inspections", headers=nb,
                                                     params={"limit": 500}).json()["items"]]


def test_ancestors_see_a_county_inspection_but_a_department_does_not(checker, tokens, sites_done):
    iid = sites_done["id"]
    assert checker.get(f"/api/v1/inspections/{iid}", headers=tokens("weinan_supervisor")).status_code == 200
    assert checker.get(f"/api/v1/inspections/{iid}", headers=tokens("ct_viewer")).status_code == 200
    # The department's operator sees only inspections scoped inside its own subtree.
    assert checker.get(f"/api/v1/inspections/{iid}", headers=tokens("ct_operator")).status_code == 404


def test_roles_and_scope_on_create(checker, tokens, world):
    assert create(checker, tokens("ct_viewer"), scope_org_id=world.county.id).status_code == 403
    assert create(checker, tokens("ct_operator"), scope_org_id=world.dept.id).status_code == 403
    # A county cannot inspect its neighbour (the registry does not show it the organisation).
    response = create(checker, tokens("nb_supervisor"), scope_org_id=world.county.id)
    assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found"
    assert checker.get("/api/v1/inspections").status_code == 401
    bad = create(checker, tokens("ct_supervisor"), scope_org_id=world.county.id, indicator_set="nope")
    assert bad.status_code == 404
    window = create(checker, tokens("ct_supervisor"), scope_org_id=world.county.id, probe_count=3)
    assert window.status_code == 422 and window.json()["detail"]["code"] == "validation_error"


def test_list_filters(checker, tokens, sites_done):
    headers = tokens("ct_viewer")
    page = checker.get("/api/v1/inspections", headers=headers, params={"q": "网站专项", "state": "completed"}).json()
    assert sites_done["id"] in [i["id"] for i in page["items"]]
    assert all(i["state"] == "completed" for i in page["items"])
    assert checker.get("/api/v1/inspections", headers=headers, params={"sort": "bogus"}).status_code == 422


# --- review ---------------------------------------------------------------------------------------


def test_dismiss_and_add_findings_recompute_the_verdict(checker, tokens, sites_done, world):
    iid, site = sites_done["id"], world.sites["portal"].id
    url = f"/api/v1/inspections/{iid}/results/site/{site}"
    sup = tokens("ct_supervisor")
    detail = checker.get(url, headers=sup).json()
    assert detail["status"] == "ok" and detail["verdict"] == "fail"
    vetoes = [f for f in detail["findings"] if f["severity"] == "veto"]
    assert vetoes
    # Which 单项否决 applied is part of the result, in the list too (issue 16, item 6).
    assert detail["vetoes"] == list(dict.fromkeys(f["indicator"] for f in vetoes))
    listed = checker.get(f"/api/v1/inspections/{iid}/results", headers=sup, params={"limit": 500}).json()["items"]
    row = next(r for r in listed if r["kind"] == "site" and r["target_id"] == site)
    assert row["vetoes"] == detail["vetoes"] and set(row["vetoes"]) <= set(row["indicators"])
    assert all(not r["vetoes"] for r in listed if r["verdict"] == "pass")
    assert checker.post(f"{url}/findings/{vetoes[0]['id']}/dismiss", headers=tokens("ct_viewer"),
                        json={"reason": "误报"}).status_code == 403
    for finding in vetoes:
        response = checker.post(f"{url}/findings/{finding['id']}/dismiss", headers=sup,
                                json={"reason": "人工复核：该栏目为外链办事平台，误报"})
        assert response.status_code == 200, response.text
    reviewed = checker.get(url, headers=sup).json()
    assert reviewed["verdict"] == "pass" and not [f for f in reviewed["findings"] if f["severity"] == "veto"]
    assert reviewed["vetoes"] == []
    assert {f["id"] for f in reviewed["dismissed_findings"]} >= {f["id"] for f in vetoes}
    again = checker.post(f"{url}/findings/{vetoes[0]['id']}/dismiss", headers=sup, json={"reason": "再次"})
    assert again.status_code == 409

    added = checker.post(f"{url}/findings", headers=sup, json={
        "indicator": "serious_error", "message": "首页领导人姓名错误",
        "evidence": [{"url": world.sites["portal"].homepage_url, "excerpt": "……"}]})
    assert added.status_code == 201, added.text
    body = added.json()
    manual = [f for f in body["findings"] if f["source"] == "manual"]
    assert body["verdict"] == "fail" and manual[0]["severity"] == "veto"
    unknown = checker.post(f"{url}/findings", headers=sup, json={
        "indicator": "no_such_code", "message": "未知", "evidence": [{"url": "http://x.gov.cn/"}]})
    assert unknown.status_code == 422

    restored = checker.post(f"{url}/findings/{vetoes[0]['id']}/restore", headers=sup)
    assert restored.status_code == 200 and vetoes[0]["id"] in [f["id"] for f in restored.json()["findings"]]

    with Session(get_engine()) as session:
        actions = [a.action for a in session.exec(select(Audit).where(Audit.entity_kind == "finding")).all()]
    assert {"finding.dismiss", "finding.add", "finding.restore"} <= set(actions)
    trail = checker.get(f"/api/v1/inspections/{iid}/audit", headers=tokens("ct_viewer")).json()
    assert {"inspection.create", "finding.dismiss", "finding.add"} <= {a["action"] for a in trail["items"]}
    rows = checker.get(f"/api/v1/inspections/{iid}/findings", headers=sup,
                       params={"indicator": "serious_error"}).json()
    assert rows["total"] == 1


def test_a_target_that_breaks_the_check_fails_alone(checker_env, sites_done, world, monkeypatch):
    """Whatever a target does to the check (crash, hang) becomes an error result on that target only."""
    iid = sites_done["id"]
    settings = get_checker_settings()
    monkeypatch.setattr(settings, "checker_check_timeout", 1)
    ctx = {"job_try": 1, "redis": None}

    async def crash(*args, **kwargs):
        raise UnicodeDecodeError("gbk", b"\xff", 0, 1, "garbage")

    async def hang(*args, **kwargs):
        await asyncio.sleep(30)

    async def scenario() -> None:
        monkeypatch.setattr(runner, "check_site", crash)
        await jobs.check_target(ctx, iid, "site", world.sites["edu"].id)
        monkeypatch.setattr(runner, "check_site", hang)
        started = time.monotonic()
        await jobs.check_target(ctx, iid, "site", world.sites["slow"].id)
        assert time.monotonic() - started < 5
        await ctx["registry"].aclose()

    asyncio.run(scenario())
    with Session(get_engine()) as session:
        rows = {r.target_id: r for r in session.exec(select(InspectionResult).where(
            InspectionResult.inspection_id == iid)).all()}
    assert rows[world.sites["edu"].id].status == "error" and "UnicodeDecodeError" in rows[world.sites["edu"].id].error
    assert rows[world.sites["slow"].id].status == "error" and "超时" in rows[world.sites["slow"].id].error
    assert rows[world.sites["portal"].id].status == "ok"


# --- cancel ---------------------------------------------------------------------------------------


def test_cancel_drops_queued_jobs(checker, tokens, world, worker):
    sup = tokens("ct_supervisor")
    start = datetime.now(UTC) + timedelta(hours=1)
    response = create(checker, sup, scope_org_id=world.county.id, name="将被取消的检查", probe_count=4,
                      window_start=start.isoformat(), window_end=(start + timedelta(days=7)).isoformat(),
                      window_scale=1)
    iid = response.json()["id"]
    running = wait_for(checker, sup, iid, states=("running",))
    # The county's sites: four active, the closing one and the closed one (its domain must be released).
    # The closed one waits for no probe round, so the worker may have checked it already.
    assert running["progress"]["total"] == 6 and running["progress"]["remaining"] in (5, 6)
    queue = redis.Redis.from_url(get_settings().redis_url)
    queued = {j.decode() for j in queue.zrange(get_checker_settings().checker_queue, 0, -1)}
    assert probe_job_id(iid, 0) in queued and check_job_id(iid, "site", world.sites["portal"].id) in queued
    assert checker.post(f"/api/v1/inspections/{iid}/cancel", headers=tokens("ct_viewer")).status_code == 403
    cancelled = checker.post(f"/api/v1/inspections/{iid}/cancel", headers=sup)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    queued = {j.decode() for j in queue.zrange(get_checker_settings().checker_queue, 0, -1)}
    assert not [j for j in queued if j.startswith(plan_job_id(iid).removesuffix("plan"))]
    again = checker.post(f"/api/v1/inspections/{iid}/cancel", headers=sup)
    assert again.status_code == 409 and again.json()["detail"]["message"] == "检查任务已结束（已取消），不能取消"
    rerun = checker.post(f"/api/v1/inspections/{iid}/targets/site/{world.sites['portal'].id}/rerun", headers=sup)
    assert rerun.status_code == 409 and rerun.json()["detail"]["message"] == "检查任务已取消，不能重新检查"


# --- indicator sets -------------------------------------------------------------------------------


def test_indicator_sets_inherit_and_version(checker, tokens, world, worker):
    sup, nb = tokens("ct_supervisor"), tokens("nb_supervisor")
    listed = {s["code"]: s for s in checker.get("/api/v1/indicator-sets", headers=sup).json()["items"]}
    assert listed["gov-2019"]["builtin"] and listed["weinan-2024"]["parent"] == "gov-2019"
    assert listed["weinan-2024"]["definition"]["indicators"]["account_no_original"]["severity"] == "veto"

    code = f"ct-{int(time.time())}"
    v1 = checker.post("/api/v1/indicator-sets", headers=sup, json={
        "code": code, "name": "检查测试县指标", "parent": "weinan-2024",
        "overrides": {"parameters": {"home_window_days": 7}}})
    assert v1.status_code == 201, v1.text
    assert v1.json()["version"] == 1 and v1.json()["definition"]["parameters"]["home_window_days"] == 7
    assert v1.json()["definition"]["indicators"]["account_no_original"]["severity"] == "veto"  # inherited
    v2 = checker.post("/api/v1/indicator-sets", headers=sup, json={
        "code": code, "overrides": {"parameters": {"home_window_days": 10}, "pass_score": 70}})
    assert v2.status_code == 201 and v2.json()["version"] == 2
    assert checker.get(f"/api/v1/indicator-sets/{code}", headers=sup, params={"version": 1}).json()[
        "definition"]["parameters"]["home_window_days"] == 7  # versions are immutable
    assert [v["version"] for v in checker.get(f"/api/v1/indicator-sets/{code}/versions", headers=sup).json()] == [1, 2]

    assert checker.get(f"/api/v1/indicator-sets/{code}", headers=nb).status_code == 404
    assert checker.post("/api/v1/indicator-sets", headers=nb, json={"code": code, "overrides": {}}).status_code == 409
    assert checker.post("/api/v1/indicator-sets", headers=sup, json={"code": "gov-2019"}).status_code == 409
    spaced = checker.post("/api/v1/indicator-sets", headers=sup, json={"code": "Weinan Local", "parent": "gov-2019"})
    assert spaced.status_code == 422  # codes end up in URLs: lower-case letters, digits, . _ - only
    invalid = checker.post("/api/v1/indicator-sets", headers=sup, json={
        "code": f"{code}-x", "overrides": {"parameters": {"no_such": 1}}})
    assert invalid.status_code == 422 and invalid.json()["detail"]["code"] == "invalid_indicator_set"

    response = create(checker, sup, scope_org_id=world.dept.id, indicator_set=code, name="用自定义指标集检查")
    assert response.status_code == 202
    assert response.json()["indicator_set_version"] == 2
    done = wait_for(checker, sup, response.json()["id"])
    result = checker.get(f"/api/v1/inspections/{done['id']}/results/site/{world.sites['edu'].id}/contract",
                         headers=sup).json()
    assert result["indicator_set"] == code


# --- word lists -----------------------------------------------------------------------------------


def test_wordlist_entries_apply_to_the_subtree(checker, tokens, world, worker):
    sup = tokens("ct_supervisor")
    word = "工作动态第3条"  # on every test homepage
    added = checker.post("/api/v1/wordlists/entries", headers=sup, json={
        "list": "addition", "category": "sensitive_content", "word": word, "note": "测试词"})
    assert added.status_code == 201, added.text
    entry = added.json()
    assert entry["org_id"] == world.county.id
    assert checker.post("/api/v1/wordlists/entries", headers=sup, json={
        "list": "addition", "category": "sensitive_content", "word": word}).status_code == 409
    assert checker.post("/api/v1/wordlists/entries", headers=sup, json={
        "list": "addition", "word": "无类别"}).status_code == 422
    # The department sees its county's entries (they apply to it); the neighbour does not.
    seen = checker.get("/api/v1/wordlists/entries", headers=tokens("ct_operator")).json()
    assert entry["id"] in [e["id"] for e in seen["items"]]
    assert entry["id"] not in [e["id"] for e in checker.get("/api/v1/wordlists/entries",
                                                             headers=tokens("nb_supervisor")).json()["items"]]
    assert checker.delete(f"/api/v1/wordlists/entries/{entry['id']}", headers=tokens("nb_supervisor")).status_code == 404

    response = create(checker, sup, scope_org_id=world.dept.id, name="错敏词检查")
    done = wait_for(checker, sup, response.json()["id"])
    detail = checker.get(f"/api/v1/inspections/{done['id']}/results/site/{world.sites['edu'].id}",
                         headers=sup).json()
    hits = [f for f in detail["findings"] if f["indicator"] == "sensitive_content"]
    assert hits and any(word in e["excerpt"] for f in hits for e in f["evidence"]), detail["findings"]

    white = checker.post("/api/v1/wordlists/entries", headers=sup, json={"list": "whitelist", "word": word})
    assert white.status_code == 201
    response = create(checker, sup, scope_org_id=world.dept.id, name="白名单检查")
    done = wait_for(checker, sup, response.json()["id"])
    detail = checker.get(f"/api/v1/inspections/{done['id']}/results/site/{world.sites['edu'].id}",
                         headers=sup).json()
    assert not [f for f in detail["findings"] if f["indicator"] == "sensitive_content"]
    for e in (entry, white.json()):
        assert checker.delete(f"/api/v1/wordlists/entries/{e['id']}", headers=sup).status_code == 204
