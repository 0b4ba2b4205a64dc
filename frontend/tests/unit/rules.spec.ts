// Indicator sets (指标体系), word lists (错敏词库) and manual findings: request bodies, permissions, menu.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import type { IndicatorDefinition, IndicatorSetPublic } from '@/api/checkerTypes'
import { errorField, toApiError } from '@/api/errors'
import { roleCan } from '@/auth/permissions'
import IndicatorSetDialog from '@/components/rules/IndicatorSetDialog.vue'
import ManualFindingDialog from '@/components/inspections/ManualFindingDialog.vue'
import { MENU, visibleMenu } from '@/router/menu'
import { routes } from '@/router'
import { STORAGE_KEY } from '@/stores/auth'
import { buildFindingBody, indicatorsFor } from '@/utils/findings'
import {
  buildIndicatorSetBody, describeOverride, diffOverrides, editableFrom, mergeOverrides, orderedIndicators, orderedParameters,
  overridePaths, overrideRows, vetoText,
} from '@/utils/indicatorSets'
import { buildWordEntryBody, wordKindOf, wordKindQuery } from '@/utils/wordlists'

const global = { plugins: [ElementPlus] }
const settle = async () => {
  await new Promise((r) => setTimeout(r, 200))
  await flushPromises()
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** A trimmed gov-2019 as the checker returns it (normalised: every rule field present). */
function parentDefinition(): IndicatorDefinition {
  const rule = (severity: 'veto' | 'deduct', points = 0, max_points = 0) =>
    ({ enabled: true, severity, points, scope_points: {}, max_points, veto_when: [] })
  return {
    id: 'gov-2019', version: 1, parent: null, name: '政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）', pass_score: 60,
    parameters: { home_window_days: 14, unreachable_ratio: 0.05, guide_veto_count: 5 },
    indicators: {
      unreachable: rule('veto'),
      typo: rule('deduct', 1, 5),
      broken_link: { ...rule('deduct', 0, 5), scope_points: { home: 1, other: 0.1 } },
      service_guide_incomplete: { ...rule('deduct', 1, 4), veto_when: [{ count_param: 'guide_veto_count', categories: null, flag: null }] },
      account_no_original: rule('deduct'),
      account_bought_followers: rule('veto'),
    },
  }
}

function publicSet(definition: IndicatorDefinition, extra: Partial<IndicatorSetPublic> = {}): IndicatorSetPublic {
  return {
    code: definition.id, version: definition.version, name: definition.name, builtin: true, parent: definition.parent,
    parent_version: null, org_id: null, org_path: null, overrides: {}, definition: definition as unknown as Record<string, unknown>,
    ...extra,
  }
}

function login(role: 'supervisor' | 'viewer' = 'supervisor'): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({
    token: 't', expiresAt: Date.now() + 3_600_000, role, orgId: 2, orgPath: '/1/2/', name: '渭南市', username: 'weinan_supervisor', sub: 'user:3',
  }))
}

describe('permissions and menu', () => {
  it('lets admins and supervisors manage the checker rules, nobody else', () => {
    expect(roleCan('admin', 'rules.manage')).toBe(true)
    expect(roleCan('supervisor', 'rules.manage')).toBe(true)
    expect(roleCan('operator', 'rules.manage')).toBe(false)
    expect(roleCan('viewer', 'rules.manage')).toBe(false)
  })

  it('shows 指标体系 and 错敏词库 under 系统管理 when the checker answers', () => {
    const admin = (role: 'admin' | 'supervisor' | 'viewer', checker: boolean) =>
      visibleMenu(MENU, (p) => roleCan(role, p), (s) => s === 'registry' || (s === 'checker' && checker))
        .find((m) => m.title === '系统管理')?.children?.map((c) => c.title) ?? []
    expect(admin('supervisor', true)).toEqual(['指标体系', '错敏词库'])
    expect(admin('supervisor', false)).toEqual([])
    expect(admin('admin', true)).toEqual(['组织机构', '用户管理', '接口客户端', '指标体系', '错敏词库'])
    expect(admin('viewer', true)).toEqual([])
  })

  it('guards the pages with rules.manage', () => {
    const children = routes.find((r) => r.path === '/')!.children!
    for (const path of ['admin/indicator-sets', 'admin/wordlists']) {
      expect(children.find((r) => r.path === path)?.meta?.permission).toBe('rules.manage')
    }
  })
})

