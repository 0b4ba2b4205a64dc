import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { routerKey } from 'vue-router'
import { configureAuth, progressPercent, uploadWithProgress } from '@/api/http'
import { ApiError } from '@/api/errors'
import type { TaskState } from '@/api/reportingTypes'
import type { Role } from '@/api/types'
import { roleCan } from '@/auth/permissions'
import { MENU, visibleMenu } from '@/router/menu'
import { routes } from '@/router'
import RectificationPanel from '@/components/dashboard/RectificationPanel.vue'
import TaskEvidenceUpload from '@/components/rectification/TaskEvidenceUpload.vue'
import {
  NOTIFICATION_KIND, TASK_EVENT, TASK_STATE, TASK_STATE_TAG, badgeText, deadlineMark, notificationLink, quarterLabel,
  recentQuarters, taskControls, type TaskViewer,
} from '@/utils/rectification'

const STATES: TaskState[] = ['open', 'submitted', 'accepted', 'verified', 'closed']
// The API's allowed actions per state (services/reporting/rectification/models.py ACTIONS).
const ALLOWED: Record<TaskState, string[]> = {
  open: ['upload', 'submit', 'close'], submitted: ['accept', 'reject', 'close'], accepted: ['recheck', 'close'],
  verified: [], closed: [],
}
const UNIT = '/1/2/40/43/'
const viewer = (role: Role, orgPath: string): TaskViewer => ({
  role, orgPath, canWork: roleCan(role, 'rectification.work'), canReview: roleCan(role, 'rectification.review'),
})
const taskIn = (state: TaskState, extra: Record<string, unknown> = {}) => ({
  state, allowed_actions: ALLOWED[state], org_path: UNIT, recheck_inspection_id: null, recheck_error: null, ...extra,
})
const on = (c: ReturnType<typeof taskControls>) => Object.entries(c).filter(([, v]) => v).map(([k]) => k).sort()

describe('task state labels', () => {
  it('names every state in Chinese with a tag colour', () => {
    expect(STATES.map((s) => TASK_STATE[s])).toEqual(['待整改', '待审核', '待复查', '已复查通过', '已办结'])
    for (const s of STATES) expect(TASK_STATE_TAG[s]).toBeTruthy()
    expect(TASK_EVENT.rejected).toBe('退回整改')
    expect(NOTIFICATION_KIND.recheck_failed).toBe('复查未通过')
  })
})

describe('taskControls', () => {
  it('gives the unit upload and submit while open, nothing else', () => {
    const op = viewer('operator', UNIT)
    expect(on(taskControls(taskIn('open'), op))).toEqual(['submit', 'upload'])
    expect(on(taskControls(taskIn('submitted'), op))).toEqual([])
    expect(on(taskControls(taskIn('accepted', { recheck_inspection_id: 9 }), op))).toEqual(['poll'])
    expect(on(taskControls(taskIn('verified'), op))).toEqual([])
  })

  it('gives the supervising office review, close and (on a failed request) recheck', () => {
    const sup = viewer('supervisor', '/1/2/40/')
    expect(on(taskControls(taskIn('open'), sup))).toEqual(['close'])
    expect(on(taskControls(taskIn('submitted'), sup))).toEqual(['accept', 'close', 'reject'])
    expect(on(taskControls(taskIn('accepted', { recheck_inspection_id: 9 }), sup))).toEqual(['close', 'poll'])
    expect(on(taskControls(taskIn('accepted', { recheck_inspection_id: null, recheck_error: '复查请求失败' }), sup)))
      .toEqual(['close', 'poll', 'recheck'])
    expect(on(taskControls(taskIn('closed'), sup))).toEqual([])
  })

  it('never lets an office review its own unit, admins excepted; viewers only read', () => {
    expect(on(taskControls(taskIn('submitted'), viewer('supervisor', UNIT)))).toEqual([])
    expect(on(taskControls(taskIn('submitted'), viewer('admin', UNIT)))).toEqual(['accept', 'close', 'reject'])
    expect(on(taskControls(taskIn('open'), viewer('admin', '/1/')))).toEqual(['close', 'submit', 'upload'])
    for (const s of STATES) expect(on(taskControls(taskIn(s), viewer('viewer', '/1/2/'))).filter((c) => c !== 'poll')).toEqual([])
  })
})

