from datetime import timedelta

from services.checker.checks import column_empty, column_not_updated, home_not_updated, unreachable
from services.checker.model import Probe, RegistryFacts
from tests.checker.checks.snap import (
    CTX, HOME, NOW, column, days_ago, item, link, make_page, make_snapshot, real_page,
)


def probes(ok: int, failed: int) -> list[Probe]:
    series = [Probe(at=NOW - timedelta(minutes=30 * i), ok=True, status=200, elapsed_ms=200) for i in range(ok)]
    series += [Probe(at=NOW - timedelta(minutes=30 * i + 7), ok=False, status=None, elapsed_ms=15000,
                     error="timeout") for i in range(failed)]
    return series


# --- unreachable ---
def test_single_failed_probe_is_unreachable_at_the_time_point():
    snap = make_snapshot(make_page(status=None, error="timeout"),
                         probes=[Probe(at=NOW, ok=False, status=None, elapsed_ms=15000, error="timeout")])
    [finding] = unreachable.check(snap, CTX)
    assert finding.message == "监测时间点无法访问"
    # The evidence names the failure in words, never the crawler's code.
    assert finding.evidence[0].url == HOME and finding.evidence[0].excerpt == "访问失败（访问超时），耗时15000毫秒"
    assert finding.evidence[0].observed_at == NOW.isoformat()


def test_failed_share_at_threshold_is_unreachable_and_below_is_not():
    [finding] = unreachable.check(make_snapshot(probes=probes(ok=190, failed=10)), CTX)
    assert finding.message == "首页不能访问比例达5.0%（10/200次）"
    assert finding.data["failed"] == 10
    assert unreachable.check(make_snapshot(probes=probes(ok=191, failed=9)), CTX) == []


def test_probes_outside_the_week_do_not_count():
    old = [Probe(at=NOW - timedelta(days=9), ok=False, status=503, elapsed_ms=10) for _ in range(50)]
    assert unreachable.check(make_snapshot(probes=probes(ok=100, failed=0) + old), CTX) == []


def test_no_probes_no_finding():
    assert unreachable.check(make_snapshot(probes=[]), CTX) == []


# --- home_not_updated ---
def test_home_with_only_old_items_is_not_updated():
    home = make_page(items=[item("旧闻", days_ago(20)), item("更旧", days_ago(40))])
    [finding] = home_not_updated.check(make_snapshot(home), CTX)
    assert finding.message == "首页超过2周未更新"
    assert days_ago(20).isoformat() in finding.evidence[0].excerpt
    assert finding.evidence[0].snapshot == home.snapshot_key


def test_home_with_undated_items_counts_as_not_new():
    home = make_page(items=[item("无日期", None)])
    [finding] = home_not_updated.check(make_snapshot(home), CTX)
    assert "未发现带发布日期" in finding.evidence[0].excerpt


def test_home_updated_within_window_by_item_or_linked_article():
    assert home_not_updated.check(make_snapshot(make_page(items=[item("新", days_ago(14))])), CTX) == []
    article = make_page(f"{HOME}art/1.html", page_date=days_ago(3), title="新文章")
    home = make_page(links=[link(article.url, "新文章")])
    assert home_not_updated.check(make_snapshot(home, pages=[article]), CTX) == []


def test_future_dates_do_not_make_a_home_fresh():
    home = make_page(items=[item("截止日期", NOW.date() + timedelta(days=30)), item("旧", days_ago(30))])
    assert len(home_not_updated.check(make_snapshot(home), CTX)) == 1


def test_unreachable_home_is_left_to_unreachable():
    assert home_not_updated.check(make_snapshot(make_page(status=None, error="timeout")), CTX) == []


