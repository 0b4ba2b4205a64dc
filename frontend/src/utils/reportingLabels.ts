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

/** A 0..1 rate as a percentage with one decimal (null → —). */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`
}
