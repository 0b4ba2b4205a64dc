// The registry's lifecycle table (services/registry/filings/lifecycle.py) mirrored for the UI:
// which change filings a subject in a given state may receive. The API stays the judge (409
// illegal_transition with `allowed`).
import type { AccountState, FilingKind, SiteState, SubjectKind } from '@/api/types'

export type ChangeKind = Exclude<FilingKind, 'open' | 'import'>

const SITE: Record<ChangeKind, SiteState[]> = {
  rename: ['active'], change: ['active'], suspend: ['active'], resume: ['suspended'],
  close: ['active', 'suspended'], offline: ['closing'], deregister: ['closed'],
}
const ACCOUNT: Partial<Record<ChangeKind, AccountState[]>> = {
  rename: ['active'], change: ['active'], suspend: ['active'], resume: ['suspended'],
  close: ['active', 'suspended'], deregister: ['closing'],
}

export function allowedChanges(subject: SubjectKind, state: string): ChangeKind[] {
  const table = (subject === 'site' ? SITE : ACCOUNT) as Partial<Record<ChangeKind, string[]>>
  return (Object.keys(table) as ChangeKind[]).filter((kind) => table[kind]!.includes(state))
}

export const CHANGE_HINT: Record<ChangeKind, string> = {
  rename: '更名或更换域名；审批通过前仍以原登记名称为准。',
  change: '变更网站标识码、备案号、主办/主管单位等登记信息。',
  suspend: '临时关停，恢复前需再提交“恢复运行”备案。',
  resume: '临时关停后恢复运行。',
  close: '永久关停：需指定内容迁移去向，并在原首页保留关停公告不少于30天。',
  offline: '关停公告保留期满后下线网站。',
  deregister: '注销：需提供ICP备案、党政机关网站标识、公安备案及域名注销证明。',
}
