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

/** The site pass's figures kept with a site's coverage (政策解读, 转载); see services/checker/monitor/site_pass.py. */
interface PolicyFigures {
  documents: number; with_interpretation: number; share: number | null; overdue: number; interpretations: number
  forms: string[]
}
interface RepostFigures { required: number; found: number; pending: number; missing: string[] }
const FORM_NAMES: Record<string, string> = { 文字: '文字', 图解: '图解', 视频: '视频', 问答: '问答/访谈' }
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`

/** "政策文件 12 件，有解读 9 件（75%），超期未解读 2 件；解读形式：文字、图解" (null before the first pass). */
export function policyText(summary: MonitorCoverage['policy_summary']): string | null {
  const p = (summary as { policy?: PolicyFigures } | null | undefined)?.policy
  if (!p) return null
  if (!p.documents) return `未发现带文号的政策文件${p.interpretations ? `；解读 ${figure(p.interpretations)} 篇` : ''}`
  const forms = p.forms.length ? p.forms.map((f) => FORM_NAMES[f] ?? f).join('、') : '无'
  return `政策文件 ${figure(p.documents)} 件，有解读 ${figure(p.with_interpretation)} 件（${percent(p.share ?? 0)}）`
    + `，超期未解读 ${figure(p.overdue)} 件；解读形式：${forms}`
}

/** "应转载 3 条，已转载 1 条，未到期 1 条；超期未转载：《…》" (null when the set lists no item). */
export function repostText(summary: MonitorCoverage['policy_summary']): string | null {
  const r = (summary as { reposts?: RepostFigures } | null | undefined)?.reposts
  if (!r) return null
  const missing = r.missing.length ? `；超期未转载：${r.missing.map((t) => `《${t}》`).join('、')}` : ''
  return `应转载 ${figure(r.required)} 条，已转载 ${figure(r.found)} 条，未到期 ${figure(r.pending)} 条${missing}`
}
