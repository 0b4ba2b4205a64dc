"""Column-list pagination in the CMS styles found on government sites, and what is not pagination."""
from urllib.parse import parse_qs, urlsplit

import pytest

from services.checker.crawl.pagination import pagination_urls, record_links
from tests.checker.crawl.corpus import CORPUS, ORIGINS


def page(body: str, head: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'>{head}</head><body><div class='nav'><a href='/'>首页</a>"
            f"<a href='/zwgk/'>政务公开</a></div><ul class='list'><li><a href='/zwgk/tzgg/202401/t20240102_1.html'>"
            f"关于开展安全检查的通知</a><span>2024-01-02</span></li></ul>{body}"
            "<div class='footer'><a href='http://www.gov.cn/'>中国政府网</a></div></body></html>")


def test_trs_create_page_html_gives_every_page_at_once() -> None:
    html = page("""<div class="page"><script language="JavaScript">
        var currentPage = 0;//所在页从0开始
        var prevPage = currentPage-1//上一页
        var nextPage = currentPage+1//下一页
        var countPage = 5//共多少页
        createPageHTML(countPage, currentPage, "index", "shtml");
        </script></div>""")
    base = "http://www.a.gov.cn/zwgk/tzgg/"
    assert pagination_urls(html, base + "index.shtml") == [f"{base}index_{i}.shtml" for i in range(1, 5)]


def test_trs_newer_form_with_element_id_from_a_later_page() -> None:
    html = page("<div id='page_div'></div><script>createPageHTML('page_div',7, 4,'index','html',120);</script>")
    base = "http://www.b.gov.cn/xxgk/gzdt/"
    urls = pagination_urls(html, base + "index_3.html")
    assert urls == [base + "index.html"] + [f"{base}index_{i}.html" for i in (1, 2, 4, 5, 6)]


def test_static_pager_filled_between_next_and_last() -> None:
    html = page("""<div class="fenye"><span>共57页</span><a href="index.html">首页</a><a href="index_1.html">下一页</a>
        <a href="index_56.html">尾页</a></div>""")
    base = "http://www.c.gov.cn/col/"
    urls = pagination_urls(html, base + "index.html")
    assert urls[0] == base + "index_1.html" and len(urls) == 56
    assert set(urls) == {f"{base}index_{i}.html" for i in range(1, 57)}


def test_query_page_numbers_with_page_count_only() -> None:
    # Hanweb/ASP.NET style: only 下一页 and "共 12 页 当前第1页", no 尾页 link.
    html = page("""<div class="pages">共 12 页 当前第1页 <a href="javascript:void(0)">上一页</a>
        <a href="/list.aspx?cid=2302&amp;pageIndex=2">下一页</a></div>""")
    urls = pagination_urls(html, "http://www.d.gov.cn/list.aspx?cid=2302")
    pages = sorted(int(parse_qs(urlsplit(u).query)["pageIndex"][0]) for u in urls)
    assert pages == list(range(1, 13)) or pages == list(range(2, 13))
    assert all(parse_qs(urlsplit(u).query)["cid"] == ["2302"] for u in urls)


def test_numbered_pager_without_words() -> None:
    # JCMS: ?uid=…&pageNum=N, numbers only, current page as a span.
    html = page("""<div class="default_pgContainer"><span class="current">3</span>
        <a href="?uid=7123&amp;pageNum=1">1</a><a href="?uid=7123&amp;pageNum=2">2</a>
        <a href="?uid=7123&amp;pageNum=4">4</a><a href="?uid=7123&amp;pageNum=9">9</a></div>""")
    urls = pagination_urls(html, "http://www.e.gov.cn/col/col28406/index.html?uid=7123&pageNum=3")
    nums = sorted(int(parse_qs(urlsplit(u).query)["pageNum"][0]) for u in urls)
    assert nums == [1, 2, 4, 5, 6, 7, 8, 9]


