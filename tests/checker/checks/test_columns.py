"""column_missing (栏目缺漏) and column_name_outdated (栏目名称使用已变更的机构名称) on hand-built and real pages."""
from dataclasses import replace

from services.checker.checks import CheckContext, column_missing, column_name_outdated, typo
from services.checker.indicators import builtin_sets, resolve
from services.checker.model import RegistryFacts
from tests.checker.checks.snap import (
    CTX, HOME, NOW, column, days_ago, item, link, make_page, make_snapshot, real_page,
)

PORTAL = RegistryFacts(state="active", kind="portal")
DEPARTMENT = RegistryFacts(state="active", kind="department")


def nav_html(*names: str) -> str:
    entries = "".join(f'<li><a href="/col{i}/">{name}</a></li>' for i, name in enumerate(names))
    return f'<html><body><div class="nav"><ul><li><a href="/">首页</a></li>{entries}</ul></div></body></html>'


def anchors(pairs) -> str:
    return "".join(f'<a href="{url}">{name}</a>' for url, name in pairs)


def disclosure_page(*names: str):
    url = f"{HOME}col1/"
    pairs = [(f"{url}{i}/", name) for i, name in enumerate(names)]
    return make_page(url, f"<html><body>政府信息公开{anchors(pairs)}</body></html>",
                     links=[link(u, name, source=url) for u, name in pairs])


def missing(snapshot) -> list[str]:
    return [f.data["column"] for f in column_missing.check(snapshot, CTX)]


def test_portal_with_every_column_under_synonyms_has_no_finding():
    # 政务公开 for 政府信息公开, 规范性文件 for 政策文件, 图解解读, 政民互动, 网上办事; the sub-columns on its page.
    home = make_page(html=nav_html("要闻动态", "政务公开", "规范性文件", "图解解读", "政民互动", "网上办事"))
    page = disclosure_page("公开指南", "公开制度", "法定主动公开内容", "政府信息公开年报")
    col = replace(column("政务公开", "disclosure", [], url=page.url), page=page)
    assert missing(make_snapshot(home, columns=[col], registry=PORTAL)) == []


def test_portal_missing_columns_are_findings_with_the_nav_as_evidence():
    home = make_page(html=nav_html("要闻动态", "政务公开", "政策文件", "互动交流"))
    page = disclosure_page("政府信息公开指南", "政府信息公开年报", "通知公告")
    col = replace(column("政务公开", "disclosure", [], url=page.url), page=page)
    findings = column_missing.check(make_snapshot(home, columns=[col], registry=PORTAL), CTX)
    by_column = {f.data["column"]: f for f in findings}
    assert set(by_column) == {"政府信息公开制度", "法定主动公开内容", "政策解读", "政务服务"}
    top = by_column["政策解读"]
    assert top.message == "栏目设置不规范，缺少“政策解读”栏目"
    assert top.evidence[0].url == HOME and top.evidence[0].excerpt == "导航栏目：要闻动态、政务公开、政策文件、互动交流"
    sub = by_column["法定主动公开内容"]
    assert sub.message == "栏目设置不规范，“政务公开”栏目缺少“法定主动公开内容”"
    assert sub.evidence[0].url == page.url and "政府信息公开指南、政府信息公开年报、通知公告" in sub.evidence[0].excerpt


def test_a_report_column_alone_is_not_the_disclosure_column():
    home = make_page(html=nav_html("工作动态", "政府信息公开年报", "领导信箱"))
    assert missing(make_snapshot(home, registry=DEPARTMENT)) == ["政府信息公开"]


def test_sub_columns_are_not_judged_when_the_parent_page_was_not_read():
    home = make_page(html=nav_html("工作动态", "信息公开", "领导信箱"))
    assert missing(make_snapshot(home, registry=DEPARTMENT)) == []


def test_homepage_block_links_count_and_dated_items_do_not():
    pairs = [(f"{HOME}zn/", "政府信息公开指南"), (f"{HOME}art/1.html", "政府信息公开年报")]
    home = make_page(html=nav_html("工作动态", "信息公开", "互动交流").replace("</body>", anchors(pairs) + "</body>"),
                     links=[link(url, name) for url, name in pairs],
                     items=[item("政府信息公开年报", days_ago(3), f"{HOME}art/1.html")])
    page = disclosure_page("通知公告")
    col = replace(column("信息公开", "disclosure", [], url=page.url), page=page)
    assert missing(make_snapshot(home, columns=[col], registry=DEPARTMENT)) == ["政府信息公开年报"]


