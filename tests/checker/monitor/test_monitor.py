"""Whole-site monitoring against real PostgreSQL, Redis and loopback sites: a first cycle reaches every page
(old articles through the column's pagination) and finds what is planted deep; the next cycle re-validates
with conditional requests and re-scans nothing unchanged; claims never overlap; a killed slice is redone
after its lease; two workers together keep the per-host politeness."""
import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel import Session, select

from services.checker.crawl.config import CrawlSettings
from services.checker.inspections.config import CheckerSettings
from services.checker.inspections.models import utcnow
from services.checker.monitor import jobs, ledger, service
from services.checker.monitor.models import MonitorPage, MonitorSite, PageKind
from services.common.db import get_engine
from services.common.settings import get_settings
from tests.checker.monitor.site import Site

CRAWL = CrawlSettings.fast()


def settings(**kw: object) -> CheckerSettings:
    base = dict(monitor_slice_size=25, monitor_lease_seconds=20, monitor_per_host=4, monitor_delay_seconds=0.0,
                monitor_retry_minutes=1)
    base.update(kw)
    return CheckerSettings(**base)


def register(site_id: int, site: Site) -> None:
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :s").bindparams(s=site_id))
        session.commit()
        # Only this site: sync_sites takes the registry's whole list, the other tests' sites stop.
        service.sync_sites(session, [{"id": site_id, "name": "测试县人民政府", "homepage_url": site.url,
                                      "org_path": "/1/", "host_org_id": 1, "supervising_org_id": 1}])


async def cycle(site_id: int, cfg: CheckerSettings, *, max_slices: int = 40) -> list[jobs.SliceReport]:
    """Slices until nothing is due (what the scheduler and the re-enqueueing slices do)."""
    reports = []
    async with Redis.from_url(get_settings().redis_url) as redis:
        for _ in range(max_slices):
            report = await jobs.run_slice(redis, site_id, settings=cfg, crawl=CRAWL, store_snapshots=False)
            reports.append(report)
            if not report.more:
                break
    return reports


def rows(site_id: int) -> dict[str, MonitorPage]:
    with Session(get_engine()) as session:
        return {p.url: p for p in session.exec(select(MonitorPage).where(MonitorPage.site_id == site_id)).all()}


def rel(site: Site, url: str) -> str:
    """A URL of the site as its path; other sites' URLs as they are."""
    return url.removeprefix(site.url[:-1]) if url.startswith(site.url) else url


def make_all_due(site_id: int) -> None:
    with Session(get_engine()) as session:
        session.exec(text("UPDATE checker.monitor_page SET due_at = now() - interval '1 second' WHERE site_id = :s")
                     .bindparams(s=site_id))
        session.commit()


@pytest.fixture
def site() -> Iterator[Site]:
    external = Site("127.0.7.9").start()
    main = Site("127.0.7.8", external=external.url + "partner.html").start()
    yield main
    main.stop()
    external.stop()


def test_first_cycle_reaches_every_page_then_revalidates_conditionally(site: Site) -> None:
    site_id = 880001
    register(site_id, site)
    asyncio.run(cycle(site_id, settings()))

    # Every page and the attachment, the old articles only reachable through the pagination included.
    assert set(site.pages()) <= set(site.ok), set(site.pages()) - set(site.ok)
    assert all(count == 1 for count in site.ok.values()), site.ok   # nothing fetched twice
    known = rows(site_id)
    by_path = {p.url.split(str(site.port), 1)[1]: p for p in known.values() if str(site.port) in p.url}
    assert by_path["/"].kind == PageKind.home
    assert by_path["/files/report.txt"].kind == PageKind.attachment and by_path["/files/report.txt"].scannable
    assert by_path["/news/index.html"].kind == PageKind.column and by_path["/news/index.html"].hub
    assert by_path["/missing.html"].http_status == 404
    assert by_path["/logo.png"].kind == PageKind.resource
    assert any(p.kind == PageKind.external for p in known.values())
    assert by_path[site.oldest()].kind == PageKind.article and by_path[site.oldest()].published is not None

    with Session(get_engine()) as session:
        problems = ledger.open_problems(session, site_id)
        monitored = session.get(MonitorSite, site_id)
        assert monitored.last_full_cycle_at is not None and monitored.cycle == 1
        assert monitored.pages_known == len(site.pages())          # the removed page is not counted
        # Of the known pages (a removed page is neither): fetched this cycle never exceeds known.
        assert monitored.pages_fetched_cycle == len(site.pages())
        assert monitored.attachments_scanned == 1
        assert monitored.links_broken >= 1
    found = {(p.indicator, rel(site, p.url)) for p in problems}
    assert ("serious_error", site.oldest()) in found           # the planted word on the deepest article
    assert ("sensitive_content", "/files/report.txt") in found  # in the attachment's text
    assert ("broken_link", "/missing.html") in found            # the removed page, on its target row
    missing = next(p for p in problems if p.indicator == "broken_link" and rel(site, p.url) == "/missing.html")
    assert (missing.data["sources"], missing.data["source_count"]) == ([site.url], 1)  # the page to mend: home

    # Second cycle: every page re-validated with a conditional request, nothing unchanged re-scanned.
    site.reset_counts()
    site.edits["/about.html"] = site._html("概况", "<p>本县概况（已更新），中国人民共和国。</p>")
    make_all_due(site_id)
    reports = asyncio.run(cycle(site_id, settings()))
    assert set(site.ok) == {"/about.html"}, site.ok              # only the edited page came whole
    assert set(site.not_modified) >= set(site.pages()) - {"/about.html"}
    assert sum(r.unchanged for r in reports) >= len(site.pages()) - 1
    with Session(get_engine()) as session:
        found = {(p.indicator, rel(site, p.url)) for p in ledger.open_problems(session, site_id)}
        assert ("serious_error", "/about.html") in found         # the edit was scanned
        assert ("serious_error", site.oldest()) in found         # unchanged pages keep their problems
        assert session.get(MonitorSite, site_id).cycle == 2


