import inspect

from services.checker.checks import SITE_CHECKS, CheckContext, run_site_checks
from services.checker.indicators import builtin_sets, evaluate, resolve
from services.checker.model import RegistryFacts
from tests.checker.checks.snap import CTX, HOME, NOW, column, days_ago, item, link, make_page, make_snapshot, status
from tests.checker.checks.test_site_furniture import FOOTER, REGISTRY


def test_every_check_module_has_code_and_signature():
    codes = [m.CODE for m in SITE_CHECKS]
    assert len(codes) == len(set(codes)) == 23
    assert set(codes) <= set(resolve("gov-2019").indicators)
    for module in SITE_CHECKS:
        assert list(inspect.signature(module.check).parameters) == ["snapshot", "ctx"]


def healthy_site():
    # A department site's required columns (gov-2019 required_columns): 信息公开 with 指南 and 年报, 互动.
    disclosure = [(f"{HOME}xxgk/", "政府信息公开"), (f"{HOME}xxgk/zn/", "政府信息公开指南"),
                  (f"{HOME}xxgk/nb/", "政府信息公开年报")]
    links = [link(f"{HOME}hdjl/", "县长信箱"), link("https://zwfw.example.gov.cn/", "网上办事"),
             *(link(url, name) for url, name in disclosure)]
    block = "".join(f'<a href="{url}">{name}</a>' for url, name in [(f"{HOME}hdjl/", "县长信箱"), *disclosure])
    home = make_page(html=FOOTER.replace("<body>", f"<body>{block}"), items=[item("今日要闻", days_ago(1))], links=links)
    cols = [column("工作动态", "news", [item("a", days_ago(2))]),
            column("通知公告", "notice", [item("b", days_ago(30))])]
    return make_snapshot(home, columns=cols, registry=REGISTRY,
                         links=[status(f"{HOME}hdjl/", 200), status("https://zwfw.example.gov.cn/", 200),
                                *(status(url, 200) for url, _ in disclosure)])


def test_healthy_site_has_no_findings_and_passes():
    findings = run_site_checks(healthy_site(), CTX)
    assert findings == []
    assert evaluate(findings, resolve("gov-2019")) == ("pass", 100.0, [])


def test_disabled_indicator_is_not_run():
    raw = builtin_sets()
    raw["gov-2019"]["indicators"]["mobile_unfriendly"]["enabled"] = False
    ctx = CheckContext.for_set(resolve("gov-2019", raw.__getitem__), NOW)
    snap = healthy_site()
    snap.home.html = snap.home.html.replace('<meta name="viewport" content="width=device-width, initial-scale=1">', "")
    assert [f.indicator for f in run_site_checks(snap, CTX)] == ["mobile_unfriendly"]
    assert run_site_checks(snap, ctx) == []


def test_closed_site_is_only_checked_for_its_domain():
    snap = make_snapshot(make_page(text="旧网站内容"), registry=RegistryFacts(state="closed"))
    assert [f.indicator for f in run_site_checks(snap, CTX)] == ["domain_not_released"]