describe('indicator set overrides', () => {
  it('sends only what differs from the parent', () => {
    const parent = parentDefinition()
    const edited = editableFrom(parent)
    edited.indicators.typo!.severity = 'veto'
    edited.indicators.broken_link!.scope_points = { home: 2, other: 0.1 }
    edited.parameters.home_window_days = 7
    const body = buildIndicatorSetBody(
      { code: ' weinan-2025 ', name: '  ', parent: 'gov-2019', note: ' 错别字一票否决 ', org_id: 2 }, parent, edited,
    )
    expect(body).toEqual({
      code: 'weinan-2025', name: null, parent: 'gov-2019', parent_version: 1, note: '错别字一票否决', org_id: 2,
      overrides: {
        parameters: { home_window_days: 7 },
        indicators: { typo: { severity: 'veto' }, broken_link: { scope_points: { home: 2 } } },
      },
    })
    // The checker's deep merge of those overrides gives back what was edited.
    expect(mergeOverrides(editableFrom(parent) as never, body.overrides!)).toEqual(edited)
    // The parent is not touched.
    expect(parent.indicators.typo!.severity).toBe('deduct')
  })

  it('sends no overrides for an unchanged copy, and replaces lists whole', () => {
    const parent = parentDefinition()
    expect(diffOverrides(editableFrom(parent) as never, editableFrom(parent) as never)).toEqual({})
    const edited = editableFrom(parent)
    edited.indicators.service_guide_incomplete!.veto_when = []
    edited.pass_score = 70
    expect(diffOverrides(editableFrom(parent) as never, edited as never)).toEqual({
      pass_score: 70, indicators: { service_guide_incomplete: { veto_when: [] } },
    })
  })

  it('names overridden values in words', () => {
    const overrides = { pass_score: 70, parameters: { home_window_days: 7 }, indicators: { typo: { severity: 'veto' }, broken_link: { scope_points: { home: 2 } } } }
    const paths = overridePaths(overrides)
    expect(paths).toEqual(['pass_score', 'parameters.home_window_days', 'indicators.typo.severity', 'indicators.broken_link.scope_points.home'])
    expect(paths.map((p) => describeOverride(p, overrides))).toEqual([
      '合格分数 → 70', '首页更新周期（天） → 7', '错别字 · 性质 → 单项否决', '链接不可用 · 分页面扣分（首页） → 2',
    ])
    const parent = parentDefinition()
    expect(vetoText(parent.indicators.service_guide_incomplete!, parent.parameters)).toBe('累计 5 处')
  })

  it('tabulates the overrides in Chinese beside the parent values (no codes, no JSON)', () => {
    const parent = editableFrom(parentDefinition()) as never
    const overrides = {
      pass_score: 70, parameters: { home_window_days: 7 },
      indicators: { typo: { severity: 'veto' }, broken_link: { scope_points: { home: 2 } }, service_guide_incomplete: { veto_when: [] } },
      reposts: [{ title: '关于某方案的通知', source: '中国政府网', issued: '2026-12-01', days: null }],
    }
    const rows = overrideRows(overrides, parent).map(({ item, field, before, after }) => [item, field, before, after])
    expect(rows).toEqual([
      ['合格分数', '分数', '60', '70'],
      ['首页更新周期（天）', '取值', '14', '7'],
      ['错别字', '性质', '扣分', '单项否决'],
      ['链接不可用', '分页面扣分（首页）', '1', '2'],
      ['办事指南要素不全', '否决条件', '1项', '0项'],
      ['转载要求', '须转载的信息', '无', '《关于某方案的通知》'],
    ])
    expect(JSON.stringify(rows)).not.toMatch(/[a-z]_[a-z]|[{}]/)
  })

  it('lists indicators and parameters in indicators.md order (stored definitions come back reordered)', () => {
    expect(orderedIndicators(['typo', 'x_local', 'unreachable', 'broken_link'])).toEqual(['unreachable', 'broken_link', 'typo', 'x_local'])
    expect(orderedParameters(['empty_veto', 'home_window_days'])).toEqual(['home_window_days', 'empty_veto'])
  })
})

