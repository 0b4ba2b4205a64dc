"""Pages several checks read (boards, the homepage's navigation, its lines) are read once per page."""
import gc
import weakref

from services.checker.checks import (column_missing, column_name_outdated, html, messages, missing_error_entry,
                                     navigation, typo)
from services.checker.checks.html import per_page
from tests.checker.checks.snap import CTX, HOME, make_page, make_snapshot

NAV = ("<html><body><div class='nav'><ul><li><a href='/zwgk/'>政务公开</a></li><li><a href='/hdjl/'>互动交流</a></li>"
       "<li><a href='/bsfw/'>办事服务</a></li><li><a href='/zwdt/'>政务动态</a></li></ul></div></body></html>")


def test_a_page_is_read_once_until_it_changes():
    reads = []
    lines = per_page(lambda page: reads.append(page.url) or page.text.splitlines())
    page = make_page(text="甲\n乙")
    assert lines(page) == ["甲", "乙"] and lines(page) == ["甲", "乙"] and len(reads) == 1
    page.text = "丙"
    assert lines(page) == ["丙"] and len(reads) == 2
    other = make_page(text="甲\n乙")  # an equal page is another page
    assert lines(other) == ["甲", "乙"] and len(reads) == 3


def test_the_homepage_is_parsed_once_for_the_checks_reading_its_tree(monkeypatch):
    parsed = []
    parse = html.parse
    monkeypatch.setattr(html, "parse", lambda page: parsed.append(page.url) or parse(page))
    # The crawler's text given: word checks read that, not the tree.
    snapshot = make_snapshot(make_page(html=NAV, title="某县人民政府", text="政务公开\n互动交流"))
    column_missing.check(snapshot, CTX), column_name_outdated.check(snapshot, CTX), typo.check(snapshot, CTX)
    assert len(missing_error_entry.check(snapshot, CTX)) == 1
    assert {e.name for e in navigation.nav_entries(snapshot)} >= {"政务公开", "互动交流", "办事服务"}
    # The navigation, the short links (column_missing reads them for several columns) and the error-report
    # entry are read from one parse.
    assert parsed == [snapshot.home.url]


def test_pages_read_are_released():
    # A worker checks site after site: what is kept per page goes with the page.
    page = make_page(f"{HOME}liuyan/", "<table><tr><th>留言标题</th><th>留言时间</th><th>状态</th></tr>"
                     "<tr><td>路灯不亮</td><td>2024-01-02</td><td>未回复</td></tr></table>", title="留言")
    home = make_page(html=NAV)
    assert [m.title for m in messages.board_messages(page)] == ["路灯不亮"] and navigation.link_entries(home)
    gone = [weakref.ref(page), weakref.ref(home)]
    del page, home
    gc.collect()
    assert [ref() for ref in gone] == [None, None]


def test_the_navigation_is_the_crawls_when_the_snapshot_carries_it(monkeypatch):
    parsed = []
    parse = html.parse
    monkeypatch.setattr(html, "parse", lambda page: parsed.append(page.url) or parse(page))
    crawled = make_snapshot(make_page(html=NAV, title="某县人民政府"))
    crawled.navigation = (("政务公开", f"{HOME}zwgk/"),)
    assert [(e.name, e.url) for e in navigation.nav_entries(crawled)] == [("政务公开", f"{HOME}zwgk/")] and parsed == []
    built = make_snapshot(make_page(html=NAV.replace("政务动态", "工作动态"), title="某县人民政府"))  # none: read
    assert "工作动态" in {e.name for e in navigation.nav_entries(built)} and parsed == [built.home.url]
