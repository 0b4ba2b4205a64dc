"""The alert feed: veto-level problems in the order they opened, paged by after_id, within the caller's scope;
a problem that comes back is alerted again; deductions, resolved problems and unsettled positions are not served."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from services.checker.model import Evidence, Finding
from services.checker.monitor import alerts, ledger
from services.checker.monitor.models import MonitorSite
from services.common.auth import Principal, Role

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SITES = {990201: ("/77/1/", "甲县政府网站"), 990202: ("/77/2/", "乙县政府网站")}


def principal(path: str, role: Role = Role.supervisor) -> Principal:
    return Principal(sub="user:1", org_id=int(path.strip("/").split("/")[-1]), org_path=path, role=role,
                     jti="t", iat=0, exp=2**31)


def serious(url: str, word: str) -> Finding:
    return Finding("serious_error", f"存在严重表述错误：“{word}”",
                   [Evidence(url=url, excerpt=f"……{word}……", observed_at=T0.isoformat())],
                   data={"matches": [{"word": word, "suggestion": None, "position": 0, "context": word}]})


def typo(url: str) -> Finding:
    return Finding("typo", "存在错别字：“按装”应为“安装”", [Evidence(url=url, excerpt="按装", observed_at=T0.isoformat())],
                   data={"matches": [{"word": "按装", "suggestion": "安装", "position": 0, "context": "按装"}]})


@pytest.fixture
def sites(session: Session):
    ids = ",".join(map(str, SITES))
    session.exec(text(f"DELETE FROM checker.monitor_finding WHERE site_id IN ({ids})"))
    session.exec(text(f"DELETE FROM checker.monitor_site WHERE site_id IN ({ids})"))
    for site_id, (path, name) in SITES.items():
        session.add(MonitorSite(site_id=site_id, name=name, homepage_url=f"http://s{site_id}.example.gov.cn/",
                                host="example.gov.cn", org_path=path, host_org_id=site_id, supervising_org_id=77))
    session.commit()
    yield
    session.rollback()
    session.exec(text(f"DELETE FROM checker.monitor_finding WHERE site_id IN ({ids})"))
    session.exec(text(f"DELETE FROM checker.monitor_site WHERE site_id IN ({ids})"))
    session.commit()


def page_all(session: Session, who: Principal, after: int, limit: int) -> list[list[dict]]:
    pages = []
    while True:
        body = alerts.alerts(session, who, after_id=after, limit=limit, settle_seconds=0)
        if not body["items"]:
            assert body["last_id"] == after  # an empty page keeps the position
            return pages
        pages.append(body["items"])
        after = body["last_id"]


def test_paging_scope_and_reopen(session: Session, sites: None) -> None:
    start = alerts.alerts(session, principal("/77/"), after_id=0, limit=500, settle_seconds=0)["last_id"]
    for site_id in SITES:
        url = f"http://s{site_id}.example.gov.cn/a.html"
        ledger.observe(session, site_id, None, url, [serious(url, "中华民国"), serious(url, "台湾国"), typo(url)], T0)
    session.commit()
    office = principal("/77/")
    pages = page_all(session, office, start, 3)
    assert [len(p) for p in pages] == [3, 1]  # 4 veto-level problems; the typos are not alerts
    served = [a for p in pages for a in p]
    assert len({a["id"] for a in served}) == 4 and [a["id"] for a in served] == sorted(a["id"] for a in served)
    first = served[0]
    assert first["indicator"] == "serious_error" and first["indicator_name"] == "严重表述错误"
    assert first["supervising_org_id"] == 77 and first["host_org_id"] in SITES
    assert first["site_name"] in ("甲县政府网站", "乙县政府网站")

    # A county sees its own site's alerts only.
    county = [a for p in page_all(session, principal("/77/1/"), start, 10) for a in p]
    assert {a["site_id"] for a in county} == {990201} and len(county) == 2

    # Resolved, then back: alerted again under a new id; a resolved one is not served.
    last = served[-1]["id"]
    url = "http://s990201.example.gov.cn/a.html"
    ledger.resolve_page(session, 990201, None, [], T0, url=url)
    session.commit()
    assert page_all(session, office, start, 10) == [[a for a in served if a["site_id"] == 990202]]
    ledger.observe(session, 990201, None, url, [serious(url, "中华民国")], T0)
    session.commit()
    again = page_all(session, office, last, 10)
    assert len(again) == 1 and len(again[0]) == 1 and again[0][0]["id"] > last
    assert again[0][0]["finding_id"] == next(a["finding_id"] for a in served if a["site_id"] == 990201
                                             and "中华民国" in a["message"])


def test_unsettled_alerts_wait(session: Session, sites: None) -> None:
    url = "http://s990202.example.gov.cn/b.html"
    ledger.observe(session, 990202, None, url, [serious(url, "中华民国")], T0)
    session.commit()
    body = alerts.alerts(session, principal("/77/2/"), after_id=0, limit=10, settle_seconds=3600)
    assert body == {"items": [], "last_id": 0}
    assert len(alerts.alerts(session, principal("/77/2/"), after_id=0, limit=10, settle_seconds=0)["items"]) == 1