def test_fixed_page_resolves_and_word_list_change_rescans(site: Site) -> None:
    site_id = 880002
    register(site_id, site)
    asyncio.run(cycle(site_id, settings()))
    site.edits[site.oldest()] = site._html("工作动态", "<p>已更正。</p>")
    site.reset_counts()
    make_all_due(site_id)
    asyncio.run(cycle(site_id, settings()))
    with Session(get_engine()) as session:
        open_ = {(p.indicator, rel(site, p.url)) for p in ledger.open_problems(session, site_id)}
        assert ("serious_error", site.oldest()) not in open_
        # The word list changed: pages are fetched whole (unconditionally) and scanned again.
        session.exec(text("UPDATE checker.monitor_page SET wordlist_version = 'older' WHERE site_id = :s")
                     .bindparams(s=site_id))
        session.commit()
    site.reset_counts()
    make_all_due(site_id)
    asyncio.run(cycle(site_id, settings()))
    assert not site.not_modified and set(site.pages()) <= set(site.ok)


def _due_pages(site_id: int, n: int) -> None:
    now = utcnow()
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :s").bindparams(s=site_id))
        session.add(MonitorSite(site_id=site_id, name="claims", homepage_url="http://claims.example/",
                                host="claims.example"))
        session.flush()
        session.add_all(MonitorPage(site_id=site_id, url=f"http://claims.example/{i}.html",
                                    url_hash=service.url_hash(f"http://claims.example/{i}.html"), due_at=now,
                                    kind=PageKind.article) for i in range(n))
        session.commit()


def test_concurrent_claims_never_share_a_page() -> None:
    site_id = 880003
    _due_pages(site_id, 300)
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]

    def claimer(k: int) -> None:
        with Session(get_engine()) as session:
            for _ in range(15):
                barrier.wait()
                claimed[k] += [c.id for c in service.claim_slice(session, site_id, 10, 60)]

    threads = [threading.Thread(target=claimer, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)) == 300
    assert claimed[0] and claimed[1]

    # A claim while another transaction holds row locks skips them instead of waiting.
    with Session(get_engine()) as holder, Session(get_engine()) as other:
        make_all_due(site_id)
        locked = [r[0] for r in holder.exec(service._CLAIM.bindparams(site_id=site_id, priority=10, now=utcnow(),
                                                                      limit=50)).all()]
        started = time.monotonic()
        got = [c.id for c in service.claim_slice(other, site_id, 50, 60)]
        assert time.monotonic() - started < 2
        assert len(got) == 50 and not set(got) & set(locked)
        holder.rollback()


def test_killed_slice_is_redone_after_its_lease(site: Site) -> None:
    site_id = 880004
    register(site_id, site)
    with Session(get_engine()) as session:
        lost = service.claim_slice(session, site_id, 10, lease_seconds=1)   # the worker dies here
        assert [c.kind for c in lost] == [PageKind.home]
        assert service.claim_slice(session, site_id, 10, 60) == []          # leased: nobody else takes it
        due, leased = service.pending(session, site_id, utcnow())
        assert not due and leased
    time.sleep(1.2)
    reports = asyncio.run(cycle(site_id, settings()))
    assert reports[0].claimed >= 1 and site.ok["/"] == 1
    assert set(site.pages()) <= set(site.ok)
    with Session(get_engine()) as session:
        assert session.get(MonitorSite, site_id).last_full_cycle_at is not None


