import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Permission } from '@/auth/permissions'
import { useAuthStore } from '@/stores/auth'
import AppLayout from '@/layouts/AppLayout.vue'
import LoginView from '@/views/LoginView.vue'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    public?: boolean
    permission?: Permission
  }
}

const children: RouteRecordRaw[] = [
  { path: '', name: 'dashboard', component: () => import('@/views/DashboardView.vue'), meta: { title: '首页', permission: 'dashboard' } },
  { path: 'sites', name: 'sites', component: () => import('@/views/sites/SiteListView.vue'), meta: { title: '政府网站', permission: 'inventory.read' } },
  { path: 'sites/new', name: 'site-open', component: () => import('@/views/sites/SiteOpenView.vue'), meta: { title: '网站开设备案', permission: 'inventory.write' } },
  { path: 'sites/:id(\\d+)', name: 'site', component: () => import('@/views/sites/SiteDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '网站详情', permission: 'inventory.read' } },
  { path: 'accounts', name: 'accounts', component: () => import('@/views/accounts/AccountListView.vue'), meta: { title: '政务新媒体', permission: 'inventory.read' } },
  { path: 'accounts/new', name: 'account-open', component: () => import('@/views/accounts/AccountOpenView.vue'), meta: { title: '新媒体开设备案', permission: 'inventory.write' } },
  { path: 'accounts/:id(\\d+)', name: 'account', component: () => import('@/views/accounts/AccountDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '账号详情', permission: 'inventory.read' } },
  { path: 'filings', name: 'filings', component: () => import('@/views/filings/FilingListView.vue'), meta: { title: '备案申请', permission: 'filings.read' } },
  { path: 'filings/:id(\\d+)', name: 'filing', component: () => import('@/views/filings/FilingDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '备案详情', permission: 'filings.read' } },
  { path: 'imports', name: 'imports', component: () => import('@/views/ImportView.vue'), meta: { title: '批量导入', permission: 'imports' } },
  { path: 'audit', name: 'audit', component: () => import('@/views/AuditView.vue'), meta: { title: '操作日志', permission: 'audit' } },
  { path: 'admin/orgs', name: 'admin-orgs', component: () => import('@/views/admin/OrgsView.vue'), meta: { title: '组织机构', permission: 'admin' } },
  { path: 'admin/users', name: 'admin-users', component: () => import('@/views/admin/UsersView.vue'), meta: { title: '用户管理', permission: 'admin' } },
  { path: 'admin/clients', name: 'admin-clients', component: () => import('@/views/admin/ClientsView.vue'), meta: { title: '接口客户端', permission: 'admin' } },
  // Rules of the checker (指标体系, 错敏词库): the menu shows these when the checker API answers.
  { path: 'admin/indicator-sets', name: 'admin-indicator-sets', component: () => import('@/views/admin/IndicatorSetsView.vue'), meta: { title: '指标体系', permission: 'rules.manage' } },
  { path: 'admin/notice-template', name: 'admin-notice-template', component: () => import('@/views/admin/NoticeTemplateView.vue'), meta: { title: '通报模板', permission: 'notices.manage' } },
  { path: 'admin/wordlists', name: 'admin-wordlists', component: () => import('@/views/admin/WordListsView.vue'), meta: { title: '错敏词库', permission: 'rules.manage' } },
  // Checker (检查监测): the menu shows these when the checker API answers.
  { path: 'inspections', name: 'inspections', component: () => import('@/views/inspections/InspectionListView.vue'), meta: { title: '检查任务', permission: 'inspections.read' } },
  { path: 'inspections/schedules', name: 'inspection-schedules', component: () => import('@/views/inspections/ScheduleListView.vue'), meta: { title: '定期检查', permission: 'inspections.read' } },
  { path: 'monitor', name: 'monitor', component: () => import('@/views/monitor/MonitorListView.vue'), meta: { title: '全站监测', permission: 'inspections.read' } },
  { path: 'inspections/:id(\\d+)', name: 'inspection', component: () => import('@/views/inspections/InspectionDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '检查任务详情', permission: 'inspections.read' } },
  {
    path: 'inspections/:id(\\d+)/results/:kind(site|account)/:targetId(\\d+)', name: 'inspection-result',
    component: () => import('@/views/inspections/ResultDetailView.vue'),
    props: (r) => ({ id: Number(r.params.id), kind: r.params.kind, targetId: Number(r.params.targetId) }),
    meta: { title: '检查结果', permission: 'inspections.read' },
  },
  // Reporting (通报整改): the menu shows these when the reporting API answers.
  { path: 'notices', name: 'notices', component: () => import('@/views/notices/NoticeListView.vue'), meta: { title: '通报', permission: 'notices.read' } },
  { path: 'notices/:id(\\d+)', name: 'notice', component: () => import('@/views/notices/NoticeDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '通报详情', permission: 'notices.read' } },
  // Rectification (整改), notifications, self-inspection reports (自查报告), annual assessment (年度考核).
  { path: 'rectification', name: 'rectification', component: () => import('@/views/rectification/TaskListView.vue'), meta: { title: '整改任务', permission: 'rectification.read' } },
  { path: 'rectification/review', name: 'rectification-review', component: () => import('@/views/rectification/ReviewQueueView.vue'), meta: { title: '整改审核', permission: 'rectification.review' } },
  { path: 'rectification/:id(\\d+)', name: 'rectification-task', component: () => import('@/views/rectification/TaskDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '整改任务详情', permission: 'rectification.read' } },
  { path: 'notifications', name: 'notifications', component: () => import('@/views/NotificationsView.vue'), meta: { title: '消息提醒', permission: 'notifications' } },
  { path: 'self-reports', name: 'self-reports', component: () => import('@/views/selfreports/SelfReportListView.vue'), meta: { title: '自查报告', permission: 'selfreports.read' } },
  { path: 'self-reports/:id(\\d+)', name: 'self-report', component: () => import('@/views/selfreports/SelfReportDetailView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: '自查报告详情', permission: 'selfreports.read' } },
  { path: 'assessment', name: 'assessment', component: () => import('@/views/assessment/AssessmentView.vue'), meta: { title: '年度考核', permission: 'assessment.read' } },
  { path: 'account/password', name: 'password', component: () => import('@/views/PasswordView.vue'), meta: { title: '修改密码' } },
  { path: 'forbidden', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: '无权访问' } },
  { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: '页面不存在' } },
]

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true, title: '登录' } },
  // 大屏: the dashboard full-page (dark, no menu), for a wall screen.
  { path: '/screen', name: 'screen', component: () => import('@/views/ScreenView.vue'), meta: { title: '监管大屏', permission: 'dashboard' } },
  { path: '/', component: AppLayout, children },
]

export const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes })

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (to.meta.public) {
    if (to.name === 'login' && auth.isAuthenticated) return { name: 'dashboard' }
    return true
  }
  if (!auth.isAuthenticated) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  // An expired password, or one an administrator reset, is changed before anything else.
  if (auth.session?.passwordExpired && to.name !== 'password') return { name: 'password', query: { expired: '1' } }
  if (to.meta.permission && !auth.can(to.meta.permission)) {
    // Operators and viewers start at the first page they may open.
    if (to.name === 'dashboard') return { name: 'sites' }
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 政府网站与政务新媒体监管平台` : '政府网站与政务新媒体监管平台'
})
