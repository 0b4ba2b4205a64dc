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

/** One piece of evidence of a finding (DESIGN.md check-output contract). */
export interface FindingEvidence {
  url?: string | null
  excerpt?: string | null
  observed_at?: string | null
  snapshot?: string | null
}
