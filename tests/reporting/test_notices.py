"""Notice lifecycle: 409 for unfinished inspections and issued notices, S3 outages (retried; nothing
half-stored; render_failed and re-issuable), versions never overwritten, scope (404 for other tiers)."""
import itertools
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select
from urllib3.exceptions import ProtocolError

from services.checker.inspections.models import Inspection, InspectionState
from services.common.db import get_engine
from services.common.s3 import get_s3
from services.common.settings import get_settings
from services.common.auth import Principal, Role
from services.reporting.clients import ServiceClient
from services.reporting.notices import flows, service, storage
from services.reporting.notices.models import NoticeFile, NoticePublic
from services.reporting.settings import get_reporting_settings
from tests.reporting.conftest import make_inspection, org, registry_accounts, registry_sites, utc
from tests.reporting.docs import docx_text
from tests.reporting.issuing import issue

_day = itertools.count(1)


def hancheng_inspection(state: InspectionState = InspectionState.completed) -> int:
    with Session(get_engine()) as session:
        county = org(session, "韩城市")
        targets = [{"kind": "site", "target_id": s.id, "name": s.name, "org_path": s.org_path, "url": s.homepage_url,
                    "verdict": "fail" if s.name == "韩城市财政局" else "pass",
                    "findings": [("unreachable", "veto", "监测时间点无法访问", {})] if s.name == "韩城市财政局" else []}
                   for s in registry_sites(session, county)]
        targets += [{"kind": "account", "target_id": a.id, "name": a.registered_name, "org_path": a.org_path,
                     "platform": str(a.platform), "verdict": "pass", "findings": []}
                    for a in registry_accounts(session, county)]
        return make_inspection(session, county, "韩城市专项检查", utc(2024, 5, next(_day)), targets, state=state).id


def set_state(inspection_id: int, state: InspectionState) -> None:
    with Session(get_engine()) as session:
        row = session.get(Inspection, inspection_id)
        row.state = state
        if state == InspectionState.running:  # fresh, so no worker's orphan sweeper completes it under the test
            row.started_at = datetime.now(UTC)
        session.add(row)
        session.commit()


@pytest.fixture
def draft(reporting, auth):
    response = reporting.post("/api/v1/notices", headers=auth("hancheng_supervisor"),
                              json={"inspection_id": hancheng_inspection()})
    assert response.status_code == 201, response.text
    return response.json()


def issue_here(notice: dict, formats=("docx", "xlsx")):
    """Claim and render in this process (no worker), so a test can stand in for S3."""
    with Session(get_engine()) as session, ServiceClient() as client:
        me = Principal(sub="user:test", org_id=notice["scope_org_id"], org_path=notice["scope_org_path"],
                       role=Role.supervisor, jti="t", iat=0, exp=0)
        return NoticePublic.model_validate(service.public(session, flows.issue_now(session, me, client, notice["id"],
                                                                                   formats))).model_dump(mode="json")


def stored_keys(notice_id: int) -> list[str]:
    return [o.object_name for o in get_s3().list_objects(get_settings().bucket_notices,
                                                          prefix=f"notices/{notice_id}/", recursive=True)]


