import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import PassRatePanel from '@/components/dashboard/PassRatePanel.vue'
import { percent } from '@/utils/reportingLabels'

const global = { plugins: [ElementPlus], stubs: { EChart: { template: '<div class="chart-stub" />' } } }

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('percent', () => {
  it('prints a 0..1 rate with one decimal', () => {
    expect(percent(0.56862)).toBe('56.9%')
    expect(percent(1)).toBe('100%')
    expect(percent(null)).toBe('—')
  })
})

describe('PassRatePanel', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.restoreAllMocks())

  it('shows the overall and per-kind pass rates from the statistics API', async () => {
    const calls: string[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = input instanceof Request ? input.url : String(input)
      calls.push(new URL(url).pathname)
      if (url.includes('/statistics/trend')) {
        return json({ org_id: 2, org_path: '/1/2/', kind: null, points: [
          { inspection_id: 1, inspection_name: '第一次检查', now: null, checked: 10, passed: 5, failed: 5, errors: 0, pass_rate: 0.5 },
        ] })
      }
      return json({
        org_id: 2, org_path: '/1/2/', inspection_id: 1, inspection_name: '第一次检查', now: null,
        overall: { checked: 51, passed: 29, failed: 22, errors: 0, pass_rate: 29 / 51 },
        by_kind: [{ kind: 'site', checked: 51, passed: 29, failed: 22, errors: 0, pass_rate: 29 / 51 }],
        by_site_kind: [{ site_kind: 'portal', checked: 12, passed: 9, failed: 3, errors: 0, pass_rate: 0.75 }],
        by_platform: [],
      })
    })
    const wrapper = mount(PassRatePanel, { global })
    await flushPromises()
    expect(calls).toEqual(['/api/reporting/api/v1/statistics/trend', '/api/reporting/api/v1/statistics/pass-rates'])
    expect(wrapper.text()).toContain('最近一次：第一次检查')
    expect(wrapper.text()).toContain('政府网站（29/51）')
    expect(wrapper.findAll('.chart-stub')).toHaveLength(2)
  })

  it('keeps an API error inside the panel', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json({ detail: { code: 'x', message: '统计暂不可用' } }, 503))
    const wrapper = mount(PassRatePanel, { global })
    await flushPromises()
    expect(wrapper.text()).toContain('统计暂不可用')
    expect(wrapper.findAll('.chart-stub')).toHaveLength(0)
  })
})
