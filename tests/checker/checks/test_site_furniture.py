from services.checker.checks import (
    domain_not_released, missing_error_entry, missing_footer_ids, mobile_unfriendly, no_services,
    service_guide_incomplete,
)
from services.checker.checks.guides import ANY_ELEMENT, ELEMENTS, present_elements
from services.checker.checks.html import in_own_text, own_text
from services.checker.model import RegistryFacts
from tests.checker.checks.snap import CTX, HOME, column, days_ago, item, link, make_page, make_snapshot, real_page, status

FOOTER = """<html><head><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<div class="footer">主办：某县人民政府 <a href="https://beian.miit.gov.cn/">陕ICP备12345678号-1</a>
网站标识码：6105000001 <a href="http://www.beian.gov.cn/"><img src="ga.png">陕公网安备 61050202000123号</a>
<span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&id=1"><img src="red.png"></a></span>
<script id="_jiucuo_" sitecode="6105000001" src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>
</div></body></html>"""
REGISTRY = RegistryFacts(site_code="6105000001", icp_number="陕ICP备12345678号", psb_number="61050202000123",
                         has_badge=True, state="active")


# --- missing_footer_ids ---
def test_complete_footer_matching_registry_is_clean():
    assert missing_footer_ids.check(make_snapshot(make_page(html=FOOTER), registry=REGISTRY), CTX) == []


def test_missing_identifiers_one_finding_each():
    html = "<html><body><div class='footer'>主办：某县人民政府 版权所有</div></body></html>"
    findings = missing_footer_ids.check(make_snapshot(make_page(html=html), registry=REGISTRY), CTX)
    assert [f.message for f in findings] == [
        "网站首页底部缺少网站标识码", "网站首页底部缺少ICP备案号", "网站首页底部缺少公安机关备案号",
        "网站首页底部缺少党政机关网站标识",
    ]
    assert all(f.evidence[0].url == HOME for f in findings)


def test_values_differing_from_registry():
    registry = RegistryFacts(site_code="6105000002", icp_number="陕ICP备12345678号", psb_number="61050202000999",
                             state="active")
    findings = missing_footer_ids.check(make_snapshot(make_page(html=FOOTER), registry=registry), CTX)
    assert [f.message for f in findings] == ["网站标识码与登记信息不一致", "公安机关备案号与登记信息不一致"]
    assert findings[0].data == {"item": "site_code", "shown": "6105000001", "registered": "6105000002"}


def test_real_footers_are_read():
    for name in ["wanzai_2022_tjgb.html", "yichun_2022_tjgb.html", "jw_beijing_article_clone.html"]:
        assert missing_footer_ids.check(make_snapshot(real_page(name)), CTX) == [], name


# --- missing_error_entry ---
def test_error_entry_by_script_link_or_label():
    assert missing_error_entry.check(make_snapshot(make_page(html=FOOTER)), CTX) == []
    link_html = '<html><body><a href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode=1">纠错</a></body></html>'
    assert missing_error_entry.check(make_snapshot(make_page(html=link_html)), CTX) == []
    text_html = "<html><body><a href='/jc'>我为政府网站找错</a></body></html>"
    assert missing_error_entry.check(make_snapshot(make_page(html=text_html)), CTX) == []
    for name in ["wanzai_2022_tjgb.html", "yichun_2022_tjgb.html"]:
        assert missing_error_entry.check(make_snapshot(real_page(name)), CTX) == [], name


def test_no_error_entry():
    [finding] = missing_error_entry.check(make_snapshot(make_page(html="<html><body>版权所有</body></html>")), CTX)
    assert finding.message == "网站首页未提供“我为政府网站找错”入口"


# --- mobile_unfriendly ---
def test_viewport_or_mobile_version_is_adapted():
    assert mobile_unfriendly.check(make_snapshot(make_page(html=FOOTER)), CTX) == []
    agent = '<html><head><meta name="mobile-agent" content="format=html5;url=http://m.example.gov.cn/"></head></html>'
    assert mobile_unfriendly.check(make_snapshot(make_page(html=agent)), CTX) == []
    redirect = ("<html><head><script>if(/Android|iPhone/i.test(navigator.userAgent)){window.location.href="
                "'http://www.example.gov.cn/wap/index.html';}</script></head></html>")
    assert mobile_unfriendly.check(make_snapshot(make_page(html=redirect)), CTX) == []
    assert mobile_unfriendly.check(make_snapshot(make_page(has_viewport=True)), CTX) == []


def test_desktop_only_home_is_unfriendly():
    html = '<html><head><meta name="keywords" content="x"></head><body style="width:1200px">首页</body></html>'
    [finding] = mobile_unfriendly.check(make_snapshot(make_page(html=html)), CTX)
    assert finding.message == "网站未适配移动终端"


