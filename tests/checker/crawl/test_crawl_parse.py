"""Page fields from HTML: text, links, hidden links (暗链), viewport, page dates (real corpus pages too)."""
from datetime import date, datetime, timezone

import pytest

from services.checker.crawl.parse import parse_page
from services.checker.model import Page
from tests.checker.crawl.corpus import corpus_page

NOW = datetime(2024, 6, 15, tzinfo=timezone.utc)
BASE = "http://www.example.gov.cn/col/index.html"


def parse(html: str) -> Page:
    page = Page(url=BASE, final_url=BASE, status=200, error=None, fetched_at=NOW, html=html)
    parse_page(page, NOW)
    return page


def hidden(html: str) -> dict[str, str | None]:
    return {link.url: link.hidden_reason for link in parse(html).links if link.tag == "a"}


@pytest.mark.parametrize(("snippet", "reason"), [
    ('<a href="http://x.com/" style="display: none">x</a>', "display_none"),
    ('<a href="http://x.com/" style="visibility:hidden">x</a>', "visibility_hidden"),
    ('<a href="http://x.com/" style="FONT-SIZE: 0px">x</a>', "font_size_zero"),
    ('<a href="http://x.com/" style="opacity:0">x</a>', "opacity_zero"),
    ('<div style="height:0;overflow:hidden"><a href="http://x.com/">x</a></div>', "ancestor:tiny_size"),
    ('<div style="width:1px;height:1px;overflow:hidden"><a href="http://x.com/">x</a></div>', "ancestor:tiny_size"),
    ('<div style="position:absolute;top:-1000px"><a href="http://x.com/">x</a></div>', "ancestor:off_screen"),
    ('<div style="text-indent:-9999px"><a href="http://x.com/">x</a></div>', "ancestor:text_indent"),
    ('<div style="display:none"><p><span><a href="http://x.com/">x</a></span></p></div>', "ancestor:display_none"),
    ('<div hidden><a href="http://x.com/">x</a></div>', "ancestor:hidden_attribute"),
    ('<marquee height="1" width="1"><a href="http://x.com/">x</a></marquee>', "ancestor:tiny_size"),
    ('<div style="background:#FFF url(a.png)"><a href="http://x.com/" style="color:white">x</a></div>',
     "same_colour"),
    ('<div style="background-color:rgb(0,0,0)"><font color="#000"><a href="http://x.com/">x</a></font></div>',
     "same_colour"),
    ('<style>/* c */ .dl{display:none} @media print{.x{display:none}}</style><div class="a dl"><a href="http://x.com/">x</a></div>',
     "ancestor:display_none"),
    ('<style>div#k , .other { position:absolute; left:-3000px }</style><div id="k"><a href="http://x.com/">x</a></div>',
     "ancestor:off_screen"),
    ('<script>document.write("<a href=\\"http://x.com/\\">x</a>");</script>', "script_written"),
    ("<script>el.innerHTML = '<a href=http://x.com/ target=_blank>x</a>';</script>", "script_written"),
    ("<script>document.write(unescape('%3Ca%20href%3D%22http%3A//x.com/%22%3Ex%3C/a%3E'))</script>",
     "script_written"),
    # attributes alone, no style anywhere: the page's declaring elements are found by one query
    ('<table bgcolor="#FFFFFF"><tr><td><font color="white"><a href="http://x.com/">x</a></font></td></tr>'
     '</table>', "same_colour"),
    ('<DIV HIDDEN><P><A HREF="http://x.com/">x</A></P></DIV>', "ancestor:hidden_attribute"),
    # a <style> without simple rules leaves the attributes' facts as they are
    ('<style>@media print{.p{display:none}} a:hover{color:red}</style><div style="display:none">'
     '<a href="http://x.com/">x</a></div>', "ancestor:display_none"),
    # a rule's simple selectors count beside complex ones
    ('<style>.nav li a, .dl { display:none }</style><div class="dl"><a href="http://x.com/">x</a></div>',
     "ancestor:display_none"),
    # with simple rules, an attribute still hides
    ('<style>.n{color:#333}</style><div class="n" hidden><a href="http://x.com/">x</a></div>',
     "ancestor:hidden_attribute"),
])
def test_hidden_links(snippet: str, reason: str):
    assert hidden(f"<html><body><p>正文</p>{snippet}</body></html>") == {"http://x.com/": reason}


