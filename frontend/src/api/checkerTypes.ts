import type { components } from './checker'

type S = components['schemas']
export type InspectionPublic = S['InspectionPublic']
export type InspectionCreate = S['InspectionCreate']
export type InspectionState = S['InspectionState']
export type Progress = S['Progress']
export type ResultSummary = S['ResultSummary']
export type ResultDetail = S['ResultDetail']
export type FindingPublic = S['FindingPublic']
export type TargetKind = S['TargetKind']
export type Verdict = S['Verdict']
export type IndicatorSetPublic = S['IndicatorSetPublic']
export type IndicatorSetCreate = S['IndicatorSetCreate']
export type FindingCreate = S['FindingCreate']
export type EvidenceIn = S['EvidenceIn']
export type WordEntryPublic = S['WordEntryPublic']
export type WordEntryCreate = S['WordEntryCreate']
export type WordList = S['WordList']
export type WordCategory = S['WordCategory']
export type BuiltinWord = S['BuiltinWord']
export type BuiltinSummary = S['BuiltinSummary']
export type BuiltinGroup = S['BuiltinGroup']

/** One piece of evidence of a finding (DESIGN.md check-output contract). */
export interface FindingEvidence {
  url?: string | null
  excerpt?: string | null
  observed_at?: string | null
  snapshot?: string | null
  /** Not stored yet: "pending" (spooled, uploaded when the store returns) or "lost" (issue 18). */
  snapshot_state?: 'pending' | 'lost' | null
}

/** An indicator of a set's `definition` (services/checker/indicators/model.py IndicatorRule; the
 * OpenAPI document types `definition` as a free-form object). */
export interface IndicatorRule {
  enabled: boolean
  severity: 'veto' | 'deduct'
  points: number
  scope_points: Record<string, number>
  max_points: number
  veto_when: { count_param?: string | null; categories?: string[] | null; flag?: string | null }[]
}

/** A set's resolved `definition` (model.py IndicatorSet): thresholds and indicators. */
export interface IndicatorDefinition {
  id: string
  version: number
  parent: string | null
  name: string
  pass_score: number
  parameters: Record<string, number>
  indicators: Record<string, IndicatorRule>
}

// Whole-site monitoring (全站监测)
export type MonitorCoverage = S['Coverage']
export type MonitorFinding = S['LedgerFinding']

/** What an account check saw (services/checker/account_activity.py; `result.activity` of an account result). */
export interface AccountActivity {
  source: string
  observed_at: string
  exists: boolean
  live_name: string | null
  interaction_enabled: boolean | null
  posts_seen: number
  last_post_at: string | null
  last_post_title: string | null
  last_post_url: string | null
  update_days: number
  posts_in_update_window: number
  original_days: number
  posts_in_original_window: number
  original_in_window: number
  last_original_at: string | null
  entries: { name: string; kind: 'menu' | 'interaction'; url: string | null; outcome: string; status: number | null; reason: string | null }[]
}