# --- domain_not_released ---
def test_closed_site_still_serving_content():
    home = make_page(text="本网站已关停，请访问新网址", title="某局")
    [finding] = domain_not_released.check(make_snapshot(home, registry=RegistryFacts(state="closed")), CTX)
    assert finding.message == "已关停网站域名未注销，仍可访问" and "已关停" in finding.evidence[0].excerpt


def test_active_site_or_released_domain_is_clean():
    assert domain_not_released.check(make_snapshot(registry=RegistryFacts(state="active")), CTX) == []
    gone = make_page(status=None, error="connect_error", html=None)
    assert domain_not_released.check(make_snapshot(gone, registry=RegistryFacts(state="deregistered")), CTX) == []


# --- no_services / service_guide_incomplete ---
def test_services_by_working_link_or_service_column():
    home = make_page(links=[link("https://zwfw.example.gov.cn/", "网上办事")])
    assert no_services.check(make_snapshot(home, links=[status("https://zwfw.example.gov.cn/", 200)]), CTX) == []
    col = column("办事服务", "service", [item("x", days_ago(1))])
    assert no_services.check(make_snapshot(columns=[col]), CTX) == []


def test_no_services():
    home = make_page(links=[link("https://zwfw.example.gov.cn/", "网上办事"), link(f"{HOME}zwgk/", "政务公开")])
    [finding] = no_services.check(make_snapshot(home, links=[status("https://zwfw.example.gov.cn/", 404)]), CTX)
    assert finding.message == "网站未提供在线办事服务"


GUIDE = ("事项名称：个体工商户登记 设定依据：《促进个体工商户发展条例》 申请条件：… 办理材料：身份证 "
         "办理地点：政务大厅 办理机构：县市场监管局 收费标准：不收费 办理时间：工作日 联系电话：0913-1234567 办理流程：受理、审核")


def test_guide_missing_four_elements_is_incomplete():
    thin = make_page(f"{HOME}bszn/1.html", title="个体工商户登记办事指南",
                     text="事项名称：个体工商户登记 申请条件：… 办理材料：身份证 办理地点：政务大厅 联系电话：0913-1234567 办理流程：…")
    full = make_page(f"{HOME}bszn/2.html", title="登记办事指南", text=GUIDE)
    [finding] = service_guide_incomplete.check(make_snapshot(pages=[thin, full]), CTX)
    assert finding.data["missing"] == ["设定依据", "办理机构", "收费标准", "办理时间"]
    assert finding.message.startswith("办事指南“个体工商户登记办事指南”要素不全，缺少设定依据")


def test_contact_page_is_not_a_guide():
    contact = make_page(f"{HOME}lxwm/", title="联系我们", text="办公地址：某路1号 联系电话：0913-1 办公时间：工作日")
    three_missing = make_page(f"{HOME}bszn/3.html", title="办事指南",
                              text=GUIDE.replace("设定依据", "").replace("收费标准", "").replace("办理时间", ""))
    assert service_guide_incomplete.check(make_snapshot(pages=[contact, three_missing]), CTX) == []


def test_footer_phone_is_not_a_guide_element():
    home = make_page(text="网站首页\n主办单位：某县水务局 联系电话：0913-1234567")
    guide = make_page(f"{HOME}bszn/4.html", title="临时救助审批办事指南",
                      text="网站首页\n事项名称：临时救助审批\n申请条件：…\n办理地点：大厅\n办理机构：县民政局\n"
                           "办理时间：工作日\n主办单位：某县水务局 联系电话：0913-1234567")
    [finding] = service_guide_incomplete.check(make_snapshot(home, pages=[guide]), CTX)
    assert "联系电话" in finding.data["missing"] and len(finding.data["missing"]) == 5


def test_every_element_name_is_found_alone():
    # present_elements first scans for any element at once; each name of each element must still be found.
    for name, pattern in ELEMENTS.items():
        for word in pattern.pattern.split("|"):
            assert present_elements(f"本页：{word}：见下") == [name], word
    assert present_elements("政务动态 通知公告") == []


def test_an_element_named_only_in_the_footer_is_not_the_pages_own():
    home = make_page(text="首页\n  联系电话：0791-1234567  \n办公地址：某路1号")
    cases = {
        "通知\n联系电话：0791-1234567\n办公地址：某路1号": False,      # the footer's lines only
        "通知\r\n联系电话：0791-1234567\r\n办理时间：工作日": True,      # a line of its own (CRLF)
        "办理流程\u2028联系电话：0791-1234567": True,                   # any of splitlines' breaks
        "政务动态 通知公告": False,
        "联系电话：0791-1234567\x1c办理材料": True,
    }
    for text, own in cases.items():
        page = make_page(f"{HOME}g.html", text=text)
        assert in_own_text(ANY_ELEMENT, page, home) is own, text
        assert (ANY_ELEMENT.search(own_text(page, home)) is not None) is own, text
    assert in_own_text(ANY_ELEMENT, make_page(f"{HOME}g.html", text="联系电话：1"), None)