@pytest.mark.parametrize("snippet", [
    '<a href="http://x.com/" style="color:#333">x</a>',
    '<div style="height:20px;overflow:hidden"><a href="http://x.com/">x</a></div>',
    '<div style="left:-9999px"><a href="http://x.com/">x</a></div>',  # not positioned: no effect
    '<div style="height:0"><a href="http://x.com/">x</a></div>',       # overflows visibly
    '<style>.nav a{display:none}</style><div class="nav"><a href="http://x.com/">x</a></div>',
    '<style>@media (max-width:600px){.m{display:none}}</style><div class="m"><a href="http://x.com/">x</a></div>',
    '<div style="background:#fff"><a href="http://x.com/" style="color:#000">x</a></div>',
])
def test_visible_links(snippet: str):
    assert hidden(f"<html><body>{snippet}</body></html>") == {"http://x.com/": None}


def test_links_absolute_without_fragments_and_kinds():
    page = parse("""<html><head><link rel="stylesheet" href="../css/a.css"><link rel="alternate" href="/feed">
    <script src="/js/a.js"></script></head><body><a href=" /a.html#top ">甲</a><a href="#x">锚</a>
    <a href="javascript:void(0)">无</a><a href="mailto:a@b.cn">信</a><img src="img/b.png" alt="图">
    <iframe src="//other.gov.cn/f"></iframe><a href="/files/通知.pdf">附件</a>
    <a href="http://www.example.gov.cn/a.html">甲</a></body></html>""")
    got = {(link.tag, link.url, link.text) for link in page.links}
    assert got == {("link", "http://www.example.gov.cn/css/a.css", ""),
                   ("script", "http://www.example.gov.cn/js/a.js", ""),
                   ("a", "http://www.example.gov.cn/a.html", "甲"),
                   ("img", "http://www.example.gov.cn/col/img/b.png", "图"),
                   ("iframe", "http://other.gov.cn/f", ""),
                   ("a", "http://www.example.gov.cn/files/通知.pdf", "附件")}
    assert all(link.source_url == BASE for link in page.links)


def test_tiny_iframe_without_style_is_hidden():
    page = parse('<html><body><iframe src="http://x.com/" width="0" height="0"></iframe>'
                 '<iframe src="http://y.com/" width="600" height="400"></iframe></body></html>')
    assert {(link.tag, link.url, link.hidden_reason) for link in page.links} == {
        ("iframe", "http://x.com/", "tiny_size"), ("iframe", "http://y.com/", None)}


def test_first_base_with_href_counts_and_svg_links_are_links():
    page = parse('<html><head><base target="_blank"><base href="http://cdn.example.gov.cn/site/">'
                 '<base href="http://other.example.gov.cn/"></head><body><a href="p.html">页面</a>'
                 '<svg><a href="/svg.html"><text>图中链接</text></a></svg><A HREF="Q.HTML">大写</A></body></html>')
    assert [(link.tag, link.url, link.text) for link in page.links] == [
        ("a", "http://cdn.example.gov.cn/site/p.html", "页面"),
        ("a", "http://cdn.example.gov.cn/svg.html", "图中链接"),
        ("a", "http://cdn.example.gov.cn/site/Q.HTML", "大写")]


def test_link_text_from_alt_title_or_inner_image():
    page = parse('<html><body><a href="/a"><img src="/i.png" alt="图片标题"></a><a href="/b" title="提示"></a>'
                 '<img src="/c.png" alt="替代"><img src="/d.png" title="题"><a href="/e"><img src="/f.png"></a>'
                 '</body></html>')
    assert {link.url.rsplit("/", 1)[1]: link.text for link in page.links} == {
        "a": "图片标题", "i.png": "图片标题", "b": "提示", "c.png": "替代", "d.png": "题", "e": "", "f.png": ""}


