"""Word findings name the entry's category in Chinese and record the lists' version."""
from datetime import date

from services.checker.checks import sensitive_content, serious_error, typo
from services.checker.wordlists import builtin_version
from tests.checker.checks.snap import CTX, HOME, make_page, make_snapshot


def test_sensitive_finding_names_the_category():
    page = make_page(f"{HOME}s.html", text="友情链接 澳门新葡京娱乐城 出售手枪货到付款 三级片")
    [finding] = sensitive_content.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == ("存在违法违规信息：“澳门新葡京娱乐城”（赌博）；存在违法违规信息：“出售手枪”（违法服务）；"
                               "存在违法违规信息：“三级片”（色情）")
    assert [m["group"] for m in finding.data["matches"]] == ["赌博", "违法服务", "色情"]
    assert finding.data["wordlist_version"] == builtin_version()


def test_serious_and_outdated_name_findings_carry_group_and_version():
    page = make_page(f"{HOME}a.html", text="台湾政府发言人称", page_date=date(2024, 1, 5))
    [finding] = serious_error.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "存在严重表述错误：“台湾政府”应为“台湾当局”"
    assert finding.data["matches"][0]["group"] == "涉台港澳表述"
    assert finding.data["wordlist_version"] == builtin_version()
    old = make_page(f"{HOME}b.html", text="县环境保护局召开会议", page_date=date(2024, 1, 5))
    [finding] = typo.check(make_snapshot(pages=[old]), CTX)
    assert finding.message == "使用已变更的机构名称：“环境保护局”应为“生态环境局”"
    assert finding.data["matches"][0]["group"] == "机构名称变更"


def test_outdated_name_in_a_report_about_an_earlier_year_is_not_reported():
    """A 2017 annual report re-published by a new CMS in 2021 rightly names the bodies of 2017."""
    page = make_page(f"{HOME}r.html", title="某县2017年政府信息公开工作年度报告", text="县环境保护局、县国土资源局",
                     page_date=date(2021, 3, 1))
    assert typo.check(make_snapshot(pages=[page]), CTX) == []
    page = make_page(f"{HOME}n.html", title="关于开展环境整治的通知", text="县环境保护局、县国土资源局",
                     page_date=date(2021, 3, 1))
    assert typo.check(make_snapshot(pages=[page]), CTX)[0].count == 2
