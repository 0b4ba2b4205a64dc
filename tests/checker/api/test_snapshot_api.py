"""Page snapshots cited by evidence: served inert (sanitised, strict CSP, sandbox) with the cited text marked,
only to those who see the inspection and only for snapshots the checks of that target cited."""
import hashlib
import re
from datetime import UTC, datetime

import lxml.html
import pytest
from sqlmodel import Session

from services.checker.api.snapshots import SNAPSHOT_PREFIX
from services.checker.inspections.models import (
    Finding, FindingSource, Inspection, InspectionResult, InspectionState, ResultStatus, TargetKind, Verdict,
)
from services.common.db import get_engine
from services.common.s3 import content_key, ensure_buckets, put_bytes
from services.common.settings import get_settings

HOSTILE = """<!DOCTYPE html><html><head><title>检查测试县人民政府</title>
<meta http-equiv="refresh" content="0;url=http://evil.test/">
<base href="http://evil.test/">
<link rel="stylesheet" href="http://evil.test/a.css">
<script src="http://evil.test/a.js"></script><script>document.cookie</script>
<style>body { background: url(http://evil.test/bg.png) }</style></head>
<body onload="steal()">
<div style="background-image:url(http://evil.test/div.png)" onclick="steal()">
<p>本网站由检查测试县人民政府主办。   首页通知：领导同志
出席会议并讲话。</p>
<img src="http://evil.test/pixel.png" onerror="steal()" alt="宣传图">
<a href="javascript:steal()">点我</a> <a href="http://www.example.gov.cn/zwgk/">政务公开</a>
<iframe src="http://evil.test/frame"></iframe>
<object data="http://evil.test/x.swf"></object><embed src="http://evil.test/y.swf">
<form action="http://evil.test/post"><input name="q"><button formaction="http://evil.test/b">搜</button></form>
<svg><image href="http://evil.test/svg.png"/><script>steal()</script></svg>
<video src="http://evil.test/v.mp4" poster="http://evil.test/p.png"></video>
<img srcset="http://evil.test/s1.png 1x">
<p>下文另有一处 领导同志 字样。</p>
</div></body></html>""".encode()
EXCERPT = "首页通知：领导同志 出席会议并讲话。"


