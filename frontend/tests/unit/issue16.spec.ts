// Issue 16 item 14: the inspection page's results table follows the progress bar. (The default round name,
// re-checks kept out of 最近检查任务 and the one-point trend are held by dashboard.spec.ts.)
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import InspectionDetailView from '@/views/inspections/InspectionDetailView.vue'
import { useAuthStore } from '@/stores/auth'

describe('inspection page during a run', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('reloads the results table each time the finished count changes, not only every few seconds', { timeout: 30_000 }, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    setActivePinia(createPinia())
    useAuthStore().session = {
      token: 't', expiresAt: Date.now() + 3600_000, role: 'supervisor', orgId: 2, orgPath: '/1/2/', name: '督查员', username: 'sup', sub: 'user:1',
    } as never
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    let done = 0
    let resultLoads = 0
    const inspection = () => ({
      id: 7, name: '第四次全面检查', state: 'running', scope_org_id: 2, scope_org_path: '/1/2/', created_at: '2026-12-05T01:00:00Z',
      progress: { total: 10, done, failed: 0, remaining: 10 - done, passed: done, not_passed: 0, running: 1, stalled: 0, retried: 0,
        probes_done: 0, probes_total: 0, percent: done * 10 },
    })
    vi.stubGlobal('fetch', async (input: Request) => {
      const path = new URL(input.url).pathname
      if (path.endsWith('/events')) return new Response(null, { status: 503 }) // no stream: the page polls
      if (path.endsWith('/results')) {
        resultLoads += 1
        return json({ items: [], total: 0, limit: 20, offset: 0 })
      }
      if (path.endsWith('/inspections/7')) return json(inspection())
      return json({ items: [], total: 0, limit: 500, offset: 0 })
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/inspections/:id', component: InspectionDetailView }, { path: '/:p(.*)*', component: { template: '<p />' } }] })
    await router.push('/inspections/7')
    const w = mount(InspectionDetailView, { props: { id: 7 }, global: { plugins: [ElementPlus, router], stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
    await vi.advanceTimersByTimeAsync(100)
    await flushPromises()
    const initial = resultLoads
    expect(initial).toBeGreaterThanOrEqual(1)
    // Two polls two seconds apart each see one more target finished: the table is read again after each.
    done = 1
    await vi.advanceTimersByTimeAsync(2100)
    expect(resultLoads).toBe(initial + 1)
    done = 2
    await vi.advanceTimersByTimeAsync(2000)
    expect(resultLoads).toBe(initial + 2)
    // Nothing finished since: no reload.
    await vi.advanceTimersByTimeAsync(2000)
    expect(resultLoads).toBe(initial + 2)
    w.unmount()
  })
})
