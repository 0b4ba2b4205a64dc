import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import CoverageFigures from '@/components/monitor/CoverageFigures.vue'
import IndicatorSetDialog from '@/components/rules/IndicatorSetDialog.vue'
import { STORAGE_KEY } from '@/stores/auth'
import type { MonitorCoverage } from '@/api/checkerTypes'
import { INDICATOR } from '@/utils/checkerLabels'
import { describeOverride, diffOverrides, editableFrom, mergeOverrides, newRepostItem, parameterLabel } from '@/utils/indicatorSets'
import { policyText, repostText } from '@/utils/monitorLabels'

const coverage: MonitorCoverage = {
  site_id: 7, site_name: '测试县人民政府', homepage_url: 'http://www.ce.gov.cn/', status: 'monitoring',
  pages_known: 120, pages_fetched_cycle: 120, attachments_known: 1, attachments_scanned: 1,
  attachments_unscannable: 0, links_checked: 40, links_broken: 0, not_reached: [],
  cycle_started_at: '2026-12-04T16:30:00Z', last_full_cycle_at: '2026-12-04T20:05:00Z', last_fetch_at: '2026-12-04T20:00:00Z',
  open_findings: 3, open_veto_findings: 0,
  policy_summary: {
    at: '2026-12-04T20:05:00Z',
    policy: { documents: 5, with_interpretation: 3, share: 0.6, overdue: 1, interpretations: 3, forms: ['文字', '图解', '问答'] },
    reposts: { required: 3, found: 1, pending: 1, missing: ['国务院办公厅关于优化营商环境的意见'] },
  },
}

describe('site pass figures (政策解读, 转载)', () => {
  it('reads the summary in zh-CN', () => {
    expect(policyText(coverage.policy_summary)).toBe('政策文件 5 件，有解读 3 件（60%），超期未解读 1 件；解读形式：文字、图解、问答/访谈')
    expect(repostText(coverage.policy_summary)).toBe('应转载 3 条，已转载 1 条，未到期 1 条；超期未转载：《国务院办公厅关于优化营商环境的意见》')
    expect(policyText({ policy: { documents: 0, with_interpretation: 0, share: null, overdue: 0, interpretations: 0, forms: [] } }))
      .toBe('未发现带文号的政策文件')
    expect(policyText(null)).toBeNull()
    expect(repostText({ policy: {} })).toBeNull()
  })

  it('shows them with the coverage, and nothing before the first pass', () => {
    const text = mount(CoverageFigures, { props: { coverage }, global: { plugins: [ElementPlus] } }).text()
    expect(text).toContain('政策解读')
    expect(text).toContain('有解读 3 件（60%）')
    expect(text).toContain('重要信息转载')
    const before = mount(CoverageFigures, { props: { coverage: { ...coverage, policy_summary: null } },
      global: { plugins: [ElementPlus] } }).text()
    expect(before).not.toContain('政策解读')
    expect(before).not.toContain('policy')
  })

  it('names the indicators and their parameters', () => {
    expect(INDICATOR.policy_interpretation_missing).toBe('政策文件未按要求解读')
    expect(INDICATOR.repost_missing).toBe('重要信息未及时转载')
    expect(parameterLabel('policy_interpretation_days')).toBe('政策文件解读时限（天）')
    expect(parameterLabel('repost_days')).toBe('重要信息转载时限（天）')
  })
})

describe('转载 items in an indicator set', () => {
  const parent = {
    id: 'gov-2019', version: 1, parent: null, name: '国家指标', pass_score: 60, parameters: { repost_days: 7 },
    indicators: {}, reposts: [],
  }

  it('are edited as one list and sent whole when changed', () => {
    const edited = editableFrom(parent)
    expect(edited.reposts).toEqual([])
    expect(diffOverrides(editableFrom(parent) as never, edited as never)).toEqual({})
    const item = { ...newRepostItem(new Date('2026-12-05T20:00:00Z')), title: '国务院关于印发某方案的通知', source: '中国政府网', days: 10 }
    expect(item.issued).toBe('2026-12-06')   // Beijing date
    edited.reposts.push(item)
    const overrides = diffOverrides(editableFrom(parent) as never, edited as never)
    expect(overrides).toEqual({ reposts: [{ title: '国务院关于印发某方案的通知', source: '中国政府网', issued: '2026-12-06', days: 10 }] })
    expect(describeOverride('reposts', overrides)).toBe('转载要求 → 《国务院关于印发某方案的通知》')
    expect(mergeOverrides(editableFrom(parent) as never, overrides)).toEqual(edited)
  })
})

describe('IndicatorSetDialog 转载要求', { timeout: 30_000 }, () => {
  it('adds an item and posts it in the overrides', async () => {
    localStorage.clear()
    localStorage.setItem(STORAGE_KEY, JSON.stringify({
      token: 't', expiresAt: Date.now() + 3_600_000, role: 'supervisor', orgId: 2, orgPath: '/1/2/', name: '渭南市',
      username: 'weinan_supervisor', sub: 'user:3',
    }))
    setActivePinia(createPinia())
    const definition = {
      id: 'gov-2019', version: 1, parent: null, name: '国家指标', pass_score: 60, parameters: { repost_days: 7 },
      indicators: { repost_missing: { enabled: true, severity: 'deduct', points: 1, scope_points: {}, max_points: 5, veto_when: [] } },
      reposts: [],
    }
    const set = { code: 'gov-2019', version: 1, name: '国家指标', builtin: true, parent: null, parent_version: null, org_id: null,
      org_path: null, overrides: {}, definition }
    const posted: unknown[] = []
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const request = input as Request
      const path = new URL(request.url).pathname
      if (request.method === 'POST') {
        posted.push(await request.json())
        return json({ ...set, code: 'weinan-2026', builtin: false, parent: 'gov-2019' }, 201)
      }
      if (path.endsWith('/indicator-sets/gov-2019')) return json(set)
      return json({ items: [], total: 0, limit: 500, offset: 0, organisations: [] })
    })
    const wrapper = mount(IndicatorSetDialog, {
      props: { modelValue: true, mode: 'create', source: null, sets: [set as never] },
      global: { plugins: [ElementPlus] }, attachTo: document.body,
    })
    await flushPromises()
    await wrapper.find('input[name="set_code"]').setValue('weinan-2026')
    await wrapper.find('#tab-reposts').trigger('click')
    await flushPromises()
    await wrapper.find('[data-test="repost-add"]').trigger('click')
    await flushPromises()
    const inputs = wrapper.findAll('[data-test="override-reposts"] .el-table__body tr input')
    await inputs[0]!.setValue('国务院关于印发某方案的通知')
    await inputs[1]!.setValue('中国政府网')
    await flushPromises()
    expect(wrapper.find('[data-test="override-count"]').text()).toContain('覆盖 1 项')
    await wrapper.find('[data-test="indicator-set-submit"]').trigger('click')
    await flushPromises()
    expect(posted).toHaveLength(1)
    const overrides = (posted[0] as { overrides: { reposts: { title: string; source: string; days: number | null }[] } }).overrides
    expect(overrides.reposts).toMatchObject([{ title: '国务院关于印发某方案的通知', source: '中国政府网', days: null }])
    wrapper.unmount()
    fetchSpy.mockRestore()
  })
})
