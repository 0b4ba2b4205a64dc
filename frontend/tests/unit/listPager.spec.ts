import { describe, expect, it } from 'vitest'
import type { Plugin } from 'vue'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import ListPager from '@/components/ListPager.vue'
import { usePaged } from '@/utils/usePaged'

const chinese: [Plugin, ...unknown[]] = [ElementPlus, { locale: zhCn }] // el-pagination says 共 N 条, as in the app
const global = { plugins: [chinese] }

describe('ListPager', () => {
  it('shows an exact total as 共 N 条 and an estimated one as 共约 N 条', () => {
    const exact = mount(ListPager, { props: { total: 42, current: 1, size: 20 }, global })
    expect(exact.find('.el-pagination__total').text()).toMatch(/共\s*42\s*条/)
    expect(exact.find('[data-test="total-estimated"]').exists()).toBe(false)
    const estimated = mount(ListPager, { props: { total: 12345, estimated: true, current: 1, size: 20 }, global })
    expect(estimated.find('[data-test="total-estimated"]').text()).toBe('共约 12,345 条')
    expect(estimated.findAll('.el-pagination__total')).toHaveLength(1)
  })
})

describe('usePaged', () => {
  it('passes the registry\'s total_estimated through and clears it for exact totals', async () => {
    const answers = [{ items: [1], total: 5000, total_estimated: true }, { items: [2], total: 7 }]
    const { items, total, estimated, load } = usePaged<number>(async () => answers.shift()!)
    await load()
    expect([items.value, total.value, estimated.value]).toEqual([[1], 5000, true])
    await load()
    expect([items.value, total.value, estimated.value]).toEqual([[2], 7, false])
  })
})
