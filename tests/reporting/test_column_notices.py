"""信息公开专栏 in notices (issue 14 item 1, issue 15): counted apart from the sites with their own pass rate in
seed 001's words (“市级部门信息公开专栏38个 … 问题专栏1个，合格率97.37%”), their own attachment rows, their
problems named with the sites', and a rectification task for a failing 专栏 of its own."""
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site, SiteKind, SiteState
from services.reporting.settings import get_reporting_settings
from tests.reporting.conftest import make_inspection, org
from tests.reporting.docs import docx_tables, docx_text
from tests.reporting.issuing import issue

SERIOUS = ("serious_error", "veto", "存在严重表述错误：“中华人名共和国”应为“中华人民共和国”", {"word": "中华人名共和国"})
_n = itertools.count(1)


@pytest.fixture
def two_decimals():
    """Seed 001 prints 97.37%: the rate's decimals are a setting (seed 004 prints one)."""
    rs = get_reporting_settings()
    saved = rs.pass_rate_decimals
    rs.pass_rate_decimals = 2
    yield
    rs.pass_rate_decimals = saved


def _gathered(sites_failing: int = 1, columns_failing: int = 1, columns: int = 38, sites: int = 9):
    from services.reporting.notices import assembly

    city = {"id": 7, "name": "临沧市", "kind": "city", "path": "/1/7/"}
    g = assembly.Gathered(
        inspection={"id": 2, "name": "2021年二季度政府网站和政务新媒体检查", "scope_org_id": 7, "scope_org_path": "/1/7/",
                    "state": "completed", "now": "2021-06-30T02:00:00Z", "target_kinds": ["site"]},
        scope_org=city, results=[])
    g.orgs = {7: city}
    for i in range(1, sites + 1):
        kind = "portal" if i == 1 else "department"
        g.sites[i] = {"id": i, "name": f"临沧市第{i}网站", "kind": kind, "org_path": f"/1/7/{100 + i}/"}
        g.results.append({"kind": "site", "target_id": i, "name": g.sites[i]["name"], "org_path": f"/1/7/{100 + i}/",
                          "verdict": "fail" if i <= sites_failing else "pass", "checked_at": "2021-06-30T02:00:00Z"})
    names = (["临沧市自然资源和规划局信息公开专栏"] + [f"临沧市第{i}部门信息公开专栏" for i in range(2, columns + 1)])[:columns]
    for i, name in enumerate(names, start=1):
        target_id = 1000 + i
        g.sites[target_id] = {"id": target_id, "name": name, "kind": "column", "org_path": f"/1/7/{200 + i}/",
                              "host_site_id": 1, "url_prefix": f"http://www.lincang.gov.cn/bmzl/{i}/"}
        failing = i <= columns_failing
        g.results.append({"kind": "site", "target_id": target_id, "name": name, "org_path": f"/1/7/{200 + i}/",
                          "verdict": "fail" if failing else "pass", "checked_at": "2021-06-30T02:00:00Z",
                          "indicators": ["serious_error"] if failing else []})
        if failing:
            g.details[("site", target_id)] = {"findings": [{"indicator": SERIOUS[0], "severity": SERIOUS[1],
                                                            "message": SERIOUS[2], "data": SERIOUS[3]}],
                                              "target": {"kind": "site", "id": target_id,
                                                         "scope": g.sites[target_id]["url_prefix"]}}
    return g


def test_the_overview_counts_columns_apart_in_seed_001s_words(two_decimals):
    from services.reporting.notices import assembly
    from services.reporting.notices.render_docx import render_docx
    from services.reporting.notices.text import attachment_list, plain_text

    content = assembly.build(_gathered())
    assert content.sites.total == 9 and content.sites.failed == 1
    assert (content.columns.total, content.columns.passed, content.columns.failed) == (38, 37, 1)
    overview = content.overview
    assert "登记在运行市级部门信息公开专栏38个" in overview
    assert "问题专栏1个，合格率97.37%" in overview
    assert "不合格政府网站1个，合格率88.89%" in overview  # the sites' rate leaves the 专栏 out (8 of 9)
    assert "（一）政府网站和信息公开专栏检查情况。" in overview
    # Its own rows: the failing 专栏 in its own table, not among the sites.
    assert [r.name for r in content.column_rows] == ["临沧市自然资源和规划局信息公开专栏"]
    assert all("专栏" not in r.name for r in content.site_rows)
    assert content.column_rows[0].result == "不合格" and "严重表述错误" in content.column_rows[0].remark
    # Its problem reads with the sites' (seed 001: 存在严重表述错误，如：市自然资源和规划局信息公开专栏).
    assert "自然资源规划局信息公开专栏存在严重表述错误" in content.problems and "专栏网站" not in content.problems
    titles = attachment_list(content)
    assert titles[-1] == content.columns_title and "信息公开专栏" in content.columns_title
    assert "信息公开专栏" in plain_text(content)
    data = render_docx(content)
    tables = docx_tables(data)
    assert tables[-1][0] == ("序号", "专栏名称", "检查结果", "突出问题")
    assert tables[-1][1][1] == "临沧市自然资源和规划局信息公开专栏"
    assert "问题专栏1个，合格率97.37%" in docx_text(data)


