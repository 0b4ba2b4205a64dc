import type { components } from './reporting'

type S = components['schemas']
export type NoticePublic = S['NoticePublic']
export type NoticeSummary = S['NoticeSummary']
export type NoticeContent = S['NoticeContent']
export type NoticeCreate = S['NoticeCreate']
export type NoticeUpdate = S['NoticeUpdate']
export type NoticeState = S['NoticeState']
export type NoticeFormat = S['FileFormat']
export type NoticeTableRow = S['TableRow']
export type TemplatePublic = S['TemplatePublic']
export type TemplatePut = S['TemplatePut']

// Rectification (整改)
export type TaskSummary = S['TaskSummary']
export type TaskPublic = S['TaskPublic']
export type TaskState = S['TaskState']
export type TaskEvent = S['TaskEventPublic']
export type TaskEvidence = S['EvidencePublic']
export type TaskEvidenceKind = S['EvidenceKind']
export type TaskCounts = S['TaskCounts']
export type UnitTaskCounts = S['UnitTaskCounts']
export type ReviewDecision = S['ReviewDecision']
export type ReportingAudit = S['AuditPublic']

// Notifications (提醒) and their channels
export type NotificationPublic = S['NotificationPublic']
export type NotificationKind = S['NotificationKind']
export type NotificationPage = S['NotificationPage']
export type ChannelPublic = S['ChannelPublic']
export type ChannelCreate = S['ChannelCreate']
export type ChannelKind = S['ChannelKind']

// Quarterly self-inspection reports (自查报告)
export type SelfReportPublic = S['SelfReportPublic']
export type SelfReportUpdate = S['SelfReportUpdate']
export type SelfReportState = S['ReportState']
export type SelfReportFigures = S['Figures']

// Annual assessment (年度考核)
export type Assessment = S['Assessment']
export type AssessmentRow = S['AssessmentRow']
export type AssessmentWeights = S['Weights']
export type WeightsPublic = S['WeightsPublic']

/** One finding as a rectification task keeps it (the checker's contract, evidence cut to three). */
export interface TaskFinding {
  indicator: string
  severity: string
  message: string
  evidence: { url?: string | null; excerpt?: string | null; observed_at?: string | null; snapshot?: string | null }[]
}

/** GET /notices/{id}/versions (untyped dict in the API). */
export interface NoticeVersion {
  version: number
  issued_by: string
  issued_at: string
  title: string | null
}

/** One row of the statistics API: counts and pass_rate (0..1, null when nothing was checked). */
export interface RateRow {
  checked: number
  passed: number
  failed: number
  errors: number
  pass_rate: number | null
  kind?: string | null
  site_kind?: string | null
  platform?: string | null
}

export interface PassRates {
  org_id: number
  org_path: string
  inspection_id: number | null
  inspection_name: string | null
  now: string | null
  overall: RateRow | null
  by_kind: RateRow[]
  by_site_kind: RateRow[]
  by_platform: RateRow[]
}

export interface TrendPoint extends RateRow {
  inspection_id: number
  inspection_name: string
  now: string | null
  change_points?: number
}

export interface Trend {
  org_id: number
  org_path: string
  kind: string | null
  points: TrendPoint[]
}

/** Dashboard (首页, 大屏), GET /api/v1/dashboard/overview: figures and health index (0–100) per sub-unit. */
export interface DashboardFigures {
  checked: number
  passed: number
  pass_rate: number | null
  open_vetoes: number | null
  overdue_tasks: number
  sites: number
  monitored_sites: number
  coverage: number | null
  health: number | null
}

export interface DashboardUnit extends DashboardFigures {
  org_id: number
  name: string
  kind: string | null
  group: 'region' | 'department'
  region_code: string | null
}

export interface DashboardOverview {
  org: { id: number; name: string; kind: string | null; region_code: string | null }
  round: { inspection_id: number; name: string; now: string } | null
  monitor_available: boolean
  totals: DashboardFigures
  units: DashboardUnit[]
  formula: string
}
