// Words for what an account check saw (AccountActivity.vue).
export const ENTRY_OUTCOME: Record<string, string> = {
  ok: '可以打开', broken: '无法打开', no_link: '未设置链接', not_checkable: '平台内链接，无法外部验证',
  not_checked: '未检查', reported: '人工记录为不可用',
}
export const ENTRY_OUTCOME_TAG: Record<string, 'success' | 'danger' | 'warning' | 'info'> = {
  ok: 'success', broken: 'danger', no_link: 'danger', reported: 'danger', not_checkable: 'info', not_checked: 'warning',
}
export const FEED_SOURCE: Record<string, string> = { json: '平台接口', rss: 'RSS 订阅', observation: '人工观测记录' }

/** A window as the notices word it: 14 → 14天, 90 → 3个月, 183 → 6个月, 365 → 1年. */
export function spanLabel(days: number): string {
  if (days >= 360 && [0, 1, 364].includes(days % 365)) return `${Math.round(days / 365)}年`
  const months = Math.round(days / 30.44)
  if (days >= 28 && Math.abs(days - months * 30.44) <= 3) return months === 12 ? '1年' : `${months}个月`
  return `${days}天`
}