def test_a_round_without_columns_reads_as_before():
    from services.reporting.notices import assembly

    content = assembly.build(_gathered(columns=0, columns_failing=0))
    assert "专栏" not in content.overview and content.column_rows == [] and content.columns.total == 0
    from services.reporting.notices.text import attachment_list
    assert not any("专栏" in t for t in attachment_list(content))


def test_columns_only_and_all_passing(two_decimals):
    from services.reporting.notices import assembly

    content = assembly.build(_gathered(sites=0, sites_failing=0, columns=4, columns_failing=0))
    assert "登记在运行市级部门信息公开专栏4个。检查结果为：问题专栏0个，合格率100%" in content.overview


def test_previous_rounds_columns_are_compared_apart(two_decimals):
    from services.reporting.notices import assembly

    g = _gathered(columns=10, columns_failing=1)
    previous = [{"kind": "site", "target_id": r["target_id"], "verdict": "fail" if r["target_id"] in (1001, 1002, 1003)
                 else "pass"} for r in g.results]
    g.previous = {"id": 1, "name": "2021年一季度检查", "now": "2021-03-30T02:00:00Z"}
    assembly.split_previous_columns(g, previous)
    assert g.prev_counts["column"] == (7, 10) and g.prev_counts["site"] == (9, 9)
    content = assembly.build(g)
    assert "问题专栏1个，合格率90%，较2021年一季度检查提升20个百分点" in content.overview


# ---------------------------------------------------------------------------------------------------
# Through the services: registry 专栏, checker results, the issued notice and its tasks


def _column_county() -> dict[str, Any]:
    """A county of its own under 渭南市 (so no other test's inventory is counted): its portal, a department site and
    two departments' 专栏 on the portal."""
    n = next(_n)
    with Session(get_engine()) as session:
        city = org(session, "渭南市")

        def unit(name: str, kind: str, parent: Organisation) -> Organisation:
            o = Organisation(name=name, kind=kind, parent_id=parent.id, region_code=parent.region_code)
            session.add(o)
            session.flush()
            o.path = f"{parent.path}{o.id}/"
            return o

        county = unit(f"专栏测试{n}县", "county", city)
        depts = [unit(f"专栏测试{n}县{x}", "department", county) for x in ("民政局", "自然资源局", "教育局")]
        base = f"http://www.zlcs{n}.gov.cn"
        # Kind department: a portal under 渭南市 would change the count of its portals other tests read.
        portal = Site(name=f"专栏测试{n}县人民政府", homepage_url=f"{base}/", kind=SiteKind.department,
                      host_org_id=county.id, supervising_org_id=county.id, org_path=county.path, state=SiteState.active)
        site = Site(name=f"专栏测试{n}县教育局", homepage_url=f"http://jyj.zlcs{n}.gov.cn/", kind=SiteKind.department,
                    host_org_id=depts[2].id, supervising_org_id=county.id, org_path=depts[2].path,
                    state=SiteState.active)
        session.add_all([portal, site])
        session.flush()
        columns = [Site(name=f"{d.name}信息公开专栏", homepage_url=f"{base}/bmzl/{i}/", kind=SiteKind.column,
                        host_site_id=portal.id, url_prefix=f"{base}/bmzl/{i}/", host_org_id=d.id,
                        supervising_org_id=county.id, org_path=d.path, state=SiteState.active)
                   for i, d in enumerate(depts[:2], start=1)]
        session.add_all(columns)
        session.commit()
        now = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        failing = columns[1]
        targets = [{"kind": "site", "target_id": s.id, "name": s.name, "org_path": s.org_path, "url": s.homepage_url,
                    "verdict": "fail" if s.id == failing.id else "pass",
                    "findings": [SERIOUS] if s.id == failing.id else []} for s in (portal, site, *columns)]
        inspection = make_inspection(session, county, f"专栏测试{n}县政府网站检查", now, targets)
        return {"inspection": inspection.id, "failing": failing.id, "failing_name": failing.name,
                "failing_path": failing.org_path, "passing": columns[0].id, "county": (county.id, county.path,
                                                                                       county.name)}


