"""No working online channel for questions and suggestions (petition and discipline-report channels do
not count): a link to one must answer OK in the link check."""
from services.checker.checks.base import CheckContext, iso, is_ok
from services.checker.checks.interaction import channel_links, is_channel, link_works
from services.checker.model import Evidence, Finding, SiteSnapshot

CODE = "no_interaction_channel"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    home = snapshot.home
    if home is None or not is_ok(home):
        return []
    columns = snapshot.columns
    if any(c.category == "interaction" and is_ok(c.page) and is_channel(c.name, c.url) for c in columns):
        return []
    links = channel_links(snapshot)
    if any(link_works(link.url, snapshot) for link in links):
        return []
    dead = list(dict.fromkeys(f"{l.text.strip() or l.url}（{l.url}）" for l in links))
    excerpt = ("互动渠道链接不可用：" + "；".join(dead[:5])) if dead else "未发现留言、咨询、信箱等互动交流渠道"
    evidence = [Evidence(url=home.final_url or home.url, excerpt=excerpt, observed_at=iso(home.fetched_at),
                         snapshot=home.snapshot_key)]
    return [Finding(CODE, "未提供有效的互动交流渠道", evidence, data={"candidates": [l.url for l in links]})]
