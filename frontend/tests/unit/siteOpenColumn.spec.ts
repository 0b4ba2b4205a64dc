// Registering a 信息公开专栏 in the SPA (issue 14, item 1): the form asks for its host site and prefix instead of a
// site's identifiers, says in Chinese what does not fit before asking the registry, and sends host and prefix.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import SiteOpenView from '@/views/sites/SiteOpenView.vue'
import { useAuthStore } from '@/stores/auth'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}
const settle = async () => {
  await new Promise((r) => setTimeout(r, 250))
  await flushPromises()
}

const PORTAL = { id: 11, name: '渭南市人民政府', homepage_url: 'http://www.weinan.gov.cn/' }

describe('SiteOpenView for a 信息公开专栏', () => {
  let posted: Record<string, unknown>[]
  let hostQueries: string[]

  beforeEach(() => {
    setActivePinia(createPinia())
    useAuthStore().session = {
      token: 't', expiresAt: Date.now() + 3600_000, role: 'supervisor', orgId: 2, orgPath: '/1/2/', name: '督查员',
      username: 'sup', sub: 'user:1',
    }
    posted = []
    hostQueries = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const req = input as Request
      const url = new URL(req.url)
      if (url.pathname.endsWith('/api/v1/orgs')) {
        return json({ items: [{ id: 2, name: '渭南市', kind: 'city', parent_id: null, path: '/1/2/', region_code: '6105' },
          { id: 5, name: '渭南市民政局', kind: 'department', parent_id: 2, path: '/1/2/5/', region_code: '6105' }], total: 2 })
      }
      if (url.pathname.endsWith('/api/v1/auth/me')) return json({ organisations: [] })
      if (url.pathname.endsWith('/api/v1/sites/hosts')) {
        hostQueries.push(url.searchParams.get('q') ?? '')
        return json([PORTAL])
      }
      if (url.pathname.endsWith('/api/v1/sites') && req.method === 'POST') {
        posted.push(JSON.parse(await req.text()) as Record<string, unknown>)
        return json({ id: 99 }, 201)
      }
      return json({})
    })
  })
  afterEach(() => vi.restoreAllMocks())

  async function open(): Promise<VueWrapper> {
    const router = createRouter({ history: createMemoryHistory(), routes: [
      { path: '/sites/new', component: SiteOpenView }, { path: '/filings/:id', component: { template: '<p/>' } }] })
    await router.push('/sites/new')
    const w = mount(SiteOpenView, { global: { plugins: [ElementPlus, router] }, attachTo: document.body })
    await flushPromises()
    return w
  }

  async function fill(w: VueWrapper, entry: string, prefix: string): Promise<void> {
    const radios = w.findAll('[data-test="site-kind"] input[type="radio"]')
    await radios[radios.length - 1].setValue(true)  // 信息公开专栏
    await flushPromises()
    await w.find('input[name="name"]').setValue('渭南市民政局信息公开专栏')
    await w.find('input[name="homepage_url"]').setValue(entry)
    await w.find('input[name="url_prefix"]').setValue(prefix)
    const select = w.findComponent({ name: 'ElSelect' })
    select.vm.$emit('visible-change', true)
    await settle()
    select.vm.$emit('update:modelValue', PORTAL.id)
    await flushPromises()
  }

  it('asks for the host site and prefix instead of a site\'s identifiers', async () => {
    const w = await open()
    expect(w.find('input[name="site_code"]').exists()).toBe(true)
    const radios = w.findAll('[data-test="site-kind"] input[type="radio"]')
    await radios[radios.length - 1].setValue(true)
    await flushPromises()
    expect(w.find('h2').text()).toBe('信息公开专栏开设备案')
    expect(w.find('input[name="site_code"]').exists()).toBe(false)
    expect(w.find('input[name="url_prefix"]').exists()).toBe(true)
    expect(w.text()).toContain('所在网站')
    expect(w.text()).toContain('专栏入口网址')
    w.unmount()
  })

  it('refuses a prefix off the host site\'s domain in Chinese, without asking the registry', async () => {
    const w = await open()
    await fill(w, 'http://mzj.weinan.gov.cn/zl/index.html', '')
    expect(hostQueries).toEqual([''])
    await w.find('[data-test="open-submit"]').trigger('click')
    await settle()
    expect(w.text()).toContain('网址前缀应在渭南市人民政府的域名（www.weinan.gov.cn）之下')
    expect(posted).toEqual([])
    w.unmount()
  })

  it('sends the host site and the prefix (the entry page\'s directory by default), no identifiers', async () => {
    const w = await open()
    await fill(w, 'http://www.weinan.gov.cn/bmzl/mzj/index.html', '')
    await w.find('[data-test="open-submit"]').trigger('click')
    await settle()
    expect(posted).toHaveLength(1)
    expect(posted[0]).toMatchObject({
      kind: 'column', host_site_id: 11, url_prefix: 'http://www.weinan.gov.cn/bmzl/mzj/', site_code: null,
      icp_number: null, psb_number: null, has_badge: false, homepage_url: 'http://www.weinan.gov.cn/bmzl/mzj/index.html',
    })
    w.unmount()
  })
})
