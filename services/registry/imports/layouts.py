"""Spreadsheet layouts of the inventory (the columns a province's registry export uses).
The same headers serve import and export, so an export can be edited and imported again."""
from services.registry.accounts.models import PLATFORM_LABELS, Platform
from services.registry.accounts.models import STATE_LABELS as ACCOUNT_STATE_LABELS
from services.registry.sites.models import STATE_LABELS as SITE_STATE_LABELS
from services.registry.sites.models import SiteKind

SITE_HEADERS = ["网站名称", "首页网址", "网站类型", "网站标识码", "ICP备案号", "公安机关备案号",
                "党政机关网站标识", "主办单位", "主管单位", "状态", "例外说明", "负责人", "联系电话"]
# 二维码 is exported as whether one is on file (the picture itself is uploaded in the SPA); imports ignore it.
ACCOUNT_HEADERS = ["账号名称", "账号类型", "账号ID", "主办单位", "主管单位", "互动地址", "状态", "例外说明",
                   "负责人", "联系电话", "二维码"]

SITE_KIND_LABELS = {SiteKind.portal: "政府门户网站", SiteKind.department: "部门网站", SiteKind.column: "信息公开专栏"}
YES = {"是", "有", "y", "yes", "true", "1"}


def parse_site_kind(label: str) -> SiteKind | None:
    label = label.strip()
    if "专栏" in label:  # a 专栏 needs its host site and prefix, which the spreadsheet layout has no place for
        return None
    for kind, text in SITE_KIND_LABELS.items():
        if label in (text, kind.value) or (kind == SiteKind.portal and "门户" in label):
            return kind
    return SiteKind.department if "部门" in label else None


def parse_platform(label: str) -> Platform | None:
    label = label.strip()
    for platform, text in PLATFORM_LABELS.items():
        if label in (text, platform.value):
            return platform
    aliases = {"微博": Platform.weibo, "抖音": Platform.douyin, "头条": Platform.toutiao,
               "公众号": Platform.wechat_subscription, "服务号": Platform.wechat_service,
               "订阅号": Platform.wechat_subscription, "快手": Platform.kuaishou, "B站": Platform.bilibili,
               "客户端": Platform.app, "APP": Platform.app}
    return next((p for alias, p in aliases.items() if alias.lower() in label.lower()), None)