def test_base_href_and_meta_refresh():
    page = parse('<html><head><base href="http://cdn.example.gov.cn/site/">'
                 '<meta http-equiv="refresh" content="0; url=http://evil.example.com/"></head>'
                 '<body><a href="p.html">页面</a></body></html>')
    assert {(link.tag, link.url) for link in page.links} == {("a", "http://cdn.example.gov.cn/site/p.html"),
                                                             ("meta", "http://evil.example.com/")}


def test_visible_text_and_title():
    page = parse("<html><head><title> 标题 </title><style>.a{color:red}</style></head><body>"
                 "<script>var secret='脚本内容';</script><div>第一段</div>尾巴<p>第&nbsp;二　段</p>"
                 "<span>国家</span><span>工商</span><noscript>无脚本</noscript></body></html>")
    assert page.title == "标题"
    assert page.text == "第一段\n尾巴\n第 二 段\n国家工商"


def test_viewport():
    assert parse('<html><head><meta name="viewport" content="width=device-width"></head></html>').has_viewport
    assert not parse('<html><head><meta name="viewport" content="width=1200"></head></html>').has_viewport
    assert not parse("<html><head></head><body></body></html>").has_viewport


def test_page_date_from_label_when_no_meta():
    assert parse("<html><body><span>发布时间：2023-05-31 10:00</span></body></html>").page_date == date(2023, 5, 31)
    assert parse("<html><body><span>发布日期:2022年1月2日</span></body></html>").page_date == date(2022, 1, 2)
    assert parse("<html><body><p>2023-05-31 会议</p></body></html>").page_date is None


def test_malformed_html():
    page = parse("<html><head><title>残缺</title><body><div><p>未闭合<a href='/ok'>链接一<table><tr><td>"
                 "<a href=\"/missing\">链接二</td></div></span><p <b>>>" + "<div>" * 3000 + "深处")
    assert {link.url for link in page.links} == {"http://www.example.gov.cn/ok",
                                                 "http://www.example.gov.cn/missing"}


# True publication dates from /work/shared/corpus/real/MANIFEST.md (meta PubDate wins over body text).
@pytest.mark.parametrize(("name", "published"), [
    ("wanzai_2015_tjgb.html", date(2022, 4, 24)),
    ("wanzai_2022_tjgb.html", date(2023, 8, 16)),
    ("yichun_2022_tjgb.html", date(2023, 5, 16)),
    ("jiangxi_2022_tjgb_yichun.html", date(2023, 5, 16)),
    ("jiangsu_gov_article_clone.html", date(2024, 10, 14)),
    ("jw_beijing_article_clone.html", date(2023, 11, 30)),
])
def test_real_page_dates(name: str, published: date):
    page = corpus_page(name)
    assert page.page_date == published
    assert page.has_viewport and page.title and len(page.text) > 300
    assert "function(" not in page.text


def test_real_page_without_meta_date_uses_label():
    page = corpus_page("jw_beijing_article_clone.html")
    page.html = page.html.replace('name="PubDate"', 'name="x"')
    parse_page(page, NOW)
    assert page.page_date == date(2023, 11, 30)  # "发布时间：2023-11-30&nbsp;&nbsp;…"


def test_real_page_hidden_visit_counter():
    page = corpus_page("jiangsu_gov_article_clone.html")
    counters = [link for link in page.links if link.hidden]
    assert [(link.tag, link.hidden_reason) for link in counters] == [("iframe", "display_none")]
    assert "visitcount/visit.jsp" in counters[0].url and counters[0].html.startswith("<iframe")


def test_shared_css_engine_answers_as_each_tree_would():
    """One CSS engine serves every tree (hidden.css): the hidden links and alt texts of one page do not leak
    into the next page's queries."""
    from selectolax.lexbor import LexborHTMLParser

    from services.checker.crawl.hidden import css
    first = LexborHTMLParser('<div style="display:none"><a href="/a"><img alt="A"></a></div>')
    second = LexborHTMLParser('<p width="1"><a href="/b"><img alt="B"></a></p><i hidden></i>')
    for tree in (first, second, first):
        for query in ("[style], [width], [hidden]", "img[alt]"):
            assert [n.html for n in css(tree.root, query)] == [n.html for n in tree.css(query)]
    assert [link.text for link in parse('<a href="/x"><img alt="图片"></a>').links if link.tag == "a"] == ["图片"]