def test_two_workers_keep_per_host_politeness() -> None:
    site = Site("127.0.7.10", lists=2, per_list=6, delay=0.3).start()   # answers outlast the spacing
    try:
        site_id = 880005
        register(site_id, site)
        cfg = settings(monitor_per_host=2, monitor_delay_seconds=0.1, monitor_slice_size=4)
        asyncio.run(cycle(site_id, cfg, max_slices=1))   # the homepage: the rest becomes known and due

        async def worker() -> int:
            fetched = 0
            async with Redis.from_url(get_settings().redis_url) as redis:   # a client of its own
                for _ in range(60):
                    report = await jobs.run_slice(redis, site_id, settings=cfg, crawl=CRAWL, store_snapshots=False)
                    fetched += report.fetched
                    if not report.claimed:
                        with Session(get_engine()) as session:
                            if not any(service.pending(session, site_id, utcnow())):
                                break   # the other worker holds the rest, or the cycle is done
                        await asyncio.sleep(0.2)
            return fetched

        async def two() -> list[int]:
            return await asyncio.gather(worker(), worker())

        site.reset_counts()
        counts = asyncio.run(two())
        assert all(counts), counts                       # both workers did part of the site
        starts = sorted(site.starts)
        assert len(starts) >= 15
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        assert min(gaps) >= 0.1 - 0.02, min(gaps)        # Redis keeps the spacing across both workers
        assert site.max_in_flight == 2                   # and the cap (3 would run at once without it)
    finally:
        site.stop()


def test_slot_of_a_killed_worker_frees_itself() -> None:
    from services.checker.monitor.politeness import HostGate, Politeness

    async def scenario() -> tuple[float, float]:
        async with Redis.from_url(get_settings().redis_url) as a, Redis.from_url(get_settings().redis_url) as b:
            rules = Politeness(per_host=1, delay=0.0, slot_lease=1.0, max_wait=0.05)
            dead, alive = HostGate(a, rules, namespace="test-kill"), HostGate(b, rules, namespace="test-kill")
            await a.delete("govwatch:polite:test-kill:h:slots", "govwatch:polite:test-kill:h:next")
            await dead.acquire("h")                      # never released: the worker was killed
            started = time.monotonic()
            token = await alive.acquire("h")
            waited = time.monotonic() - started
            await alive.release("h", token)
            started = time.monotonic()
            await alive.acquire("h")                     # a released slot is free at once
            return waited, time.monotonic() - started

    waited, again = asyncio.run(scenario())
    assert 0.8 <= waited <= 2.0 and again < 0.2


def test_attachments_of_every_format_are_scanned_and_image_only_is_not_clean() -> None:
    from tests.fixtures.farm.attachments import make_attachment

    words = {"pdf": "中华人名共和国", "doc": "中国人民共和国", "docx": "中华人名共和国", "xls": "中国人民共和国",
             "xlsx": "中华人名共和国", "wps": "中国人民共和国", "txt": "中华人名共和国"}
    site = Site("127.0.7.11", lists=1, per_list=2)
    for kind, word in words.items():
        site.files[f"/files/a.{kind}"] = ("application/octet-stream",
                                          make_attachment(kind, f"关于做好有关工作的通知。{word}成立以来。",
                                                          encoding="gbk" if kind == "txt" else "utf-8"))
    site.files["/files/scan.pdf"] = ("application/pdf", make_attachment("pdf_image", f"扫描件{words['pdf']}"))
    site.files["/files/huge.txt"] = ("text/plain; charset=utf-8", ("大文件。" * 20000).encode())   # 240 kB
    site.start()
    try:
        site_id = 880006
        register(site_id, site)
        asyncio.run(cycle(site_id, settings(monitor_attachment_max_bytes=100_000)))
        known = {rel(site, p.url): p for p in rows(site_id).values()}
        for kind in words:
            assert known[f"/files/a.{kind}"].scannable, kind
        assert known["/files/scan.pdf"].scannable is False and known["/files/scan.pdf"].reason == "image_only"
        assert known["/files/huge.txt"].reason == "too_large"
        with Session(get_engine()) as session:
            found = {rel(site, p.url) for p in ledger.open_problems(session, site_id) if p.indicator == "serious_error"}
            monitored = session.get(MonitorSite, site_id)
        assert {f"/files/a.{kind}" for kind in words} <= found
        assert "/files/scan.pdf" not in found
        assert monitored.attachments_scanned == len(words) + 1          # + report.txt
        assert monitored.attachments_unscannable == 2
        assert monitored.not_reached.get("not_scannable") == 1 and monitored.not_reached.get("too_large") == 1
    finally:
        site.stop()