def _key(body: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(body).hexdigest()
    return digest, content_key(digest, SNAPSHOT_PREFIX)


@pytest.fixture(scope="module")
def cited(checker, world):
    """An inspection of the test county whose portal result cites the hostile page (stored), a page not
    stored (lost from the store) and a page still spooled; the edu site's result cites a page of its own."""
    bucket = get_settings().bucket_snapshots
    ensure_buckets(bucket)
    digest, key = _key(HOSTILE)
    put_bytes(bucket, HOSTILE, "text/html; charset=utf-8", key=key)
    gone_digest, gone_key = _key(b"<p>never stored</p>")
    spooled_digest, spooled_key = _key(b"<p>spooled</p>")
    other = "<p>教育局页面 招生公告</p>".encode("gbk")
    other_digest, other_key = _key(other)
    put_bytes(bucket, other, "text/html; charset=gbk", key=other_key)
    portal, edu = world.sites["portal"], world.sites["edu"]
    now = datetime.now(UTC)
    with Session(get_engine()) as session:
        inspection = Inspection(name="快照查看测试", scope_org_id=world.county.id, scope_org_path=world.county.path,
                                target_kinds=["site"], now=now, state=InspectionState.completed,
                                created_by="user:0")
        session.add(inspection)
        session.flush()

        def result(site, evidence):
            findings = [{"indicator": "serious_error", "severity": "veto", "message": "首页存在严重错误",
                         "evidence": evidence, "data": {"matches": [{"word": "领导同志", "context": EXCERPT}]}}]
            row = InspectionResult(inspection_id=inspection.id, kind=TargetKind.site, target_id=site.id,
                                   name=site.name, url=site.homepage_url, org_path=site.org_path,
                                   status=ResultStatus.ok, verdict=Verdict.fail, score=100,
                                   result={"target": {"kind": "site", "id": site.id, "url": site.homepage_url},
                                           "indicator_set": "gov-2019", "findings": findings})
            session.add(row)
            session.flush()
            for f in findings:
                session.add(Finding(result_id=row.id, inspection_id=inspection.id, kind=TargetKind.site,
                                    target_id=site.id, indicator=f["indicator"], severity=f["severity"],
                                    message=f["message"], evidence=f["evidence"], data=f["data"]))
            return row

        observed = now.isoformat()
        result(portal, [{"url": portal.homepage_url, "excerpt": EXCERPT, "observed_at": observed, "snapshot": key},
                        {"url": portal.homepage_url, "excerpt": "x", "observed_at": observed, "snapshot": gone_key},
                        {"url": portal.homepage_url, "excerpt": "y", "observed_at": observed,
                         "snapshot": spooled_key, "snapshot_state": "pending"}])
        edu_row = result(edu, [{"url": edu.homepage_url, "excerpt": "招生公告", "observed_at": observed,
                                "snapshot": other_key}])
        # A reviewer's manual finding on the edu result typing in the portal's snapshot key.
        session.add(Finding(result_id=edu_row.id, inspection_id=inspection.id, kind=TargetKind.site,
                            target_id=edu.id, indicator="serious_error", severity="veto", message="人工",
                            evidence=[{"url": edu.homepage_url, "excerpt": EXCERPT, "snapshot": key}],
                            source=FindingSource.manual, created_by="user:0"))
        session.commit()
        return {"id": inspection.id, "portal": portal.id, "edu": edu.id, "digest": digest, "gone": gone_digest,
                "spooled": spooled_digest, "other": other_digest}


def url(c, site_key, digest):
    return f"/api/v1/inspections/{c['id']}/results/site/{c[site_key]}/snapshots/{digest}"


def test_a_hostile_snapshot_is_served_inert_with_the_citation_marked(checker, tokens, cited):
    response = checker.get(url(cited, "portal", cited["digest"]), headers=tokens("ct_viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "img-src 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    lowered = html.lower()
    for hostile in ("<script", "onload", "onerror", "onclick", "javascript:", "evil.test", "<iframe", "<object",
                    "<embed", "<form", "<input", "<base", "<link", "http-equiv=\"refresh\"", "srcset", "<svg",
                    "<video", "steal"):
        assert hostile not in lowered, hostile
    doc = lxml.html.fromstring(html)
    # Nothing that could load: no src/href/style/background/poster/data anywhere.
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ("src", "href", "style", "background", "poster", "data", "action", "formaction"):
            assert name not in element.attrib, (element.tag, name)
    # The document carries its own policy (as embedded from a blob, no response header applies).
    meta = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert meta and "default-src 'none'" in meta[0]
    # The cited excerpt is marked once (whitespace of the page bridged), the quoted word elsewhere too.
    marks = doc.xpath('//mark[@class="gw-hit"]')
    assert [re.sub(r"\s+", " ", m.text_content()) for m in marks][0] == EXCERPT
    assert "领导同志" in [m.text_content() for m in marks]
    assert marks[0].get("id") == "gw-hit-1"
    assert response.headers["x-snapshot-highlights"] == str(len(marks))
    # What stays readable: the text, where a link pointed (as a tooltip), the image's alt text.
    assert "政务公开" in html and 'title="http://www.example.gov.cn/zwgk/"' in html and "［图片：宣传图］" in html


def test_the_page_decodes_by_the_stored_charset(checker, tokens, cited):
    response = checker.get(url(cited, "edu", cited["other"]), headers=tokens("ct_supervisor"))
    assert response.status_code == 200
    assert '<mark class="gw-hit" id="gw-hit-1">招生公告</mark>' in response.text


def test_scope(checker, tokens, cited):
    # A neighbouring county does not see the inspection at all; a department does not see county inspections.
    for user in ("nb_supervisor", "ct_operator"):
        response = checker.get(url(cited, "portal", cited["digest"]), headers=tokens(user))
        assert response.status_code == 404
    assert checker.get(url(cited, "portal", cited["digest"])).status_code == 401
    # A snapshot another target's checks cited is not served through this result, though a manual finding
    # on it types in the key; nor is an arbitrary stored page.
    response = checker.get(url(cited, "edu", cited["digest"]), headers=tokens("ct_supervisor"))
    assert response.status_code == 404 and response.json()["detail"]["code"] == "snapshot_not_found"
    assert checker.get(url(cited, "portal", cited["other"]), headers=tokens("ct_supervisor")).status_code == 404
    # Only a sha256 is a snapshot name (no path into the bucket).
    bad = checker.get(url(cited, "portal", "..%2F..%2Fsecrets"), headers=tokens("ct_supervisor"))
    assert bad.status_code in (404, 422)


def test_missing_and_pending_snapshots_answer_404_in_chinese(checker, tokens, cited):
    gone = checker.get(url(cited, "portal", cited["gone"]), headers=tokens("ct_viewer"))
    assert gone.status_code == 404
    detail = gone.json()["detail"]
    assert detail["code"] == "snapshot_not_found" and detail["message"] == "页面快照已不在文件存储中"
    spooled = checker.get(url(cited, "portal", cited["spooled"]), headers=tokens("ct_viewer"))
    assert spooled.status_code == 404 and "文件存储恢复后" in spooled.json()["detail"]["message"]
    for message in (detail["message"], spooled.json()["detail"]["message"]):
        assert not re.search(r"[A-Za-z]", message)