class FlakyS3:
    """The real S3 client whose put_object fails (connection aborted) when `fails(call_number)` says so."""

    def __init__(self, fails):
        self.real, self.fails, self.puts = get_s3(), fails, []

    def put_object(self, bucket, key, *args, **kwargs):
        self.puts.append(key)
        if self.fails(len(self.puts)):
            raise ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
        return self.real.put_object(bucket, key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def fast_retries():
    rs = get_reporting_settings()
    saved = rs.store_wait_seconds, rs.store_attempts
    rs.store_wait_seconds, rs.store_attempts = 0.01, 3
    yield rs
    rs.store_wait_seconds, rs.store_attempts = saved


# --- 409s --------------------------------------------------------------------------------------------


def test_unfinished_inspection_gives_409(reporting, auth):
    h = auth("hancheng_supervisor")
    running = hancheng_inspection(InspectionState.running)
    response = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": running})
    assert response.status_code == 409 and response.json()["detail"]["code"] == "inspection_not_completed"
    # A draft whose inspection went back to running (a target re-run) cannot be issued either.
    completed = hancheng_inspection()
    notice = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": completed}).json()
    set_state(completed, InspectionState.running)
    try:
        response = issue(reporting, h, notice["id"])
        assert response.status_code == 409 and response.json()["detail"]["code"] == "inspection_not_completed"
        assert reporting.get(f"/api/v1/notices/{notice['id']}", headers=h).json()["state"] == "draft"
    finally:
        set_state(completed, InspectionState.completed)


def test_issued_notice_is_immutable_and_reissue_makes_a_new_version(reporting, auth, draft):
    h = auth("hancheng_supervisor")
    nid = draft["id"]
    edited = reporting.patch(f"/api/v1/notices/{nid}", headers=h, json={"intro": "第一版导语。"})
    assert edited.status_code == 200 and edited.json()["content"]["intro"] == "第一版导语。"
    first = issue(reporting, h, nid).json()
    assert first["state"] == "issued" and first["version"] == 1
    v1 = {f["format"]: f for f in first["files"]}
    response = reporting.patch(f"/api/v1/notices/{nid}", headers=h, json={"intro": "改写"})
    assert response.status_code == 409 and response.json()["detail"]["code"] == "notice_not_editable"
    assert issue(reporting, h, nid).status_code == 409
    # Revise → edit → issue: version 2 beside version 1, nothing overwritten.
    assert reporting.post(f"/api/v1/notices/{nid}/revise", headers=h).json()["state"] == "draft"
    reporting.patch(f"/api/v1/notices/{nid}", headers=h, json={"intro": "第二版导语。"})
    second = issue(reporting, h, nid).json()
    assert second["state"] == "issued" and second["version"] == 2
    v2 = {f["format"]: f for f in second["files"] if f["version"] == 2}
    assert v2["docx"]["key"].startswith(f"notices/{nid}/v2/") and v1["docx"]["key"].startswith(f"notices/{nid}/v1/")
    assert v1["docx"]["sha256"] != v2["docx"]["sha256"]
    old = reporting.get(f"/api/v1/notices/{nid}/versions/1/files/docx", headers=h)
    assert old.status_code == 200 and "第一版导语。" in docx_text(old.content)
    assert old.headers["x-content-sha256"] == v1["docx"]["sha256"]
    assert "第二版导语。" in docx_text(reporting.get(f"/api/v1/notices/{nid}/files/docx", headers=h).content)
    assert len(stored_keys(nid)) == 4
    assert [v["version"] for v in reporting.get(f"/api/v1/notices/{nid}/versions", headers=h).json()] == [1, 2]


# --- S3 outages ---------------------------------------------------------------------------------------


def test_transient_s3_outage_is_retried(reporting, auth, draft, monkeypatch, fast_retries):
    flaky = FlakyS3(lambda n: n <= 2)  # the first two puts fail, then S3 is back
    monkeypatch.setattr(storage, "get_s3", lambda: flaky)
    notice = issue_here(draft)
    assert notice["state"] == "issued" and notice["error"] is None
    assert len(flaky.puts) == 4 and flaky.puts[0] == flaky.puts[1] == flaky.puts[2]
    assert len(stored_keys(draft["id"])) == 2


def test_lasting_s3_outage_stores_nothing_and_leaves_render_failed(reporting, auth, draft, monkeypatch,
                                                                     fast_retries):
    h = auth("hancheng_supervisor")
    nid = draft["id"]
    flaky = FlakyS3(lambda n: n > 1)  # the docx goes in, then S3 goes away for good
    monkeypatch.setattr(storage, "get_s3", lambda: flaky)
    notice = issue_here(draft)
    # The user reads what happened in Chinese; the exception stays in the log.
    assert notice["state"] == "render_failed" and notice["error"] == flows.FAILED and "Error" not in notice["error"]
    assert notice["version"] == 0 and notice["files"] == []
    assert len(flaky.puts) == 1 + fast_retries.store_attempts
    assert stored_keys(nid) == []  # the docx already put was removed again
    with Session(get_engine()) as session:
        assert session.exec(select(NoticeFile).where(NoticeFile.notice_id == nid)).all() == []
    assert reporting.get(f"/api/v1/notices/{nid}/files/docx", headers=h).status_code == 404
    # Still editable, and issuing again once S3 is back gives version 1.
    assert reporting.patch(f"/api/v1/notices/{nid}", headers=h, json={"doc_number": "韩政办发〔2024〕3号"}).status_code == 200
    monkeypatch.undo()
    again = issue(reporting, h, nid).json()
    assert again["state"] == "issued" and again["version"] == 1 and again["error"] is None
    assert len(stored_keys(nid)) == 2


# --- scope and roles ----------------------------------------------------------------------------------


def test_other_tiers_get_404(reporting, auth, draft):
    h = auth("hancheng_supervisor")
    nid = draft["id"]
    assert issue(reporting, h, nid).json()["state"] == "issued"
    neighbour = auth("linwei_supervisor")
    for path in (f"/api/v1/notices/{nid}", f"/api/v1/notices/{nid}/files/docx",
                 f"/api/v1/notices/{nid}/versions/1/files/xlsx", f"/api/v1/notices/{nid}/versions"):
        response = reporting.get(path, headers=neighbour)
        assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found", path
    assert nid not in [n["id"] for n in reporting.get("/api/v1/notices", headers=neighbour,
                                                       params={"limit": 500}).json()["items"]]
    assert issue(reporting, neighbour, nid).status_code == 404
    # The city above sees and downloads it; a viewer may read but not issue; no token, 401.
    city_viewer = auth("weinan_viewer")
    download = reporting.get(f"/api/v1/notices/{nid}/files/docx", headers=city_viewer)
    assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"  # never sniffed into another type
    assert reporting.post(f"/api/v1/notices/{nid}/revise", headers=city_viewer).status_code == 403
    assert reporting.get(f"/api/v1/notices/{nid}").status_code == 401


def test_a_county_cannot_assemble_another_tiers_inspection(reporting, auth, seed004):
    response = reporting.post("/api/v1/notices", headers=auth("hancheng_supervisor"),
                              json={"inspection_id": seed004["current"]})
    assert response.status_code == 404
    # Not even a 409 for an unfinished one: outside the subtree, state is not disclosed.
    running = hancheng_inspection(InspectionState.running)
    response = reporting.post("/api/v1/notices", headers=auth("linwei_supervisor"), json={"inspection_id": running})
    assert response.status_code == 404


def test_dates_are_beijing_days_before_eight_utc():
    """At 2026-12-04T23:30Z (07:30 Beijing) the notice, its check period and the self-report carry 12月5日."""
    from datetime import date

    from services.reporting.notices import assembly
    from services.reporting.notices.render_docx import render_docx
    from services.reporting.notices.text import plain_text
    from services.reporting.selfreports.models import SelfReport
    from services.reporting.selfreports.render import render_report

    instant = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    g = assembly.Gathered(
        inspection={"id": 1, "name": "2026年第四季度抽查", "scope_org_id": 7, "scope_org_path": "/1/7/",
                    "state": "completed", "window_start": "2026-12-03T17:00:00Z", "window_end": "2026-12-04T23:30:00Z",
                    "now": "2026-12-04T23:30:00Z"},
        scope_org={"id": 7, "name": "渭南市", "kind": "city", "path": "/1/7/"},
        results=[{"kind": "site", "target_id": 1, "name": "渭南市民政局", "verdict": "pass", "org_path": "/1/7/",
                  "checked_at": "2026-12-04T23:30:00Z"}])
    content = assembly.build(g, now=instant)
    assert content.issue_date == date(2026, 12, 5)
    assert (content.deadline - date(2026, 12, 5)).days == get_reporting_settings().rectification_days
    assert "2026年12月5日" in plain_text(content) and "2026年12月5日" in docx_text(render_docx(content))
    # The site was checked at 07:30 Beijing time on 12月5日; without a result time, the inspection's window.
    assert content.attachment1_period == "（检查时间：12月5日）"
    del g.results[0]["checked_at"]
    assert assembly.build(g, now=instant).attachment1_period == "（检查时间：12月4日——12月5日）"

    report = SelfReport(org_id=7, org_path="/1/7/", unit_name="渭南市民政局", year=2026, quarter=4, title="自查报告",
                        due_date=date(2027, 1, 15), created_by="t", created_at=instant)
    assert docx_text(render_report(report)).rstrip().endswith("2026年12月5日")


def test_addressees_by_what_the_office_is_and_the_imprint_is_editable(reporting, auth, draft):
    """韩城市 is a county-level city: its 主送 names 市人民政府各工作部门, never 县…; the title is built from the
    round, not pasted from the inspection's name; 主送 and 版记 (抄送, 印发机关, 印发日期) are edited on the draft
    and printed."""
    h = auth("hancheng_supervisor")
    c = draft["content"]
    assert c["addressees"] == "各镇人民政府、街道办事处，市人民政府各工作部门、直属机构"
    assert c["title"] == "韩城市人民政府办公室关于2024年第二季度政府网站与政务新媒体专项检查情况的通报"
    assert c["printed_by"] == "韩城市人民政府办公室" and c["printed_on"] is None
    bad = reporting.patch(f"/api/v1/notices/{draft['id']}", headers=h, json={"attachment1_columns": ["序号", "密码"]})
    assert bad.status_code == 422
    edited = reporting.patch(f"/api/v1/notices/{draft['id']}", headers=h, json={
        "addressees": "各镇人民政府、街道办事处，市政府各工作部门，各有关单位", "cc": "市委办公室，市人大常委会办公室",
        "printed_by": "韩城市人民政府办公室", "printed_on": "2024-05-20",
        "attachment1_columns": ["序号", "网站名称", "类型", "检查结果", "突出问题"]})
    assert edited.status_code == 200, edited.text
    issued = issue(reporting, h, draft["id"]).json()
    assert issued["state"] == "issued", issued["error"]
    data = reporting.get(f"/api/v1/notices/{draft['id']}/files/docx", headers=h).content
    text = docx_text(data)
    assert "各镇人民政府、街道办事处，市政府各工作部门，各有关单位：" in text and "县人民政府" not in text
    assert "抄送：市委办公室，市人大常委会办公室。" in text
    assert "韩城市人民政府办公室\t2024年5月20日印发" in text
    from tests.reporting.docs import docx_tables
    assert docx_tables(data)[0][0] == ("序号", "网站名称", "类型", "检查结果", "突出问题")


def test_city_addressees_name_its_zones_as_seed_004():
    from services.reporting.notices.assembly import default_addressees

    city = {"id": 2, "name": "渭南市", "kind": "city"}
    zones = [{"name": n, "kind": "department", "parent_id": 2} for n in ("渭南高新区管委会", "渭南经开区管委会", "华山景区管委会")]
    assert default_addressees(city, zones) == ("各县、市、区人民政府，市人民政府各工作部门、直属机构，"
                                               "渭南高新区、经开区、华山景区管委会")
    assert default_addressees({"name": "华州区", "kind": "county"}).startswith("各镇人民政府、街道办事处，区人民政府")
    assert default_addressees({"name": "白水县", "kind": "county"}).startswith("各镇人民政府、街道办事处，县人民政府")
    assert default_addressees({"name": "渭南市民政局", "kind": "department"}) == "各有关单位"


@pytest.mark.parametrize(("name", "now", "kinds", "title", "attachment"), [
    # The demo's inspection name once gave "…2026年第四季度网站和政务新媒体抽查政府网站与政务新媒体检查情况的通报".
    ("2026年第四季度网站和政务新媒体抽查", "2026-12-04T23:30:00Z", ["site", "account"],
     "韩城市人民政府办公室关于2026年第四季度政府网站与政务新媒体抽查情况的通报", "2026年第四季度政府网站抽查情况汇总表"),
    ("2024年第一次全面检查", "2024-02-20T00:00:00Z", ["site", "account"],
     "韩城市人民政府办公室关于2024年第一次政府网站与政务新媒体全面检查情况的通报", "2024年第一次政府网站全面检查情况汇总表"),
    # No period in the name: the quarter of the monitoring day in Beijing (2026-04-01 01:00 there).
    ("韩城市政府网站专项检查（第2轮）", "2026-03-31T17:00:00Z", ["site"],
     "韩城市人民政府办公室关于2026年第二季度政府网站专项检查情况的通报", "2026年第二季度政府网站专项检查情况汇总表"),
    ("2021年二季度新媒体检查", "2021-06-30T00:00:00Z", ["account"],
     "韩城市人民政府办公室关于2021年二季度政务新媒体检查情况的通报", None),
])
def test_titles_are_built_from_the_round_never_pasted(name, now, kinds, title, attachment):
    from services.reporting.notices import assembly

    g = assembly.Gathered(
        inspection={"id": 1, "name": name, "scope_org_id": 7, "scope_org_path": "/1/7/", "state": "completed",
                    "now": now, "target_kinds": kinds},
        scope_org={"id": 7, "name": "韩城市", "kind": "county", "path": "/1/7/"}, results=[])
    content = assembly.build(g)
    assert content.title == title
    if attachment:
        assert content.attachment1_title == attachment
    assert name not in content.title and name not in content.intro


def test_a_unit_the_notice_names_reads_and_downloads_its_issued_versions(reporting, auth, draft):
    """Issue 16, item 10: a department (and any reader of it) opens and downloads the 通报 that names it;
    drafts stay with the issuer, and a unit the notice does not name still gets 404."""
    nid, issuer = draft["id"], auth("hancheng_supervisor")
    named, other = auth("hancheng_czj_operator"), auth("minzheng_operator")
    paths = (f"/api/v1/notices/{nid}", f"/api/v1/notices/{nid}/files/docx", f"/api/v1/notices/{nid}/versions")
    for path in paths:  # a draft is the issuer's
        assert reporting.get(path, headers=named).status_code == 404, path
    assert nid not in [n["id"] for n in reporting.get("/api/v1/notices", headers=named,
                                                       params={"limit": 500}).json()["items"]]
    issued = issue(reporting, issuer, nid).json()
    assert issued["state"] == "issued"
    for path in paths:
        assert reporting.get(path, headers=named).status_code == 200, path
        assert reporting.get(path, headers=other).status_code == 404, path
    download = reporting.get(f"/api/v1/notices/{nid}/versions/1/files/xlsx", headers=named)
    assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment;")
    listed = reporting.get("/api/v1/notices", headers=named, params={"limit": 500}).json()["items"]
    assert [n["state"] for n in listed if n["id"] == nid] == ["issued"]
    # Reading is not managing: the named unit cannot revise, edit or re-issue.
    assert reporting.post(f"/api/v1/notices/{nid}/revise", headers=named).status_code == 403
    # While the issuer drafts the next version, the named unit still reads version 1 as printed.
    assert reporting.post(f"/api/v1/notices/{nid}/revise", headers=issuer).status_code == 200
    again = reporting.post(f"/api/v1/notices/{nid}/revise", headers=issuer)
    assert again.status_code == 409 and again.json()["detail"]["message"] == "只有已印发的通报可以修订（当前为草稿）"
    changed = reporting.patch(f"/api/v1/notices/{nid}", headers=issuer, json={"title": "修订中的草稿标题"})
    assert changed.status_code == 200, changed.text
    seen = reporting.get(f"/api/v1/notices/{nid}", headers=named).json()
    assert seen["state"] == "issued" and seen["content"]["title"] == issued["content"]["title"] != "修订中的草稿标题"
    assert reporting.get(f"/api/v1/notices/{nid}", headers=issuer).json()["state"] == "draft"
