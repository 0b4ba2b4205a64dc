"""Column discovery, categories and the registry merge."""
import pytest
from selectolax.lexbor import LexborHTMLParser

from services.checker.crawl.columns import categorize, discover_columns, merge_columns, more_link, same_site
from tests.checker.crawl.corpus import CORPUS, ORIGINS

HOME = "http://www.example.gov.cn/"


@pytest.mark.parametrize(("name", "category"), [
    ("工作动态", "news"), ("政务动态", "news"), ("要闻", "news"), ("新闻中心", "news"),
    ("通知公告", "notice"), ("公示公告", "notice"), ("公告", "notice"),
    ("政策文件", "policy"), ("规范性文件", "policy"), ("政策解读", "policy"),
    ("政民互动", "interaction"), ("领导信箱", "interaction"), ("在线咨询", "interaction"),
    ("意见征集", "interaction"), ("网上调查", "interaction"), ("我要留言", "interaction"),
    ("办事服务", "service"), ("政务服务", "service"),
    ("政府信息公开", "disclosure"), ("政务公开", "disclosure"),
    ("机构设置", "other"), ("魅力万载", "other"),
])
def test_categorize(name: str, category: str):
    assert categorize(name) == category


def test_same_site():
    assert same_site("http://www.example.gov.cn/a", HOME)
    assert same_site("https://zwgk.example.gov.cn/a", HOME)
    assert same_site("http://example.gov.cn/", HOME)
    assert not same_site("http://www.other.gov.cn/", HOME)
    assert not same_site("http://badexample.gov.cn/", HOME)
    # the homepage's netloc read without a split: its port, user and case still decide as urlsplit's host does
    assert same_site("http://WWW.Example.gov.cn:8080/a?b#c", HOME)
    assert same_site("http://www.example.gov.cn?q=1", "http://www.example.gov.cn?q=2")
    assert not same_site("http://www.example.gov.cn.evil.com/", "http://www.example.gov.cn")
    assert not same_site("javascript:go('//www.example.gov.cn')", "http://www.example.gov.cn")


def test_more_name_skips_the_boxes_around_the_link():
    """The heading of a "更多" link is the nearest text outside the link and the boxes that hold it."""
    tree = LexborHTMLParser("""<div class="box"><h3>通知公告</h3><div><span><a href="/tzgg/">更多</a></span></div>
    <div><span><a href="/other/">其他栏目</a></span></div></div>""")
    assert discover_columns(tree, HOME) == [("通知公告", "http://www.example.gov.cn/tzgg/")]


def test_discover_from_nav_and_more_links():
    tree = LexborHTMLParser("""<div id="menu"><a href="/">首页</a><a href="/gzdt/">工作动态</a>
    <a href="/tzgg/">通知公告</a><a href="http://www.other.gov.cn/">外部网站链接</a>
    <a href="/eng/">English</a><a href="/long/">这是一个远远超过栏目名称长度的链接文字</a></div>
    <div class="box"><h3>政策解读</h3><a href="/zcjd/">更多&gt;&gt;</a><ul><li>…</li></ul></div>
    <div class="box"><a href="/rdzt/" title="热点专题">more</a></div>
    <div class="footer-nav"><a href="/about/">关于我们</a></div><footer><nav><a href="/map/">网站地图</a></nav></footer>""")
    assert discover_columns(tree, HOME) == [("工作动态", "http://www.example.gov.cn/gzdt/"),
                                            ("通知公告", "http://www.example.gov.cn/tzgg/"),
                                            ("政策解读", "http://www.example.gov.cn/zcjd/"),
                                            ("热点专题", "http://www.example.gov.cn/rdzt/")]


def test_discover_on_real_navigation():
    tree = LexborHTMLParser((CORPUS / "wanzai_2015_tjgb.html").read_text("utf-8"))
    found = discover_columns(tree, ORIGINS["wanzai_2015_tjgb.html"])
    assert [name for name, _ in found] == ["新闻中心", "县政府", "政务公开", "政务服务", "政民互动", "魅力万载",
                                           "数据开放"]
    assert found[0][1] == "http://www.wanzai.gov.cn/wzxrmzf/xwzx/xwzx.shtml"


def test_more_link():
    tree = LexborHTMLParser('<div><a href="index_1.html">下一页</a></div>')
    assert more_link(tree, "http://www.example.gov.cn/zcwj/") == "http://www.example.gov.cn/zcwj/index_1.html"
    assert more_link(LexborHTMLParser("<p>无</p>"), HOME) is None


def test_merge_registry_wins():
    registry = [{"name": "工作动态", "category": "notice", "should_update": False},
                {"name": "重点工作", "url": "/zdgz/"}]
    discovered = [("工作动态", HOME + "gzdt/"), ("政策文件", HOME + "zcwj/"), ("重点工作专栏", HOME + "zdgz/")]
    columns = merge_columns(registry, discovered, HOME, limit=10)
    assert [(c.name, c.url, c.category, c.should_update, c.source) for c in columns] == [
        ("工作动态", HOME + "gzdt/", "notice", False, "registry"),
        ("重点工作", HOME + "zdgz/", "other", False, "registry"),
        ("政策文件", HOME + "zcwj/", "policy", True, "navigation"),
    ]


def test_merge_limit_keeps_every_registry_column():
    registry = [{"name": f"栏目{i}", "url": f"/c{i}/"} for i in range(3)]
    columns = merge_columns(registry, [("工作动态", HOME + "gzdt/")], HOME, limit=2)
    assert [c.source for c in columns] == ["registry"] * 3
