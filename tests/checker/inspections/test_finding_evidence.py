"""A reviewer's finding carries evidence links, which the SPA renders as links: only http(s) URLs are
accepted (422 with a zh-CN message otherwise), so a `javascript:` or `data:` URL never reaches a browser."""
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from services.checker.inspections.models import (
    Finding, Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind, Verdict,
)
from services.common.db import get_engine
from tests.checker.inspections.harness import World


@pytest.fixture(scope="module")
def checked_site(world: World) -> str:
    """A completed inspection of the test county with one passing site, as the workers leave it."""
    now = datetime.now(UTC).replace(microsecond=0)
    site = world.sites["portal"]
    with Session(get_engine()) as session:
        inspection = Inspection(name="证据链接测试", scope_org_id=world.county.id, scope_org_path=world.county.path,
                                now=now, target_kinds=[TargetKind.site], state=InspectionState.completed,
                                created_by="user:test", target_count=1, started_at=now, finished_at=now)
        session.add(inspection)
        session.flush()
        session.add(InspectionResult(inspection_id=inspection.id, kind=TargetKind.site, target_id=site.id,
                                     name=site.name, url=site.homepage_url, org_path=site.org_path,
                                     status=ResultStatus.ok, verdict=Verdict.pass_, score=100.0, checked_at=now,
                                     result={"target": {"kind": "site", "id": site.id, "url": site.homepage_url},
                                             "indicator_set": "gov-2019"}))
        session.commit()
        return f"/api/v1/inspections/{inspection.id}/results/site/{site.id}"


BAD = ["javascript:alert(document.cookie)", "JavaScript:alert(1)", " javascript:alert(1)",
       "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x",
       "http:javascript:alert(1)", "http://", "ftp://ftp.example.gov.cn/a"]


@pytest.mark.parametrize("url", BAD)
def test_evidence_urls_other_than_http_are_refused(checker, tokens, checked_site: str, url: str):
    response = checker.post(f"{checked_site}/findings", headers=tokens("ct_supervisor"), json={
        "indicator": "serious_error", "message": "首页领导人姓名错误",
        "evidence": [{"url": "http://www.example.gov.cn/", "excerpt": "正常"}, {"url": url, "excerpt": "……"}]})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_evidence_url" and detail["field"] == "evidence.1.url"
    assert detail["message"] == "证据链接须为以 http:// 或 https:// 开头的网址"


def test_http_evidence_is_kept(checker, tokens, checked_site: str):
    response = checker.post(f"{checked_site}/findings", headers=tokens("ct_supervisor"), json={
        "indicator": "serious_error", "message": "首页领导人姓名错误",
        "evidence": [{"url": " https://www.example.gov.cn/ldzc/ ", "excerpt": "……"}]})
    assert response.status_code == 201, response.text
    with Session(get_engine()) as session:
        urls = [e["url"] for f in session.exec(select(Finding).where(Finding.source == "manual")).all()
                for e in f.evidence]
    assert "https://www.example.gov.cn/ldzc/" in urls and not [u for u in urls if not u.startswith("http")]
