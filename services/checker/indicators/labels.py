"""zh-CN names of the indicator codes of indicators.md, as the SPA (frontend/src/utils/checkerLabels.ts) shows
them, for API responses that name an indicator to a person (the code travels alongside as a field)."""

NAMES: dict[str, str] = {
    "unreachable": "站点无法访问", "home_not_updated": "首页栏目信息长期未更新", "column_not_updated": "栏目更新不及时",
    "column_empty": "空白栏目", "broken_link": "链接不可用", "dark_link": "存在暗链", "serious_error": "严重表述错误",
    "sensitive_content": "违规有害内容", "typo": "错别字", "no_interaction_channel": "无有效互动渠道",
    "message_unanswered": "留言长期未办理", "reply_slow": "留言办理不及时", "no_services": "无在线办事服务",
    "service_guide_incomplete": "办事指南要素不全", "missing_footer_ids": "网站标识/备案信息缺失",
    "missing_error_entry": "无“我为政府网站找错”入口", "mobile_unfriendly": "未适配移动端",
    "domain_not_released": "关停网站域名未注销",
    "column_missing": "栏目设置不规范（栏目缺漏）", "column_name_outdated": "栏目名称使用已变更的机构名称",
    "closure_notice_missing": "关停期间首页未发布关停公告",
    "secrecy_marking": "存在涉密标识信息", "personal_data": "泄露公民个人信息",
    "policy_interpretation_missing": "政策文件未按要求解读", "repost_missing": "重要信息未及时转载",
    "account_not_found": "账号无法搜索到", "account_not_updated": "账号内容长期未更新",
    "account_no_interaction": "无有效互动功能", "account_interaction_link_broken": "互动交流链接有误",
    "account_no_original": "3个月内无原创信息", "account_renamed_unfiled": "账号更名未备案",
    "account_menu_broken": "菜单栏链接不可用", "account_bought_followers": "数据造假（购买粉丝）",
}


def indicator_name(code: str) -> str:
    """The name of a code; an unknown code (a local set's own indicator) reads as 其他问题, never as the code."""
    return NAMES.get(code, "其他问题")
