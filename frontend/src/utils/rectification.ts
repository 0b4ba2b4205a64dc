// Rectification (整改), notifications, self-inspection reports and the assessment: labels and the
// small rules the pages share (which controls a user sees on a task, deadline marks, links).
import type {
  AssessmentWeights, NotificationKind, NotificationPublic, SelfReportState, TaskEvidenceKind, TaskState, TaskSummary,
} from '@/api/reportingTypes'
import type { Role } from '@/api/types'

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const TASK_STATE: Record<TaskState, string> = {
  open: '待整改', submitted: '待审核', accepted: '待复查', verified: '已复查通过', closed: '已办结',
}
export const TASK_STATE_TAG: Record<TaskState, TagType> = {
  open: 'warning', submitted: 'primary', accepted: 'primary', verified: 'success', closed: 'info',
}
/** What each state means for the people involved (shown under the state on the task page). */
export const TASK_STATE_HINT: Record<TaskState, string> = {
  open: '责任单位整改中：上传整改材料并填写整改情况说明后提交审核。',
  submitted: '已提交，等待上级监管单位审核。',
  accepted: '审核已通过，正在对该对象重新检查（复查），复查通过后任务关闭。',
  verified: '复查通过，整改任务已关闭。',
  closed: '监管单位已办结该任务（未经复查通过，原因已记录）。',
}
export const FINAL_STATES: TaskState[] = ['verified', 'closed']

export const TASK_EVIDENCE_KIND: Record<TaskEvidenceKind, string> = {
  screenshot: '整改截图', document: '整改材料', signed_report: '签字扫描件', other: '其他',
}

/** The task history (events) as the unit and the reviewer read it. */
export const TASK_EVENT: Record<string, string> = {
  opened: '下发整改任务', uploaded: '上传材料', evidence_removed: '删除材料', submitted: '提交整改',
  rejected: '退回整改', accepted: '审核通过', recheck_requested: '发起复查', recheck_error: '复查未完成',
  recheck_failed: '复查未通过', verified: '复查通过', closed: '办结（监管单位）', overdue: '已逾期',
  deadline_changed: '整改期限变更', named_again: '另一通报点名同一问题',
  urged: '催办', assigned: '指派',
}
export const TASK_EVENT_TYPE: Record<string, TagType> = {
  rejected: 'warning', recheck_failed: 'danger', recheck_error: 'warning', overdue: 'danger', verified: 'success',
  accepted: 'success', closed: 'info', submitted: 'primary', urged: 'warning',
}
export const eventLabel = (action: string): string => TASK_EVENT[action] ?? action

/** The audit trail of a task (every write, and refused uploads). */
export const TASK_AUDIT: Record<string, string> = {
  task_opened: '下发任务', evidence_uploaded: '上传材料', evidence_removed: '删除材料', evidence_refused: '上传被拒绝',
  submitted: '提交整改', accepted: '审核通过', rejected: '退回整改', closed_override: '监管单位办结',
  recheck_requested: '发起复查', recheck_pass: '复查通过', recheck_fail: '复查未通过', recheck_error: '复查出错',
  overdue: '标记逾期', urged: '催办', assigned: '指派',
}

/** Who is looking at a task: what the role may do, and whether the task is their own unit's. */
export interface TaskViewer {
  role: Role | null
  canWork: boolean
  canReview: boolean
  orgPath: string | null
}

export interface TaskControls {
  upload: boolean
  submit: boolean
  accept: boolean
  reject: boolean
  close: boolean
  recheck: boolean
  /** Poll the re-check's outcome (POST /refresh) while the page is open. */
  poll: boolean
}

/**
 * The controls a person sees on a task: the API's allowed actions for the state, narrowed to what the
 * role may do. A unit never reviews its own task (the reviewer sits above it), admins excepted.
 */
