"""The account cannot be found on its platform (搜索不到)."""
from services.checker.checks.account_common import evidence
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_not_found"


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    if snapshot.profile.exists:
        return []
    a = snapshot.account
    return [Finding(CODE, "搜索不到", [evidence(snapshot, f"平台上未找到账号 {a.platform_id}（{a.registered_name}）")],
                    data={"platform_id": a.platform_id})]
