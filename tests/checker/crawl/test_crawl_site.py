"""crawl_site over a small government-style site, with hostile neighbours and real S3 snapshots."""
import hashlib
import time
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from minio.error import S3Error

from services.checker.crawl import CrawlSettings, crawl_site, store_snapshots
from services.checker.model import RegistryFacts, SiteSnapshot
from services.common.s3 import get_bytes
from services.common.settings import get_settings
from tests.fixtures.hostile import RawServer, page

NOW = datetime(2024, 6, 15, 10, 0, tzinfo=timezone.utc)
FAST = CrawlSettings.fast()


def registry_for(hostile: RawServer) -> RegistryFacts:
    return RegistryFacts(site_id=1, name="测试县人民政府", columns=[
        {"name": "工作动态", "category": "news"},                                 # URL from navigation
        {"name": "重要讲话", "url": hostile.url("/slow-drip"), "should_update": True},  # a broken column
    ])


@pytest.fixture(scope="module")
async def snapshot(site: RawServer, hostile: RawServer) -> SiteSnapshot:
    started = time.monotonic()
    result = await crawl_site(site.url("/"), now=NOW, registry=registry_for(hostile), settings=FAST)
    assert time.monotonic() - started < 10
    return result


def column(snapshot: SiteSnapshot, name: str):
    return next(c for c in snapshot.columns if c.name == name)


async def test_homepage(snapshot: SiteSnapshot, site: RawServer):
    home = snapshot.home
    assert home is not None and home.status == 200 and home.error is None
    assert home.title == "测试县人民政府" and home.has_viewport and home.role == "home"
    assert [(i.title, i.published) for i in home.items] == [
        ("县长主持召开常务会议研究部署重点工作", date(2024, 6, 10)), ("全县安全生产工作会议召开", date(2024, 5, 20))]
    assert "document.write" not in home.text and "澳门赌场" in home.text


async def test_columns_merge_registry_first(snapshot: SiteSnapshot, site: RawServer, hostile: RawServer):
    names = [(c.name, c.source, c.category, c.should_update) for c in snapshot.columns]
    assert names[:2] == [("工作动态", "registry", "news", True), ("重要讲话", "registry", "other", True)]
    assert ("通知公告", "navigation", "notice", True) in names
    assert ("政策文件", "navigation", "policy", True) in names
    assert ("政民互动", "navigation", "interaction", False) in names
    assert ("办事服务", "navigation", "service", False) in names
    assert ("机构设置", "navigation", "other", False) in names
    assert "关于我们" not in [n for n, *_ in names]  # footer links are not columns
    assert column(snapshot, "工作动态").url == site.url("/gzdt/")


async def test_column_items_and_dates(snapshot: SiteSnapshot):
    news = column(snapshot, "工作动态")
    assert news.newest == date(2024, 6, 10) and len(news.items) == 3
    assert news.items[0].title == "县长主持召开常务会议研究部署重点工作"  # full title from the title attribute
    notice = column(snapshot, "通知公告")  # GBK page, [MM-DD] dates
    assert notice.page.encoding == "gb18030"
    assert [(i.title, i.published) for i in notice.items] == [
        ("关于端午节放假安排的通知", date(2024, 6, 7)), ("关于开展消防安全检查的公告", date(2023, 12, 20))]
    policy = column(snapshot, "政策文件")  # empty first page, items on the "下一页" page (table layout)
    assert policy.newest == date(2023, 11, 3) and len(policy.items) == 2
    assert column(snapshot, "机构设置").items == []


async def test_broken_column_fails_alone(snapshot: SiteSnapshot):
    broken = column(snapshot, "重要讲话")
    assert broken.page is not None and broken.page.error == "timeout" and broken.items == []
    assert all(c.page.error is None for c in snapshot.columns if c.name != "重要讲话")


async def test_articles_messages_and_guides(snapshot: SiteSnapshot, site: RawServer):
    roles = {p.final_url: p.role for p in snapshot.pages.values()}
    assert roles[site.url("/gzdt/a1.html")] == "article"
    assert snapshot.pages[site.url("/gzdt/a1.html")].page_date == date(2024, 6, 10)
    assert roles[site.url("/hdjl/m1.html")] == "message"
    assert roles[site.url("/bsfw/g1.html")] == "guide"
    assert snapshot.pages[site.url("/zcwj/index_1.html")].role == "list_more"


