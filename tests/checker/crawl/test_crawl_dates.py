"""Date parsing and list items, on synthetic CMS layouts and on the real pages of the shared corpus."""
from datetime import date, datetime, timezone

import pytest
from selectolax.lexbor import LexborHTMLParser

from services.checker.crawl.dates import extract_items, find_date, labelled_date, parse_date
from tests.checker.crawl.corpus import CORPUS, corpus_page

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-05-31", date(2023, 5, 31)),
    ("2023/5/31", date(2023, 5, 31)),
    ("2023.05.31", date(2023, 5, 31)),
    ("2023年5月31日", date(2023, 5, 31)),
    ("2023 年 5 月 31 日", date(2023, 5, 31)),
    ("[05-31]", date(2023, 5, 31)),        # later than the time point this year: last year
    ("05-31", date(2023, 5, 31)),
    ("[02-10]", date(2024, 2, 10)),        # already past this year
    ("2月10日", date(2024, 2, 10)),
    ("发布时间：2023-05-31 10:00", date(2023, 5, 31)),
    ("2023-11-30  14:52", date(2023, 11, 30)),
    ("索引号：014717475N/2023-0032866", None),  # not a date
    ("2011-2015年规划", None),
    ("2023-02-30", None),
    ("电话 0795-8821234", None),
])
def test_parse_date(text: str, expected: date | None):
    assert parse_date(text, NOW) == expected


def test_short_date_never_in_the_future():
    assert parse_date("03-01", NOW) == date(2024, 3, 1)
    assert parse_date("03-02", NOW) == date(2023, 3, 2)
    assert find_date("12-31", NOW) == (date(2023, 12, 31), "12-31")


def test_year_inference_uses_beijing_date():
    late_evening_utc = datetime(2024, 6, 14, 20, 0, tzinfo=timezone.utc)  # already 06-15 in Beijing
    assert parse_date("06-15", late_evening_utc) == date(2024, 6, 15)
    assert parse_date("06-15", datetime(2024, 6, 14, 12, 0, tzinfo=timezone.utc)) == date(2023, 6, 15)


def test_labelled_date_takes_the_labelled_one():
    assert labelled_date("来源：县政府 2020-01-01 发布时间：2023-11-30    来源", NOW) == date(2023, 11, 30)
    assert labelled_date("发布日期： 2017-05-15 10:49:00", NOW) == date(2017, 5, 15)
    assert labelled_date("没有日期", NOW) is None


def items(html: str):
    return [(i.title, i.url, i.published) for i in
            extract_items(LexborHTMLParser(html), "http://www.example.gov.cn/col/", NOW)]


def test_hanweb_ul_li_span():
    html = """<ul class="nav"><li><a href="/a">政务公开栏目</a></li><li><a href="/b">政民互动栏目</a></li></ul>
    <div class="default_pgContainer"><ul>
    <li><a href="art/2024/2/20/a.html" title="关于印发某某实施方案的通知">关于印发某某...</a><span class="bt_time">2024-02-20</span></li>
    <li><a href="art/2024/1/5/b.html">市政府常务会议召开</a><span class="bt_time">2024-01-05</span></li>
    <li><a href="art/2023/1/5/c.html">一条没有日期的信息</a></li></ul></div>"""
    assert items(html) == [
        ("关于印发某某实施方案的通知", "http://www.example.gov.cn/col/art/2024/2/20/a.html", date(2024, 2, 20)),
        ("市政府常务会议召开", "http://www.example.gov.cn/col/art/2024/1/5/b.html", date(2024, 1, 5)),
        ("一条没有日期的信息", "http://www.example.gov.cn/col/art/2023/1/5/c.html", None),
    ]


def test_trs_and_govcn_styles():
    trs = """<ul class="list"><li><span class="fr">2023-12-28</span><a href="./202312/t20231228_1.html">
    国务院办公厅关于某项工作的通知</a></li><li><span>[01-03]</span><a href="./202401/t20240103_2.html">
    关于举办培训班的通知</a></li></ul>"""
    assert [(t, d) for t, _, d in items(trs)] == [("国务院办公厅关于某项工作的通知", date(2023, 12, 28)),
                                                  ("关于举办培训班的通知", date(2024, 1, 3))]


def test_table_rows_with_date_cell_and_date_in_title():
    html = """<table><tr><th>名称</th><th>日期</th></tr>
    <tr><td><a href="f1.html">关于2023年5月31日停电的通知</a></td><td>测政发〔2023〕5号</td><td>2023-05-20</td></tr>
    <tr><td><a href="f2.html">某县2022年国民经济统计公报 2023年3月1日</a></td></tr></table>"""
    assert [(t, d) for t, _, d in items(html)] == [("关于2023年5月31日停电的通知", date(2023, 5, 20)),
                                                   ("某县2022年国民经济统计公报 2023年3月1日", date(2023, 3, 1))]


def test_div_list_entries_and_pager_ignored():
    html = """<div class="list"><div class="item"><h3><a href="n1.html">第一条新闻标题内容</a></h3>
    <p class="date">2024.02.01</p></div><div class="item"><h3><a href="n2.html">第二条新闻标题内容</a></h3>
    <p class="date">2024.01.15</p></div></div><div class="page"><a href="index_1.html">下一页</a>
    <a href="index_9.html">尾页</a></div>"""
    assert [(t, d) for t, _, d in items(html)] == [("第一条新闻标题内容", date(2024, 2, 1)),
                                                   ("第二条新闻标题内容", date(2024, 1, 15))]


def test_date_beside_a_wrapped_anchor_and_hrefs_joined_as_written():
    # the anchor is its <span>'s only child: the date is found one level up, beside the span
    assert items('<div class="list"><div><span><a href="a.html">第一条通知标题</a></span><em>2024-01-02</em></div>'
                 '<div><span><a href="http://www.example.gov.cn/b.html#top">第二条通知标题</a></span>'
                 '<em>2024-01-03</em></div><div><a href="..\\c.html">第三条通知标题</a></div></div>') == [
        ("第一条通知标题", "http://www.example.gov.cn/col/a.html", date(2024, 1, 2)),
        ("第二条通知标题", "http://www.example.gov.cn/b.html", date(2024, 1, 3)),
        ("第三条通知标题", "http://www.example.gov.cn/col/..\\c.html", None)]


def test_navigation_without_dates_is_not_a_list():
    assert items('<ul><li><a href="/a">网站首页链接</a></li><li><a href="/b">政务公开栏目</a></li></ul>') == []


def test_real_wanzai_related_articles():
    page = corpus_page("wanzai_2022_tjgb.html")
    assert [(i.title, i.published) for i in page.items] == [
        ("图文解读：《万载县2022年国民经济和社会发展统计公报》", date(2023, 7, 12))]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.html")))
def test_real_pages_yield_no_spurious_items(name: str):
    # Article pages: breadcrumbs, navigation and metadata blocks are not list items.
    page = corpus_page(name)
    assert all(i.published is not None for i in page.items)
    assert len(page.items) <= 1
