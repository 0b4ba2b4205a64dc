import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import PassRatePanel from '@/components/dashboard/PassRatePanel.vue'
import { defaultInspectionName, recentInspections } from '@/utils/inspections'
import { trendSeries } from '@/utils/trend'

describe('default inspection name', () => {
  it('follows the quarter in Beijing time', () => {
    expect(defaultInspectionName(new Date('2026-12-05T10:00:00Z'))).toBe('2026年第四次政府网站与政务新媒体全面检查')
    expect(defaultInspectionName(new Date('2026-02-10T10:00:00Z'))).toBe('2026年第一次政府网站与政务新媒体全面检查')
    expect(defaultInspectionName(new Date('2026-07-01T02:00:00Z'))).toBe('2026年第三次政府网站与政务新媒体全面检查')
    // 31 December 20:00 UTC is already 1 January in Beijing.
    expect(defaultInspectionName(new Date('2026-12-31T20:00:00Z'))).toBe('2027年第一次政府网站与政务新媒体全面检查')
  })
})

describe('recent inspections', () => {
  it('keeps re-checks out of the list and counts them', () => {
    const items = [{ id: 5, targets: [{ kind: 'site' }] }, { id: 4, targets: null }, { id: 3, targets: [{ kind: 'account' }] },
      { id: 2 }, { id: 1, targets: [] }]
    const { shown, rechecks } = recentInspections(items, 2)
    expect(shown.map((i) => i.id)).toEqual([4, 2])
    expect(rechecks).toBe(2)
  })
})

describe('trend series', () => {
  it('draws a single inspection as a visible bar, several as a line', () => {
    expect(trendSeries([93]).type).toBe('bar')
    expect(trendSeries([93]).label.show).toBe(true)
    expect(trendSeries([91.1, 93]).type).toBe('line')
    expect(trendSeries([]).type).toBe('line')
  })
})

describe('PassRatePanel', () => {
  it('says why there is no trend instead of drawing empty axes', { timeout: 30_000 }, async () => {
    setActivePinia(createPinia())
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    const rates = { inspection_name: '韩城市抽查', overall: { checked: 8, passed: 7, pass_rate: 0.875 }, by_kind: [], by_site_kind: [], by_platform: [] }
    let points: unknown[] = []
    vi.stubGlobal('fetch', async (input: Request) => (new URL(input.url).pathname.endsWith('/trend') ? json({ points }) : json(rates)))
    const mountPanel = async () => {
      const w = mount(PassRatePanel, { global: { plugins: [ElementPlus], stubs: { EChart: { template: '<div data-test="chart-stub" />' } } } })
      await flushPromises()
      return w
    }
    const empty = await mountPanel()
    expect(empty.find('[data-test="trend-empty"]').text()).toContain('首次全面检查完成后显示合格率趋势')
    points = [{ inspection_id: 1, inspection_name: '2026年第四次全面检查', pass_rate: 0.93 }]
    const one = await mountPanel()
    expect(one.find('[data-test="trend-empty"]').exists()).toBe(false)
    expect(one.find('[data-test="trend-single"]').exists()).toBe(true)
    vi.unstubAllGlobals()
  })
})
