import type { InspectionState } from '@/api/checkerTypes'

export const INSPECTION_STATE: Record<InspectionState, string> = {
  pending: '准备中', running: '检查中', completed: '已完成', cancelled: '已取消', failed: '失败',
}
export const INSPECTION_STATE_TAG: Record<InspectionState, 'info' | 'primary' | 'success' | 'warning' | 'danger'> = {
  pending: 'info', running: 'primary', completed: 'success', cancelled: 'warning', failed: 'danger',
}
export const TERMINAL: InspectionState[] = ['completed', 'cancelled', 'failed']

/** Indicator codes of indicators.md with the wording a notice uses. */
export const INDICATOR: Record<string, string> = {
  unreachable: '站点无法访问', home_not_updated: '首页栏目信息长期未更新', column_not_updated: '栏目更新不及时',
  column_empty: '空白栏目', broken_link: '链接不可用', dark_link: '存在暗链', serious_error: '严重表述错误',
  sensitive_content: '违规有害内容', typo: '错别字', no_interaction_channel: '无有效互动渠道',
  message_unanswered: '留言长期未办理', reply_slow: '留言办理不及时', no_services: '无在线办事服务',
  service_guide_incomplete: '办事指南要素不全', missing_footer_ids: '网站标识/备案信息缺失',
  missing_error_entry: '无“我为政府网站找错”入口', mobile_unfriendly: '未适配移动端', domain_not_released: '关停网站域名未注销',
  secrecy_marking: '存在涉密标识信息', personal_data: '泄露公民个人信息',
  column_missing: '栏目设置不规范（栏目缺漏）', column_name_outdated: '栏目名称使用已变更的机构名称',
  closure_notice_missing: '关停期间首页未发布关停公告',
  policy_interpretation_missing: '政策文件未按要求解读', repost_missing: '重要信息未及时转载',
  account_not_found: '账号无法搜索到', account_not_updated: '账号内容长期未更新', account_no_interaction: '无有效互动功能',
  account_interaction_link_broken: '互动交流链接有误', account_no_original: '3个月内无原创信息',
  account_renamed_unfiled: '账号更名未备案', account_menu_broken: '菜单栏链接不可用', account_bought_followers: '数据造假（购买粉丝）',
}
export const indicatorLabel = (code: string): string => INDICATOR[code] ?? '其他指标'
export const SEVERITY: Record<string, string> = { veto: '单项否决', deduct: '扣分' }

/** Word-list entries by kind: the three categories of additions, and the whitelist. */
export type WordKind = 'serious_error' | 'sensitive_content' | 'typo' | 'whitelist'
export const WORD_KIND: Record<WordKind, string> = {
  serious_error: '严重表述错误', sensitive_content: '违规有害内容', typo: '错别字', whitelist: '白名单（不报）',
}
export const WORD_KIND_TAG: Record<WordKind, 'danger' | 'warning' | 'info' | 'success'> = {
  serious_error: 'danger', sensitive_content: 'danger', typo: 'warning', whitelist: 'success',
}