// Mounting the dialog with its tables takes a few seconds in jsdom on a busy machine.
describe('IndicatorSetDialog', { timeout: 30_000 }, () => {
  beforeEach(() => {
    localStorage.clear()
    login()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.restoreAllMocks())

  it('inherits from the parent, and posts the override made in the form', async () => {
    const parent = parentDefinition()
    const requests: { method: string; path: string; body: unknown }[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const request = input as Request
      const path = new URL(request.url).pathname
      const body = request.method === 'POST' ? await request.json() : null
      requests.push({ method: request.method, path, body })
      if (path.endsWith('/indicator-sets/gov-2019')) return json(publicSet(parent))
      if (path.startsWith('/api/registry/')) return json({ items: [], total: 0, limit: 500, offset: 0, organisations: [] })
      if (request.method === 'POST') return json(publicSet(parent, { code: 'weinan-2025', version: 1, builtin: false, parent: 'gov-2019' }), 201)
      return json({ detail: { code: 'not_found', message: 'x' } }, 404)
    })
    const wrapper = mount(IndicatorSetDialog, {
      props: { modelValue: true, mode: 'create', source: null, sets: [publicSet(parent)] },
      global, attachTo: document.body,
    })
    await flushPromises()
    expect(requests.some((r) => r.path === '/api/checker/api/v1/indicator-sets/gov-2019')).toBe(true)
    expect(document.querySelectorAll('[data-test="override-indicators"] .el-table__body tr')).toHaveLength(6)

    await wrapper.find('input[name="set_code"]').setValue('weinan-2025')
    const points = wrapper.findAll('[data-test="rule-points"] input')[1]! // typo (unreachable is first)
    await points.setValue('2')
    await points.trigger('change')
    await flushPromises()
    expect(wrapper.find('[data-test="override-count"]').text()).toContain('覆盖 1 项')
    const tabs = wrapper.findAll('.el-tabs__item')
    await tabs.find((t) => t.text().startsWith('覆盖内容'))!.trigger('click')
    await flushPromises()
    const preview = document.querySelector('[data-test="overrides-preview"]')!.textContent!
    expect(preview).toContain('错别字')
    expect(preview).toContain('每次扣分')
    expect(preview).not.toMatch(/typo|indicators|[{}]/)
    await wrapper.find('[data-test="indicator-set-submit"]').trigger('click')
    await flushPromises()

    const post = requests.find((r) => r.method === 'POST')
    expect(post?.path).toBe('/api/checker/api/v1/indicator-sets')
    expect(post?.body).toEqual({
      code: 'weinan-2025', name: null, parent: 'gov-2019', parent_version: 1, note: null, org_id: 2,
      overrides: { indicators: { typo: { points: 2 } } },
    })
    expect(wrapper.emitted('created')?.[0]?.[0]).toMatchObject({ code: 'weinan-2025' })
    wrapper.unmount()
  })

  it('checks the code pattern, and shows the API validation error on the form', async () => {
    const parent = parentDefinition()
    let posts = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const request = input as Request
      if (request.method === 'POST') {
        posts += 1
        return json({ detail: {
          code: 'validation_error', message: '请求参数有误: body.code: 长度不能少于 2 个字符', field: 'body.code',
          errors: [{ field: 'body.code', message: '长度不能少于 2 个字符', type: 'string_too_short' }],
        } }, 422)
      }
      if (new URL(request.url).pathname.startsWith('/api/registry/')) return json({ items: [], total: 0, limit: 500, offset: 0 })
      return json(publicSet(parent))
    })
    const wrapper = mount(IndicatorSetDialog, {
      props: { modelValue: true, mode: 'create', source: null, sets: [publicSet(parent)] }, global, attachTo: document.body,
    })
    await flushPromises()
    // A malformed code is refused before anything is sent.
    await wrapper.find('input[name="set_code"]').setValue('Weinan 2025')
    await wrapper.find('[data-test="indicator-set-submit"]').trigger('click')
    await settle() // form-item errors show after a debounce
    expect(wrapper.find('.el-form-item__error').text()).toContain('编码只能包含小写字母')
    expect(posts).toBe(0)
    // What the API refuses is shown on top of the form and under the field it names.
    await wrapper.find('input[name="set_code"]').setValue('x')
    await wrapper.find('[data-test="indicator-set-submit"]').trigger('click')
    await settle()
    expect(posts).toBe(1)
    expect(wrapper.find('.el-alert__title').text()).toBe('提交的内容有误：长度不能少于 2 个字符')
    expect(wrapper.find('.el-form-item__error').text()).toContain('长度不能少于 2 个字符')
    expect(wrapper.emitted('created')).toBeUndefined()
    wrapper.unmount()
  })
})

describe('word lists', () => {
  it('maps the kind filter to list and category', () => {
    expect(wordKindQuery('')).toEqual({})
    expect(wordKindQuery('whitelist')).toEqual({ list: 'whitelist' })
    expect(wordKindQuery('typo')).toEqual({ list: 'addition', category: 'typo' })
    expect(wordKindOf({ list: 'whitelist', category: null })).toBe('whitelist')
    expect(wordKindOf({ list: 'addition', category: 'serious_error' })).toBe('serious_error')
  })

  it('builds entry bodies (a suggestion only where it means something)', () => {
    expect(buildWordEntryBody({ kind: 'serious_error', word: ' 中华民国政府 ', suggestion: ' ', note: '', org_id: 2 })).toEqual({
      list: 'addition', category: 'serious_error', word: '中华民国政府', suggestion: null, note: null, org_id: 2,
    })
    expect(buildWordEntryBody({ kind: 'whitelist', word: '渭南市政府', suggestion: 'x', note: '本市简称', org_id: null })).toEqual({
      list: 'whitelist', category: null, word: '渭南市政府', suggestion: null, note: '本市简称', org_id: null,
    })
    expect(buildWordEntryBody({ kind: 'typo', word: '部署', suggestion: '部署', note: '', org_id: 2 }).suggestion).toBe('部署')
  })
})

