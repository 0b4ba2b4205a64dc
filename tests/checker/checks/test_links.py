from services.checker.checks import broken_link, dark_link
from tests.checker.checks.snap import CTX, HOME, link, make_page, make_snapshot, status

ARTICLE = f"{HOME}art/1.html"


def test_broken_links_counted_apart_for_home_and_other_pages():
    links = [
        status(f"{HOME}a.pdf", 404),
        status(f"{HOME}img/x.png", None, "timeout", sources=(HOME, ARTICLE)),
        status(f"{HOME}old/", 500, sources=(ARTICLE,)),
        status(f"{HOME}ok/", 200),
        status("https://other.example.com/", 301),
    ]
    article = make_page(ARTICLE)
    home_f, other_f = broken_link.check(make_snapshot(pages=[article], links=links), CTX)
    assert (home_f.message, home_f.count, home_f.data["scope"]) == ("首页存在2个不可用链接", 2, "home")
    assert (other_f.message, other_f.count, other_f.data["scope"]) == ("其他页面存在1个不可用链接", 1, "other")
    assert other_f.evidence[0].url == f"{HOME}old/"
    assert "HTTP 500" in other_f.evidence[0].excerpt and ARTICLE in other_f.evidence[0].excerpt
    assert other_f.evidence[0].snapshot == article.snapshot_key
    assert home_f.evidence[1].excerpt.startswith("访问超时；所在页面：")  # in words, never the code


def test_no_broken_links_no_finding():
    assert broken_link.check(make_snapshot(links=[status(f"{HOME}ok/", 200), status(f"{HOME}r", 302)]), CTX) == []


def test_hidden_gambling_link_is_an_illegal_dark_link():
    spam = link("http://www.spam-site.com/", "澳门百家乐官网", hidden=True, reason="display:none",
                html='<div style="display:none"><a href="http://www.spam-site.com/">澳门百家乐官网</a></div>')
    [finding] = dark_link.check(make_snapshot(make_page(links=[spam])), CTX)
    assert finding.data["illegal"] is True and finding.data["words"] == ["澳门百家乐"]
    assert "存在暗链" in finding.message and "display:none" in finding.evidence[0].excerpt


def test_hidden_link_matched_by_address_only():
    spam = link("http://bet365-mirror.example.com/", "", hidden=True, reason="position:absolute;left:-9999px")
    [finding] = dark_link.check(make_snapshot(make_page(links=[spam])), CTX)
    assert finding.data["illegal"] is True


def test_hidden_off_site_link_is_flagged_but_not_illegal():
    hidden = link("http://www.some-company.com/", "某公司", hidden=True, reason="font-size:0")
    [finding] = dark_link.check(make_snapshot(make_page(links=[hidden])), CTX)
    assert finding.data["illegal"] is False


def test_hidden_menus_and_gov_links_and_visible_links_are_not_dark():
    links = [
        link(f"{HOME}zwgk/", "政务公开", hidden=True, reason="display:none"),             # drop-down menu
        link("http://tjj.example.gov.cn/", "统计局", hidden=True, reason="display:none"),  # same registrable domain
        link("http://www.shaanxi.gov.cn/", "陕西省人民政府", hidden=True, reason="display:none"),
        link("http://www.some-company.com/", "某公司"),                                   # visible
        link("http://www.spam.com/x.js", "", tag="script", hidden=True),
    ]
    assert dark_link.check(make_snapshot(make_page(links=links)), CTX) == []


def test_script_written_badge_and_statistics_links_are_not_dark():
    links = [link("https://bszs.conac.cn/sitename?method=show&id=1", "", hidden=True, reason="script_written"),
             link("https://www.cnzz.com/stat/website.php?web_id=1", "站长统计", hidden=True, reason="display:none")]
    assert dark_link.check(make_snapshot(make_page(links=links)), CTX) == []


def test_hidden_gambling_link_is_dark_link_not_sensitive_content():
    from services.checker.checks import sensitive_content
    spam = link("http://www.spam-site.com/", "澳门新葡京娱乐场", hidden=True, reason="display:none")
    home = make_page(text="网站首页 友情链接：中国政府网 澳门新葡京娱乐场 主办单位：某县", links=[spam])
    assert len(dark_link.check(make_snapshot(home), CTX)) == 1
    assert sensitive_content.check(make_snapshot(home), CTX) == []


def test_broken_links_are_not_judged_while_the_homepage_is_down():
    snap = make_snapshot(make_page(status=503), links=[status(f"{HOME}a/", 503), status(HOME, 503)])
    assert broken_link.check(snap, CTX) == []


def test_broad_gambling_roots_make_a_hidden_link_illegal():
    spam = link("http://x.example.com/", "威尼斯人官方", hidden=True, reason="script_written")
    [finding] = dark_link.check(make_snapshot(make_page(links=[spam])), CTX)
    assert finding.data["illegal"] is True and finding.data["words"] == ["威尼斯人"]
