"""How a notice prints things: problems as short phrases ("14天未更新"), platform and site-type labels,
and pass rates with the issuing office's precision (raw counts are stored, never rates)."""
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PLATFORM_LABELS = {
    "wechat_subscription": "微信订阅号", "wechat_service": "微信服务号", "weibo": "新浪微博",
    "douyin": "抖音短视频", "toutiao": "今日头条", "kuaishou": "快手", "bilibili": "哔哩哔哩",
    "app": "移动客户端", "other": "其他",
}
SITE_KIND_LABELS = {"portal": "政府门户网站", "department": "部门网站"}

# Indicator code → the phrase a notice prints (seed 004's tables). Aggregating codes (one finding per
# column or link) always use the phrase; others use the finding's own message when it already reads
# like notice wording.
PHRASES = {
    "unreachable": "监测时间点无法访问",
    "home_not_updated": "首页长期未更新",
    "column_not_updated": "多个栏目更新不及时",
    "column_empty": "栏目空白",
    "broken_link": "存在错链断链",
    "dark_link": "存在暗链",
    "serious_error": "存在严重表述错误",
    "sensitive_content": "存在违法违规内容",
    "typo": "存在错别字",
    "no_interaction_channel": "未提供有效互动交流渠道",
    "message_unanswered": "网民留言超过3个月未回复",
    "reply_slow": "留言回复不及时",
    "no_services": "未提供在线办事服务",
    "service_guide_incomplete": "办事指南要素不全",
    "missing_footer_ids": "网站标识信息不全",
    "missing_error_entry": "未设置“我为政府网站找错”入口",
    "mobile_unfriendly": "未适配移动终端",
    "domain_not_released": "已关停网站域名未注销",
    "account_not_found": "搜索不到",
    "account_not_updated": "14天未更新",
    "account_no_interaction": "未提供有效互动功能",
    "account_interaction_link_broken": "互动交流链接有误",
    "account_no_original": "3个月无原创",
    "account_renamed_unfiled": "已改名系统中未改名",
    "account_menu_broken": "菜单链接无效",
    "account_bought_followers": "存在虚假粉丝等造假行为",
}
AGGREGATED = {"column_not_updated", "column_empty", "broken_link", "typo", "missing_footer_ids", "dark_link"}
# Sentence forms for 二、主要问题 ("市民政局、…网站存在多个栏目更新不及时").
PROBLEM_ORDER = list(PHRASES)
# A message already reads like a notice's table cell when it is a short phrase without punctuation
# ("长期无更新", "无有效互动交流渠道"); longer checker sentences are replaced by the code's phrase.
_NOTICE_WORDING = re.compile(r"^[^，。；：,;:\n（(“\"]{2,10}$")


def is_notice_wording(message: str) -> bool:
    message = message.strip()
    return message in PHRASES.values() or bool(_NOTICE_WORDING.match(message))


def renamed_phrase(finding: dict[str, Any]) -> str:
    data = finding.get("data") or {}
    live = data.get("live_name") or data.get("observed_name") or data.get("name")
    if not live:
        match = re.search(r"[（(“]([^）)”]+)[）)”]", finding.get("message", ""))
        live = match.group(1) if match else None
    return f"已改名({live})系统中未改名" if live else "已改名系统中未改名"


def phrases_of(findings: list[dict[str, Any]], *, verdict: str | None) -> list[tuple[str, str]]:
    """(group, phrase) of a target's active findings, vetoes first, in indicator order; the group is the
    phrase except for renamed accounts, whose phrase names the new name."""
    ordered = sorted(findings, key=lambda f: (f.get("severity") != "veto",
                                              PROBLEM_ORDER.index(f["indicator"]) if f["indicator"] in PHRASES
                                              else len(PROBLEM_ORDER)))
    out: list[tuple[str, str]] = []
    columns = [f for f in findings if f["indicator"] == "column_not_updated"]
    for finding in ordered:
        code, message = finding["indicator"], (finding.get("message") or "").strip()
        group = None
        if code == "account_renamed_unfiled":
            phrase, group = renamed_phrase(finding), "账号名称更改后未在系统中及时更新"
        elif code == "column_not_updated":
            veto = any(f.get("severity") == "veto" for f in columns) or len(columns) > 1
            phrase = "多个栏目更新不及时" if veto and verdict == "fail" else "个别栏目更新不及时"
        elif code in AGGREGATED or not is_notice_wording(message):
            phrase = PHRASES.get(code, message)
        else:
            phrase = message
        if phrase and all(phrase != p for _, p in out):
            out.append((group or phrase, phrase))
    return out


def rate(passed: int, checked: int, decimals: int = 1, strip_zeros: bool = True) -> str:
    """合格率 as printed: 47/51 → "92.2%", 437/470 → "93%" (one decimal, trailing zeros dropped)."""
    if not checked:
        return "—"
    value = (Decimal(passed) * 100 / Decimal(checked)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{value:.{decimals}f}"
    if strip_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def points(now: tuple[int, int], before: tuple[int, int] | None, decimals: int = 1,
           strip_zeros: bool = True) -> str | None:
    """Change of the pass rate in percentage points: "提升4个百分点" / "下降0.5个百分点" / "持平"."""
    if before is None or not before[1] or not now[1]:
        return None
    delta = Decimal(now[0]) * 100 / Decimal(now[1]) - Decimal(before[0]) * 100 / Decimal(before[1])
    q = abs(delta).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{q:.{decimals}f}"
    if strip_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    if q == 0:
        return "持平"
    return f"{'提升' if delta > 0 else '下降'}{text}个百分点"


def cn_date(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def short_date(d: Any) -> str:
    return f"{d.month}月{d.day}日"
