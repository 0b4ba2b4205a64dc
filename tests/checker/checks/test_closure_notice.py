"""closure_notice_missing: a closing site's homepage must carry its 关停公告 (inline or linked)."""
from services.checker.checks import closure_notice_missing, run_site_checks
from services.checker.model import RegistryFacts
from tests.checker.checks.snap import CTX, HOME, days_ago, link, make_page, make_snapshot, real_page


def closing(since_days: int | None = 5) -> RegistryFacts:
    since = days_ago(since_days).isoformat() if since_days is not None else None
    return RegistryFacts(state="closing", kind="department", closure_notice_on=since,
                         migration_target_url="https://www.new.gov.cn/")


def test_closing_site_without_notice_is_a_finding():
    home = make_page(title="某县发展和改革局", text="工作动态 通知公告 关于开展安全生产检查的通知")
    [finding] = closure_notice_missing.check(make_snapshot(home, registry=closing()), CTX)
    assert finding.message == "网站关停期间首页未发布关停公告"
    assert finding.evidence[0].url == HOME and f"公告日期{days_ago(5).isoformat()}" in finding.evidence[0].excerpt
    assert finding.data["migration_target_url"] == "https://www.new.gov.cn/"
    found = run_site_checks(make_snapshot(home, registry=closing()), CTX)
    assert "closure_notice_missing" in [f.indicator for f in found]


def test_notice_inline_or_linked_is_enough():
    inline = ["关于某县发展和改革局网站关停的公告：本网站将于2024年3月20日起停止运行",
              "网站迁移公告", "公告：本网站内容已整合迁移至某县人民政府门户网站", "本网站停止更新的说明"]
    for text in inline:
        home = make_page(text=f"工作动态\n{text}\n通知公告")
        assert closure_notice_missing.check(make_snapshot(home, registry=closing()), CTX) == [], text
    linked = make_page(text="工作动态 通知公告", links=[link(f"{HOME}art/gtgg.html", "关于本网站关停的公告")])
    assert closure_notice_missing.check(make_snapshot(linked, registry=closing()), CTX) == []
    # A hidden link is not a notice readers see.
    hidden = make_page(text="工作动态", links=[link(f"{HOME}art/gtgg.html", "关于本网站关停的公告", hidden=True)])
    assert len(closure_notice_missing.check(make_snapshot(hidden, registry=closing()), CTX)) == 1


def test_not_judged_outside_the_closing_period():
    home = make_page(text="工作动态 通知公告")
    assert closure_notice_missing.check(make_snapshot(home, registry=RegistryFacts(state="active")), CTX) == []
    # The notice date is ahead: not due yet.
    assert closure_notice_missing.check(make_snapshot(home, registry=closing(-3)), CTX) == []
    # No date recorded: judged.
    assert len(closure_notice_missing.check(make_snapshot(home, registry=closing(None)), CTX)) == 1
    down = make_page(status=503, html=None)
    assert closure_notice_missing.check(make_snapshot(down, registry=closing()), CTX) == []


def test_ordinary_notices_are_not_closure_notices():
    """Real pages and everyday 公告 (停电通知, 关于关闭…的通知 of a road) are not the site's closure notice…"""
    for name in ("wanzai_2022_tjgb.html", "yichun_2022_tjgb.html", "jw_beijing_article_clone.html"):
        home = real_page(name)
        assert len(closure_notice_missing.check(make_snapshot(home, registry=closing()), CTX)) == 1, name
    home = make_page(text="通知公告\n关于2024年春节放假安排的通知\n关于公开招聘工作人员的公告")
    assert len(closure_notice_missing.check(make_snapshot(home, registry=closing()), CTX)) == 1
