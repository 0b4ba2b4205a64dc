"""The dashboard's aggregates per sub-unit (pass rate of the latest round, open veto problems of the monitoring
ledger, overdue rectification tasks, coverage, health index), computed against the real registry and checker
APIs (their own processes) with the caller's token, and scoped like everything else."""
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.model import Evidence, Finding
from services.checker.monitor import ledger
from services.checker.monitor.models import MonitorSite
from services.common.clock import beijing_today
from services.common.db import get_engine
from services.registry.orgs.models import Organisation, OrgKind
from services.registry.sites.models import Site, SiteState
from services.reporting.dashboard.service import VETO_CAP, health_index, site_coverage
from services.reporting.rectification.models import RectificationTask, TaskState
from services.reporting.settings import get_reporting_settings
from tests.checker.inspections.harness import free_port
from tests.reporting.conftest import org

UNIT = "华阴市"
EMPTY_UNIT = "华阴市看板测试乡"  # a township with no site, account or result


@pytest.fixture(scope="module")
def assembled(reporting, auth, seed004) -> dict[str, int]:
    """Seed 004's current round assembled into a notice (that records the verdicts the pass rates read)."""
    response = reporting.post("/api/v1/notices", headers=auth("weinan_supervisor"),
                              json={"inspection_id": seed004["current"]})
    assert response.status_code == 201, response.text
    return {**seed004, "notice": response.json()["id"]}


@pytest.fixture(scope="module")
def planted(assembled) -> Any:
    """In 华阴市: one open veto problem on its running site's ledger, one overdue task; and an empty township."""
    with Session(get_engine()) as session:
        unit = org(session, UNIT)
        site = session.exec(select(Site).where(Site.org_path.startswith(unit.path), Site.state == SiteState.active)
                            .order_by(Site.id)).first()
        assert site is not None
        session.merge(MonitorSite(site_id=site.id, name=site.name, homepage_url=site.homepage_url, host="x",
                                  host_org_id=site.host_org_id, supervising_org_id=site.supervising_org_id,
                                  org_path=site.org_path))
        url = site.homepage_url.rstrip("/") + "/dashboard-veto.html"
        finding = Finding(indicator="serious_error", message="存在严重表述错误“中华人民共合国”",
                          evidence=[Evidence(url=url, excerpt="中华人民共合国", observed_at=datetime.now(UTC).isoformat())],
                          data={"matches": [{"word": "中华人民共合国", "context": "中华人民共合国"}]})
        assert ledger.observe(session, site.id, None, url, [finding], datetime.now(UTC))
        task = RectificationTask(notice_id=assembled["notice"], notice_title="看板测试", inspection_id=assembled["current"],
                                 kind="site", target_id=site.id, target_name=site.name, org_id=unit.id,
                                 org_path=unit.path, unit_name=unit.name, deadline=beijing_today() - timedelta(days=3),
                                 state=TaskState.open)
        session.add(task)
        empty = session.exec(select(Organisation).where(Organisation.name == EMPTY_UNIT)).first()
        if empty is None:
            empty = Organisation(name=EMPTY_UNIT, kind=OrgKind.township, parent_id=unit.id, region_code="610582")
            session.add(empty)
            session.flush()
            empty.path = f"{unit.path}{empty.id}/"
        session.commit()
        session.refresh(task)
        yield {"site": site, "url": url, "task": task.id, "unit": unit}
        session.execute(text("DELETE FROM checker.monitor_finding WHERE site_id = :s AND url = :u"),
                        {"s": site.id, "u": url})
        session.execute(text("DELETE FROM reporting.rectification_task WHERE id = :t"), {"t": task.id})
        session.commit()


def _sql_counts(session: Session, inspection_id: int, path: str) -> tuple[int, int]:
    return tuple(session.execute(text(
        "SELECT count(*) FILTER (WHERE verdict IN ('pass','fail')), count(*) FILTER (WHERE verdict = 'pass') "
        "FROM reporting.target_fact WHERE inspection_id = :i AND org_path LIKE :p"),
        {"i": inspection_id, "p": path + "%"}).one())  # type: ignore[return-value]


def test_health_index_formula() -> None:
    assert health_index(1.0, 0, 0, 1.0) == 100.0
    assert health_index(0.5, 0, 0, 1.0) == 75.0              # 100 × (0.25 + 0.2 + 0.15 + 0.15)
    assert health_index(1.0, 0, 2, 1.0) == 92.5              # two overdue tasks cost half of their 15 %
    assert health_index(1.0, 1, 0, 1.0) == VETO_CAP          # an open veto caps it below 60
    assert health_index(None, 0, 0, 0.5) == pytest.approx(100 * (0.075 + 0.2 + 0.15) / 0.5, abs=0.05)
    assert health_index(0.9, None, 0, None) == pytest.approx(100 * (0.45 + 0.15) / 0.65, abs=0.05)
    assert health_index(None, 0, 3, None) is None            # nothing known of the unit: no index
    assert site_coverage({"last_full_cycle_at": "2026-12-01T00:00:00Z"}) == 1.0
    assert site_coverage({"pages_known": 40, "pages_fetched_cycle": 10}) == 0.25
    assert site_coverage({"pages_known": 0}) == 0.0


