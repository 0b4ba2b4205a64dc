// The registry's audit log as people read it: action and object kinds in Chinese, never their codes.
import { FILING_KIND, SUBJECT_KIND } from '@/utils/labels'

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

/** An object of the log: its kind in Chinese and its number (no internal code). */
export function auditEntity(kind: string, id: number | null | undefined): string {
  return `${AUDIT_ENTITY[kind] ?? '其他对象'}${id ? ` #${id}` : ''}`
}
