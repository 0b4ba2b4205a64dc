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

/** The URL when it may be rendered as a link: absolute http(s) only. Evidence may come from a crawled page or
 * from older data, and a `javascript:` or `data:` href would run in the app; anything else is shown as text. */
export function webLink(url: string | null | undefined): string | null {
  if (!url || /[\u0000-\u0020\u007f]/.test(url) || !/^https?:\/\//i.test(url)) return null
  try {
    const parsed = new URL(url)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname ? url : null
  } catch {
    return null
  }
}

/** What the 页面快照 column says of one piece of evidence: a snapshot not stored yet is said so (issue 18),
 * never shown as 无 — "pending" is spooled and uploaded when the store returns, "lost" could not be kept. */
export function snapshotLabel(e: { snapshot?: string | null; snapshot_state?: string | null }):
  { text: string; kind: 'pending' | 'lost' | 'stored' | 'none' } {
  if (e.snapshot_state === 'pending') return { text: '快照待上传', kind: 'pending' }
  if (e.snapshot_state === 'lost') return { text: '快照未能保存', kind: 'lost' }
  if (e.snapshot) return { text: '查看快照', kind: 'stored' }
  return { text: '无', kind: 'none' }
}

/** The sha256 a stored snapshot is named by (its key is snapshots/sha256/ab/<digest>); null for anything else,
 * so no other key reaches the snapshot API's path. */
export function snapshotDigest(key: string | null | undefined): string | null {
  const m = /^snapshots\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key ?? '')
  return m ? m[1]! : null
}

/** The snapshot API's path for one piece of evidence (the cited text of `findingId` is marked). */
export function snapshotPath(inspectionId: number, kind: string, targetId: number, digest: string, findingId?: number): string {
  const query = findingId != null ? `?finding_id=${findingId}` : ''
  return `/api/v1/inspections/${inspectionId}/results/${kind}/${targetId}/snapshots/${digest}${query}`
}
