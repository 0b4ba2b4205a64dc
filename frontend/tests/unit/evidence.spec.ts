// Evidence URLs are links only when they are http(s); viewers neither mark notifications read nor poll
// re-check outcomes into a task (both write shared state, refused by the API).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { routerKey } from 'vue-router'
import { roleCan } from '@/auth/permissions'
import { snapshotDigest, snapshotLabel, snapshotPath, webLink } from '@/utils/findings'
import { taskControls } from '@/utils/rectification'

describe('webLink', () => {
  it('keeps absolute http(s) URLs', () => {
    expect(webLink('https://www.example.gov.cn/ldzc/')).toBe('https://www.example.gov.cn/ldzc/')
    expect(webLink('HTTP://www.example.gov.cn')).toBe('HTTP://www.example.gov.cn')
  })

  it('refuses every other scheme and anything a browser would rewrite', () => {
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', '//evil.example/',
      'http:javascript:alert(1)', 'http://', '', null, undefined]) {
      expect(webLink(url), String(url)).toBeNull()
    }
  })
})

describe('snapshotLabel', () => {
  it('says a snapshot not stored yet is pending or lost, never 无', () => {
    const key = 'snapshots/sha256/ab/' + 'ab'.repeat(32)
    expect(snapshotLabel({ snapshot: key, snapshot_state: 'pending' })).toEqual({ text: '快照待上传', kind: 'pending' })
    expect(snapshotLabel({ snapshot: null, snapshot_state: 'lost' })).toEqual({ text: '快照未能保存', kind: 'lost' })
    expect(snapshotLabel({ snapshot: key })).toEqual({ text: '查看快照', kind: 'stored' })
    expect(snapshotLabel({ snapshot: null })).toEqual({ text: '无', kind: 'none' })
  })
})

describe('snapshotDigest', () => {
  it('names a stored snapshot by its sha256 and nothing else', () => {
    const digest = 'ab'.repeat(32)
    expect(snapshotDigest(`snapshots/sha256/ab/${digest}`)).toBe(digest)
    for (const key of [null, undefined, '', digest, `snapshots/sha256/ab/${digest}/../x`, `sha256/ab/${digest}`,
      `snapshots/sha256/ab/${digest.toUpperCase()}`, `snapshots/sha256/ab/${digest.slice(1)}`]) {
      expect(snapshotDigest(key)).toBeNull()
    }
    expect(snapshotPath(3, 'site', 7, digest, 11)).toBe(`/api/v1/inspections/3/results/site/7/snapshots/${digest}?finding_id=11`)
  })
})

describe('writes viewers may not make', () => {
  it('only people who work on notifications mark them read', () => {
    expect(roleCan('viewer', 'notifications.mark')).toBe(false)
    expect(['admin', 'supervisor', 'operator'].every((r) => roleCan(r as never, 'notifications.mark'))).toBe(true)
  })

  it('viewers do not poll the re-check outcome', () => {
    const task = { state: 'accepted' as const, allowed_actions: ['recheck', 'close'], org_path: '/1/2/40/43/' }
    expect(taskControls(task, { role: 'viewer', orgPath: '/1/', canWork: false, canReview: false }).poll).toBe(false)
    expect(taskControls(task, { role: 'supervisor', orgPath: '/1/2/', canWork: false, canReview: true }).poll).toBe(true)
  })
})

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('TaskDetailView evidence', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.restoreAllMocks())

  it('renders a javascript: evidence URL as text, an http one as a link', async () => {
    const { useAuthStore } = await import('@/stores/auth')
    const TaskDetailView = (await import('@/views/rectification/TaskDetailView.vue')).default
    useAuthStore().session = { token: 't', expiresAt: Date.now() + 3_600_000, role: 'operator', orgId: 43, orgPath: '/1/2/40/43/', name: '临渭区水务局', username: 'op', sub: 'user:9' }
    const task = {
      id: 6, notice_id: 2, notice_title: '通报', inspection_id: 3, kind: 'site', target_id: 28, target_name: '临渭水务网',
      target_url: null, platform: null, org_id: 43, org_path: '/1/2/40/43/', unit_name: '临渭区水务局',
      problems: '首页错误', deadline: '2026-12-16', round: 1, overdue: false, was_overdue: false, days_left: 14,
      submitted_at: null, reviewed_at: null, closed_at: null, updated_at: '2026-12-02T00:00:00Z', explanation: null,
      submitted_by: null, reviewed_by: null, review_reason: null, recheck_inspection_id: null, recheck_requested_at: null,
      recheck_error: null, recheck_findings: [], closed_by: null, close_reason: null, overdue_at: null, evidence: [], events: [],
      state: 'open', allowed_actions: ['upload', 'submit'], recheck_verdict: null,
      findings: [{ indicator: 'serious_error', severity: 'veto', message: '首页领导人姓名错误', evidence: [
        { url: 'javascript:alert(document.cookie)', excerpt: '恶意' }, { url: 'https://www.example.gov.cn/a', excerpt: '正常' },
      ] }],
    }
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(task))
    const wrapper = mount(TaskDetailView, {
      props: { id: 6 },
      global: {
        plugins: [ElementPlus], provide: { [routerKey as symbol]: { back: () => undefined, push: async () => undefined } },
        stubs: { RouterLink: { props: ['to'], template: '<a :href="to"><slot /></a>' } },
      },
    })
    await flushPromises()
    const links = wrapper.findAll('[data-test="finding-evidence-link"]')
    expect(links.map((a) => a.attributes('href'))).toEqual(['https://www.example.gov.cn/a'])
    expect(wrapper.findAll('a').some((a) => (a.attributes('href') ?? '').toLowerCase().startsWith('javascript'))).toBe(false)
    expect(wrapper.text()).toContain('javascript:alert(document.cookie)')   // shown, as text
    wrapper.unmount()
  })
})

describe('account activity words', () => {
  it('words windows as the notices do and names every entry outcome', async () => {
    const { spanLabel, ENTRY_OUTCOME } = await import('@/utils/accountActivity')
    expect([spanLabel(14), spanLabel(90), spanLabel(183), spanLabel(365)]).toEqual(['14天', '3个月', '6个月', '1年'])
    for (const outcome of ['ok', 'broken', 'no_link', 'not_checkable', 'not_checked', 'reported']) {
      expect(ENTRY_OUTCOME[outcome]).toMatch(/[\u4e00-\u9fa5]/)
    }
  })
})
