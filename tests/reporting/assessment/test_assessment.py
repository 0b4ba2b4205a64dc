"""The annual assessment of 华阴市's units: failures from issued notices, overdue and unrectified tasks,
missing self-inspection reports, weighted (defaults, then the county's own weights), ranked, exported."""
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlmodel import Session

from services.common.db import get_engine
from services.reporting.rectification import service as rectification
from services.reporting.rectification.service import today
from services.reporting.assessment.service import quarter_start
from services.reporting.selfreports.service import due_date, quarter_bounds
from tests.reporting.conftest import make_inspection, org, registry_accounts, registry_sites
from tests.reporting.rectification.conftest import issue_notice
from tests.reporting.rectification.test_shared_tasks import opened_tasks

COUNTY, FAILING = "华阴市", "华阴市教育局"


def huayin_inspection() -> int:
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    with Session(get_engine()) as session:
        county = org(session, COUNTY)
        targets = [{"kind": "site", "target_id": s.id, "name": s.name, "org_path": s.org_path, "url": s.homepage_url,
                    "verdict": "fail" if s.name == FAILING else "pass",
                    "findings": [("column_not_updated", "deduct", "多个栏目更新不及时", {})] if s.name == FAILING else []}
                   for s in registry_sites(session, county)]
        targets += [{"kind": "account", "target_id": a.id, "name": a.registered_name, "org_path": a.org_path,
                     "platform": str(a.platform), "verdict": "pass", "findings": []}
                    for a in registry_accounts(session, county)]
        return make_inspection(session, county, "华阴市年度考核测试检查", now, targets).id


def test_ranking_weights_and_export(reporting, auth):
    h = auth("huayin_supervisor")
    year = today().year
    notice = issue_notice(reporting, h, huayin_inspection(), today() - timedelta(days=1))
    (task,) = opened_tasks(reporting, h, notice["id"])
    assert task["target_name"] == FAILING
    with Session(get_engine()) as session:
        rectification.sweep_deadlines(session, today())

    def owed(since: str) -> int:
        """Missing reports count from the quarter the unit was onboarded (its first inspection), never before."""
        return len([q for q in (1, 2, 3, 4) if due_date(year, q) < today()
                    and quarter_bounds(year, q)[0].isoformat() >= since])

    body = reporting.get("/api/v1/assessment", headers=h, params={"year": year}).json()
    assert body["weights_source"] == "default" and body["weights"]["site_failure"] == 2.0
    rows = {r["unit_name"]: r for r in body["rows"]}
    assert COUNTY not in rows  # the office assesses its units
    edu = rows[FAILING]
    # Onboarded no later than this test's inspection (earlier tests of the run may have inspected it before).
    assert edu["since"] <= quarter_start(today() - timedelta(days=3)).isoformat()
    due = owed(edu["since"])
    assert (edu["site_failures"], edu["overdue_tasks"], edu["unrectified_tasks"], edu["missing_reports"]) == (1, 1, 1, due)
    assert edu["deduction"] == 2 + 2 + 3 + 2 * due and edu["score"] == 100 - edu["deduction"]
    assert edu["grade"] == ("优秀" if edu["score"] >= 90 else "良好" if edu["score"] >= 80 else "合格")
    assert body["rows"][-1]["unit_name"] == FAILING and body["rows"][-1]["rank"] == len(body["rows"])
    passing = [r for r in body["rows"] if r["unit_name"] != FAILING]
    assert passing and all(r["missing_reports"] == owed(r["since"]) and r["score"] == 100 - r["deduction"]
                           for r in passing)
    same = [r for r in passing if r["score"] == passing[0]["score"]]
    assert len({r["rank"] for r in same}) == 1  # ties share a rank

    # The county sets its own weights; the city's view of the county follows them; the audit keeps it.
    put = reporting.put("/api/v1/assessment/weights", headers=h,
                        json={"year": year, "weights": {"site_failure": 10, "missing_report": 0}})
    assert put.status_code == 200, put.text
    body = reporting.get("/api/v1/assessment", headers=h, params={"year": year}).json()
    edu = next(r for r in body["rows"] if r["unit_name"] == FAILING)
    assert body["weights_source"] != "default" and edu["deduction"] == 10 + 2 + 3
    with Session(get_engine()) as session:
        county_id = org(session, COUNTY).id
    city = reporting.get("/api/v1/assessment/weights", headers=auth("weinan_supervisor"),
                         params={"year": year, "org_id": county_id}).json()
    assert city["source"] == str(county_id) and city["weights"]["site_failure"] == 10
    assert reporting.put("/api/v1/assessment/weights", headers=auth("minzheng_operator"),
                         json={"year": year, "weights": {}}).status_code == 403
    bad = reporting.put("/api/v1/assessment/weights", headers=h, json={"year": year, "weights": {"site_failure": -1}})
    assert bad.status_code == 422
    # Another county cannot look into 华阴市.
    assert reporting.get("/api/v1/assessment", headers=auth("hancheng_supervisor"),
                         params={"year": year, "org_id": county_id}).status_code == 404

    export = reporting.get("/api/v1/assessment/export", headers=h, params={"year": year})
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet["A1"].value == f"{COUNTY}{year}年度政府网站与政务新媒体监管考核排名"
    assert [c.value for c in sheet[3]][:2] == ["排名", "单位"]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[1] == FAILING and last[-2:] == [100 - (10 + 2 + 3), "良好"]


