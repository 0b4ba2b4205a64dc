// Chinese labels for the API's enum values.
import { humanize } from '@/api/errors'
import type {
  AccountState, ColumnCategory, EvidenceKind, FilingKind, FilingState, OrgKind, Platform, Role, SiteKind,
  SiteState, SubjectKind,
} from '@/api/types'

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const SITE_STATE: Record<SiteState, string> = {
  pending_open: '待开设', active: '运行中', suspended: '临时关停', closing: '关停中', closed: '已下线', deregistered: '已注销',
}
export const ACCOUNT_STATE: Record<AccountState, string> = {
  pending_open: '待开设', active: '运行中', suspended: '临时关停', closing: '关停中', deregistered: '已注销',
}
export const STATE_TAG: Record<SiteState, TagType> = {
  pending_open: 'warning', active: 'success', suspended: 'info', closing: 'danger', closed: 'info', deregistered: 'info',
}
export const SITE_KIND: Record<SiteKind, string> = { portal: '政府门户网站', department: '部门网站', column: '信息公开专栏' }
export const SITE_KIND_TAG: Record<SiteKind, TagType> = { portal: 'primary', department: 'info', column: 'warning' }
export const PLATFORM: Record<Platform, string> = {
  wechat_subscription: '微信订阅号', wechat_service: '微信服务号', weibo: '新浪微博', douyin: '抖音',
  toutiao: '今日头条', kuaishou: '快手', bilibili: '哔哩哔哩', app: '移动客户端', other: '其他',
}
export const FILING_KIND: Record<FilingKind, string> = {
  open: '开设', rename: '更名', change: '变更', suspend: '临时关停', resume: '恢复运行', close: '永久关停',
  offline: '下线', deregister: '注销', import: '批量导入',
}
export const FILING_STATE: Record<FilingState, string> = {
  pending: '待审批', approved: '已通过', rejected: '已驳回', withdrawn: '已撤回',
}
export const FILING_STATE_TAG: Record<FilingState, TagType> = {
  pending: 'warning', approved: 'success', rejected: 'danger', withdrawn: 'info',
}
export const EVIDENCE_KIND: Record<EvidenceKind, string> = {
  approval_document: '审批表/批复文件', closure_notice: '关停公告截图', migration_proof: '内容迁移证明',
  icp_cancelled: 'ICP备案注销证明', badge_cancelled: '党政机关网站标识注销证明', psb_cancelled: '公安备案注销证明',
  domain_released: '域名注销证明', platform_cancellation: '平台账号注销证明', other: '其他材料',
}
export const SUBJECT_KIND: Record<SubjectKind, string> = { site: '政府网站', account: '政务新媒体' }
export const ORG_KIND: Record<OrgKind, string> = {
  province: '省级', city: '市级', county: '县级', township: '乡镇（街道）', department: '部门单位',
}
export const ROLE: Record<Role, string> = {
  admin: '管理员', supervisor: '监管员', operator: '运维人员', viewer: '查看员', integration: '系统对接', service: '内部服务',
}
export const COLUMN_CATEGORY: Record<ColumnCategory, string> = {
  news: '动态要闻', notice: '通知公告', policy: '政策文件', interaction: '互动交流', service: '办事服务',
  disclosure: '信息公开', other: '其他',
}

/** Options for an el-select from a label map. */
export function options<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }))
}

// Every date a user sees is Beijing time, whatever the browser's own time zone (a laptop set to UTC, a
// supervisor travelling): the offices' working days and deadlines are Asia/Shanghai's.
const BEIJING = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  hourCycle: 'h23',
})

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const part = Object.fromEntries(BEIJING.formatToParts(d).map((p) => [p.type, p.value]))
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

// Fetch failures the checker stores as codes (services/checker/crawl/fetch.py).
const FETCH_ERROR: Record<string, string> = {
  unreachable: '无法访问', timeout: '访问超时', bad_url: '网址无效', redirect_loop: '重定向循环',
  too_many_redirects: '重定向次数过多', not_html: '不是网页', parse_error: '网页无法解析', tls_error: '证书或加密连接错误',
  dns_error: '域名无法解析', connect_error: '无法连接', too_large: '文件过大', not_scannable: '无法读取内容',
  forbidden_address: '网址指向内部地址，不予访问', bad_content_encoding: '内容编码错误', reset: '连接被中断',
  protocol_error: '通信协议错误',
}

/**
 * A stored failure text as a person may read it: the zh-CN part only. Services keep the exception's class and
 * English message after it ("检查出错: ValueError: …", "OSError: …"); those stay in the logs, not on screen.
 */
export function userError(text: string | null | undefined, fallback = '原因未知，请稍后重试或联系管理员'): string {
  const value = (text ?? '').trim()
  if (!value) return fallback
  if (FETCH_ERROR[value]) return FETCH_ERROR[value]!
  // Cut at the first "Name: " or "Name(" of an exception class, and at any run of ASCII-only text after a colon.
  const cut = value.search(/[:：]?\s*\b[A-Z][A-Za-z0-9_.]*(Error|Exception|Timeout|Failure|Exit|Interrupt|Warning)\b/)
  const head = humanize((cut >= 0 ? value.slice(0, cut) : value).trim())
  return /[\u4e00-\u9fff]/.test(head) ? head : fallback
}

/**
 * Who did something, when the API gives only the actor's subject ("user:3", "system"): the signed-in user's own
 * name for themselves, 系统 for the services, otherwise 用户（编号 3）, as unnamed organisations are shown.
 */
export function actorLabel(sub: string | null | undefined, me?: { sub: string | null; name: string } | null): string {
  if (!sub) return '—'
  if (me?.sub && sub === me.sub) return me.name
  const user = /^user:(\d+)$/.exec(sub)
  if (user) return `用户（编号 ${user[1]}）`
  const client = /^client:(.+)$/.exec(sub)
  if (client) return `接口客户端（${client[1]}）`
  // Anything else in ASCII is a service's own name ("system:login", a worker): not a person.
  return /^[\x20-\x7e]+$/.test(sub) ? '系统' : sub
}
