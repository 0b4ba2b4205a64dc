"""No interaction function at all (seed 004: "未提供有效互动功能"): native comments/messages are not on
and the account offers no interaction entry (menu, profile or the registered link). Entries that exist
but lead nowhere are `account_interaction_link_broken`'s."""
from services.checker.checks.account_common import evidence
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_no_interaction"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    if snapshot.profile.interaction_enabled or snapshot.interaction_entries:
        return []
    native = "未开通留言/评论功能" if snapshot.profile.interaction_enabled is False else "未发现留言/评论功能"
    return [Finding(CODE, "未提供有效互动功能", [evidence(snapshot, f"{native}，菜单及简介中无互动交流入口")])]
