"""The findings ledger: a problem's life (open → still open → resolved → reopened), one row per word or target,
severities from the indicator set, the site's open problems in one indexed query, coverage."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from services.checker.indicators import IndicatorSet, builtin_sets, resolve
from services.checker.model import Evidence, Finding
from services.checker.monitor import ledger
from services.checker.monitor.ledger import MonitorFinding
from services.checker.monitor.models import MonitorPage, MonitorSite
from services.common.db import get_engine

SITE = 990101
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
URL = "http://ledger.example.gov.cn/art/1.html"


def words(code: str, *pairs: tuple[str, str]) -> Finding:
    """A page finding as checks/words.py makes it: matches and evidence aligned."""
    return Finding(code, "；".join(f"存在错误：“{w}”应为“{s}”" for w, s in pairs),
                   [Evidence(url=URL, excerpt=f"……{w}……", observed_at=T0.isoformat()) for w, _ in pairs],
                   count=len(pairs),
                   data={"matches": [{"word": w, "suggestion": s, "position": 0, "context": f"……{w}……"}
                                     for w, s in pairs]})


def dark(target: str, illegal: bool) -> Finding:
    return Finding("dark_link", f"存在暗链：{target}", [Evidence(url=URL, excerpt="隐藏：<a>", observed_at=T0.isoformat())],
                   data={"target": target, "illegal": illegal, "words": ["博彩"] if illegal else []})


@pytest.fixture
def site(session: Session) -> tuple[int, int]:
    session.exec(text("DELETE FROM checker.monitor_finding WHERE site_id = :id").bindparams(id=SITE))
    session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
    session.add(MonitorSite(site_id=SITE, name="台账测试站", homepage_url="http://ledger.example.gov.cn/",
                            host="example.gov.cn", org_path="/1/", pages_known=120, links_checked=300,
                            links_broken=2, not_reached={"budget": 7, "error": 1},
                            cycle_started_at=T0, last_full_cycle_at=T0))
    session.flush()
    page = MonitorPage(site_id=SITE, url_hash=11, url=URL, kind="article")
    session.add(page)
    session.commit()
    yield SITE, page.id
    session.rollback()
    session.exec(text("DELETE FROM checker.monitor_finding WHERE site_id = :id").bindparams(id=SITE))
    session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :id").bindparams(id=SITE))
    session.commit()


def rows(session: Session) -> dict[str, MonitorFinding]:
    session.expire_all()
    found = session.exec(select(MonitorFinding).where(MonitorFinding.site_id == SITE)).all()
    return {f.data.get("word") or f.data.get("target") or f.indicator: f for f in found}


def test_lifecycle_open_still_open_resolved_reopened(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    finding = words("serious_error", ("习近平总书记", "习近平总书记"), ("中华民国", "中华人民共和国"))
    keys = ledger.observe(session, site_id, page_id, URL, [finding], T0)
    session.commit()
    assert len(keys) == 2  # one problem per word
    first = rows(session)
    assert {w: r.severity for w, r in first.items()} == {"习近平总书记": "veto", "中华民国": "veto"}
    assert first["中华民国"].message == "存在错误：“中华民国”应为“中华人民共和国”"
    assert first["中华民国"].evidence[0]["excerpt"] == "……中华民国……"
    seq = first["中华民国"].alert_seq

    # Seen again a day later: still open, first seen kept, last seen moved, same alert position.
    ledger.refresh_page(session, site_id, page_id, URL, [finding], T0 + timedelta(days=1))
    session.commit()
    again = rows(session)
    assert again["中华民国"].first_seen_at == T0 and again["中华民国"].last_seen_at == T0 + timedelta(days=1)
    assert again["中华民国"].resolved_at is None and again["中华民国"].alert_seq == seq

    # One word corrected: only that problem is resolved.
    seen, resolved = ledger.refresh_page(session, site_id, page_id, URL,
                                         [words("serious_error", ("习近平总书记", "习近平总书记"))],
                                         T0 + timedelta(days=2))
    session.commit()
    assert (seen, resolved) == (1, 1)
    now = rows(session)
    assert now["中华民国"].resolved_at == T0 + timedelta(days=2) and now["习近平总书记"].resolved_at is None
    assert [p.data["word"] for p in ledger.open_problems(session, site_id)] == ["习近平总书记"]

    # It comes back: reopened, first seen kept, and a new place in the alert feed.
    ledger.observe(session, site_id, page_id, URL, [finding], T0 + timedelta(days=3))
    session.commit()
    back = rows(session)["中华民国"]
    assert back.resolved_at is None and back.first_seen_at == T0 and back.alert_seq > seq

    # The page is clean: everything on it resolved; a late observation never moves last_seen back.
    assert ledger.resolve_page(session, site_id, page_id, [], T0 + timedelta(days=4)) == 2
    session.commit()
    assert ledger.open_problems(session, site_id) == []


def test_severity_follows_the_indicator_set(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    ledger.observe(session, site_id, page_id, URL,
                   [words("typo", ("按装", "安装")), dark("http://casino.example.com/", True),
                    dark("http://ads.example.com/", False)], T0)
    session.commit()
    got = {k: r.severity for k, r in rows(session).items()}
    assert got == {"按装": "deduct", "http://casino.example.com/": "veto", "http://ads.example.com/": "deduct"}

    # A local set that makes typos a veto: the same problem is veto-level, and takes a new alert position.
    raw = builtin_sets()["gov-2019"]
    raw["indicators"]["typo"] = {"severity": "veto"}
    strict = IndicatorSet.model_validate({**raw, "id": "strict-test"})
    before = rows(session)["按装"].alert_seq
    ledger.observe(session, site_id, page_id, URL, [words("typo", ("按装", "安装"))], T0, strict)
    session.commit()
    assert rows(session)["按装"].severity == "veto" and rows(session)["按装"].alert_seq > before

    # A set that disables an indicator records nothing for it.
    raw["indicators"]["dark_link"] = {"severity": "deduct", "enabled": False}
    quiet = IndicatorSet.model_validate({**raw, "id": "quiet-test"})
    assert ledger.entries(URL, [dark("http://x.example.com/", True)], quiet) == []


def test_broken_links_are_one_problem_per_target(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    broken = Finding("broken_link", "其他页面存在2个不可用链接",
                     [Evidence(url="http://a.example.gov.cn/x", excerpt=f"HTTP 404；所在页面：{URL}", observed_at="t"),
                      Evidence(url="http://a.example.gov.cn/y", excerpt=f"timeout；所在页面：{URL}", observed_at="t")],
                     count=2,
                     data={"scope": "other", "urls": ["http://a.example.gov.cn/x", "http://a.example.gov.cn/y"]})
    ledger.observe(session, site_id, page_id, URL, [broken], T0)
    session.commit()
    got = rows(session)
    assert got["http://a.example.gov.cn/x"].message == "存在不可用链接：http://a.example.gov.cn/x（HTTP 404）"
    assert got["http://a.example.gov.cn/y"].severity == "deduct"


def test_open_problems_are_one_query_on_the_partial_index(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    ledger.observe(session, site_id, page_id, URL,
                   [words("typo", ("按装", "安装")), words("serious_error", ("中华民国", "中华人民共和国"))], T0)
    session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as fresh:
            problems = ledger.open_problems(fresh, site_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [p.severity for p in problems] == ["veto", "deduct"]  # veto-level first
    assert len(statements) == 1
    # The planner can answer it from the partial index (forced: a test table is too small to prefer it).
    session.exec(text("SET LOCAL enable_seqscan = off"))
    query = text("EXPLAIN SELECT * FROM checker.monitor_finding WHERE site_id = :s AND resolved_at IS NULL")
    plan = "\n".join(r[0] for r in session.exec(query.bindparams(s=site_id)))
    assert "ix_monitor_finding_open" in plan
    session.rollback()


def test_coverage_counts_open_and_veto_problems(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    ledger.observe(session, site_id, page_id, URL,
                   [words("typo", ("按装", "安装")), dark("http://casino.example.com/", True)], T0)
    session.commit()
    cov = ledger.coverage(session, site_id)
    assert cov["status"] == "monitoring" and cov["pages_known"] == 120
    assert (cov["open_findings"], cov["open_veto_findings"]) == (2, 1)
    assert cov["not_reached"] == [{"reason": "budget", "label": "超出单站页面上限，未抓取", "count": 7},
                                  {"reason": "error", "label": "访问出错", "count": 1}]
    assert ledger.coverage(session, 424242) is None


def test_only_a_finished_first_cycle_makes_an_inspection_plan(session: Session, site: tuple[int, int]) -> None:
    site_id, page_id = site
    ledger.observe(session, site_id, page_id, URL, [words("typo", ("按装", "安装"))], T0)
    session.commit()
    plan = ledger.plan_for_inspection(session, site_id)
    assert plan is not None and [(c.page_id, c.url, c.kind) for c in plan.cited] == [(page_id, URL, "article")]
    row = session.get(MonitorSite, site_id)
    row.last_full_cycle_at = None
    session.add(row)
    session.commit()
    assert ledger.plan_for_inspection(session, site_id) is None
    assert ledger.site_status(row) == "first_cycle" and ledger.site_status(None) == "never"
    assert resolve("gov-2019").indicators["serious_error"].severity == "veto"
