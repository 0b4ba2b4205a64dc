"""The site pass after a monitoring cycle (monitor/site_pass.py) on the policy farm (tests/fixtures/farm/policy.py):
政策解读 matched by link, title and 文号, its counts and findings; 转载 items of the organisation's indicator set
found, missing and pending; the clean look-alike site and the 文号 look-alikes make no finding; what the site
publishes afterwards resolves the findings at the next cycle; a page re-scan or an inspection's re-check never
resolves them."""
import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.checks.base import CheckContext
from services.checker.indicators import resolve
from services.checker.indicators.labels import indicator_name
from services.checker.model import Page, RegistryFacts, SiteSnapshot
from services.checker.monitor import ledger, service, site_pass
from services.checker.monitor.models import MonitorPage, MonitorSite
from services.checker.store.models import IndicatorSetVersion
from services.common.db import get_engine
from tests.checker.monitor.test_monitor import cycle, make_all_due, settings
from tests.fixtures.farm.policy import PolicyFarm, repost_items

SITES = (886001, 886002)
ORG = "/1/8860/"
CODES = set(ledger.SITE_PASS)


@pytest.fixture
def farm() -> Iterator[PolicyFarm]:
    with PolicyFarm() as running:
        definition = resolve("gov-2019").model_dump(mode="json")
        definition.update(id="policy-pass-test", name="转载测试指标", reposts=repost_items(running.today))
        with Session(get_engine()) as session:
            session.exec(text("DELETE FROM checker.indicator_set WHERE code = 'policy-pass-test'"))
            session.exec(text("DELETE FROM checker.monitor_finding WHERE site_id = ANY(:s)").bindparams(s=list(SITES)))
            session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:s)").bindparams(s=list(SITES)))
            session.add(IndicatorSetVersion(code="policy-pass-test", version=1, name="转载测试指标", org_id=8860,
                                            org_path=ORG, created_by="test", overrides={}, definition=definition))
            session.commit()
            service.sync_sites(session, [{"id": site_id, "name": f"政策测试站{i}", "homepage_url": running.url(i),
                                          "org_path": f"{ORG}{i + 1}/", "host_org_id": 1, "supervising_org_id": 1}
                                         for i, site_id in enumerate(SITES)])
        yield running
        with Session(get_engine()) as session:
            session.exec(text("DELETE FROM checker.indicator_set WHERE code = 'policy-pass-test'"))
            session.commit()


def open_site_pass(site_id: int, farm: PolicyFarm, index: int) -> set[tuple[str, str]]:
    with Session(get_engine()) as session:
        return {(p.indicator, "/" + p.url.removeprefix(farm.url(index))) for p in ledger.open_problems(session, site_id)
                if p.indicator in CODES}


def summary(site_id: int) -> dict:
    with Session(get_engine()) as session:
        figures = dict(session.get(MonitorSite, site_id).policy_summary or {})
    figures.pop("at", None)
    return figures


