"""Reading the identifiers a government site must show in its footer."""
import re
from dataclasses import dataclass

from services.checker.checks.html import parse, visible_text
from services.checker.model import Page

SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*([0-9A-Za-z]{6,16})")
ICP = re.compile(r"([\u4e00-\u9fa5]\s*ICP\s*[备證证]\s*\d{6,}\s*号?(?:\s*-\s*\d+)?)", re.I)
PSB = re.compile(r"([\u4e00-\u9fa5]\s*公网安备\s*(\d{10,})\s*号?)")
BADGE = re.compile(r"conac|党政机关", re.I)
BADGE_ATTRS = ("href", "src", "alt", "title", "id")


@dataclass(frozen=True)
class FooterIds:
    site_code: str | None
    icp: str | None
    psb: str | None              # the number only
    badge: bool


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def read_footer(page: Page) -> FooterIds:
    tree = parse(page)
    if tree is None:
        return FooterIds(None, None, None, False)
    # The 党政机关网站标识 is an image linking to bszs.conac.cn, often written by conac's script into
    # <span id="_ideConac">: any of these shows it.
    badge = bool(tree.css_first("#_ideConac")) or any(
        BADGE.search(" ".join(node.attributes.get(k) or "" for k in BADGE_ATTRS))
        for node in tree.css("a, img, script, span")
    )
    text = visible_text(tree)
    site_code, icp, psb = SITE_CODE.search(text), ICP.search(text), PSB.search(text)
    return FooterIds(
        site_code=site_code[1] if site_code else None,
        icp=_squash(icp[1]) if icp else None,
        psb=psb[2] if psb else None,
        badge=badge,
    )


def icp_main(value: str) -> str:
    """陕ICP备12345678号-1 → 陕ICP备12345678: the registration without the site suffix."""
    found = re.search(r"([\u4e00-\u9fa5])ICP[备證证](\d+)", _squash(value), re.I)
    return f"{found[1]}ICP备{found[2]}" if found else _squash(value)


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)
