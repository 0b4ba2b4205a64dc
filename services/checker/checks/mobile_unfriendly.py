"""The homepage is not adapted to mobile terminals: no responsive viewport, no declared mobile version,
no redirect of mobile browsers to one."""
import re

from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.html import parse_html
from services.checker.model import Finding, SiteSnapshot

CODE = "mobile_unfriendly"
MOBILE_REDIRECT = re.compile(r"(?:userAgent|navigator\.platform)[\s\S]{0,400}?(?:location|href)[\s\S]{0,200}?"
                             r"(?://m\.|/m/|/wap|/mobile|/phone|/sj/)", re.I)


def is_adapted(html: str) -> bool:
    tree = parse_html(html)
    for meta in tree.css("meta[name]"):
        name = (meta.attributes.get("name") or "").lower()
        content = meta.attributes.get("content") or ""
        if name == "viewport" and re.search(r"width|initial-scale", content, re.I):
            return True
        if name in ("mobile-agent", "applicable-device") and content:
            return True
    if tree.css_first('link[rel="alternate"][media]'):
        return True
    return any(MOBILE_REDIRECT.search(script.text() or "") for script in tree.css("script"))


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home) or not home.html or home.has_viewport or is_adapted(home.html):
        return []
    return [Finding(CODE, "网站未适配移动终端", [page_evidence(home, "首页未设置viewport，未提供移动版本")])]
