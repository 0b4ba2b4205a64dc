"""Inspections read the ledger: a monitored site's check re-fetches only the homepage, the column lists and the
pages its open problems cite (requests counted at a loopback server), problems that no longer reproduce are
resolved and leave the result, those that do are there with fresh evidence; a never-monitored site gets the
crawl with its article sample. Every result carries `coverage` with its source."""
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker import engine
from services.checker.crawl import CrawlSettings
from services.checker.inspections import jobs
from services.checker.model import Evidence, Finding, RegistryFacts
from services.checker.monitor import ledger
from services.checker.monitor.ledger import MonitorFinding
from services.checker.monitor.models import MonitorPage, MonitorSite
from tests.checker.inspections.harness import free_port

SITE = 990301
TODAY = date.today()
WRONG = "中国人民共和国"   # serious_error (veto) in the built-in list


def homepage() -> str:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>台账复核测试县</title></head><body>'
            '<div class="nav"><a href="/">首页</a><a href="/gzdt/">工作动态</a></div>'
            '<div class="footer">网站标识码6105990301</div></body></html>')


def column() -> str:
    items = "".join(f'<li><a href="/art/{i}.html">工作动态第{i}条</a>'
                    f'<span>{(TODAY - timedelta(days=i)).isoformat()}</span></li>' for i in range(1, 9))
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态</title></head>'
            f'<body><ul>{items}</ul></body></html>')


def article(n: int, body: str = "我单位召开专题会议，部署有关工作。") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>第{n}条</title></head><body><h1>工作动态第{n}条</h1>'
            f'<p>发布时间：{(TODAY - timedelta(days=n)).isoformat()}</p><p>{body}</p></body></html>')