export function taskControls(
  task: { state: TaskState; allowed_actions: string[]; org_path: string; recheck_inspection_id?: number | null; recheck_error?: string | null },
  viewer: TaskViewer,
): TaskControls {
  const allowed = new Set(task.allowed_actions)
  const reviewer = viewer.canReview && (viewer.role === 'admin' || viewer.orgPath !== task.org_path)
  return {
    upload: viewer.canWork && allowed.has('upload'),
    submit: viewer.canWork && allowed.has('submit'),
    accept: reviewer && allowed.has('accept'),
    reject: reviewer && allowed.has('reject'),
    close: reviewer && allowed.has('close'),
    // Asking again only makes sense when the first request did not reach the checker or it gave no answer.
    recheck: reviewer && allowed.has('recheck') && (!task.recheck_inspection_id || !!task.recheck_error),
    // Reading the outcome in writes it to the task: the people who work on or review it (not viewers).
    poll: (viewer.canWork || viewer.canReview) && task.state === 'accepted',
  }
}

export interface DeadlineMark {
  text: string
  type: TagType
}

/** The deadline mark of a task: 已逾期 (red), due today or soon (orange), days left, or nothing when done. */
export function deadlineMark(task: Pick<TaskSummary, 'deadline' | 'state' | 'overdue' | 'days_left'>): DeadlineMark | null {
  if (FINAL_STATES.includes(task.state)) return null
  if (!task.deadline) return { text: '未设期限', type: 'info' }
  const days = task.days_left
  if (task.overdue) return { text: days !== null && days !== undefined && days < 0 ? `已逾期 ${-days} 天` : '已逾期', type: 'danger' }
  if (days === null || days === undefined) return null
  if (days === 0) return { text: '今日到期', type: 'warning' }
  return { text: `剩 ${days} 天`, type: days <= 3 ? 'warning' : 'info' }
}

export const RECHECK_VERDICT: Record<string, string> = { pass: '合格', fail: '不合格' }

// ---------------------------------------------------------------------------------------------------
// Notifications

export const NOTIFICATION_KIND: Record<NotificationKind, string> = {
  assigned: '新整改任务', due_soon: '即将到期', overdue: '已逾期', rejected: '整改退回', recheck_failed: '复查未通过',
  verified: '复查通过', report_due: '自查报告', monitor_alert: '全站监测告警', urged: '整改催办',
}
export const NOTIFICATION_KIND_TAG: Record<NotificationKind, TagType> = {
  assigned: 'primary', due_soon: 'warning', overdue: 'danger', rejected: 'warning', recheck_failed: 'danger',
  verified: 'success', report_due: 'info', monitor_alert: 'danger', urged: 'warning',
}

/** Where a notification leads: its task, or its self-inspection report (null when neither). */
export function notificationLink(n: Pick<NotificationPublic, 'task_id' | 'report_id' | 'kind'>): string | null {
  if (n.task_id) return `/rectification/${n.task_id}`
  if (n.report_id) return `/self-reports/${n.report_id}`
  if (n.kind === 'report_due') return '/self-reports'
  if (n.kind === 'monitor_alert') return '/monitor'
  return null
}

/** The badge text of the bell: nothing at zero, 99+ above. */
export function badgeText(unread: number): string {
  if (unread <= 0) return ''
  return unread > 99 ? '99+' : String(unread)
}

// ---------------------------------------------------------------------------------------------------
// Self-inspection reports

export const REPORT_STATE: Record<SelfReportState, string> = {
  draft: '草稿', submitted: '已提交', returned: '已退回', accepted: '审核通过',
}
export const REPORT_STATE_TAG: Record<SelfReportState, TagType> = {
  draft: 'info', submitted: 'primary', returned: 'warning', accepted: 'success',
}
export const REPORT_EDITABLE: SelfReportState[] = ['draft', 'returned']

export const REPORT_SECTIONS: { key: string; title: string }[] = [
  { key: 'addressee', title: '主送机关' },
  { key: 'intro', title: '开头段（依据与自查结果）' },
  { key: 'sites', title: '网站运行情况' },
  { key: 'security', title: '安全运行情况' },
  { key: 'messages', title: '网民留言办理情况' },
  { key: 'accounts', title: '政务新媒体运行情况' },
  { key: 'problems', title: '自查发现的问题及整改情况' },
  { key: 'next_steps', title: '下一步工作' },
]
/** Printed before the numbered sections (主送 and the opening paragraph). */
export const REPORT_UNNUMBERED = ['addressee', 'intro']
/** An added section's key: "custom:<its heading>"; emptied, it is removed when saved. */
export const CUSTOM_SECTION = 'custom:'
const NUMERALS = '一二三四五六七八九十'

