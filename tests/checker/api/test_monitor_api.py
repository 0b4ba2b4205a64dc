"""The monitoring API: monitored sites with coverage, a site's problems from the ledger, the alert feed — scoped
by the host unit's path (a sibling office gets 404), zh-CN names beside the codes, paging."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from services.checker.inspections.config import get_checker_settings
from services.checker.model import Evidence, Finding
from services.checker.monitor import ledger
from services.checker.monitor.models import MonitorSite
from services.common.db import get_engine

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def serious(url: str, word: str) -> Finding:
    return Finding("serious_error", f"存在严重表述错误：“{word}”应为“中华人民共和国”",
                   [Evidence(url=url, excerpt=f"坚持{word}宪法", observed_at=T0.isoformat())],
                   data={"matches": [{"word": word, "suggestion": "中华人民共和国", "position": 0, "context": word}]})


def typo(url: str) -> Finding:
    return Finding("typo", "存在错别字：“按装”应为“安装”", [Evidence(url=url, excerpt="按装", observed_at=T0.isoformat())],
                   data={"matches": [{"word": "按装", "suggestion": "安装", "position": 0, "context": "按装"}]})


@pytest.fixture(scope="module")
def monitored(world):
    """portal (county) and edu (its department) with problems, the neighbour county's site with one."""
    sites = {key: world.sites[key] for key in ("portal", "edu", "neighbour")}
    ids = ",".join(str(s.id) for s in sites.values())
    with Session(get_engine()) as session:
        session.exec(text(f"DELETE FROM checker.monitor_finding WHERE site_id IN ({ids})"))
        session.exec(text(f"DELETE FROM checker.monitor_site WHERE site_id IN ({ids})"))
        for key, site in sites.items():
            session.add(MonitorSite(site_id=site.id, name=site.name, homepage_url=site.homepage_url, host="127.0.0.1",
                                    org_path=site.org_path, host_org_id=site.host_org_id,
                                    supervising_org_id=site.supervising_org_id, pages_known=1000 + site.id,
                                    pages_fetched_cycle=40, not_reached={"budget": 3}, cycle=1,
                                    cycle_started_at=T0, last_full_cycle_at=None if key == "edu" else T0))
        session.flush()
        for key, site in sites.items():
            url = f"{site.homepage_url}art/1.html"
            ledger.observe(session, site.id, None, url, [serious(url, "中国人民共和国"), typo(url)], T0)
        other = f"{sites['portal'].homepage_url}art/2.html"
        ledger.observe(session, sites["portal"].id, None, other, [serious(other, "中华人名共和国")], T0)
        ledger.resolve_page(session, sites["portal"].id, None, [], T0 + timedelta(hours=5), url=other)
        session.commit()
    yield sites
    with Session(get_engine()) as session:
        session.exec(text(f"DELETE FROM checker.monitor_finding WHERE site_id IN ({ids})"))
        session.exec(text(f"DELETE FROM checker.monitor_site WHERE site_id IN ({ids})"))
        session.commit()


def ids(body: dict) -> set[int]:
    return {item["site_id"] for item in body["items"]}


def test_sites_are_scoped_to_the_subtree(checker, tokens, world, monitored) -> None:
    portal, edu, neighbour = (monitored[k].id for k in ("portal", "edu", "neighbour"))
    county = checker.get("/api/v1/monitor/sites", headers=tokens("ct_supervisor"), params={"limit": 500}).json()
    assert {portal, edu} <= ids(county) and neighbour not in ids(county)
    dept = checker.get("/api/v1/monitor/sites", headers=tokens("ct_operator"), params={"limit": 500}).json()
    assert edu in ids(dept) and portal not in ids(dept)
    only_dept = checker.get("/api/v1/monitor/sites", headers=tokens("ct_supervisor"),
                            params={"org_id": world.dept.id, "limit": 500}).json()
    assert edu in ids(only_dept) and portal not in ids(only_dept)
    # An office outside the caller's subtree answers 404, like a missing one.
    outside = checker.get("/api/v1/monitor/sites", headers=tokens("nb_supervisor"), params={"org_id": world.county.id})
    assert outside.status_code == 404
    searched = checker.get("/api/v1/monitor/sites", headers=tokens("ct_supervisor"),
                           params={"q": monitored["edu"].name}).json()
    assert ids(searched) == {edu} and searched["total"] == 1
    assert checker.get("/api/v1/monitor/sites").status_code == 401


def test_site_coverage(checker, tokens, monitored) -> None:
    portal, edu = monitored["portal"], monitored["edu"]
    body = checker.get(f"/api/v1/monitor/sites/{portal.id}", headers=tokens("ct_viewer")).json()
    assert body["status"] == "monitoring" and body["pages_known"] == 1000 + portal.id
    assert (body["open_findings"], body["open_veto_findings"]) == (2, 1)
    assert body["not_reached"] == [{"reason": "budget", "label": "超出单站页面上限，未抓取", "count": 3}]
    assert body["site_name"] == portal.name and body["last_full_cycle_at"].startswith("2026-11-03")
    first = checker.get(f"/api/v1/monitor/sites/{edu.id}", headers=tokens("ct_viewer")).json()
    assert first["status"] == "first_cycle" and first["last_full_cycle_at"] is None


