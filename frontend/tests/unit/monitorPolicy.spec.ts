import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import CoverageFigures from '@/components/monitor/CoverageFigures.vue'
import type { MonitorCoverage } from '@/api/checkerTypes'
import { INDICATOR } from '@/utils/checkerLabels'
import { parameterLabel } from '@/utils/indicatorSets'
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
