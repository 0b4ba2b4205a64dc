// Indicator sets (指标体系): labels of the thresholds, and the override form's logic. A stored set
// names a parent and overrides some of its values; the checker deep-merges the overrides over the
// parent's definition (objects key by key, anything else replaced). The form edits the effective
// values and sends only what differs from the parent.
import type { IndicatorDefinition, IndicatorRule, IndicatorSetCreate } from '@/api/checkerTypes'
import { INDICATOR, SEVERITY, indicatorLabel } from '@/utils/checkerLabels'
import { COLUMN_CATEGORY } from '@/utils/labels'

/** Thresholds of indicators.md (services/checker/indicators/model.py Parameters). */
export const PARAMETER: Record<string, string> = {
  home_window_days: '首页更新周期（天）',
  news_window_days: '动态、要闻类栏目更新周期（天）',
  notice_window_days: '通知公告、政策文件类栏目更新周期（天）',
  other_window_days: '其他应更新栏目更新周期（天）',
  stale_veto_news_notice_policy: '动态/通知公告/政策文件栏目未更新达此数否决',
  stale_veto_should_update: '应更新栏目未更新达此数否决',
  empty_veto: '空白栏目达此数否决',
  unreachable_ratio: '首页不可访问次数占比达此值否决',
  unreachable_window_days: '可用性监测周期（天）',
  probe_timeout_seconds: '首页探测超时（秒）',
  message_unanswered_days: '留言未办理时限（天）',
  message_lookback_days: '留言检查范围（天）',
  reply_limit_days: '留言答复时限（天）',
  reply_recent_days: '留言答复公开周期（天）',
  guide_min_missing_elements: '办事指南缺少要素达此数为不完整',
  guide_veto_count: '不完整办事指南达此数否决',
  account_update_days: '政务新媒体更新周期（天）',
  account_original_days: '政务新媒体原创周期（天）',
  personal_data_bulk_records: '单个页面公开个人信息达此数否决',
  policy_interpretation_days: '政策文件解读时限（天）',
  policy_interpretation_min_share: '政策文件解读率下限',
  policy_interpretation_min_forms: '解读形式最少种数',
  repost_days: '重要信息转载时限（天）',
}
export const parameterLabel = (name: string): string => PARAMETER[name] ?? name
/** Parameters that take fractions; every other one is a whole number. */
export const FRACTION_PARAMETERS = new Set(['unreachable_ratio', 'probe_timeout_seconds', 'policy_interpretation_min_share'])

export const SCOPE: Record<string, string> = { home: '首页', other: '其他页面' }
/** The indicator fields the form edits (scope_points and veto_when are kept as the parent has them). */
export const RULE_FIELDS = ['enabled', 'severity', 'points', 'max_points'] as const

/** Keys in the order of a label map (indicators.md order), unknown ones last in their own order. A stored
 * set's definition comes back from JSONB with its keys reordered, so lists are sorted for display. */
export function ordered(keys: string[], labels: Record<string, string>): string[] {
  const rank = new Map(Object.keys(labels).map((k, i) => [k, i]))
  return keys.map((k, i) => ({ k, i })).sort((a, b) =>
    (rank.get(a.k) ?? Infinity) - (rank.get(b.k) ?? Infinity) || a.i - b.i).map(({ k }) => k)
}
export const orderedIndicators = (keys: string[]): string[] => ordered(keys, INDICATOR)
export const orderedParameters = (keys: string[]): string[] => ordered(keys, PARAMETER)

/** The code pattern of IndicatorSetCreate (services/checker/store/models.py). */
export const CODE_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/

/** An item sites under the set must repost (转载) within `days` of `issued` (model.py RepostItem). */
export interface RepostItem {
  title: string
  source: string
  issued: string          // YYYY-MM-DD
  days: number | null     // null: the set's repost_days
}

/** What the form edits: the effective values of the new set. */
export interface EditableValues {
  pass_score: number
  parameters: Record<string, number>
  indicators: Record<string, IndicatorRule>
  reposts: RepostItem[]
}

/** A new, empty 转载 item for the form (issued today, Beijing time). */
export function newRepostItem(now: Date = new Date()): RepostItem {
  const day = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10)
  return { title: '', source: '', issued: day, days: null }
}

/** The set dialog: a new set (from gov-2019), a new set inheriting a chosen one, a stored set's next version. */
export type DialogMode = 'create' | 'inherit' | 'version'

export interface IndicatorSetForm {
  code: string
  name: string
  parent: string
  note: string
  org_id: number | null
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T))

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    return [...keys].every((k) => deepEqual(a[k], b[k]))
  }
  return false
}

/** The checker's merge (indicator_sets.merge): objects merge key by key, anything else replaces. */
export function mergeOverrides<T extends Json>(base: T, overrides: Json): T {
  const out: Json = clone(base)
  for (const [key, value] of Object.entries(overrides)) {
    out[key] = isObject(value) && isObject(out[key]) ? mergeOverrides(out[key] as Json, value) : clone(value)
  }
  return out as T
}

/** The smallest overrides that turn `base` into `edited` under mergeOverrides. Empty (null) inputs
 * mean "as the parent" and are left out. */
export function diffOverrides(base: Json, edited: Json): Json {
  const out: Json = {}
  for (const [key, value] of Object.entries(edited)) {
    if (value === null || value === undefined) continue
    const before = base[key]
    if (isObject(value) && isObject(before)) {
      const nested = diffOverrides(before, value)
      if (Object.keys(nested).length) out[key] = nested
    } else if (!deepEqual(before, value)) {
      out[key] = clone(value)
    }
  }
  return out
}