def test_a_tier_overrides_and_drops_required_columns():
    raw = builtin_sets()
    raw["tier"] = {"id": "tier", "version": 1, "parent": "gov-2019", "name": "某市",
                   "required_columns": {"department": {"政府信息公开年报": None, "办事服务": {"synonyms": ["办事"]}}}}
    ctx = CheckContext.for_set(resolve("tier", raw.__getitem__), NOW)
    home = make_page(html=nav_html("工作动态", "信息公开", "互动交流"))
    assert [f.data["column"] for f in column_missing.check(make_snapshot(home, registry=DEPARTMENT), ctx)] == ["办事服务"]
    assert list(resolve("gov-2019").required_columns["department"]) == [
        "政府信息公开", "政府信息公开指南", "政府信息公开年报", "互动交流"]


def test_unreachable_home_and_unknown_kind():
    down = make_page(status=503, html=None)
    assert column_missing.check(make_snapshot(down, registry=PORTAL), CTX) == []
    # The registry did not say: held to a department's list.
    home = make_page(html=nav_html("工作动态", "信息公开", "互动交流"))
    assert missing(make_snapshot(home, registry=RegistryFacts(state="active"))) == []


def test_an_information_disclosure_section_is_not_held_to_a_site_list():
    """A 信息公开专栏 is the department's 政府信息公开 on the portal: no 互动交流 of its own is missing."""
    home = make_page(html=nav_html("机构职能", "法定主动公开内容", "通知公告"))
    assert missing(make_snapshot(home, registry=RegistryFacts(state="active", kind="column"))) == []
    assert missing(make_snapshot(home, registry=DEPARTMENT)) == ["政府信息公开", "互动交流"]


def test_real_portal_navigation_has_its_columns():
    """Real gov.cn pages (../shared/corpus/real): the columns their navigation shows are found under the
    names they use (政务公开, 政务服务/办事服务, 政民互动); only columns their nav does not show are reported."""
    for name, url in (("wanzai_2015_tjgb.html", "http://www.wanzai.gov.cn/"),
                      ("jw_beijing_article_clone.html", "https://jw.beijing.gov.cn/")):
        home = real_page(name, url)
        assert missing(make_snapshot(home, registry=DEPARTMENT)) == [], name
        portal = set(missing(make_snapshot(home, registry=PORTAL)))
        assert not portal & {"政府信息公开", "互动交流", "政务服务"}, (name, portal)
        assert column_name_outdated.check(make_snapshot(home, registry=PORTAL), CTX) == [], name
    for name in ("yichun_2022_tjgb.html", "jiangxi_2022_tjgb_yichun.html", "wanzai_2022_tjgb.html"):
        home = real_page(name, "http://www.yichun.gov.cn/")
        # 法定主动公开内容 is linked on these pages.
        assert "法定主动公开内容" not in missing(make_snapshot(home, registry=PORTAL)), name


def test_outdated_column_name_is_one_finding_per_column():
    home = make_page(html=nav_html("工作动态", "卫计委动态", "国土资源局公告", "信息公开"),
                     text="工作动态 卫计委动态 国土资源局公告 信息公开")
    snap = make_snapshot(home, registry=DEPARTMENT)
    findings = column_name_outdated.check(snap, CTX)
    assert [f.data["column"] for f in findings] == ["卫计委动态", "国土资源局公告"]
    assert findings[0].message.startswith("栏目名称“卫计委动态”使用已变更的机构名称：“卫计委”应为“卫")
    assert findings[0].evidence[0].excerpt == f"栏目“卫计委动态”（{HOME}col1/）"
    # The navigation's old names are the columns' findings, not typos on the page.
    assert typo.check(snap, CTX) == []


def test_registry_column_name_is_checked_and_body_text_history_is_not():
    home = make_page(html=nav_html("工作动态", "卫健委动态"))
    # An article of 2018 under the current column name tells the old name's history: no column finding,
    # and the body text is dated before the change (not a typo either).
    article = make_page(f"{HOME}art/2018/1.html", "<html><body>原市卫计委召开会议</body></html>",
                        text="原市卫计委召开会议", page_date=days_ago(2200))
    col = column("卫健委动态", "news", [item("原市卫计委召开会议", days_ago(2200), article.url)])
    snap = make_snapshot(home, pages=[article], columns=[col], registry=DEPARTMENT)
    assert column_name_outdated.check(snap, CTX) == []
    assert typo.check(snap, CTX) == []
    registry_col = column("国土资源局通知", "notice", [item("a", days_ago(2))])
    [finding] = column_name_outdated.check(make_snapshot(home, columns=[registry_col], registry=DEPARTMENT), CTX)
    assert [m["word"] for m in finding.data["matches"]] == ["国土资源局"]
    assert finding.data["matches"][0]["suggestion"].startswith("自然资源")
