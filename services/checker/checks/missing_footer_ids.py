"""The homepage footer lacks 网站标识码, ICP备案号, 公安机关备案号 or the 党政机关网站标识, or shows values
that differ from the registry. One finding per problem identifier."""
from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.footer import digits, icp_main, read_footer
from services.checker.model import Finding, SiteSnapshot

CODE = "missing_footer_ids"
NAMES = {"site_code": "网站标识码", "icp": "ICP备案号", "psb": "公安机关备案号", "badge": "党政机关网站标识"}


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home) or not home.html:
        return []
    ids = read_footer(home)
    reg = snapshot.registry
    shown = {"site_code": ids.site_code, "icp": ids.icp, "psb": ids.psb, "badge": "有" if ids.badge else None}
    registered = {"site_code": reg.site_code, "icp": reg.icp_number, "psb": reg.psb_number}
    same = {
        "site_code": lambda a, b: a.upper() == b.strip().upper(),
        "icp": lambda a, b: icp_main(a) == icp_main(b),
        "psb": lambda a, b: digits(a) == digits(b),
    }
    findings = []
    for item, name in NAMES.items():
        value = shown[item]
        if value is None:
            findings.append(Finding(CODE, f"网站首页底部缺少{name}", [page_evidence(home, f"首页未发现{name}")],
                                    data={"item": item}))
        elif registered.get(item) and not same[item](value, registered[item]):
            findings.append(Finding(
                CODE, f"{name}与登记信息不一致",
                [page_evidence(home, f"首页显示：{value}；登记信息：{registered[item]}")],
                data={"item": item, "shown": value, "registered": registered[item]},
            ))
    return findings
