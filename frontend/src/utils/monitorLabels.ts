// Whole-site monitoring (全站监测): wording of the coverage figures and the problem ledger.
import type { MonitorCoverage } from '@/api/checkerTypes'

type TagType = 'info' | 'primary' | 'success' | 'warning' | 'danger'

export const MONITOR_STATUS: Record<MonitorCoverage['status'], string> = {
  never: '尚未监测', first_cycle: '首轮监测中', monitoring: '监测中',
}
export const MONITOR_STATUS_TAG: Record<MonitorCoverage['status'], TagType> = {
  never: 'info', first_cycle: 'warning', monitoring: 'success',
}

/** Kinds of monitored pages as an office names them (the API's page_kind). */
export const PAGE_KIND: Record<string, string> = {
  home: '首页', column: '栏目页', list: '栏目列表分页', article: '文章页', attachment: '附件', service: '办事页面',
  interaction: '互动页面', other: '其他页面', resource: '页面资源', external: '外部链接',
}
export const pageKindLabel = (kind: string | null | undefined): string => (kind ? PAGE_KIND[kind] ?? '其他页面' : '—')

/** "1,234" — figures of tens of thousands of pages read better grouped. */
export const figure = (n: number | null | undefined): string => (n ?? 0).toLocaleString('zh-CN')

/** One line of what monitoring did not reach and why, e.g. "抓取出错 12 个；超出大小上限 3 个" ("无" when nothing). */
export function notReachedText(rows: MonitorCoverage['not_reached'] | null | undefined): string {
  const parts = (rows ?? []).filter((r) => r.count > 0).map((r) => `${r.label} ${figure(r.count)} 个`)
  return parts.length ? parts.join('；') : '无'
}
