"""No "我为政府网站找错" entry on the homepage. The entry is usually written by the national platform's
script (<script id="_jiucuo_" src="…pucha.kaipuyun.cn/exposure/jiucuo.js">) as an image, or is a link to
zfwzzc.www.gov.cn / pucha.kaipuyun.cn."""
import re

from selectolax.lexbor import LexborHTMLParser

from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.html import read_only_tree
from services.checker.model import Finding, SiteSnapshot

CODE = "missing_error_entry"
ADDRESS = re.compile(r"pucha\.kaipuyun\.cn|zfwzzc\.www\.gov\.cn|jiucuo", re.I)
LABEL = re.compile(r"找错")


def has_entry(tree: LexborHTMLParser) -> bool:
    if tree.css_first("#_jiucuo_, #_span_jiucuo"):
        return True
    for node in tree.css("a, img, script, iframe, area, span, div"):
        attrs = node.attributes
        if any(ADDRESS.search(attrs.get(k) or "") for k in ("href", "src", "onclick")):
            return True
        if any(LABEL.search(attrs.get(k) or "") for k in ("alt", "title", "aria-label")):
            return True
        if node.tag == "a" and LABEL.search(node.text()):
            return True
    return False


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    tree = read_only_tree(home) if home is not None and is_ok(home) else None
    if tree is None or has_entry(tree):
        return []
    return [Finding(CODE, "网站首页未提供“我为政府网站找错”入口", [page_evidence(home, "首页未发现“我为政府网站找错”入口")])]