describe('deadlineMark', () => {
  const t = (over: Partial<{ deadline: string | null; state: TaskState; overdue: boolean; days_left: number | null }>) =>
    ({ deadline: '2026-12-10', state: 'open' as TaskState, overdue: false, days_left: 9, ...over })
  it('marks overdue red with the days, near deadlines orange, others with the days left', () => {
    expect(deadlineMark(t({ overdue: true, days_left: -3 }))).toEqual({ text: '已逾期 3 天', type: 'danger' })
    expect(deadlineMark(t({ days_left: 0 }))).toEqual({ text: '今日到期', type: 'warning' })
    expect(deadlineMark(t({ days_left: 2 }))).toEqual({ text: '剩 2 天', type: 'warning' })
    expect(deadlineMark(t({ days_left: 9 }))).toEqual({ text: '剩 9 天', type: 'info' })
    expect(deadlineMark(t({ deadline: null, days_left: null }))).toEqual({ text: '未设期限', type: 'info' })
  })
  it('shows nothing once the task is done', () => {
    expect(deadlineMark(t({ state: 'verified', days_left: null }))).toBeNull()
    expect(deadlineMark(t({ state: 'closed', overdue: false, days_left: null }))).toBeNull()
  })
})

describe('notifications and quarters', () => {
  it('links a notification to its task or report', () => {
    expect(notificationLink({ task_id: 7, report_id: null, kind: 'rejected' })).toBe('/rectification/7')
    expect(notificationLink({ task_id: null, report_id: 3, kind: 'report_due' })).toBe('/self-reports/3')
    expect(notificationLink({ task_id: null, report_id: null, kind: 'report_due' })).toBe('/self-reports')
    expect(notificationLink({ task_id: null, report_id: null, kind: 'overdue' })).toBeNull()
    expect([badgeText(0), badgeText(5), badgeText(120)]).toEqual(['', '5', '99+'])
  })
  it('offers the current quarter and the ones before, across the year boundary', () => {
    const qs = recentQuarters(new Date(2026, 1, 15), 3)
    expect(qs).toEqual([{ year: 2026, quarter: 1 }, { year: 2025, quarter: 4 }, { year: 2025, quarter: 3 }])
    expect(quarterLabel(qs[1]!)).toBe('2025年第四季度')
  })
})

