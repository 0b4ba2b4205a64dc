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
    "column_missing": "栏目设置不规范",
    "broken_link": "存在错链断链",
    "dark_link": "存在暗链",
    "serious_error": "存在严重表述错误",
    "sensitive_content": "存在违法违规内容",
    "secrecy_marking": "存在涉密标识信息",
    "personal_data": "泄露公民个人信息",
    "policy_interpretation_missing": "政策文件未按要求解读",
    "repost_missing": "重要信息未及时转载",
    "typo": "存在错别字",
    "column_name_outdated": "栏目名称使用已撤销机构名称",
    "no_interaction_channel": "未提供有效互动交流渠道",
    "message_unanswered": "网民留言超过3个月未回复",
    "reply_slow": "留言回复不及时",
    "no_services": "未提供在线办事服务",
    "service_guide_incomplete": "办事指南要素不全",
    "missing_footer_ids": "网站标识信息不全",
    "missing_error_entry": "未设置“我为政府网站找错”入口",
    "mobile_unfriendly": "未适配移动终端",
    "domain_not_released": "已关停网站域名未注销",
    "closure_notice_missing": "关停期间首页未发布关停公告",
    "account_not_found": "搜索不到",
    "account_not_updated": "14天未更新",
    "account_no_interaction": "未提供有效互动功能",
    "account_interaction_link_broken": "互动交流链接有误",
    "account_no_original": "3个月无原创",
    "account_renamed_unfiled": "已改名系统中未改名",
    "account_menu_broken": "菜单链接无效",
    "account_bought_followers": "存在虚假粉丝等造假行为",
}
AGGREGATED = {"column_not_updated", "column_empty", "broken_link", "typo", "missing_footer_ids", "dark_link",
              "column_missing", "column_name_outdated"}
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
    """(indicator, phrase) of a target's active findings, vetoes first, in indicator order: the phrase is
    the table's remark, the indicator the problem group of 二、主要问题 (one group per indicator, whatever
    the wording of each finding: "14天未更新" and "长期无更新" are one problem)."""
    ordered = sorted(findings, key=lambda f: (f.get("severity") != "veto",
                                              PROBLEM_ORDER.index(f["indicator"]) if f["indicator"] in PHRASES
                                              else len(PROBLEM_ORDER)))
    out: list[tuple[str, str]] = []
    columns = [f for f in findings if f["indicator"] == "column_not_updated"]
    for finding in ordered:
        code, message = finding["indicator"], (finding.get("message") or "").strip()
        if code == "account_renamed_unfiled":
            phrase = renamed_phrase(finding)
        elif code == "column_not_updated":
            veto = any(f.get("severity") == "veto" for f in columns) or len(columns) > 1
            phrase = "多个栏目更新不及时" if veto and verdict == "fail" else "个别栏目更新不及时"
        elif code in AGGREGATED or not is_notice_wording(message):
            phrase = PHRASES.get(code, message)
        else:
            phrase = message
        if phrase and all(phrase != p for _, p in out):
            out.append((code, phrase))
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


# ---------------------------------------------------------------------------------------------------
# Titles: built from the period, the kind of check and what was inspected, never by pasting a free-text
# inspection name into a template (seed 004: 渭南市人民政府办公室关于2024年第一次政府网站与政务新媒体全面检查情况
# 的通报; its attachments: 2024年第一次政府网站全面检查情况汇总表).

_PERIODS = (
    re.compile(r"(\d{4})年(第[一二三四五六七八九十\d]{1,3}次)"),             # 2024年第一次
    re.compile(r"(\d{4})年(第?[一二三四1-4]季度)"),                         # 2026年第四季度 / 2021年二季度
    re.compile(r"(\d{4})年(上半年|下半年|\d{1,2}月份?|[一二三四五六七八九十]{1,2}月份?)"),
    re.compile(r"(\d{4})(年度?)"),
)
# The kind of check as the seeds name it; the first one the inspection's name mentions wins.
CHECK_WORDS = (("全面检查", "全面检查"), ("专项检查", "专项检查"), ("抽查", "抽查"), ("抽检", "抽查"),
               ("普查", "普查"), ("季度检查", "检查"), ("监测", "监测"))
WHAT = {frozenset({"site", "account"}): "政府网站与政务新媒体", frozenset({"site"}): "政府网站",
        frozenset({"account"}): "政务新媒体"}


def period_of(name: str, when: Any | None) -> str:
    """The round or period: "2024年第一次", "2026年第四季度"; from the monitoring day when the name has none."""
    for pattern in _PERIODS:
        match = pattern.search(name or "")
        if match:
            return f"{match.group(1)}年{match.group(2) if pattern is not _PERIODS[-1] else ''}"
    if when is None:
        return ""
    return f"{when.year}年第{'一二三四'[(when.month - 1) // 3]}季度"


def check_word(name: str) -> str:
    for word, printed in CHECK_WORDS:
        if word in (name or ""):
            return printed
    return "检查"


def what_of(kinds: Any) -> str:
    return WHAT.get(frozenset(str(k) for k in kinds or ()), "政府网站与政务新媒体")


# ---------------------------------------------------------------------------------------------------
# 二、主要问题 in the seeds' words: one clause per indicator, a few units named as examples with their
# platform ("市卫生健康委、澄城公安等微信公众号内容14天未更新"), in this order (seed 004's).

