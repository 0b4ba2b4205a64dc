"""关停公告: while a site is closing (a 关停 filing approved, state `closing`), its homepage must carry the
closure notice (关停/迁移/下线公告) for the notice period (30 days from the filing's closure_notice_on, see
services/registry/filings). The notice may be on the page or a link to it; no finding before the notice date."""
import re
from datetime import date

from services.checker.checks.base import CheckContext, is_ok, page_evidence
from services.checker.checks.html import page_text
from services.checker.model import Finding, Page, SiteSnapshot

CODE = "closure_notice_missing"
CLOSING_STATES = {"closing"}
_ACT = r"关停|关闭|下线|停止(?:运行|运维|服务|更新)|停运|迁移|整合|并入|撤并|注销"
# 关于XX网站关停的公告, 网站迁移公告, 本网站已停止运行… 特此公告, 公告：本网站将于…关闭
NOTICE = re.compile(rf"(?:{_ACT})[^。；\n]{{0,16}}?(?:公告|通告|告知|启事|说明|通知)"
                    rf"|(?:公告|通告|告知|启事)[^。；\n]{{0,40}}?(?:{_ACT})")


def notice_seen(page: Page) -> str | None:
    """The closure notice's words on the page, or the text of a visible link to it."""
    text = f"{page.title}\n{page_text(page)}"
    if match := NOTICE.search(text):
        return match.group(0)
    for link in page.links:
        if link.tag == "a" and not link.hidden and (match := NOTICE.search(link.text)):
            return match.group(0)
    return None


def _notice_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home, facts = snapshot.home, snapshot.registry
    if facts.state not in CLOSING_STATES or home is None or not is_ok(home):
        return []  # a closed site is domain_not_released's; a dead homepage is unreachable's
    since = _notice_day(facts.closure_notice_on)
    if since is not None and ctx.today < since:
        return []
    if notice_seen(home) is not None:
        return []
    when = f"（公告日期{since.isoformat()}）" if since else ""
    return [Finding(CODE, "网站关停期间首页未发布关停公告",
                    [page_evidence(home, f"关停中{when}，首页未见关停公告：{home.title}")],
                    data={"closure_notice_on": facts.closure_notice_on, "final_url": home.final_url,
                          "migration_target_url": facts.migration_target_url})]