def test_city_overview_per_county_and_department(reporting, auth, planted) -> None:
    response = reporting.get("/api/v1/dashboard/overview", headers=auth("weinan_supervisor"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["org"]["name"] == "渭南市" and body["org"]["region_code"] == "610500"
    assert body["round"] is not None and "全面检查" in body["round"]["name"]
    assert body["monitor_available"] is True and "健康指数" in body["formula"]
    units = {u["name"]: u for u in body["units"]}
    regions = {n for n, u in units.items() if u["group"] == "region"}
    assert {"临渭区", "华州区", "韩城市", "华阴市", "富平县"} <= regions
    assert "渭南市民政局" in units and units["渭南市民政局"]["group"] == "department"
    with Session(get_engine()) as session:
        for name in ("韩城市", "临渭区", "渭南市民政局"):
            expected = _sql_counts(session, body["round"]["inspection_id"], org(session, name).path)
            assert (units[name]["checked"], units[name]["passed"]) == expected, name
        unit = org(session, UNIT)
        vetoes = session.execute(text(
            "SELECT count(*) FROM checker.monitor_finding f JOIN checker.monitor_site s USING (site_id) "
            "JOIN registry.site r ON r.id = s.site_id WHERE f.resolved_at IS NULL AND f.severity = 'veto' "
            "AND r.state = 'active' AND r.org_path LIKE :p"), {"p": unit.path + "%"}).scalar_one()
        overdue = session.execute(text(
            "SELECT count(*) FROM reporting.rectification_task WHERE org_path LIKE :p AND deadline < :d "
            "AND state NOT IN ('verified', 'closed')"), {"p": unit.path + "%", "d": beijing_today()}).scalar_one()  # the API's today
    row = units[UNIT]
    assert row["open_vetoes"] == vetoes >= 1
    assert row["overdue_tasks"] == overdue >= 1
    assert row["monitored_sites"] >= 1 and row["coverage"] is not None
    assert row["health"] is not None and row["health"] <= VETO_CAP
    assert body["totals"]["open_vetoes"] >= row["open_vetoes"]
    assert body["totals"]["overdue_tasks"] >= row["overdue_tasks"]
    healths = [u["health"] for u in body["units"] if u["health"] is not None]
    assert healths == sorted(healths, reverse=True)  # best first; units without data last


def test_county_sees_its_own_units_only(reporting, auth, planted) -> None:
    h = auth("huayin_supervisor")
    body = reporting.get("/api/v1/dashboard/overview", headers=h).json()
    assert body["org"]["name"] == UNIT
    names = {u["name"] for u in body["units"]}
    assert EMPTY_UNIT in names and not names & {"临渭区", "韩城市", "渭南市民政局"}
    with Session(get_engine()) as session:
        unit, city = org(session, UNIT), org(session, "渭南市")
        running = session.exec(select(Site).where(Site.org_path.startswith(unit.path),
                                                  Site.state == SiteState.active)).all()
    assert body["totals"]["sites"] == len(running)
    assert body["totals"]["open_vetoes"] >= 1 and body["totals"]["overdue_tasks"] >= 1
    # The city above it, or a sibling county: 404, as for anything outside the subtree.
    assert reporting.get("/api/v1/dashboard/overview", headers=h, params={"org_id": city.id}).status_code == 404
    with Session(get_engine()) as session:
        sibling = org(session, "韩城市")
    response = reporting.get("/api/v1/dashboard/overview", headers=h, params={"org_id": sibling.id})
    assert response.status_code == 404 and "组织机构" in response.json()["detail"]["message"]
    # The city office may look at the county.
    city_view = reporting.get("/api/v1/dashboard/overview", headers=auth("weinan_supervisor"),
                              params={"org_id": unit.id}).json()
    assert city_view["totals"] == body["totals"]


def test_a_unit_without_sites_or_results_has_no_index(reporting, auth, planted) -> None:
    body = reporting.get("/api/v1/dashboard/overview", headers=auth("huayin_supervisor")).json()
    empty = next(u for u in body["units"] if u["name"] == EMPTY_UNIT)
    assert (empty["checked"], empty["sites"], empty["overdue_tasks"]) == (0, 0, 0)
    assert empty["pass_rate"] is None and empty["coverage"] is None and empty["health"] is None
    assert body["units"][-1]["name"] == EMPTY_UNIT  # ranked after every unit with an index


def test_checker_down_leaves_monitoring_unknown(reporting, auth, planted) -> None:
    rs = get_reporting_settings()
    saved, rs.checker_url = rs.checker_url, f"http://127.0.0.1:{free_port()}"
    try:
        response = reporting.get("/api/v1/dashboard/overview", headers=auth("weinan_supervisor"))
    finally:
        rs.checker_url = saved
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["monitor_available"] is False
    row = next(u for u in body["units"] if u["name"] == UNIT)
    assert row["open_vetoes"] is None and row["coverage"] is None
    assert row["overdue_tasks"] >= 1 and row["checked"] > 0 and row["health"] is not None