describe('manual findings', { timeout: 30_000 }, () => {
  beforeEach(() => {
    localStorage.clear()
    login()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.restoreAllMocks())

  it('offers the indicators of the target kind and builds the body', () => {
    const codes = Object.keys(parentDefinition().indicators)
    expect(indicatorsFor('account', codes)).toEqual(['account_no_original', 'account_bought_followers'])
    expect(indicatorsFor('site', codes)).toEqual(['unreachable', 'typo', 'broken_link', 'service_guide_incomplete'])
    expect(buildFindingBody({
      indicator: 'typo', message: ' 首页“部暑”应为“部署” ', count: 2.4,
      evidence: [{ url: ' https://www.weinan.gov.cn/ ', excerpt: ' 认真部暑 ', observed_at: null }, { url: ' ', excerpt: 'x', observed_at: null }],
    })).toEqual({
      indicator: 'typo', message: '首页“部暑”应为“部署”', count: 2,
      evidence: [{ url: 'https://www.weinan.gov.cn/', excerpt: '认真部暑', observed_at: null }],
    })
  })

  it('posts the finding and hands back the recomputed result', async () => {
    const parent = parentDefinition()
    const requests: { method: string; path: string; body: unknown }[] = []
    const detail = { id: 1, findings: [{ id: 9, source: 'manual' }] }
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const request = input as Request
      const url = new URL(request.url)
      requests.push({ method: request.method, path: url.pathname + url.search, body: request.method === 'POST' ? await request.json() : null })
      return request.method === 'POST' ? json(detail, 201) : json(publicSet(parent))
    })
    const wrapper = mount(ManualFindingDialog, {
      props: { modelValue: true, inspectionId: 5, kind: 'site', targetId: 12, indicatorSet: 'gov-2019', indicatorSetVersion: 1, url: 'https://www.weinan.gov.cn/' },
      global, attachTo: document.body,
    })
    await flushPromises()
    expect(requests[0]?.path).toBe('/api/checker/api/v1/indicator-sets/gov-2019?version=1')
    // Required fields are checked before anything is sent.
    await wrapper.find('[data-test="manual-finding-submit"]').trigger('click')
    await settle()
    expect(wrapper.text()).toContain('请选择检查指标')
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0)

    ;(wrapper.vm as unknown as { form: { indicator: string } }).form.indicator = 'typo'
    await wrapper.find('textarea[name="finding_message"]').setValue('首页“部暑”应为“部署”')
    await wrapper.find('textarea[name="evidence_excerpt_0"]').setValue('认真部暑')
    await wrapper.find('[data-test="manual-finding-submit"]').trigger('click')
    await flushPromises()
    const post = requests.find((r) => r.method === 'POST')
    expect(post?.path).toBe('/api/checker/api/v1/inspections/5/results/site/12/findings')
    expect(post?.body).toEqual({
      indicator: 'typo', message: '首页“部暑”应为“部署”', count: 1,
      evidence: [{ url: 'https://www.weinan.gov.cn/', excerpt: '认真部暑', observed_at: null }],
    })
    expect(wrapper.emitted('saved')?.[0]?.[0]).toEqual(detail)
    expect(wrapper.emitted('update:modelValue')?.at(-1)).toEqual([false])
    wrapper.unmount()
  })
})

describe('API errors', () => {
  it('reads FastAPI 422 lists and names the form field', () => {
    const err = toApiError(422, { detail: [{ loc: ['body', 'word'], msg: 'String should have at least 1 character', type: 'string_too_short' }] })
    expect(err.code).toBe('validation_error')
    // pydantic's English and the request path stay out of the message; the field is kept for the form.
    expect(err.message).toBe('提交的内容有误')
    expect(errorField(err)).toBe('word')
    expect(errorField(toApiError(422, { detail: { code: 'category_required', message: '新增词条须指定类别', field: 'category' } }))).toBe('category')
    expect(errorField(toApiError(409, { detail: { code: 'word_exists', message: '词条已存在', field: null } }))).toBeNull()
  })
})