/** The report's parts in print order with their headings (numbered as printed: 一、网站运行情况 …). */
export function reportSections(titles: Record<string, string> | undefined, added: string[] = []): { key: string; title: string; heading: string }[] {
  const keys = titles && Object.keys(titles).length ? Object.keys(titles) : REPORT_SECTIONS.map((s) => s.key)
  const extra = added.filter((k) => !keys.includes(k))
  const ordered = [...keys.filter((k) => k !== 'next_steps'), ...extra, ...(keys.includes('next_steps') ? ['next_steps'] : [])]
  let n = 0
  return ordered.map((key) => {
    const title = titles?.[key] ?? REPORT_SECTIONS.find((s) => s.key === key)?.title ?? key.slice(CUSTOM_SECTION.length)
    const heading = REPORT_UNNUMBERED.includes(key) ? title : `${NUMERALS[n++] ?? n}、${title}`
    return { key, title, heading }
  })
}

/** The counts of a report that a unit may correct (problem_kinds stays as gathered). */
export const REPORT_FIGURES: { key: 'sites' | 'accounts' | 'inspections' | 'items_published' | 'posts' | 'messages_received'
  | 'messages_answered' | 'problems_found' | 'problems_fixed' | 'tasks_open'; label: string }[] = [
  { key: 'sites', label: '网站数（个）' },
  { key: 'accounts', label: '政务新媒体（个）' },
  { key: 'inspections', label: '检查次数' },
  { key: 'items_published', label: '网站发布信息（条）' },
  { key: 'posts', label: '新媒体发文（条）' },
  { key: 'messages_received', label: '收到留言（条）' },
  { key: 'messages_answered', label: '办理留言（条）' },
  { key: 'problems_found', label: '发现问题（个）' },
  { key: 'problems_fixed', label: '已整改问题（个）' },
  { key: 'tasks_open', label: '未完成整改任务（个）' },
]

export const QUARTER_CN = ['', '一', '二', '三', '四'] as const

export interface YearQuarter {
  year: number
  quarter: number
}

/** The quarter a date falls in. */
export function quarterOf(day: Date): YearQuarter {
  return { year: day.getFullYear(), quarter: Math.floor(day.getMonth() / 3) + 1 }
}

/** The quarters a report may be started for: the current one and the `count - 1` before it, newest first. */
export function recentQuarters(day: Date, count = 5): YearQuarter[] {
  let { year, quarter } = quarterOf(day)
  const out: YearQuarter[] = []
  for (let i = 0; i < count; i += 1) {
    out.push({ year, quarter })
    quarter -= 1
    if (quarter === 0) {
      quarter = 4
      year -= 1
    }
  }
  return out
}

export const quarterLabel = (q: YearQuarter): string => `${q.year}年第${QUARTER_CN[q.quarter]}季度`

// ---------------------------------------------------------------------------------------------------
// Annual assessment

export const WEIGHT_FIELDS: { key: Exclude<keyof AssessmentWeights, 'in_use_since'>; label: string; hint: string; max: number }[] = [
  { key: 'base', label: '基础分', hint: '扣分前的满分', max: 1000 },
  { key: 'site_failure', label: '网站不合格（每个）', hint: '已印发通报中每个不合格网站', max: 100 },
  { key: 'account_failure', label: '新媒体不合格（每个）', hint: '已印发通报中每个不合格账号', max: 100 },
  { key: 'overdue_task', label: '整改逾期（每件）', hint: '曾超过整改期限的任务', max: 100 },
  { key: 'unrectified_task', label: '未整改到位（每件）', hint: '仍未复查通过或办结的任务', max: 100 },
  { key: 'late_report', label: '自查报告迟报（每份）', hint: '超过报送期限提交的自查报告', max: 100 },
  { key: 'missing_report', label: '自查报告未报（每份）', hint: '到期仍未提交的自查报告', max: 100 },
  { key: 'excellent', label: '优秀（分数线）', hint: '得分不低于此线为优秀', max: 1000 },
  { key: 'good', label: '良好（分数线）', hint: '得分不低于此线为良好', max: 1000 },
  { key: 'passing', label: '合格（分数线）', hint: '得分不低于此线为合格，以下为不合格', max: 1000 },
]
export const GRADE_TAG: Record<string, TagType> = { 优秀: 'success', 良好: 'primary', 合格: 'info', 不合格: 'danger' }