# --- column_not_updated ---
def test_stale_columns_by_category_window():
    cols = [
        column("工作动态", "news", [item("a", days_ago(15))]),
        column("通知公告", "notice", [item("b", days_ago(150))]),
        column("政策文件", "policy", [item("c", days_ago(200))]),
        column("规划计划", "other", [item("d", days_ago(300))]),
        column("机构职能", "other", [item("e", days_ago(900))], should_update=False),
    ]
    findings = column_not_updated.check(make_snapshot(columns=cols), CTX)
    assert [f.message for f in findings] == [
        f"栏目“工作动态”超过2周未更新（最新信息发布于{days_ago(15)}）",
        f"栏目“政策文件”超过6个月未更新（最新信息发布于{days_ago(200)}）",
    ]
    assert [f.data["category"] for f in findings] == ["news", "policy"]
    assert findings[0].evidence[0].url == cols[0].url


def test_column_of_undated_items_is_stale_and_empty_column_is_not_judged_here():
    cols = [column("要闻", "news", [item("x", None)]), column("空栏目", "news", [])]
    [finding] = column_not_updated.check(make_snapshot(columns=cols), CTX)
    assert "信息均无发布日期" in finding.message


# --- column_empty ---
EMPTY = "<html><body><div class='list'>暂无信息</div></body></html>"


def test_column_saying_no_information_is_empty():
    col = column("专项资金", "other", [], html=EMPTY)
    col.page.text = "网站首页\n专项资金\n暂无信息"
    home = make_page(text="网站首页\n版权所有")
    [finding] = column_empty.check(make_snapshot(home, columns=[col]), CTX)
    assert finding.message == "栏目“专项资金”为空白栏目"
    assert finding.data["category"] == "other"


def test_column_with_items_or_own_content_is_not_empty():
    filled = column("工作动态", "news", [item("a", days_ago(1))], html=EMPTY)
    article_like = column("机构职能", "other", [], html="<html><body><p>" + "负责全县统计工作。" * 20 + "</p></body></html>")
    listed = column("政策解读", "policy", [])
    listed.page.links = [link(f"{HOME}jd/{i}.html", f"关于某项政策的解读第{i}篇") for i in range(5)]
    failed = column("坏栏目", "news", [], page=make_page(f"{HOME}bad/", status=404, html=None))
    assert column_empty.check(make_snapshot(columns=[filled, article_like, listed, failed]), CTX) == []


def test_column_with_only_template_text_is_empty():
    template = "网站首页\n政务公开\n互动交流\n版权所有：某县人民政府"
    home = make_page(text=template, links=[link(f"{HOME}zwgk/", "政务公开")])
    col = column("统计数据", "other", [])
    col.page.text = template + "\n统计数据"
    col.page.links = [link(f"{HOME}zwgk/", "政务公开")]
    assert len(column_empty.check(make_snapshot(home, columns=[col]), CTX)) == 1


def test_real_article_page_as_a_column_is_not_empty():
    page = real_page("wanzai_2022_tjgb.html", f"{HOME}tjgb/")
    col = column("统计公报", "other", [], page=page)
    assert column_empty.check(make_snapshot(columns=[col], registry=RegistryFacts(state="active")), CTX) == []


def test_fresh_messages_do_not_make_the_home_updated():
    board = column("领导信箱", "interaction", [item("咨询", days_ago(1), f"{HOME}hdjl/1.html")], should_update=False)
    news = column("工作动态", "news", [item("旧闻", days_ago(25))])
    home = make_page(items=[item("咨询", days_ago(1), f"{HOME}hdjl/1.html"), item("旧闻", days_ago(25))])
    assert len(home_not_updated.check(make_snapshot(home, columns=[board, news]), CTX)) == 1


def test_entries_featured_on_the_homepage_do_not_make_a_column_empty():
    nav = [link(f"{HOME}zwgk/", "政务公开"), link(f"{HOME}hdjl/", "互动交流")]
    guides = [link(f"{HOME}bszn/{i}.html", f"第{i}项审批事项办事指南") for i in range(3)]
    home = make_page(text="网站首页\n政务公开\n互动交流", links=nav + guides)
    article = make_page(f"{HOME}art/1.html", text="文章", links=list(nav))
    col = column("办事服务", "service", [])
    col.page.text = "网站首页\n政务公开\n互动交流"
    col.page.links = nav + guides
    assert column_empty.check(make_snapshot(home, pages=[article], columns=[col]), CTX) == []