SENTENCES = {
    "home_not_updated": "首页长期未更新",
    "column_not_updated": "存在多个栏目更新不及时",
    "column_empty": "存在空白栏目",
    "column_missing": "栏目设置不规范，存在栏目缺漏",
    "unreachable": "监测时间点无法访问",
    "serious_error": "存在严重表述错误",
    "sensitive_content": "存在违法违规内容",
    "secrecy_marking": "公开的文件存在涉密标识信息",
    "personal_data": "公开信息中泄露公民个人信息",
    "policy_interpretation_missing": "政策文件未同步发布解读或解读形式单一",
    "repost_missing": "未及时转载上级重要政策信息",
    "dark_link": "存在暗链",
    "broken_link": "存在错链断链",
    "typo": "存在错别字",
    "column_name_outdated": "栏目名称仍使用已撤销机构名称",
    "no_interaction_channel": "未提供有效互动交流渠道",
    "message_unanswered": "网民留言超过3个月未回复",
    "reply_slow": "留言回复不及时",
    "no_services": "未提供在线办事服务",
    "service_guide_incomplete": "办事指南要素不全",
    "missing_footer_ids": "网站标识信息不全",
    "missing_error_entry": "未设置“我为政府网站找错”入口",
    "mobile_unfriendly": "未适配移动终端",
    "domain_not_released": "已关停网站域名未注销",
    "closure_notice_missing": "关停期间未在首页保留关停公告",
    "account_not_updated": "内容14天未更新",
    "account_no_interaction": "未提供有效互动渠道",
    "account_interaction_link_broken": "互动交流链接有误",
    "account_menu_broken": "菜单链接无效",
    "account_no_original": "3个月内无原创信息",
    "account_renamed_unfiled": "名称更改后未在全国政务新媒体报送系统及时更新",
    "account_not_found": "在平台上搜索不到",
    "account_bought_followers": "存在虚假粉丝等造假行为",
}
SENTENCE_ORDER = list(SENTENCES)
# Problems the seeds state without naming units ("个别账号名称更改后…").
UNNAMED = {"account_renamed_unfiled"}
# Platform families as a notice's text names them (the tables keep the exact type: 微信订阅号/微信服务号).
PLATFORM_FAMILIES = {
    "wechat_subscription": "微信公众号", "wechat_service": "微信公众号", "weibo": "新浪微博", "douyin": "抖音号",
    "toutiao": "今日头条号", "kuaishou": "快手号", "bilibili": "哔哩哔哩号", "app": "移动客户端",
}
EXAMPLES = 2         # units named before "等" when a problem has more than
NAME_ALL_UP_TO = 3   # units: all of them are named up to this many (seed 004: three sites)
# Standard short forms (规范简称) the seeds use in running text: 市住房城乡建设局, 市应急局, 市卫生健康委.
SHORT_FORMS = (("住房和城乡建设", "住房城乡建设"), ("卫生健康委员会", "卫生健康委"), ("发展和改革委员会", "发展改革委"),
               ("应急管理局", "应急局"), ("人力资源和社会保障", "人力资源社会保障"), ("市场监督管理局", "市场监管局"),
               ("文化和旅游", "文化旅游"), ("自然资源和规划", "自然资源规划"))


def short_name(name: str, *, scope_name: str, ancestors: list[str], regions: list[str]) -> str:
    """A unit's name as running text writes it: 渭南市民政局 → 市民政局, 渭南市华州区 大明镇人民政府 →
    华州区大明镇人民政府, 陕西富平到贤派出所 → 富平到贤派出所; account names without the region stay
    (澄城公安)."""
    text = re.sub(r"\s+", "", name)
    for region in ancestors:
        for prefix in (region, region[:-1] if len(region) > 2 and region[-1] in "省市" else None):
            if prefix and text.startswith(prefix) and len(text) > len(prefix) + 1:
                text = text[len(prefix):]
                break
    if scope_name and text.startswith(scope_name) and len(text) > len(scope_name) + 1:
        rest = text[len(scope_name):]
        text = rest if any(rest.startswith(r) for r in regions if r) else f"{scope_name[-1]}{rest}"
    for long, short in SHORT_FORMS:
        text = text.replace(long, short)
    return text


def clause(code: str, phrase: str, kind: str, units: list[tuple[str, str | None]]) -> str:
    """One problem as the seeds write it. units: [(short name, platform code)], examples first."""
    if kind == "account" and code in UNNAMED:
        subject = "个别账号" if len(units) <= 5 else f"{len(units)}个账号"
        return f"{subject}{phrase}"
    named = units if len(units) <= NAME_ALL_UP_TO else units[:EXAMPLES]
    more = "等" if len(named) < len(units) else ""
    if kind == "site":
        return f"{'、'.join(n for n, _ in named)}{more}网站{phrase}"
    families = [PLATFORM_FAMILIES.get(p or "", "账号") for _, p in units]
    if len(set(families)) == 1:
        return f"{'、'.join(n for n, _ in named)}{more}{families[0]}{phrase}"
    # Mixed platforms: each example with its platform, then 等账号 (seed 004).
    listed = "、".join(f"{n}{PLATFORM_FAMILIES.get(p or '', '账号')}" for n, p in named)
    return f"{listed}{more}账号{phrase}" if more else f"{listed}{phrase}"
