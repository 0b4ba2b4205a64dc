// The side menu, declared once; each entry names the permission (and optional service) it needs.
// Later pages (inspections, notices, rectification, self-inspection, assessment) slot in here.
import type { Permission } from '@/auth/permissions'
import type { Service } from '@/api/http'

export interface MenuItem {
  title: string
  to?: string
  icon?: string
  permission?: Permission
  service?: Service
  children?: MenuItem[]
}

export const MENU: MenuItem[] = [
  { title: '首页', to: '/', icon: 'HomeFilled', permission: 'dashboard' },
  {
    title: '资源台账', icon: 'Files', children: [
      { title: '政府网站', to: '/sites', permission: 'inventory.read' },
      { title: '政务新媒体', to: '/accounts', permission: 'inventory.read' },
    ],
  },
  {
    title: '备案管理', icon: 'Stamp', children: [
      { title: '备案申请', to: '/filings', permission: 'filings.read' },
      { title: '网站开设备案', to: '/sites/new', permission: 'inventory.write' },
      { title: '新媒体开设备案', to: '/accounts/new', permission: 'inventory.write' },
      { title: '批量导入', to: '/imports', permission: 'imports' },
    ],
  },
  {
    title: '检查监测', icon: 'Monitor', service: 'checker', children: [
      { title: '检查任务', to: '/inspections', permission: 'inspections.read', service: 'checker' },
      { title: '定期检查', to: '/inspections/schedules', permission: 'inspections.read', service: 'checker' },
      { title: '全站监测', to: '/monitor', permission: 'inspections.read', service: 'checker' },
    ],
  },
  {
    title: '通报整改', icon: 'Document', service: 'reporting', children: [
      { title: '通报', to: '/notices', permission: 'notices.read', service: 'reporting' },
      { title: '整改任务', to: '/rectification', permission: 'rectification.read', service: 'reporting' },
      { title: '整改审核', to: '/rectification/review', permission: 'rectification.review', service: 'reporting' },
      { title: '自查报告', to: '/self-reports', permission: 'selfreports.read', service: 'reporting' },
      { title: '年度考核', to: '/assessment', permission: 'assessment.read', service: 'reporting' },
      { title: '消息提醒', to: '/notifications', permission: 'notifications', service: 'reporting' },
    ],
  },
  { title: '操作日志', to: '/audit', icon: 'Tickets', permission: 'audit' },
  {
    title: '系统管理', icon: 'Setting', children: [
      { title: '组织机构', to: '/admin/orgs', permission: 'admin' },
      { title: '用户管理', to: '/admin/users', permission: 'admin' },
      { title: '接口客户端', to: '/admin/clients', permission: 'admin' },
      { title: '指标体系', to: '/admin/indicator-sets', permission: 'rules.manage', service: 'checker' },
      { title: '错敏词库', to: '/admin/wordlists', permission: 'rules.manage', service: 'checker' },
      { title: '通报模板', to: '/admin/notice-template', permission: 'notices.manage', service: 'reporting' },
    ],
  },
]

/** The menu as one user sees it: entries they may use, groups with at least one entry. */
export function visibleMenu(
  menu: MenuItem[],
  can: (p: Permission) => boolean,
  available: (s: Service) => boolean,
): MenuItem[] {
  const out: MenuItem[] = []
  for (const item of menu) {
    if (item.service && !available(item.service)) continue
    if (item.children) {
      const children = visibleMenu(item.children, can, available)
      if (children.length) out.push({ ...item, children })
    } else if (!item.permission || can(item.permission)) {
      out.push(item)
    }
  }
  return out
}
