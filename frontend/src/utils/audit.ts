// The registry's audit log as people read it: action and object kinds in Chinese, never their codes.
import {
  ACCOUNT_STATE, EVIDENCE_KIND, FILING_KIND, FILING_STATE, ORG_KIND, PLATFORM, ROLE, SITE_KIND, SITE_STATE, SUBJECT_KIND, formatDateTime,
} from '@/utils/labels'

export const AUDIT_ENTITY: Record<string, string> = {
  site: '网站', account: '新媒体账号', filing: '备案', user: '用户', organisation: '组织机构', api_client: '接口客户端',
  import: '批量导入', login: '登录', sync_outbox: '国家系统推送', sync_reconciliation: '国家系统比对',
}

export const AUDIT_ACTION: Record<string, string> = {
  'site.create': '登记网站', 'account.create': '登记账号', 'site.columns': '编辑栏目',
  'filing.open': '提交开设备案', 'filing.rename': '提交更名备案', 'filing.change': '提交变更备案',
  'filing.suspend': '提交关停备案', 'filing.resume': '提交恢复备案', 'filing.close': '提交永久关停备案',
  'filing.offline': '提交下线备案', 'filing.deregister': '提交注销备案', 'filing.evidence': '上传证明材料', 'filing.evidence_remove': '删除证明材料',
  'filing.approve': '审批通过', 'filing.reject': '驳回备案', 'filing.withdraw': '撤回备案',
  'user.create': '新建用户', 'user.update': '修改用户', 'user.password_reset': '重置密码', 'user.password_change': '修改密码',
  'org.create': '新建单位', 'org.update': '修改单位', 'client.create': '新建接口客户端', 'client.deactivate': '停用接口客户端',
  'client.rekey': '更换接口密钥', 'auth.lockout': '登录失败过多，临时锁定',
  'sync.retry': '重新推送国家系统', 'sync.resolve': '推送失败已人工处理', 'sync.resync': '重新同步国家系统', 'sync.reconcile': '与国家系统比对',
}

/** An action code as a person reads it: "site.open" → "网站开设生效"; an unknown code is never shown as is. */
export function auditAction(code: string): string {
  const known = AUDIT_ACTION[code]
  if (known) return known
  const [subject, step] = code.split('.')
  const who = SUBJECT_KIND[subject as keyof typeof SUBJECT_KIND]
  if (who && step === 'import') return `${who}批量导入`
  if (who && step === 'bootstrap') return `${who}从国家系统导入`
  const filing = FILING_KIND[step as keyof typeof FILING_KIND]
  if (who && filing) return `${who}${filing}生效` // the approved filing applied to the site or account
  return '其他操作'
}

type Record_ = Record<string, unknown> | null | undefined
/** The name the log's before/after states give the object (site, account, user, unit, filing's subject). */
function entityName(...states: Record_[]): string {
  for (const state of states) {
    for (const key of ['name', 'registered_name', 'display_name', 'subject_name']) {
      const value = state?.[key]
      if (typeof value === 'string' && value.trim()) return value.trim()
    }
  }
  return ''
}

/** An object of the log: its kind in Chinese and its name as the entry recorded it, else as it is called today
 * (`present`, from the API); never its number or an internal code. */
export function auditEntity(kind: string, present?: string | null, before?: Record_, after?: Record_): string {
  const name = entityName(after, before) || present?.trim()
  return `${AUDIT_ENTITY[kind] ?? '其他对象'}${name ? ` ${name}` : ''}`
}

// The recorded fields people read, in Chinese; ids, paths and timestamps of the row are left out.
const FIELD: Record<string, string> = {
  name: '名称', registered_name: '账号名称', display_name: '姓名', username: '登录名', homepage_url: '首页网址', kind: '类型',
  site_code: '网站标识码', icp_number: 'ICP备案号', psb_number: '公安备案号', has_badge: '党政机关网站标识', host_org_id: '主办单位',
  supervising_org_id: '主管单位', org_id: '所属单位', parent_id: '上级单位', url_prefix: '网址前缀', state: '状态', platform: '平台',
  platform_id: '平台账号', interaction_url: '互动入口', migration_target_url: '迁移后网址', closure_notice_on: '关停公告发布日期',
  icp_cancelled: 'ICP备案已注销', badge_cancelled: '网站标识已注销', psb_cancelled: '公安备案已注销', domain_released: '域名已注销',
  rule_override_reason: '例外说明', role: '角色', is_active: '启用', region_code: '行政区划代码', short_name: '简称',
  subject_name: '对象', reason: '理由', decision_note: '审批意见', override_reason: '例外说明', evidence_kind: '材料类型',
  filename: '文件名', size: '文件大小', columns: '栏目', contact: '联系人', phone: '联系电话', email: '电子邮箱',
  responsible_person: '负责人', contact_phone: '联系电话', password_expires_at: '密码到期时间', must_change_password: '须修改密码',
}

function valueText(key: string, value: unknown, kind: string, orgName: (id: number) => string): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (typeof value === 'number' && /org_id$|^parent_id$/.test(key)) return orgName(value)
  if (typeof value === 'string') {
    const labels: Record<string, Record<string, string>> = {
      state: kind === 'filing' ? FILING_STATE : kind === 'account' ? ACCOUNT_STATE : SITE_STATE,
      kind: kind === 'organisation' ? ORG_KIND : kind === 'filing' ? FILING_KIND : SITE_KIND,
      platform: PLATFORM, role: ROLE, evidence_kind: EVIDENCE_KIND,
    }
    const label = labels[key]
    if (label) return label[value] ?? '其他'
    if (/_at$/.test(key)) return formatDateTime(value)
    return value
  }
  if (Array.isArray(value)) return `${value.length}项`
  return typeof value === 'number' ? String(value) : '已记录'
}

export interface AuditChange { field: string; before: string; after: string }

/** What an entry changed, field by field in Chinese (only fields people read; never the stored JSON). */
export function auditChanges(kind: string, before: Record_, after: Record_, orgName: (id: number) => string): AuditChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => k in FIELD)
  return keys
    .map((key) => ({
      field: FIELD[key]!,
      before: before ? valueText(key, before[key], kind, orgName) : '—',
      after: after ? valueText(key, after[key], kind, orgName) : '—',
    }))
    .filter((row) => row.before !== row.after) // unchanged and empty-on-both-sides fields say nothing
}
