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