describe('menu visibility per role', () => {
  const titles = (role: Role, reporting = true) => visibleMenu(MENU, (p) => roleCan(role, p), (s) => s !== 'reporting' || reporting)
    .find((m) => m.title === '通报整改')?.children?.map((c) => c.title) ?? []

  it('shows the rectification pages each role may use', () => {
    expect(titles('operator')).toEqual(['通报', '整改任务', '自查报告', '消息提醒'])
    expect(titles('supervisor')).toEqual(['通报', '整改任务', '整改审核', '自查报告', '年度考核', '消息提醒'])
    expect(titles('viewer')).toEqual(['通报', '整改任务', '自查报告', '年度考核', '消息提醒'])
    expect(titles('admin')).toContain('整改审核')
    expect(titles('integration')).toEqual([])
  })
  it('hides the group when the reporting API does not answer', () => {
    expect(titles('supervisor', false)).toEqual([])
  })
  it('has a route for every menu entry, with the same permission', () => {
    const children = routes.find((r) => r.path === '/')!.children!
    for (const item of MENU.find((m) => m.title === '通报整改')!.children!) {
      const route = children.find((r) => `/${r.path}` === item.to)
      expect(route, item.to).toBeTruthy()
      expect(route!.meta?.permission).toBe(item.permission)
    }
    expect(children.some((r) => r.path === 'rectification/:id(\\d+)')).toBe(true)
    expect(children.some((r) => r.path === 'self-reports/:id(\\d+)')).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------------
// Upload with progress (XMLHttpRequest)

class FakeXHR {
  static last: FakeXHR | null = null
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null }
  status = 0
  responseText = ''
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown = null
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  open(method: string, url: string): void { this.method = method; this.url = url }
  setRequestHeader(name: string, value: string): void { this.headers[name] = value }
  send(body: unknown): void { this.body = body; FakeXHR.last = this }
  abort(): void { this.onabort?.() }
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent)
  }
  respond(status: number, body: unknown): void {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

describe('upload progress', () => {
  const unauthorized = vi.fn()
  beforeEach(() => {
    FakeXHR.last = null
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    configureAuth({ token: () => 'tok', onUnauthorized: unauthorized })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    unauthorized.mockReset()
    configureAuth({ token: () => null, onUnauthorized: () => undefined })
  })

  it('computes whole percents, 0 while the size is unknown', () => {
    expect(progressPercent(0, 100)).toBe(0)
    expect(progressPercent(37.9, 100)).toBe(37)
    expect(progressPercent(100, 100)).toBe(100)
    expect(progressPercent(150, 100)).toBe(100)
    expect(progressPercent(10, 0)).toBe(0)
  })

  it('posts the form with the token, reports progress and resolves with the JSON', async () => {
    const seen: number[] = []
    const form = new FormData()
    const done = uploadWithProgress<{ id: number }>('reporting', '/api/v1/rectification/tasks/5/evidence', form, {
      onProgress: (p) => seen.push(p.percent),
    })
    const xhr = FakeXHR.last!
    expect([xhr.method, xhr.url, xhr.headers.Authorization]).toEqual(['POST', '/api/reporting/api/v1/rectification/tasks/5/evidence', 'Bearer tok'])
    expect(xhr.body).toBe(form)
    xhr.progress(25, 100)
    xhr.progress(100, 100)
    xhr.respond(201, { id: 9 })
    await expect(done).resolves.toEqual({ id: 9 })
    expect(seen).toEqual([25, 100])
  })

  it('turns a refusal into ApiError with the API message, and 401 into the login hook', async () => {
    const refused = uploadWithProgress('reporting', '/x', new FormData())
    FakeXHR.last!.respond(415, { detail: { code: 'file_type_not_allowed', message: '文件内容不是允许的类型', field: 'file' } })
    const err = await refused.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(415)
    expect((err as ApiError).message).toBe('文件内容不是允许的类型')

    const expired = uploadWithProgress('reporting', '/x', new FormData())
    FakeXHR.last!.respond(401, { detail: 'Not authenticated' })
    await expect(expired).rejects.toBeInstanceOf(ApiError)
    expect(unauthorized).toHaveBeenCalledOnce()
  })

  it('rejects with an AbortError when cancelled', async () => {
    const controller = new AbortController()
    const pending = uploadWithProgress('reporting', '/x', new FormData(), { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('shows the upload progress and a refused file in the evidence component', async () => {
    setActivePinia(createPinia())
    const wrapper = mount(TaskEvidenceUpload, { props: { taskId: 5 }, global: { plugins: [ElementPlus] } })
    const file = new File([new Uint8Array([0x4d, 0x5a, 0, 0])], '报告.pdf', { type: 'application/pdf' })
    // Choose the file through the component's handler (what el-upload calls).
    ;(wrapper.vm as unknown as { $: { setupState: { onChange: (f: unknown) => void; upload: () => Promise<void> } } })
      .$.setupState.onChange({ raw: file })
    const pending = (wrapper.vm as unknown as { $: { setupState: { upload: () => Promise<void> } } }).$.setupState.upload()
    await flushPromises()
    const xhr = FakeXHR.last!
    expect((xhr.body as FormData).get('kind')).toBe('screenshot')
    xhr.progress(40, 100)
    await flushPromises()
    expect(wrapper.find('[data-test="task-upload-progress"]').text()).toContain('40%')
    xhr.respond(415, { detail: { code: 'file_type_not_allowed', message: '文件内容不是允许的类型 (pdf, png, jpg, docx, xlsx)；类型按内容判断，与文件名无关' } })
    await pending
    await flushPromises()
    const alert = wrapper.find('[data-test="task-upload-error"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain('文件类型不允许')
    expect(alert.text()).toContain('类型按内容判断')
    expect(wrapper.emitted('uploaded')).toBeUndefined()
  })

  it('explains a file refused by its structure (422) in words', async () => {
    setActivePinia(createPinia())
    const wrapper = mount(TaskEvidenceUpload, { props: { taskId: 5 }, global: { plugins: [ElementPlus] } })
    const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], '批复.pdf', { type: 'application/pdf' })
    const setup = (wrapper.vm as unknown as { $: { setupState: { onChange: (f: unknown) => void; upload: () => Promise<void> } } })
      .$.setupState
    setup.onChange({ raw: file })
    const pending = setup.upload()
    await flushPromises()
    FakeXHR.last!.respond(422, { detail: { code: 'file_polyglot', field: 'file',
      message: 'PDF 文档中夹带了压缩包（多格式伪装文件），已拒绝' } })
    await pending
    await flushPromises()
    const alert = wrapper.find('[data-test="task-upload-error"]')
    expect(alert.text()).toContain('文件未通过检查')
    expect(alert.text()).toContain('夹带了压缩包')
    expect(alert.text()).not.toContain('HTTP')
  })
})

// ---------------------------------------------------------------------------------------------------
// Dashboard panel

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('RectificationPanel', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.restoreAllMocks())
  const global = { plugins: [ElementPlus], stubs: { RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' } } }

  it('shows the totals and the units, overdue ones marked', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json({
      open: 3, submitted: 1, accepted: 0, closed: 2, overdue: 1, due_soon: 1, total: 6,
      units: [
        { org_id: 8, org_path: '/1/2/8/', unit_name: '渭南市民政局', open: 1, submitted: 0, accepted: 0, closed: 0, overdue: 1, total: 1 },
        { org_id: 43, org_path: '/1/2/40/43/', unit_name: '临渭区水务局', open: 2, submitted: 1, accepted: 0, closed: 2, overdue: 0, total: 5 },
      ],
    }))
    const wrapper = mount(RectificationPanel, { global })
    await flushPromises()
    expect(wrapper.find('[data-test="rect-stat-overdue"]').text()).toContain('1')
    expect(wrapper.find('[data-test="rect-stat-overdue"]').classes()).toContain('danger')
    const rows = wrapper.findAll('.el-table__row')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.classes()).toContain('row-overdue')
    expect(rows[0]!.text()).toContain('已逾期')
    expect(rows[1]!.classes()).not.toContain('row-overdue')
  })

  it('keeps an API error inside the panel', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json({ detail: { code: 'x', message: '整改统计暂不可用' } }, 503))
    const wrapper = mount(RectificationPanel, { global })
    await flushPromises()
    expect(wrapper.text()).toContain('整改统计暂不可用')
  })
})

// ---------------------------------------------------------------------------------------------------
// Task page: the re-check is polled while the task is accepted, and the polling stops after it.

describe('TaskDetailView re-check polling', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('asks /refresh every few seconds while accepted, then stops once verified', async () => {
    const { useAuthStore } = await import('@/stores/auth')
    const TaskDetailView = (await import('@/views/rectification/TaskDetailView.vue')).default
    useAuthStore().session = { token: 't', expiresAt: Date.now() + 3_600_000, role: 'supervisor', orgId: 40, orgPath: '/1/2/40/', name: '临渭区', username: 'linwei_supervisor', sub: 'user:5' }
    const base = {
      id: 6, notice_id: 2, notice_title: '通报', inspection_id: 3, kind: 'account', target_id: 28, target_name: '临渭水务',
      target_url: null, platform: 'wechat_subscription', org_id: 43, org_path: '/1/2/40/43/', unit_name: '临渭区水务局',
      problems: '存在虚假粉丝', deadline: '2026-12-16', round: 2, overdue: false, was_overdue: false, days_left: 14,
      submitted_at: null, reviewed_at: null, closed_at: null, updated_at: '2026-12-02T00:00:00Z', findings: [], explanation: '说明',
      submitted_by: null, reviewed_by: null, review_reason: null, recheck_inspection_id: 7, recheck_requested_at: null,
      recheck_error: null, recheck_findings: [], closed_by: null, close_reason: null, overdue_at: null, evidence: [], events: [],
    }
    const accepted = { ...base, state: 'accepted', allowed_actions: ['recheck', 'close'], recheck_verdict: null }
    const verified = { ...base, state: 'verified', allowed_actions: [], recheck_verdict: 'pass' }
    const calls: string[] = []
    let refreshes = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const request = input as Request
      const path = new URL(request.url).pathname
      calls.push(`${request.method} ${path}`)
      if (path.endsWith('/refresh')) {
        refreshes += 1
        return json(refreshes < 2 ? accepted : verified)
      }
      return json(accepted)
    })
    const wrapper = mount(TaskDetailView, {
      props: { id: 6 },
      global: {
        plugins: [ElementPlus], provide: { [routerKey as symbol]: { back: () => undefined, push: async () => undefined } },
        stubs: { RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' } },
      },
    })
    await flushPromises()
    expect(wrapper.find('[data-test="task-recheck-status"]').text()).toContain('复查进行中')
    expect(refreshes).toBe(0)
    await vi.advanceTimersByTimeAsync(5000)
    await flushPromises()
    expect(refreshes).toBe(1)
    await vi.advanceTimersByTimeAsync(5000)
    await flushPromises()
    expect(refreshes).toBe(2)
    expect(wrapper.find('[data-test="task-state"]').text()).toBe('已复查通过')
    await vi.advanceTimersByTimeAsync(20_000)
    expect(refreshes).toBe(2) // no polling after the task left accepted
    expect(calls.filter((c) => c.startsWith('POST')).every((c) => c.endsWith('/api/reporting/api/v1/rectification/tasks/6/refresh'))).toBe(true)
    wrapper.unmount()
  })
})