def test_an_organisations_indicator_set_sets_its_sites_schedule(site: Site) -> None:
    from services.checker.store.models import IndicatorSetVersion

    site_id = 880007
    with Session(get_engine()) as session:
        session.exec(text("DELETE FROM checker.indicator_set WHERE code = 'monitor-sched-test'"))
        for version, hours in ((1, 12), (2, 6)):   # the latest version counts
            session.add(IndicatorSetVersion(code="monitor-sched-test", version=version, name="测试", org_id=77,
                                            org_path="/1/77/", created_by="test", overrides={},
                                            definition={"parameters": {"monitor_hub_hours": hours}}))
        session.commit()
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = ANY(:s)").bindparams(s=[site_id, site_id + 1]))
        session.commit()
        records = [{"id": site_id, "name": "下级", "homepage_url": site.url, "org_path": "/1/77/5/"},
                   {"id": site_id + 1, "name": "别处", "homepage_url": "http://127.0.7.12/", "org_path": "/1/78/"}]
        service.sync_sites(session, records, overrides=service.schedule_overrides(session))
        inside, outside = session.get(MonitorSite, site_id), session.get(MonitorSite, site_id + 1)
        assert (inside.hub_interval_hours, outside.hub_interval_hours) == (6, None)
        session.exec(text("DELETE FROM checker.indicator_set WHERE code = 'monitor-sched-test'"))
        session.commit()
    asyncio.run(cycle(site_id, settings(), max_slices=1))
    home = next(p for p in rows(site_id).values() if p.kind == PageKind.home)
    assert home.due_at - home.last_fetched_at == timedelta(hours=6)


def test_spacing_counts_from_when_a_request_really_went_out() -> None:
    """A worker that sends its granted request late (a busy event loop) must not have the next worker's
    request follow it closely: the next grant waits for the late one's start report, plus the delay."""
    from services.checker.monitor.politeness import HostGate, Politeness

    async def scenario() -> tuple[float, float, float]:
        async with Redis.from_url(get_settings().redis_url) as a, Redis.from_url(get_settings().redis_url) as b:
            rules = Politeness(per_host=2, delay=0.3, slot_lease=10.0, max_wait=0.02)
            late, other = HostGate(a, rules, namespace="test-late"), HostGate(b, rules, namespace="test-late")
            await a.delete(*late._keys("h"))
            t0 = time.monotonic()
            token = await late.acquire("h")
            waiter = asyncio.create_task(other.acquire("h"))
            await asyncio.sleep(0.5)                 # granted, but the request goes out only now
            sent = time.monotonic() - t0
            await late.started("h", token)
            second = await waiter
            granted = time.monotonic() - t0
            await other.release("h", second)
            await late.release("h", token)
            # A grant given back without going out (refused connection) also spaces the next one.
            token = await late.acquire("h")
            await late.release("h", token)
            t1 = time.monotonic()
            await late.release("h", await other.acquire("h"))
            return sent, granted, time.monotonic() - t1

    sent, granted, after_release = asyncio.run(scenario())
    assert granted >= sent + 0.3 - 0.02, (sent, granted)   # not at 0.3 s, when the grant alone would allow it
    assert 0.25 <= after_release <= 0.6, after_release


def test_a_cycle_whose_last_slice_died_is_closed_by_the_next_schedule(site: Site) -> None:
    """A slice that lost its database connection after fetching the site's last due pages never closed the
    cycle, and with nothing due no slice came again: the site stayed 'in its first cycle' for a day. The
    schedule now finds such a site, and a slice that claims nothing closes the cycle."""
    site_id = 880007
    register(site_id, site)
    cfg = settings()
    asyncio.run(cycle(site_id, cfg))
    with Session(get_engine()) as session:   # as if the last slice had died before finish_slice
        session.exec(text("UPDATE checker.monitor_site SET last_full_cycle_at = NULL WHERE site_id = :s")
                     .bindparams(s=site_id))
        session.commit()
        assert site_id in service.stalled_cycles(session, utcnow(), cfg.monitor_lease_seconds)
    report = asyncio.run(cycle(site_id, cfg, max_slices=1))[0]
    assert (report.claimed, report.more) == (0, False)
    with Session(get_engine()) as session:
        closed = session.get(MonitorSite, site_id)
        assert closed.last_full_cycle_at is not None and closed.last_full_cycle_at >= closed.cycle_started_at
        assert site_id not in service.stalled_cycles(session, utcnow(), cfg.monitor_lease_seconds)
        # A site in the middle of its cycle (pages due) is not stalled: the ordinary schedule has it.
        session.exec(text("UPDATE checker.monitor_site SET last_full_cycle_at = NULL WHERE site_id = :s")
                     .bindparams(s=site_id))
        session.commit()
    make_all_due(site_id)
    with Session(get_engine()) as session:
        assert site_id not in service.stalled_cycles(session, utcnow(), cfg.monitor_lease_seconds)
        session.exec(text("DELETE FROM checker.monitor_site WHERE site_id = :s").bindparams(s=site_id))
        session.commit()