class Site:
    """A loopback site that counts requests by (method, path)."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.port = free_port()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.answer(head=True)

            def do_GET(self) -> None:
                self.answer(head=False)

            def answer(self, head: bool) -> None:
                path = self.path.split("?", 1)[0]
                site.requests[("HEAD" if head else "GET", path)] += 1
                status, body = 200, ""
                if path == "/":
                    body = homepage()
                elif path == "/gzdt/":
                    body = column()
                elif path == "/art/3.html":  # still wrong
                    body = article(3, f"坚持{WRONG}宪法。")
                elif path.startswith("/art/") and path[5:-5].isdigit():  # /art/5.html was corrected
                    body = article(int(path[5:-5]))
                elif path == "/fixed.png":   # was broken, answers again
                    body = "png"
                else:                        # /old.html and anything else: 404
                    status, body = 404, "not found"
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "image/png" if path.endswith(".png") else "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head:
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def gets(self) -> set[str]:
        return {path for (method, path) in self.requests if method == "GET"}


@pytest.fixture
def site():
    served = Site()
    yield served
    served.server.shutdown()
    served.server.server_close()


def serious(url: str, at: datetime) -> Finding:
    return Finding("serious_error", f"存在严重表述错误：“{WRONG}”应为“中华人民共和国”",
                   [Evidence(url=url, excerpt=f"坚持{WRONG}宪法", observed_at=at.isoformat())],
                   data={"matches": [{"word": WRONG, "suggestion": "中华人民共和国", "position": 0,
                                      "context": f"坚持{WRONG}宪法"}]})


def broken(target: str, source: str, at: datetime) -> Finding:
    return Finding("broken_link", "其他页面存在1个不可用链接",
                   [Evidence(url=target, excerpt=f"HTTP 404；所在页面：{source}", observed_at=at.isoformat())],
                   data={"scope": "other", "urls": [target], "target": target, "sources": [source],
                         "source_count": 3})  # as the monitor records it (pipeline.target_findings)


@pytest.fixture
def monitored(session: Session, site: Site):
    """The site after a full monitoring cycle: problems on /art/3.html and /art/5.html, broken /old.html and
    /fixed.png (linked from /art/9.html, which nobody re-fetches)."""
    session.exec(text("DELETE FROM checker.monitor_finding WHERE site_id = :id").bindparams(id=SITE))
    session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
    before = datetime.now(UTC) - timedelta(days=3)
    session.add(MonitorSite(site_id=SITE, name="台账复核测试县", homepage_url=site.url(), host="127.0.0.1",
                            org_path="/1/", pages_known=12, cycle=1, cycle_started_at=before,
                            last_full_cycle_at=before))
    session.flush()
    pages = {}
    for n, (path, kind) in enumerate([("/art/3.html", "article"), ("/art/5.html", "article"),
                                      ("/old.html", "other"), ("/fixed.png", "resource")], start=1):
        pages[path] = MonitorPage(site_id=SITE, url_hash=SITE * 10 + n, url=site.url(path), kind=kind)
        session.add(pages[path])
    session.flush()
    for path in ("/art/3.html", "/art/5.html"):
        ledger.observe(session, SITE, pages[path].id, site.url(path), [serious(site.url(path), before)], before)
    for path in ("/old.html", "/fixed.png"):
        ledger.observe(session, SITE, pages[path].id, site.url(path),
                       [broken(site.url(path), site.url("/art/9.html"), before)], before)
    session.commit()
    yield pages
    session.rollback()
    session.exec(text("DELETE FROM checker.monitor_finding WHERE site_id = :id").bindparams(id=SITE))
    session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
    session.commit()


def settings() -> CrawlSettings:
    return CrawlSettings.fast()


async def test_a_monitored_site_is_rechecked_from_its_ledger(session: Session, site: Site, monitored) -> None:
    plan, status = jobs._ledger_plan(SITE)
    assert status == "monitoring" and plan is not None and len(plan.cited) == 4
    result = await engine.check_site(site.url(), now=datetime.now(UTC), registry=RegistryFacts(site_id=SITE),
                                     settings=settings(), store_snapshot=False, ledger=plan)
    # Only the homepage, the column list and the cited pages were downloaded; the cited image was only
    # status-checked; no article sample.
    assert site.gets() == {"/", "/gzdt/", "/art/3.html", "/art/5.html", "/old.html"}
    assert ("HEAD", "/fixed.png") in site.requests
    assert not {f"/art/{n}.html" for n in (1, 2, 4, 6, 7, 8)} & site.gets()

    by_code: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_code.setdefault(finding.indicator, []).append(finding)
    # The wrong wording still on /art/3.html, with today's evidence; /art/5.html's corrected one is gone.
    assert [e.url for f in by_code["serious_error"] for e in f.evidence] == [site.url("/art/3.html")]
    assert by_code["serious_error"][0].evidence[0].observed_at.startswith(str(datetime.now(UTC).date()))
    assert result.verdict == "fail"
    # /old.html still answers 404 (a broken link in the result); /fixed.png answers again.
    assert [u for f in by_code["broken_link"] for u in f.data["urls"]] == [site.url("/old.html")]

    ledger.apply_recheck(session, plan)
    session.expire_all()
    found = session.exec(select(MonitorFinding).where(MonitorFinding.site_id == SITE))
    rows = {r.url.rsplit("/", 1)[-1]: r for r in found}
    assert rows["3.html"].resolved_at is None and rows["3.html"].last_seen_at > rows["3.html"].first_seen_at
    assert rows["old.html"].resolved_at is None
    # The re-check fetched the target alone: the monitor's record of the pages that link to it is kept.
    assert (rows["old.html"].data["sources"], rows["old.html"].data["source_count"]) == ([site.url("/art/9.html")], 3)
    assert rows["5.html"].resolved_at is not None and rows["fixed.png"].resolved_at is not None
    assert {p.url for p in ledger.open_problems(session, SITE)} == {site.url("/art/3.html"), site.url("/old.html")}

    coverage = result.to_json()["coverage"]
    assert coverage["source"] == "monitor" and coverage["status"] == "monitoring"
    assert coverage["pages_known"] == 12 and coverage["refetched_pages"] == 4
    assert (coverage["open_findings"], coverage["open_veto_findings"]) == (2, 1)
    assert isinstance(coverage["last_full_cycle_at"], str)  # JSON-ready (stored in the result's JSONB)


async def test_an_unreachable_cited_page_keeps_its_problems(session: Session, site: Site, monitored) -> None:
    plan, _ = jobs._ledger_plan(SITE)
    site.server.shutdown()  # the site is gone mid-inspection: nothing can be confirmed or resolved
    site.server.server_close()
    result = await engine.check_site(site.url(), now=datetime.now(UTC), registry=RegistryFacts(site_id=SITE),
                                     settings=settings(), store_snapshot=False, ledger=plan)
    carried = [f for f in result.findings if f.data.get("carried")]
    assert {f.indicator for f in carried} == {"serious_error"}
    assert len(carried) == 2 and all(f.severity == "veto" for f in carried)
    ledger.apply_recheck(session, plan)
    assert len(ledger.open_problems(session, SITE)) == 4


async def test_a_never_monitored_site_gets_the_crawl(site: Site) -> None:
    assert jobs._ledger_plan(SITE + 1) == (None, "never")
    result = await engine.check_site(site.url(), now=datetime.now(UTC), registry=RegistryFacts(site_id=SITE + 1),
                                     settings=settings(), store_snapshot=False)
    # The article sample: the column's newest articles were fetched though nothing cites them.
    assert {"/", "/gzdt/", "/art/1.html", "/art/2.html"} <= site.gets()
    coverage = result.to_json()["coverage"]
    assert coverage["source"] == "crawl" and coverage["status"] == "never"
    assert coverage["pages_fetched_cycle"] == len(site.gets())
    sample = next(r for r in coverage["not_reached"] if r["reason"] == "sample")
    assert sample["count"] >= 5 and sample["label"]


async def test_the_worker_job_takes_the_ledger_and_writes_it_back(session: Session, site: Site, monitored,
                                                                  monkeypatch) -> None:
    """The inspection job's own path (jobs._run): the ledger in, fresh evidence back, coverage in the stored JSON."""
    import json

    from services.checker.indicators import resolve
    from services.checker.inspections.config import get_checker_settings
    from services.checker.inspections.models import Inspection, InspectionTarget, TargetKind
    monkeypatch.setattr(get_checker_settings(), "checker_crawl_profile", "fast")
    inspection = Inspection(id=1, name="台账复核", scope_org_id=1, scope_org_path="/1/", indicator_set="gov-2019",
                            now=datetime.now(UTC), created_by="user:1")
    ledger_plan, status = jobs._ledger_plan(SITE)
    inputs = {"indicator_set": resolve("gov-2019"), "matcher": None, "probes": [], "url": site.url(),
              "facts": {"id": SITE, "name": "台账复核测试县"}, "ledger": ledger_plan, "monitored": status}
    for kind, target_id, expect in ((TargetKind.site, SITE, "monitor"), (TargetKind.site, SITE + 1, "crawl")):
        if expect == "crawl":
            inputs.update(ledger=None, monitored="never")
        target = InspectionTarget(inspection_id=1, kind=kind, target_id=target_id, name="x", org_path="/1/",
                                  job_id="j")
        result = await jobs._run(inspection, target, inputs)
        json.dumps(result)  # stored as JSONB: nothing but JSON in it
        assert result["coverage"]["source"] == expect
    assert result["coverage"]["status"] == "never"
    session.expire_all()
    assert {p.url for p in ledger.open_problems(session, SITE)} == {site.url("/art/3.html"), site.url("/old.html")}
