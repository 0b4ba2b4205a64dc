// Findings added by hand on an inspection result (人工添加问题).
import type { FindingCreate, TargetKind } from '@/api/checkerTypes'

export interface EvidenceRow {
  url: string
  excerpt: string
  observed_at: string | null
}

export interface ManualFindingForm {
  indicator: string
  message: string
  count: number
  evidence: EvidenceRow[]
}

/** Indicators that apply to a kind of target: account_* for new-media accounts, the rest for sites. */
export function indicatorsFor(kind: TargetKind, codes: string[]): string[] {
  return codes.filter((c) => (kind === 'account') === c.startsWith('account_'))
}

/** The request body of POST …/results/{kind}/{target_id}/findings; evidence rows without a URL are left out. */
export function buildFindingBody(form: ManualFindingForm): FindingCreate {
  return {
    indicator: form.indicator,
    message: form.message.trim(),
    count: Math.max(1, Math.round(form.count || 1)),
    evidence: form.evidence
      .filter((e) => e.url.trim())
      .map((e) => ({ url: e.url.trim(), excerpt: e.excerpt.trim(), observed_at: e.observed_at || null })),
  }
}