def test_an_issued_notice_counts_columns_and_opens_a_task_for_the_failing_one(reporting, auth):
    h = auth("weinan_supervisor")
    made = _column_county()
    draft = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": made["inspection"]})
    assert draft.status_code == 201, draft.text
    c = draft.json()["content"]
    assert (c["sites"]["total"], c["columns"]["total"], c["columns"]["failed"]) == (2, 2, 1)
    assert "登记在运行县级部门信息公开专栏2个" in c["overview"] and "问题专栏1个，合格率50%" in c["overview"]
    assert [r["target_id"] for r in c["column_rows"]] == [made["failing"]]
    assert made["passing"] not in {r["target_id"] for r in c["site_rows"] + c["column_rows"]}

    bad = reporting.patch(f"/api/v1/notices/{draft.json()['id']}", headers=h, json={"columns_columns": ["序号", "密码"]})
    assert bad.status_code == 422
    edited = reporting.patch(f"/api/v1/notices/{draft.json()['id']}", headers=h, json={
        "columns_period": "（检查时间：12月4日）", "columns_columns": ["序号", "专栏名称", "检查结果", "突出问题"]})
    assert edited.status_code == 200 and edited.json()["content"]["columns_period"] == "（检查时间：12月4日）"

    issued = issue(reporting, h, draft.json()["id"], ("docx", "xlsx", "pdf"))
    assert issued.json()["state"] == "issued", issued.json().get("error")
    data = reporting.get(f"/api/v1/notices/{draft.json()['id']}/files/docx", headers=h).content
    text = docx_text(data)
    assert "问题专栏1个，合格率50%" in text and "县自然资源局信息公开专栏存在严重表述错误" in text
    assert "2.2026年第四季度信息公开专栏检查情况汇总表" in text and "（检查时间：12月4日）" in text
    table = docx_tables(data)[-1]
    assert table[0] == ("序号", "专栏名称", "检查结果", "突出问题") and table[1][1:3] == (made["failing_name"], "不合格")
    from pypdf import PdfReader
    import io
    pdf = reporting.get(f"/api/v1/notices/{draft.json()['id']}/files/pdf", headers=h)
    assert pdf.status_code == 200
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "信息公开专栏检查情况汇总表" in pdf_text.replace("\n", "")
    from openpyxl import load_workbook
    xlsx = reporting.get(f"/api/v1/notices/{draft.json()['id']}/files/xlsx", headers=h)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "附件3 信息公开专栏" in book.sheetnames
    rates = {row[0]: row[1:] for row in book["合格率"].iter_rows(values_only=True)}
    assert rates["信息公开专栏"] == (2, 1, 1, "50%")

    tasks = reporting.get("/api/v1/rectification/tasks", headers=h,
                          params={"notice_id": draft.json()["id"]}).json()["items"]
    assert [(t["kind"], t["target_id"]) for t in tasks] == [("site", made["failing"])]
    assert tasks[0]["target_name"] == made["failing_name"] and tasks[0]["org_path"] == made["failing_path"]


def test_the_previous_rounds_rectification_names_its_columns_apart():
    """Seed 001: “经复查，2021年第一季度发现的1个问题网站、3个问题专栏、4个不合格政府系统政务新媒体，均已完成整改。”"""
    from services.reporting.notices.assembly import follow_up_text
    from services.reporting.notices.models import FollowUp

    done = FollowUp(name="2021年第一季度", sites=1, sites_done=1, columns=3, columns_done=3, accounts=4, accounts_done=4)
    assert follow_up_text(done) == "经复查，2021年第一季度发现的1个问题网站、3个问题专栏、4个不合格政务新媒体，均已完成整改。"
    open_ = FollowUp(name="2021年第一季度", columns=2, columns_done=1, pending=["市林业局信息公开专栏"])
    assert follow_up_text(open_).startswith("经复查，2021年第一季度发现的2个问题专栏，已完成整改1个，市林业局信息公开专栏")


def test_a_self_report_counts_its_columns_apart_from_its_sites(upstream):
    from services.reporting.clients import ServiceClient
    from services.reporting.selfreports.service import draft_sections, gather

    county_id, path, name = _column_county()["county"]
    today = datetime.now(UTC)
    with Session(get_engine()) as session, ServiceClient() as client:
        figures = gather(session, client, county_id, path, today.year, (today.month - 1) // 3 + 1)
    assert (figures.sites, figures.columns) == (2, 2)
    sections = draft_sections(name, figures, year=today.year, quarter=(today.month - 1) // 3 + 1)
    assert "共运行政府网站2个、信息公开专栏2个" in sections["sites"]