def test_dedecms_list_pages_vary_in_the_last_number() -> None:
    html = page("""<ul class="pagelist"><li><a>首页</a></li><li><a>上一页</a></li><li class="thisclass"><a>1</a></li>
        <li><a href="list_5_2.html">2</a></li><li><a href="list_5_3.html">3</a></li>
        <li><a href="list_5_2.html">下一页</a></li><li><a href="list_5_9.html">末页</a></li></ul>""")
    base = "http://www.f.gov.cn/a/xwzx/"
    assert sorted(pagination_urls(html, base + "list_5_1.html")) == sorted(f"{base}list_5_{i}.html" for i in range(2, 10))


def test_hanweb_jpage_data_proxy_groups() -> None:
    records = "".join(f"<record><![CDATA[<li><a href='/art/2024/1/{i}/art_4003_{i}.html'>通知{i}</a></li>]]></record>"
                      for i in range(1, 46))
    html = page(f"""<div id="28406"><script type="text/xml"><datastore>
        <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=4003&unitid=71542&webname=%E5%B8%82%E6%94%BF%E5%BA%9C&permissiontype=0"></a>]]></nextgroup>
        <recordset>{records}</recordset></datastore></script></div>
        <script>$(document).ready(function(){{ $('#28406').jpage({{dataStore: dataStore, totalRecord:200,
        perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp', groupSize:3}}); }});</script>""")
    urls = pagination_urls(html, "http://www.g.gov.cn/col/col4003/index.html")
    starts = [parse_qs(urlsplit(u).query) for u in urls]
    assert [(q["startrecord"][0], q["endrecord"][0]) for q in starts] == [("46", "90"), ("91", "135"), ("136", "180"),
                                                                          ("181", "225")]
    assert all(q["columnid"] == ["4003"] and q["unitid"] == ["71542"] for q in starts)
    assert all(urlsplit(u).path == "/module/web/jpage/dataproxy.jsp" for u in urls)
    links = record_links(html, "http://www.g.gov.cn/col/col4003/index.html")
    assert len(links) == 45 and links[0] == "http://www.g.gov.cn/art/2024/1/1/art_4003_1.html"


def test_jpage_proxy_answer_continues_the_chain() -> None:
    answer = ("<?xml version='1.0' encoding='UTF-8'?><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/"
              "dataproxy.jsp?page=1&webid=1&columnid=9&unitid=5\"></a>]]></nextgroup><totalrecord>100</totalrecord>"
              "<recordset><record><![CDATA[<li><a href=\"/art/2020/1/1/art_9_1.html\">旧通知</a></li>]]></record>"
              "</recordset></datastore>")
    url = "http://www.h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15&webid=1&columnid=9"
    urls = pagination_urls(answer, url)
    assert [parse_qs(urlsplit(u).query)["startrecord"][0] for u in urls] == ["91"]
    assert record_links(answer, url) == ["http://www.h.gov.cn/art/2020/1/1/art_9_1.html"]


def test_other_hosts_scripts_and_caps() -> None:
    html = page("""<div class="page"><a href="http://evil.example.com/list?page=2">下一页</a>
        <a href="javascript:goPage(2)">2</a></div>""")
    assert pagination_urls(html, "http://www.i.gov.cn/list?page=1") == []
    big = page('<div class="page"><a href="index_1.html">下一页</a><a href="index_99999.html">尾页</a></div>')
    assert len(pagination_urls(big, "http://www.i.gov.cn/col/index.html", max_pages=50)) == 50


def test_article_navigation_and_breadcrumbs_are_not_pagination() -> None:
    html = page("""<div class="crumb"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
        <div class="prev">上一篇：<a href="/zwgk/t20240101_1.html">关于…的通知</a></div>
        <div class="next">下一篇：<a href="/zwgk/t20240103_3.html">关于…的公告</a></div>""")
    assert pagination_urls(html, "http://www.j.gov.cn/zwgk/t20240102_2.html") == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name", sorted(ORIGINS))
def test_real_article_pages_have_no_pagination(name: str) -> None:
    """Real gov.cn article pages (breadcrumbs with 首页, 上一篇/下一篇, navigation menus): nothing to page."""
    html = (CORPUS / name).read_text("utf-8")
    assert pagination_urls(html, ORIGINS[name]) == []