/** The editable part of a definition (a copy). */
export function editableFrom(definition: IndicatorDefinition): EditableValues {
  const reposts = (definition as IndicatorDefinition & { reposts?: RepostItem[] }).reposts ?? []
  return clone({ pass_score: definition.pass_score, parameters: definition.parameters, indicators: definition.indicators,
    reposts })
}

/** The request body of POST /api/v1/indicator-sets: identity from the form, overrides = what differs
 * from the parent definition (pinned to the parent version the diff was computed against). */
export function buildIndicatorSetBody(
  form: IndicatorSetForm, parent: IndicatorDefinition, edited: EditableValues,
): IndicatorSetCreate {
  return {
    code: form.code.trim(),
    name: form.name.trim() || null,
    parent: form.parent || null,
    parent_version: parent.version,
    overrides: diffOverrides(editableFrom(parent) as unknown as Json, edited as unknown as Json),
    note: form.note.trim() || null,
    org_id: form.org_id ?? null,
  }
}

/** Dotted paths of the leaf values an overrides object sets (e.g. "indicators.typo.points"). */
export function overridePaths(overrides: Json, prefix = ''): string[] {
  return Object.entries(overrides).flatMap(([key, value]) =>
    isObject(value) && Object.keys(value).length ? overridePaths(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

/** One rule's per-occurrence deduction as text (scope points when the rule has them). */
export function pointsText(rule: IndicatorRule): string {
  const scoped = Object.entries(rule.scope_points ?? {})
  if (scoped.length) return scoped.map(([scope, p]) => `${SCOPE[scope] ?? scope} ${p}`).join(' / ')
  return String(rule.points ?? 0)
}

/** When an indicator's findings make a veto, in words. */
export function vetoText(rule: IndicatorRule, parameters: Record<string, number>): string {
  return (rule.veto_when ?? []).map((w) => {
    if (w.flag) return w.flag === 'illegal' ? '涉及违法内容' : w.flag === 'bulk' ? '成批公开个人信息（名单）' : `问题标记 ${w.flag}`
    const name = w.count_param ?? ''
    const scope = w.categories?.length
      ? `（${w.categories.map((c) => COLUMN_CATEGORY[c as keyof typeof COLUMN_CATEGORY] ?? c).join('、')}）` : ''
    return `累计 ${parameters[name] ?? '?'} 处${scope}`
  }).join('；')
}

export const RULE_FIELD: Record<string, string> = {
  enabled: '启用', severity: '性质', points: '每次扣分', scope_points: '分页面扣分', max_points: '扣分上限', veto_when: '否决条件',
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return '—'
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (typeof value === 'string') return SEVERITY[value] ?? value
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value)) return `${value.length}项`
  return '已调整' // a nested value the form does not edit (scope points, veto conditions): never shown as JSON
}

/** One override in words, e.g. "错别字 · 每次扣分 → 2". */
export function describeOverride(path: string, overrides: Record<string, unknown>): string {
  const parts = path.split('.')
  let value: unknown = overrides
  for (const p of parts) value = isObject(value) ? value[p] : undefined
  const [head, name, field] = parts
  if (head === 'pass_score') return `合格分数 → ${valueText(value)}`
  if (head === 'reposts') {
    const items = Array.isArray(value) ? (value as RepostItem[]) : []
    return `转载要求 → ${items.length ? items.map((i) => `《${i.title}》`).join('、') : '无'}`
  }
  if (head === 'parameters' && name) return `${parameterLabel(name)} → ${valueText(value)}`
  if (head === 'indicators' && name) {
    const rest = parts.slice(3).map((p) => SCOPE[p] ?? p).join('·')
    const what = `${field ? (RULE_FIELD[field] ?? field) : '规则'}${rest ? `（${rest}）` : ''}`
    return `${indicatorLabel(name)} · ${what} → ${valueText(value)}`
  }
  return `${path} → ${valueText(value)}`
}

/** One override as a row of the dialog's 覆盖内容 table: what it concerns, which setting, parent's and own value. */
export interface OverrideRow { path: string; item: string; field: string; before: string; after: string }

const valueAt = (root: unknown, parts: string[]): unknown =>
  parts.reduce<unknown>((v, p) => (isObject(v) ? v[p] : undefined), root)
const repostTitles = (value: unknown): string =>
  Array.isArray(value) && value.length ? (value as RepostItem[]).map((i) => `《${i.title || '未填标题'}》`).join('、') : '无'

/** The overrides in words, one row per changed value, with the parent's value beside it (no codes, no JSON). */
export function overrideRows(overrides: Json, base: Json | null): OverrideRow[] {
  return overridePaths(overrides).map((path) => {
    const parts = path.split('.')
    const after = valueAt(overrides, parts)
    const before = base ? valueAt(base, parts) : undefined
    const [head, name, field] = parts
    if (head === 'reposts') return { path, item: '转载要求', field: '须转载的信息', before: repostTitles(before), after: repostTitles(after) }
    const row = { path, before: valueText(before), after: valueText(after) }
    if (head === 'pass_score') return { ...row, item: '合格分数', field: '分数' }
    if (head === 'parameters' && name) return { ...row, item: parameterLabel(name), field: '取值' }
    if (head === 'indicators' && name) {
      const rest = parts.slice(3).map((p) => SCOPE[p] ?? p).join('·')
      return { ...row, item: indicatorLabel(name), field: `${field ? (RULE_FIELD[field] ?? field) : '规则'}${rest ? `（${rest}）` : ''}` }
    }
    return { ...row, item: '其他设置', field: '取值' }
  })
}
