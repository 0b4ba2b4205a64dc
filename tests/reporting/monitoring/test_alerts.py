"""Veto-level problems of whole-site monitoring reach the host unit and the supervising office: the reporting
sweep reads the real checker API's alert feed (its own process) with its service token, notifies once per
problem and recipient however often it runs, keeps its place, and survives the checker being down."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.model import Evidence, Finding
from services.checker.monitor import ledger
from services.checker.monitor.models import MonitorSite
from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site
from services.reporting import jobs
from services.reporting.clients import ServiceClient, UpstreamError
from services.reporting.monitoring import flows
from services.reporting.monitoring.models import UpstreamCursor
from services.reporting.notifications.models import Notification, NotificationKind
from tests.checker.inspections.harness import free_port

WORD = "中华人民共合国"


@pytest.fixture
def site(upstream: dict[str, str], session: Session) -> Site:
    """A demo site whose host unit and supervising office differ, monitored, with a clean ledger and cursor."""
    chosen = session.exec(select(Site).where(Site.host_org_id != Site.supervising_org_id).order_by(Site.id)).first()
    assert chosen is not None
    session.execute(text("DELETE FROM checker.monitor_finding WHERE site_id = :s"), {"s": chosen.id})
    session.execute(text("DELETE FROM reporting.notification WHERE kind = 'monitor_alert'"))
    # Other tests of the session leave veto problems in the ledger: start reading after them.
    session.execute(text("DELETE FROM reporting.upstream_cursor"))
    session.add(UpstreamCursor(name=flows.FEED, position=session.execute(
        text("SELECT coalesce(max(alert_seq), 0) FROM checker.monitor_finding")).scalar_one()))
    session.merge(MonitorSite(site_id=chosen.id, name=chosen.name, homepage_url=chosen.homepage_url, host="x",
                              host_org_id=chosen.host_org_id, supervising_org_id=chosen.supervising_org_id,
                              org_path=chosen.org_path))
    session.commit()
    return chosen


def _plant(session: Session, site: Site, url: str, seen: datetime) -> None:
    finding = Finding(indicator="serious_error", message=f"存在严重表述错误“{WORD}”",
                      evidence=[Evidence(url=url, excerpt=f"……{WORD}……", observed_at=seen.isoformat())],
                      data={"matches": [{"word": WORD, "context": f"……{WORD}……"}]})
    keys = ledger.observe(session, site.id, None, url, [finding], seen)
    assert keys
    # Served once settled (the feed waits out concurrent monitoring transactions): age it past that.
    session.execute(text("UPDATE checker.monitor_finding SET opened_at = now() - interval '1 hour' "
                         "WHERE site_id = :s"), {"s": site.id})
    session.commit()


def _alerts(session: Session) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.kind == NotificationKind.monitor_alert)
                             .order_by(Notification.org_id)).all())


def test_a_veto_problem_notifies_host_unit_and_office_once(site: Site, session: Session) -> None:
    seen = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)  # 5 December, 01:30 in Beijing
    url = site.homepage_url.rstrip("/") + "/art/2019/3/1/art_1_1.html"
    _plant(session, site, url, seen)

    out = jobs.run_sweep()
    assert out["monitor_alerts"] == 2, out
    made = _alerts(session)
    assert sorted(n.org_id for n in made) == sorted([site.host_org_id, site.supervising_org_id])
    host = session.get(Organisation, site.host_org_id)
    assert host is not None and {n.org_path for n in made} >= {host.path}
    for n in made:
        assert site.name in n.title and "严重表述错误" in n.title
        assert WORD in n.body and url in n.body
        assert "2026年12月5日 01:30" in n.body  # Beijing time, not UTC's 4 December
        assert "serious_error" not in n.title + n.body

    # Again (a retried sweep, a second worker): nothing new; the cursor moved past the alert.
    assert jobs.run_sweep()["monitor_alerts"] == 0
    assert len(_alerts(session)) == 2
    cursor = session.get(UpstreamCursor, flows.FEED)
    assert cursor is not None and cursor.position > 0

    # Losing the cursor re-reads the feed but still notifies nobody twice about this problem.
    session.execute(text("DELETE FROM reporting.upstream_cursor"))
    session.commit()
    jobs.run_sweep()
    assert len([n for n in _alerts(session) if url in n.body]) == 2


def test_a_problem_that_comes_back_is_alerted_again(site: Site, session: Session) -> None:
    url = site.homepage_url.rstrip("/") + "/art/2020/1/2/art_1_2.html"
    _plant(session, site, url, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    assert jobs.run_sweep()["monitor_alerts"] == 2
    ledger.resolve_page(session, site.id, None, [], datetime(2026, 12, 2, tzinfo=UTC), url=url)
    session.commit()
    _plant(session, site, url, datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    assert jobs.run_sweep()["monitor_alerts"] == 2
    assert len(_alerts(session)) == 4


def test_checker_down_loses_nothing(site: Site, session: Session, upstream: dict[str, str]) -> None:
    url = site.homepage_url.rstrip("/") + "/art/2021/5/6/art_1_3.html"
    _plant(session, site, url, datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    before = session.get(UpstreamCursor, flows.FEED).position  # type: ignore[union-attr]
    dead = f"http://127.0.0.1:{free_port()}"
    with ServiceClient(checker_url=dead) as down, pytest.raises(UpstreamError):
        flows.pull_alerts(session, down)
    session.rollback()
    cursor = session.get(UpstreamCursor, flows.FEED)
    assert _alerts(session) == [] and cursor is not None and cursor.position == before
    # The sweep reports the outage and goes on with its other steps.
    with ServiceClient(checker_url=dead) as down:
        out = jobs.run_sweep(client=down)
    assert "upstream unavailable" in str(out["monitor_alerts"]) and "deliveries" in out
    # When the checker is back, the alert arrives.
    assert jobs.run_sweep()["monitor_alerts"] == 2
