"""Service guides lacking key elements. One finding per incomplete guide; the indicator set escalates to
a veto when there are enough of them (guide_veto_count)."""
import re

from services.checker.checks.base import CheckContext, is_ok, page_evidence, site_pages
from services.checker.checks.guides import ANY_ELEMENT, ELEMENTS, is_guide, present_elements
from services.checker.checks.html import in_own_text, own_text
from services.checker.model import Finding, SiteSnapshot

CODE = "service_guide_incomplete"
TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+|_")


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home if is_ok(snapshot.home) else None
    findings = []
    for page in site_pages(snapshot):
        if page is snapshot.home:
            continue
        if not in_own_text(ANY_ELEMENT, page, home):
            continue  # most pages: no element's name, or only in the footer
        # Only the guide's own text: a footer's 联系电话 is not the guide's.
        present = present_elements(own_text(page, home))
        if not is_guide(page, present):
            continue
        missing = [name for name in ELEMENTS if name not in present]
        if len(missing) < ctx.params.guide_min_missing_elements:
            continue
        name = TITLE_SUFFIX.split(page.title)[0] or page.url  # "X办事指南 - 某县水务局" → "X办事指南"
        findings.append(Finding(
            CODE, f"办事指南“{name}”要素不全，缺少{'、'.join(missing)}",
            [page_evidence(page, f"缺少要素：{'、'.join(missing)}")],
            data={"missing": missing, "title": name},
        ))
    return findings
