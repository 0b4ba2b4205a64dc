// 内置词库 tab: version and size per category, entries with their category and group, filters.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import type { BuiltinGroup, BuiltinWord } from '@/api/checkerTypes'
import BuiltinWordList from '@/components/wordlists/BuiltinWordList.vue'
import { STORAGE_KEY } from '@/stores/auth'
import { builtinCategoryCounts, builtinGroups } from '@/utils/wordlists'

const global = { plugins: [ElementPlus] }
const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const GROUPS: BuiltinGroup[] = [
  { category: 'sensitive_content', group: '赌博', count: 2700 },
  { category: 'sensitive_content', group: '色情', count: 180 },
  { category: 'typo', group: '机构名称变更', count: 97 },
  { category: 'typo', group: '错别字', count: 51 },
  { category: 'serious_error', group: '涉台港澳表述', count: 47 },
]
const NAME: BuiltinWord = {
  word: '卫生和计划生育局', category: 'typo', group: '机构名称变更', suggestion: '卫生健康局',
  obsolete_since: '2019-04-01', source: '2018—2019年地方机构改革（据国家方案生成）',
}
const GAMBLING: BuiltinWord = {
  word: '澳门新葡京娱乐城', category: 'sensitive_content', group: '赌博', suggestion: '赌博平台推广',
  obsolete_since: null, source: '赌博及违法服务推广用语（生成）',
}

describe('built-in list helpers', () => {
  it('orders the groups of a category by size and counts entries per category', () => {
    expect(builtinGroups(GROUPS, 'typo').map((g) => g.group)).toEqual(['机构名称变更', '错别字'])
    expect(builtinGroups(GROUPS, '')).toHaveLength(5)
    expect(builtinCategoryCounts(GROUPS)).toEqual({ sensitive_content: 2880, typo: 148, serious_error: 47 })
  })
})

describe('BuiltinWordList', { timeout: 30_000 }, () => {
  beforeEach(() => {
    localStorage.clear()
    localStorage.setItem(STORAGE_KEY, JSON.stringify({
      token: 't', expiresAt: Date.now() + 3_600_000, role: 'viewer', orgId: 2, orgPath: '/1/2/', name: '渭南市', username: 'v', sub: 'user:3',
    }))
    setActivePinia(createPinia())
  })
  afterEach(() => vi.restoreAllMocks())

  it('shows the version, the size per category and each entry with its category and group', async () => {
    const queries: URLSearchParams[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const url = new URL((input as Request).url)
      if (url.pathname.endsWith('/wordlists/builtin/summary')) return json({ version: '2026.12.06+1f7f9233', total: 3075, groups: GROUPS })
      if (url.pathname.endsWith('/wordlists/builtin')) {
        queries.push(url.searchParams)
        const items = url.searchParams.get('category') === 'typo' ? [NAME] : [GAMBLING, NAME]
        return json({ items, total: items.length, limit: 20, offset: 0 })
      }
      return json({ detail: { code: 'not_found', message: 'x' } }, 404)
    })
    const wrapper = mount(BuiltinWordList, { global, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test="builtin-version"]').text()).toBe('内置词库版本 2026.12.06+1f7f9233，共 3075 条')
    expect(wrapper.text()).toContain('违规有害内容 2880 条')
    const rows = wrapper.findAll('[data-test="builtin-table"] .el-table__body tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('澳门新葡京娱乐城')
    expect(rows[0]!.text()).toContain('违规有害内容')
    expect(rows[0]!.text()).toContain('赌博')
    expect(rows[1]!.text()).toContain('2019-04-01')
    expect(rows[1]!.text()).toContain('据国家方案生成')
    expect(wrapper.text()).not.toMatch(/sensitive_content|typo|serious_error/)

    await wrapper.find('input[name="builtin_search"]').setValue('卫生')
    await wrapper.find('input[name="builtin_search"]').trigger('keyup.enter')
    await flushPromises()
    expect(queries.at(-1)?.get('q')).toBe('卫生')
    wrapper.unmount()
  })
})