def test_the_assessed_year_is_the_beijing_calendar_year(reporting, auth):
    """A failure found at 2021-12-31T17:00Z — 2022年1月1日 01:00 in Beijing — counts for 2022, not 2021."""
    from sqlmodel import select

    from services.registry.orgs.models import Organisation
    from services.reporting.statistics.models import TargetFact

    with Session(get_engine()) as session:
        district = org(session, "临渭区")
        unit = session.exec(select(Organisation).where(Organisation.parent_id == district.id)
                            .order_by(Organisation.id)).first()
        session.add(TargetFact(inspection_id=970_001, inspection_name="跨年检查", inspection_now=datetime(
            2021, 12, 31, 17, 0, tzinfo=UTC), scope_org_path=district.path, kind="site", target_id=970_001,
            name="跨年测试网站", org_path=unit.path, site_kind="department", verdict="fail"))
        unit_name = unit.name
        session.commit()
    h = auth("linwei_supervisor")

    def failures(year: int) -> int:
        body = reporting.get("/api/v1/assessment", headers=h, params={"year": year}).json()
        return sum(r["site_failures"] for r in body["rows"] if r["unit_name"] == unit_name)

    assert (failures(2021), failures(2022)) == (0, 1)


def test_grades_follow_the_bands_and_nothing_before_the_platform_was_in_use(reporting, auth):
    """Bands are the office's setting; a unit onboarded in an earlier year owes reports only from the day the
    platform went into use (in_use_since), not for the quarters before."""
    h = auth("huayin_supervisor")
    year = today().year
    with Session(get_engine()) as session:
        from services.reporting.statistics.models import TargetFact
        county_path, unit_path = org(session, COUNTY).path, org(session, "华阴市退役军人事务局").path
        # The unit was first inspected two years ago: every due quarter of this year is the unit's to report.
        session.add(TargetFact(inspection_id=970_101, inspection_name="早期检查", inspection_now=datetime(
            year - 2, 5, 1, tzinfo=UTC), scope_org_path=county_path, kind="site", target_id=970_101,
            name="早期检查网站", org_path=unit_path, site_kind="department", verdict="pass"))
        session.commit()
    due = [q for q in (1, 2, 3, 4) if due_date(year, q) < today()]
    weights = {"excellent": 100, "good": 100 - 2 * len(due), "passing": 50}
    assert reporting.put("/api/v1/assessment/weights", headers=h, json={"year": year, "weights": weights}).status_code == 200
    row = next(r for r in reporting.get("/api/v1/assessment", headers=h, params={"year": year}).json()["rows"]
               if r["org_path"] == unit_path)
    assert row["missing_reports"] == len(due) and row["since"] == f"{year}-01-01"

    def band(score: float) -> str:
        return "优秀" if score >= 100 else "良好" if score >= weights["good"] else "合格" if score >= 50 else "不合格"

    assert row["grade"] == band(row["score"])
    before = row["score"]
    # The platform went into use this quarter: the earlier quarters are not deducted.
    weights["in_use_since"] = quarter_start(today()).isoformat()
    reporting.put("/api/v1/assessment/weights", headers=h, json={"year": year, "weights": weights})
    row = next(r for r in reporting.get("/api/v1/assessment", headers=h, params={"year": year}).json()["rows"]
               if r["org_path"] == unit_path)
    assert row["missing_reports"] == 0 and row["score"] == before + 2 * len(due)
    assert row["grade"] == band(row["score"])
    # Bands must descend.
    bad = reporting.put("/api/v1/assessment/weights", headers=h,
                        json={"year": year, "weights": {"excellent": 70, "good": 80}})
    assert bad.status_code == 422 and "优秀 ≥ 良好 ≥ 合格" in str(bad.json())