async def test_dark_links(snapshot: SiteSnapshot, hostile: RawServer):
    hidden = {link.url.removeprefix(hostile.base_url): link.hidden_reason for link in snapshot.home.links
              if link.hidden}
    assert hidden == {"/casino": "ancestor:display_none", "/lottery": "ancestor:off_screen",
                      "/ghost": "ancestor:display_none", "/white": "same_colour",
                      "/written": "script_written"}
    casino = next(link for link in snapshot.home.links if link.url.endswith("/casino"))
    assert casino.text == "澳门赌场" and casino.html.startswith("<a ")


async def test_link_statuses(snapshot: SiteSnapshot, site: RawServer, hostile: RawServer):
    links = snapshot.links
    assert links[site.url("/missing.html")].status == 404 and links[site.url("/missing.html")].broken
    assert links[hostile.url("/redirect-loop/a")].error == "redirect_loop"
    assert not links[hostile.url("/head-refused")].broken
    assert not links[site.url("/logo.png")].broken and not links[site.url("/style.css")].broken
    assert not links[site.url("/gzdt/")].broken
    assert site.url("/") in links[site.url("/gzdt/a1.html")].sources
    assert all(not url.startswith("mailto:") for url in links)


async def test_probe(snapshot: SiteSnapshot):
    assert len(snapshot.probes) == 1 and snapshot.probes[0].ok and snapshot.probes[0].status == 200


async def test_snapshots_in_s3(snapshot: SiteSnapshot):
    """Every page knows its content-addressed key; only the cited ones are stored, the rest released."""
    home = snapshot.home
    notice = column(snapshot, "通知公告").page
    assert home.snapshot_key and home.snapshot_key.startswith("snapshots/sha256/")
    uncited = [p.snapshot_key for p in snapshot.pages.values()
               if p.snapshot_key and p.snapshot_key not in (home.snapshot_key, notice.snapshot_key)]
    assert uncited and set(uncited) <= set(snapshot.held_snapshots)
    assert await store_snapshots(snapshot, [home.snapshot_key, notice.snapshot_key, None]) == set()
    assert snapshot.held_snapshots == {}
    data = get_bytes(get_settings().bucket_snapshots, home.snapshot_key)
    assert data.decode("utf-8") == home.html
    assert home.snapshot_key.endswith(hashlib.sha256(data).hexdigest())
    assert get_bytes(get_settings().bucket_snapshots, notice.snapshot_key).decode("gbk") == notice.html
    with pytest.raises(S3Error):
        get_bytes(get_settings().bucket_snapshots, uncited[0])
    assert not snapshot.notes and not snapshot.budget_exhausted


async def test_page_budget(site: RawServer, hostile: RawServer):
    result = await crawl_site(site.url("/"), now=NOW, registry=RegistryFacts(),
                              settings=replace(FAST, page_budget=3), store_snapshot=False)
    assert result.budget_exhausted and len(result.pages) == 3
    assert any("budget" in note for note in result.notes)
    assert result.home.snapshot_key is None


async def test_unreachable_homepage(hostile: RawServer):
    result = await crawl_site(hostile.url("/reset"), now=NOW, registry=RegistryFacts(), settings=FAST,
                              store_snapshot=False)
    assert result.home.error == "reset" and result.columns == [] and result.links == {}
    assert not result.probes[0].ok and result.probes[0].error == "reset"


async def test_interaction_links_on_homepage_when_navigation_has_none():
    server = RawServer("127.0.0.4")
    page(server.routes, "/", '<html><body><a href="/xx/">我要写信</a><a href="/xf/">信访举报</a></body></html>')
    page(server.routes, "/xx/", '<html><body><ul><li><a href="/xx/1.html">咨询社保缴费问题</a>'
                                '<span>2024-06-01</span></li></ul></body></html>')
    page(server.routes, "/xx/1.html", "<html><body>答复：已办理</body></html>")
    server.start()
    try:
        result = await crawl_site(server.url("/"), now=NOW, registry=RegistryFacts(), settings=FAST,
                                  store_snapshot=False)
    finally:
        server.stop()
    assert [(c.name, c.category, len(c.items)) for c in result.columns] == [("我要写信", "interaction", 1)]
    assert result.pages[server.url("/xx/1.html")].role == "message"
    assert server.url("/xf/") not in result.pages  # petition channels do not count as interaction


@pytest.mark.usefixtures("private_targets_refused")
async def test_crawl_refuses_private_site_without_the_setting(site: RawServer):
    hits = len(site.hits)
    result = await crawl_site(site.url("/"), now=NOW, registry=RegistryFacts(), settings=FAST,
                              store_snapshot=False)
    assert result.home.error == "forbidden_address" and result.probes[0].error == "forbidden_address"
    assert len(site.hits) == hits
