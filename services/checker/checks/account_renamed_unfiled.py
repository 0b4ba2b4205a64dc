"""The live name differs from the registered name: renamed without a filing (seed 004:
"已改名(渭南市城建档案和规划展示馆)系统中未改名")."""
import unicodedata

from services.checker.checks.account_common import evidence
from services.checker.checks.base import CheckContext
from services.checker.model import Finding
from services.checker.platforms.base import AccountSnapshot

CODE = "account_renamed_unfiled"


def normal(name: str) -> str:
    """Width and spacing differences are not a rename (ＡＢＣ/ABC, 渭南 发布/渭南发布)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def check(snapshot: AccountSnapshot, ctx: CheckContext) -> list[Finding]:
    live, registered = snapshot.profile.name, snapshot.account.registered_name
    if not live or not registered or normal(live) == normal(registered):
        return []
    return [Finding(CODE, f"已改名({live})系统中未改名",
                    [evidence(snapshot, f"平台显示名称：{live}；登记名称：{registered}")],
                    data={"live_name": live, "registered_name": registered})]
