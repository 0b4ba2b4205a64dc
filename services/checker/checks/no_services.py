"""No online service at all: no working link to a service hall, service column or service guide."""
from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.interaction import link_works
from services.checker.checks.guides import SERVICE
from services.checker.model import Finding, SiteSnapshot

CODE = "no_services"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home):
        return []
    if any(c.category == "service" and is_ok(c.page) for c in snapshot.columns):
        return []
    links = [l for l in home.links if l.tag in ("a", "area") and SERVICE.search(f"{l.text} {l.url}")]
    # A link the crawler did not check is given the benefit of the doubt: the indicator is about
    # having services, broken ones are broken_link's.
    if any(link_works(l.url, snapshot) is not False for l in links):
        return []
    return [Finding(CODE, "网站未提供在线办事服务", [page_evidence(home, "首页未发现可用的办事服务入口")],
                    data={"candidates": [l.url for l in links]})]
