import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import CoverageFigures from '@/components/monitor/CoverageFigures.vue'
import SiteMonitorPanel from '@/components/monitor/SiteMonitorPanel.vue'
import type { MonitorCoverage, MonitorFinding } from '@/api/checkerTypes'
import { formatDateTime } from '@/utils/labels'
import { notReachedText } from '@/utils/monitorLabels'
import { checker } from '@/api/http'

const global = { plugins: [ElementPlus] }

const coverage: MonitorCoverage = {
  site_id: 7, site_name: '渭南市人民政府', homepage_url: 'http://www.weinan.gov.cn/', status: 'monitoring',
  pages_known: 12345, pages_fetched_cycle: 678, attachments_known: 90, attachments_scanned: 85,
  attachments_unscannable: 5, links_checked: 4321, links_broken: 12,
  not_reached: [{ reason: 'error', label: '抓取出错', count: 3 }, { reason: 'too_large', label: '超出大小上限', count: 0 }],
  cycle_started_at: '2026-12-04T16:30:00Z', last_full_cycle_at: '2026-12-04T20:05:00Z', last_fetch_at: '2026-12-04T23:59:00Z',
  open_findings: 4, open_veto_findings: 1,
}

const finding: MonitorFinding = {
  id: 1, indicator: 'serious_error', indicator_name: '严重表述错误', severity: 'veto', message: '存在严重表述错误“中华人民共合国”',
  url: 'http://www.weinan.gov.cn/art/2019/3/1/art_1.html', page_kind: 'article', excerpt: '……中华人民共合国……',
  evidence: [], linked_from: [], linked_from_total: 0,
  first_seen_at: '2026-12-04T17:30:00Z', last_seen_at: '2026-12-04T23:00:00Z', resolved_at: null,
}

describe('formatDateTime', () => {
  it('prints Beijing time whatever the browser zone', () => {
    expect(formatDateTime('2026-12-04T17:30:00Z')).toBe('2026-12-05 01:30')
    expect(formatDateTime(null)).toBe('—')
  })
})

describe('CoverageFigures', () => {
  it('shows every figure in Chinese, with reasons for what was not reached', () => {
    const text = mount(CoverageFigures, { props: { coverage }, global }).text()
    expect(text).toContain('监测中')
    expect(text).toContain('12,345')
    expect(text).toContain('已扫描 85 / 共 90')
    expect(text).toContain('5 个无法识别文字')
    expect(text).toContain('不可用 12')
    expect(text).toContain('单项否决类 1')
    expect(text).toContain('抓取出错 3 个')
    expect(text).not.toContain('超出大小上限') // nothing of that kind
    expect(text).toContain('2026-12-05 04:05') // last full cycle, Beijing time
    expect(text).not.toMatch(/too_large|error|monitoring/)
  })

  it('says a first cycle has not finished yet', () => {
    const text = mount(CoverageFigures, { props: { coverage: { ...coverage, status: 'first_cycle', last_full_cycle_at: null } }, global }).text()
    expect(text).toContain('首轮监测中')
    expect(text).toContain('尚未完成')
    expect(notReachedText([])).toBe('无')
  })
})

describe('SiteMonitorPanel', () => {
  beforeEach(() => vi.restoreAllMocks())

  function answer(data: unknown, status = 200) {
    return { data: status < 400 ? data : undefined, error: status >= 400 ? data : undefined, response: new Response(null, { status }) }
  }

  it('lists open problems with the page as a link and the first-seen date', async () => {
    vi.spyOn(checker, 'GET').mockImplementation((async (path: string) =>
      path.endsWith('/findings') ? answer({ items: [finding], total: 1, limit: 10, offset: 0 }) : answer(coverage)) as never)
    const wrapper = mount(SiteMonitorPanel, { props: { siteId: 7 }, global })
    await flushPromises()
    const text = wrapper.text()
    expect(text).toContain('问题台账（1）')
    expect(text).toContain('严重表述错误')
    expect(text).toContain('单项否决')
    expect(text).toContain('文章页')
    expect(text).toContain('2026-12-05 01:30')
    expect(text).not.toContain('serious_error')
    expect(wrapper.find('[data-test="ledger"] a').attributes('href')).toBe(finding.url)
  })

  it('shows a broken link at the pages that carry it, with how many there are in all', async () => {
    const dead = 'http://www.weinan.gov.cn/old/gone.html'
    const sources = ['http://www.weinan.gov.cn/', 'http://www.weinan.gov.cn/list/1.html', 'javascript:void(0)']
    const broken: MonitorFinding = {
      ...finding, id: 2, indicator: 'broken_link', indicator_name: '链接不可用', severity: 'deduct', url: dead,
      page_kind: 'other', message: `存在不可用链接：${dead}（HTTP 404）`, excerpt: 'HTTP 404',
      linked_from: sources, linked_from_total: 7,
    }
    vi.spyOn(checker, 'GET').mockImplementation((async (path: string) =>
      path.endsWith('/findings') ? answer({ items: [broken], total: 1, limit: 10, offset: 0 }) : answer(coverage)) as never)
    const wrapper = mount(SiteMonitorPanel, { props: { siteId: 7 }, global })
    await flushPromises()
    expect(wrapper.text()).toContain('链接所在页面（共 7 个，列出前 3 个）')
    const cells = wrapper.findAll('[data-test="linked-from"]')
    expect(cells.map((c) => c.find('a').exists() ? c.find('a').attributes('href') : c.text())).toEqual(sources)
    expect(wrapper.text()).not.toContain('其他页面') // the dead target's own kind is not where to mend it
  })

  it('says when a site is not monitored yet, and never shows a javascript: link', async () => {
    vi.spyOn(checker, 'GET').mockImplementation((async () =>
      answer({ detail: { code: 'not_found', message: '监测网站不存在' } }, 404)) as never)
    const wrapper = mount(SiteMonitorPanel, { props: { siteId: 8 }, global })
    await flushPromises()
    expect(wrapper.text()).toContain('尚未纳入全站监测')
    expect(wrapper.find('[data-test="ledger"]').exists()).toBe(false)

    vi.spyOn(checker, 'GET').mockImplementation((async (path: string) =>
      path.endsWith('/findings') ? answer({ items: [{ ...finding, url: 'javascript:alert(1)' }], total: 1, limit: 10, offset: 0 }) : answer(coverage)) as never)
    const hostile = mount(SiteMonitorPanel, { props: { siteId: 7 }, global })
    await flushPromises()
    expect(hostile.find('[data-test="ledger"] a').exists()).toBe(false)
    expect(hostile.text()).toContain('javascript:alert(1)')
  })
})