def test_policy_interpretation_and_reposts_over_a_monitored_site(farm: PolicyFarm) -> None:
    for site_id in SITES:
        asyncio.run(cycle(site_id, settings()))

    for index, site_id in enumerate(SITES):
        expected = farm.manifest[index]
        assert summary(site_id) == {"policy": expected["policy"], "reposts": expected["reposts"]}, index
        assert open_site_pass(site_id, farm, index) == expected["findings"], index

    # What the rows keep: documents (the page and its file share one 文号), 解读 with their form; the list
    # page, the meeting news citing a 文号 and the notice with a phone number, a date and a case number: nothing.
    with Session(get_engine()) as session:
        rows = {p.url.removeprefix(farm.url(0).rstrip("/")): p for p in session.exec(
            select(MonitorPage).where(MonitorPage.site_id == SITES[0])).all()}
    year = farm.today.year
    assert rows["/zcwj/d.html"].policy["no"] == f"测政发〔{year}〕4号"
    assert rows["/files/a.txt"].policy["no"] == rows["/zcwj/a.html"].policy["no"] == f"测政发〔{year}〕1号"
    assert {rows[f"/jd/{n}.html"].policy["form"] for n in (1, 2, 3)} == {"文字", "图解", "问答"}
    for path in ("/zcwj/index.html", "/news/meeting.html", "/news/move.html", "/znwd/", "/"):
        assert rows[path].policy is None, path
    assert rows["/news/repost1.html"].title == "国务院关于印发新污染物治理行动方案的通知"

    with Session(get_engine()) as session:
        problems = {p.message: p for p in ledger.open_problems(session, SITES[0]) if p.indicator in CODES}
    messages = sorted(problems)
    assert any(m.startswith("政策文件《测试县人民政府关于农村人居环境整治的通知》") and f"测政发〔{year}〕4号" in m
               and "超过30天未发布解读" in m for m in messages), messages
    assert any(m.startswith("政策文件解读率60%（5件政策文件中3件有解读），低于80%") for m in messages), messages
    assert any("未按要求转载中国政府网发布的《国务院办公厅关于进一步优化营商环境" in m for m in messages), messages
    assert all(p.severity == "deduct" and p.page_id is None for p in problems.values())
    assert indicator_name("policy_interpretation_missing") == "政策文件未按要求解读"
    assert indicator_name("repost_missing") == "重要信息未及时转载"

    # A re-scan of the document's page does not resolve the site's judgement; an inspection carries it.
    with Session(get_engine()) as session:
        ledger.resolve_pages(session, SITES[0], [(rows["/zcwj/d.html"].id, rows["/zcwj/d.html"].last_fetched_at)])
        ledger.resolve_page(session, SITES[0], None, [], rows["/zcwj/d.html"].last_fetched_at,
                            url=farm.url(0) + "zcwj/d.html")
        session.commit()
        plan = ledger.plan_for_inspection(session, SITES[0])
    assert open_site_pass(SITES[0], farm, 0) == farm.manifest[0]["findings"]
    assert plan is not None and not any(c.url.endswith("/zcwj/d.html") for c in plan.cited)
    assert {p["indicator"] for p in plan.open} >= CODES
    # The inspection reads the document page afresh (no problem of its own there): the site's judgement is
    # carried into the result as it stands, with its ledger id.
    at = rows["/zcwj/d.html"].last_fetched_at
    doc = Page(url=farm.url(0) + "zcwj/d.html", final_url=farm.url(0) + "zcwj/d.html", status=200, error=None,
               fetched_at=at, html="<html><body><p>正文</p></body></html>", text="正文")
    home = Page(url=farm.url(0), final_url=farm.url(0), status=200, error=None, fetched_at=at, html="<html></html>")
    snapshot = SiteSnapshot(homepage_url=farm.url(0), now=at, home=home, pages={doc.url: doc}, columns=[], links={},
                            probes=[], registry=RegistryFacts())
    carried = ledger.recheck(snapshot, plan, CheckContext.for_set(resolve("gov-2019"), at))
    assert {(f.indicator, f.data["target"]) for f in carried if f.indicator in CODES} == {
        ("policy_interpretation_missing", doc.url), ("policy_interpretation_missing", "share"),
        ("repost_missing", next(p.data["target"] for p in problems.values() if p.indicator == "repost_missing"))}
    assert all(f.data.get("carried") for f in carried if f.indicator in CODES)

    # The site publishes D's 解读 and the missing repost: the next cycle's pass resolves both findings.
    farm.publish_missing(0)
    make_all_due(SITES[0])
    asyncio.run(cycle(SITES[0], settings()))
    figures = summary(SITES[0])
    assert figures["policy"] == {**farm.manifest[0]["policy"], "with_interpretation": 4, "share": 0.8,
                                      "overdue": 0, "interpretations": 4}
    assert figures["reposts"] == {"required": 3, "found": 2, "pending": 1, "missing": []}
    assert open_site_pass(SITES[0], farm, 0) == set()
    with Session(get_engine()) as session:
        resolved = session.exec(text("SELECT count(*) FROM checker.monitor_finding WHERE site_id = :s "
                                     "AND indicator = ANY(:c) AND resolved_at IS NOT NULL")
                                .bindparams(s=SITES[0], c=list(CODES))).one()[0]
    assert resolved == 3


def test_a_disabled_indicator_makes_no_finding_and_resolves_what_was_open(farm: PolicyFarm) -> None:
    asyncio.run(cycle(SITES[0], settings()))
    assert open_site_pass(SITES[0], farm, 0)
    quiet = resolve("gov-2019").model_copy(update={"indicators": {
        **resolve("gov-2019").indicators,
        "policy_interpretation_missing": resolve("gov-2019").indicators["policy_interpretation_missing"]
        .model_copy(update={"enabled": False})}})
    from services.checker.inspections.models import utcnow
    with Session(get_engine()) as session:
        figures = site_pass.run(session, SITES[0], utcnow(), quiet)
    assert "policy" not in figures and "reposts" not in figures   # gov-2019 itself lists no reposts
    assert open_site_pass(SITES[0], farm, 0) == set()


def test_generated_gov_sites_hold_no_policy_document(farm: PolicyFarm) -> None:
    """The deep farm's sites (every CMS style; titles such as “…关于印发…工作要点的通知” and “《…》政策解读”, 备案号
    and 标识码 in footers, but no 文号): no document, so no 政策解读 finding; their 解读 pages are counted."""
    from tests.checker.monitor.test_deep_monitor import CFG
    from tests.fixtures.farm.deep import DeepFarm

    ids = [886101, 886102]
    with DeepFarm(sites=2, pages_min=50, pages_max=80, seed=31, base="127.4.3.1") as deep:
        with Session(get_engine()) as session:
            session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:s)").bindparams(s=ids))
            session.commit()
            service.sync_sites(session, [{"id": site_id, "name": f"深度站{i}", "homepage_url": deep.url(i),
                                          "org_path": f"{ORG}9/"} for i, site_id in enumerate(ids)])
        for site_id in ids:
            asyncio.run(cycle(site_id, CFG))
    seen = 0
    with Session(get_engine()) as session:
        for site_id in ids:
            figures = session.get(MonitorSite, site_id).policy_summary
            interps = session.exec(select(MonitorPage.title).where(
                MonitorPage.site_id == site_id, MonitorPage.policy.is_not(None))).all()
            assert figures["policy"]["documents"] == 0 and figures["policy"]["overdue"] == 0, figures
            assert figures["policy"]["interpretations"] == len(interps)
            assert all("解读" in title for title in interps), interps
            seen += len(interps)
            assert figures["reposts"]["required"] == 3    # the organisation's set applies to these sites too
            assert not {p.indicator for p in ledger.open_problems(session, site_id)} & {"policy_interpretation_missing"}
    assert seen > 0
