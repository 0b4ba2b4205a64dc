import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, reactive } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { fromQuery, parseField, toQuery } from '@/utils/queryState'
import { useQueryState } from '@/utils/queryState'
import { usePaged } from '@/utils/usePaged'

const FIELDS = { q: 'string', state: ['active', 'closed'], org_id: 'number', mine: 'boolean' } as const

describe('query fields', () => {
  it('reads only valid values and writes only what differs from the defaults', () => {
    expect(parseField('number', '15')).toBe(15)
    expect(parseField('number', '15x')).toBeUndefined()
    expect(parseField(['active'], 'deleted')).toBeUndefined()
    expect(parseField('boolean', 'true')).toBe(true)
    const filters: Record<string, unknown> = { q: '', mine: false }
    const page = { current: 1, size: 20 }
    fromQuery(FIELDS, { q: '渭南', state: 'bogus', org_id: '7', page: '3', size: '50' }, filters, page, 20, { q: '', mine: false })
    expect(filters).toEqual({ q: '渭南', state: undefined, org_id: 7, mine: false })
    expect(page).toEqual({ current: 3, size: 50 })
    expect(toQuery(FIELDS, filters, page, 20, { q: '', mine: false })).toEqual({ q: '渭南', org_id: '7', page: '3', size: '50' })
    expect(toQuery(FIELDS, { q: ' ', mine: false }, { current: 1, size: 20 }, 20, { mine: false })).toEqual({})
  })
})

/** A list view as the app writes one: filters, usePaged, and the query binding. */
function listView(fetch: (query: Record<string, unknown>) => void) {
  return defineComponent({
    setup() {
      const filters = reactive<{ q: string; state?: string; org_id?: number | null; mine: boolean }>({ q: '', mine: false })
      const { page, loading, load, search } = usePaged(async (limit, offset) => {
        fetch({ ...filters, limit, offset })
        return { items: [], total: 500 }
      })
      useQueryState({ fields: { ...FIELDS }, filters, page, loading, load })
      return () => h('div', [
        h('button', { id: 'search', onClick: () => { filters.q = '华州'; filters.state = 'closed'; void search() } }),
        h('button', { id: 'page', onClick: () => { page.current = 4 } }),
      ])
    },
  })
}

async function mountAt(url: string, fetch: (query: Record<string, unknown>) => void) {
  const List = listView(fetch)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/sites', component: List }, { path: '/sites/:id', component: { render: () => h('p') } }] })
  await router.push(url)
  const App = defineComponent({ render: () => h(RouterView, { key: router.currentRoute.value.path }) })
  const wrapper = mount(App, { global: { plugins: [router] } })
  await flushPromises()
  return { router, wrapper }
}

describe('useQueryState', () => {
  it('restores filters and page from the URL on a reload, loading once', async () => {
    const fetch = vi.fn()
    await mountAt('/sites?q=%E6%B8%AD%E5%8D%97&state=active&org_id=7&page=2&size=50', fetch)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch).toHaveBeenLastCalledWith({ q: '渭南', state: 'active', org_id: 7, mine: false, limit: 50, offset: 50 })
  })

  it('writes a search and a page change to the URL, and back from a detail page restores them', async () => {
    const fetch = vi.fn()
    const { router, wrapper } = await mountAt('/sites', fetch)
    expect(fetch).toHaveBeenLastCalledWith({ q: '', mine: false, limit: 20, offset: 0 })
    await wrapper.find('#search').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '华州', state: 'closed' })
    await wrapper.find('#page').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: '华州', state: 'closed', page: '4' })
    expect(fetch).toHaveBeenLastCalledWith({ q: '华州', state: 'closed', mine: false, limit: 20, offset: 60 })

    await router.push('/sites/12')
    await flushPromises()
    fetch.mockClear()
    router.back()
    await flushPromises()
    await nextTick()
    expect(router.currentRoute.value.fullPath).toBe('/sites?q=%E5%8D%8E%E5%B7%9E&state=closed&page=4')
    expect(fetch).toHaveBeenLastCalledWith({ q: '华州', state: 'closed', mine: false, limit: 20, offset: 60 })
  })

  it('follows a link to the same list with other filters without a remount', async () => {
    const fetch = vi.fn()
    const { router } = await mountAt('/sites?state=active', fetch)
    fetch.mockClear()
    await router.push('/sites?org_id=9')
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch).toHaveBeenLastCalledWith({ q: '', state: undefined, org_id: 9, mine: false, limit: 20, offset: 0 })
  })
})
