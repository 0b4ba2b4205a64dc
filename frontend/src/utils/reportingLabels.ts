import type { NoticeFormat, NoticeState } from '@/api/reportingTypes'

export const NOTICE_STATE: Record<NoticeState, string> = {
  draft: '草稿',
  rendering: '生成中',
  issued: '已印发',
  render_failed: '生成失败',
}
export const NOTICE_STATE_TAG: Record<NoticeState, 'info' | 'warning' | 'success' | 'danger'> = {
  draft: 'info',
  rendering: 'warning',
  issued: 'success',
  render_failed: 'danger',
}
export const NOTICE_EDITABLE: NoticeState[] = ['draft', 'render_failed']
export const NOTICE_FORMATS: { value: NoticeFormat; label: string }[] = [
  { value: 'docx', label: 'Word（docx）' },
  { value: 'xlsx', label: 'Excel 附件（xlsx）' },
  { value: 'pdf', label: 'PDF' },
]

// Attachment columns: the header a table prints → the row field it shows (services/reporting/notices/models.py
// COLUMN_FIELDS); the draft names its columns per attachment (seed 004's by default).
export const NOTICE_COLUMN_FIELD: Record<string, 'no' | 'name' | 'type' | 'result' | 'remark'> = {
  序号: 'no', 网站名称: 'name', 账号名称: 'name', 专栏名称: 'name', 名称: 'name', 单位名称: 'name',
  类型: 'type', 网站类型: 'type', 账号类型: 'type', 检查结果: 'result', 突出问题: 'remark',
  备注: 'remark', 存在问题: 'remark', 主要问题: 'remark',
}
export const NOTICE_SITE_COLUMNS = ['序号', '网站名称', '检查结果', '突出问题']
export const NOTICE_ACCOUNT_COLUMNS = ['序号', '账号名称', '账号类型', '检查结果', '备注']
export const NOTICE_COLUMN_COLUMNS = ['序号', '专栏名称', '检查结果', '突出问题']  // 信息公开专栏 (seed 001)

/** "2026-12-05" → "2026年12月5日" (a calendar day as the notice prints it). */
export function cnDate(value: string | null | undefined): string {
  if (!value) return ''
  const [y, m, d] = value.split('-').map(Number)
  return `${y}年${m}月${d}日`
}

/** A 0..1 rate as a percentage with one decimal (null → —). */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`
}