def test_a_sibling_office_gets_404(checker, tokens, monitored) -> None:
    portal = monitored["portal"].id
    for path in (f"/api/v1/monitor/sites/{portal}", f"/api/v1/monitor/sites/{portal}/findings"):
        response = checker.get(path, headers=tokens("nb_supervisor"))
        assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found"
    assert checker.get("/api/v1/monitor/sites/987654321", headers=tokens("ct_supervisor")).status_code == 404


def test_findings_by_status(checker, tokens, monitored) -> None:
    portal = monitored["portal"]
    headers = tokens("ct_supervisor")
    url = f"/api/v1/monitor/sites/{portal.id}/findings"
    open_ = checker.get(url, headers=headers).json()
    assert open_["total"] == 2
    assert [f["severity"] for f in open_["items"]] == ["veto", "deduct"]  # veto-level first
    top = open_["items"][0]
    assert top["indicator"] == "serious_error" and top["indicator_name"] == "严重表述错误"
    assert top["message"] == "存在严重表述错误：“中国人民共和国”应为“中华人民共和国”"
    assert top["url"] == f"{portal.homepage_url}art/1.html" and top["resolved_at"] is None
    assert top["evidence"] == [{"url": top["url"], "excerpt": "坚持中国人民共和国宪法",
                                "observed_at": T0.isoformat(), "snapshot": None}]
    assert top["first_seen_at"].startswith("2026-11-03")
    resolved = checker.get(url, headers=headers, params={"status": "resolved"}).json()
    assert resolved["total"] == 1 and resolved["items"][0]["resolved_at"].startswith("2026-11-03T07:00")
    every = checker.get(url, headers=headers, params={"status": "all", "limit": 1, "offset": 2}).json()
    assert every["total"] == 3 and len(every["items"]) == 1 and every["items"][0]["resolved_at"] is not None
    typos = checker.get(url, headers=headers, params={"indicator": "typo"}).json()
    assert [f["indicator_name"] for f in typos["items"]] == ["错别字"]
    bad = checker.get(url, headers=headers, params={"status": "bogus"})
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "validation_error"


def test_a_broken_link_names_the_pages_that_carry_it(checker, tokens, monitored) -> None:
    edu = monitored["edu"]
    target, home = f"{edu.homepage_url}old/gone.html", edu.homepage_url
    pages = [home, f"{edu.homepage_url}list/1.html"]
    broken = Finding("broken_link", "其他页面存在1个不可用链接",
                     [Evidence(url=target, excerpt=f"HTTP 404；所在页面：{home}", observed_at=T0.isoformat())],
                     data={"scope": "other", "urls": [target], "target": target, "sources": pages, "source_count": 7})
    with Session(get_engine()) as session:
        ledger.observe(session, edu.id, None, target, [broken], T0)
        session.commit()
    body = checker.get(f"/api/v1/monitor/sites/{edu.id}/findings", headers=tokens("ct_supervisor"),
                       params={"indicator": "broken_link"}).json()
    assert [(f["url"], f["linked_from"], f["linked_from_total"]) for f in body["items"]] == [(target, pages, 7)]
    others = checker.get(f"/api/v1/monitor/sites/{edu.id}/findings", headers=tokens("ct_supervisor"),
                         params={"indicator": "typo"}).json()["items"]
    assert [(f["linked_from"], f["linked_from_total"]) for f in others] == [([], 0)]


def test_alerts_paged_and_scoped(checker, tokens, monitored, monkeypatch) -> None:
    monkeypatch.setattr(get_checker_settings(), "monitor_alert_settle_seconds", 0.0)
    assert checker.get("/api/v1/monitor/alerts", headers=tokens("ct_viewer")).status_code == 403
    assert checker.get("/api/v1/monitor/alerts", headers=tokens("ct_operator")).status_code == 403
    headers = tokens("ct_supervisor")
    mine = {monitored["portal"].id, monitored["edu"].id}
    seen, after = [], 0
    while True:
        body = checker.get("/api/v1/monitor/alerts", headers=headers, params={"after_id": after, "limit": 1}).json()
        if not body["items"]:
            assert body["last_id"] == after
            break
        assert len(body["items"]) == 1 and body["last_id"] == body["items"][0]["id"] > after
        seen += body["items"]
        after = body["last_id"]
    ours = [a for a in seen if a["site_id"] in mine]
    assert {a["site_id"] for a in seen} <= mine  # nothing of the neighbour county
    assert len(ours) == 2 and all(a["indicator_name"] == "严重表述错误" for a in ours)
    portal = next(a for a in ours if a["site_id"] == monitored["portal"].id)
    assert portal["host_org_id"] == monitored["portal"].host_org_id
    assert portal["supervising_org_id"] == monitored["portal"].supervising_org_id
    assert portal["site_name"] == monitored["portal"].name
    # The neighbour's supervising office sees its own alert only.
    theirs = checker.get("/api/v1/monitor/alerts", headers=tokens("nb_supervisor"), params={"limit": 500}).json()
    assert {a["site_id"] for a in theirs["items"]} == {monitored["neighbour"].id}
    # Unsettled positions wait.
    monkeypatch.setattr(get_checker_settings(), "monitor_alert_settle_seconds", 10 ** 9)
    assert checker.get("/api/v1/monitor/alerts", headers=headers).json() == {"items": [], "last_id": 0}
