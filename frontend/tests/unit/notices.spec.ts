import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import type { NoticeContent, NoticePublic } from '@/api/reportingTypes'
import NoticePreview from '@/components/notices/NoticePreview.vue'
import NoticeDetailView from '@/views/notices/NoticeDetailView.vue'
import { useAuthStore } from '@/stores/auth'
import { NOTICE_ACCOUNT_COLUMNS, NOTICE_SITE_COLUMNS } from '@/utils/reportingLabels'

const global = { plugins: [ElementPlus], stubs: { RouterLink: { template: '<a><slot /></a>' } } }

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

// Form-item errors show after a debounce.
const settle = async () => {
  await new Promise((r) => setTimeout(r, 200))
  await flushPromises()
}

const kind = (total: number) => ({ total, checked: total, passed: 0, failed: total, errors: 0, groups: [] })

// A draft as the API assembles it from seed 004: attachment 1 without a 类型 column, a 检查时间 per
// attachment and none for the whole notice.
function content(extra: Partial<NoticeContent> = {}): NoticeContent {
  return {
    title: '某市政务公开办关于2026年第四季度政府网站和政务新媒体抽查情况的通报', doc_number: '某政务公开办〔2026〕5号', doc_prefix: '', mark: '',
    requirements_template: '', placeholder_values: {}, follow_up: null, period: null,
    issuing_office: '某市政务公开办', addressees: '各区县人民政府，市政府各工作部门', issue_date: '2026-12-05',
    basis: '有关要求', scope_name: '某市', inspection_name: '第四季度抽查', check_period: '', layout: 'overview',
    intro: '近期，组织开展抽查。', overview: '共抽查网站1个。', problems: '个别网站内容长期未更新。', requirements: '请立即整改。',
    deadline: null, report_to: '', signature: '某市政务公开办', rate_decimals: 1, rate_strip_zeros: true, previous_name: null,
    sites: kind(1), accounts: kind(1), problem_groups: [],
    columns: kind(0), columns_label: '信息公开专栏', column_rows: [], columns_title: '', columns_period: '', columns_columns: [],
    site_rows: [{ no: 1, name: '某县人民政府网', type: '政府门户网站', result: '不合格', remark: '内容14天未更新', target_id: 7 }],
    account_rows: [{ no: 1, name: '某县发布', type: '微信公众号', result: '不合格', remark: '超过2周未更新', target_id: 8 }],
    attachment1_title: '2026年第四季度政府网站抽查情况汇总表', attachment2_title: '2026年第四季度政务新媒体抽查情况汇总表',
    attachment1_period: '（检查时间：12月1日——12月2日）', attachment2_period: '（检查时间：12月3日）',
    attachment1_columns: [...NOTICE_SITE_COLUMNS], attachment2_columns: [...NOTICE_ACCOUNT_COLUMNS],
    cc: '', printed_by: '', printed_on: null,
    ...extra,
  }
}

function notice(c: NoticeContent = content()): NoticePublic {
  return {
    id: 5, inspection_id: 3, previous_inspection_id: null, scope_org_id: 2, scope_org_path: '/1/2/', state: 'draft',
    version: 0, error: null, created_by: 'user:1', created_at: '2026-12-05T01:00:00Z', updated_at: '2026-12-05T01:00:00Z',
    issued_by: null, issued_at: null, edited: [], content: c, text: '', files: [],
  }
}

function signIn(): void {
  setActivePinia(createPinia())
  useAuthStore().session = {
    token: 't', expiresAt: Date.now() + 3600_000, role: 'supervisor', orgId: 2, orgPath: '/1/2/', name: '督查员',
    username: 'sup', sub: 'user:1',
  }
}

const headers = (w: VueWrapper, key: string) =>
  w.find(`[data-test="preview-${key}"]`).findAll('th').map((th) => th.text())

describe('NoticePreview', () => {
  it("prints each attachment with the draft's own columns and its 检查时间", async () => {
    const w = mount(NoticePreview, { props: { content: content() }, global })
    await flushPromises()
    expect(headers(w, 'attachment1')).toEqual(['序号', '网站名称', '检查结果', '突出问题'])
    expect(headers(w, 'attachment2')).toEqual(['序号', '账号名称', '账号类型', '检查结果', '备注'])
    const site = w.find('[data-test="preview-attachment1"] tbody tr').findAll('td').map((td) => td.text())
    expect(site).toEqual(['1', '某县人民政府网', '不合格', '内容14天未更新'])
    const account = w.find('[data-test="preview-attachment2"] tbody tr').findAll('td').map((td) => td.text())
    expect(account).toEqual(['1', '某县发布', '微信公众号', '不合格', '超过2周未更新'])
    expect(w.find('[data-test="preview-attachment1-period"]').text()).toBe('（检查时间：12月1日——12月2日）')
    expect(w.find('[data-test="preview-attachment2-period"]').text()).toBe('（检查时间：12月3日）')
    expect(w.find('[data-test="preview-attachment-list"]').text()).toContain('2.2026年第四季度政务新媒体抽查情况汇总表')
    expect(w.find('[data-test="preview-addressees"]').text()).toBe('各区县人民政府，市政府各工作部门：')
    // No 抄送 and no 印发机关: no 版记, as the docx.
    expect(w.find('[data-test="preview-imprint"]').exists()).toBe(false)
  })

  it('follows edited columns, an old draft\'s shared period, and prints the 版记', async () => {
    const w = mount(NoticePreview, {
      props: { content: content({
        attachment1_columns: ['序号', '单位名称', '网站类型', '存在问题'], attachment1_period: '', attachment2_period: '',
        check_period: '（检查时间：11月30日）', account_rows: [], accounts: kind(0),
        cc: '市委办公室，市人大常委会办公室', printed_by: '某市人民政府办公室',
      }) },
      global,
    })
    await flushPromises()
    expect(headers(w, 'attachment1')).toEqual(['序号', '单位名称', '网站类型', '存在问题'])
    const site = w.find('[data-test="preview-attachment1"] tbody tr').findAll('td').map((td) => td.text())
    expect(site).toEqual(['1', '某县人民政府网', '政府门户网站', '内容14天未更新'])
    expect(w.find('[data-test="preview-attachment1-period"]').text()).toBe('（检查时间：11月30日）')
    expect(w.find('[data-test="preview-attachment2"]').exists()).toBe(false)
    expect(w.find('[data-test="preview-cc"]').text()).toBe('抄送：市委办公室，市人大常委会办公室。')
    // 印发日期 defaults to the issue date.
    expect(w.find('[data-test="preview-printed"]').text()).toBe('某市人民政府办公室2026年12月5日印发')
  })
})

describe('NoticeDetailView edit form', () => {
  let patches: Record<string, unknown>[]
  let answer: (body: Record<string, unknown>) => Response

  beforeEach(() => {
    signIn()
    patches = []
    answer = (body) => json(notice(content(body as Partial<NoticeContent>)))
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const req = input as Request
      const path = new URL(req.url).pathname
      if (req.method === 'PATCH') {
        const body = JSON.parse(await req.text()) as Record<string, unknown>
        patches.push(body)
        return answer(body)
      }
      if (path.endsWith('/versions')) return json([])
      return json(notice())
    })
  })
  afterEach(() => vi.restoreAllMocks())

  async function edit(w: VueWrapper): Promise<void> {
    await w.find('[data-test="edit-addressees"]').setValue('各县（市、区）人民政府')
    await w.find('[data-test="edit-cc"]').setValue('市委办公室')
    await w.find('[data-test="edit-printed-by"]').setValue('某市人民政府办公室')
    await w.find('[data-test="edit-attachment2-period"]').setValue('（检查时间：12月4日）')
    w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2026-12-08')
    await flushPromises()
  }

  it('sends 主送, the 版记 fields and a period in the PATCH, and previews them before saving', async () => {
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    expect(w.find('[data-test="notice-edit"]').text()).toContain('抄送机关')
    await edit(w)
    expect(w.find('[data-test="preview-addressees"]').text()).toBe('各县（市、区）人民政府：')
    expect(w.find('[data-test="preview-printed"]').text()).toBe('某市人民政府办公室2026年12月8日印发')
    await w.find('[data-test="notice-save"]').trigger('click')
    await flushPromises()
    expect(patches).toEqual([{
      addressees: '各县（市、区）人民政府', attachment2_period: '（检查时间：12月4日）', cc: '市委办公室',
      printed_by: '某市人民政府办公室', printed_on: '2026-12-08',
    }])
    expect(w.find('[data-test="notice-save-error"]').exists()).toBe(false)
  })

  it("shows the API's 422 under the field it names, in Chinese, and keeps the edits", async () => {
    answer = () => json({ detail: {
      code: 'validation_error', message: '请求参数有误: body.cc: 长度不能超过 1000 个字符', field: 'body.cc',
      errors: [{ field: 'body.cc', message: '长度不能超过 1000 个字符', type: 'string_too_long' }],
    } }, 422)
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    await edit(w)
    await w.find('[data-test="notice-save"]').trigger('click')
    await settle()
    expect(patches).toHaveLength(1)
    expect(w.find('[data-test="notice-save-error"]').text()).toBe('抄送机关：长度不能超过 1000 个字符')
    expect(w.find('[data-test="notice-save-error"]').text()).not.toContain('body')
    const ccItem = w.find('[data-test="edit-cc"]').element.closest('.el-form-item')!
    // The form item shows its error after a debounce, later on a busy machine: wait for it.
    await vi.waitFor(() => expect(ccItem.querySelector('.el-form-item__error')?.textContent).toContain('长度不能超过 1000 个字符'), { timeout: 5000 })
    expect((w.find('[data-test="edit-cc"]').element as HTMLTextAreaElement).value).toBe('市委办公室')
  })

  it("sends an attachment's columns in the order chosen and previews them", async () => {
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    const select = w.findAllComponents({ name: 'ElSelect' }).find((c) => c.attributes('data-test') === 'edit-attachment1-columns'
      || c.find('[data-test="edit-attachment1-columns"]').exists())!
    select.vm.$emit('update:modelValue', ['序号', '网站名称', '网站类型', '检查结果', '突出问题'])
    await flushPromises()
    expect(headers(w, 'attachment1')).toEqual(['序号', '网站名称', '网站类型', '检查结果', '突出问题'])
    await w.find('[data-test="notice-save"]').trigger('click')
    await flushPromises()
    expect(patches).toEqual([{ attachment1_columns: ['序号', '网站名称', '网站类型', '检查结果', '突出问题'] }])
    expect(headers(w, 'attachment1')).toEqual(['序号', '网站名称', '网站类型', '检查结果', '突出问题'])
  })

  it('refuses a title shorter than two characters without asking the API', async () => {
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    await w.find('[data-test="edit-title"]').setValue('通')
    await w.find('[data-test="notice-save"]').trigger('click')
    await settle()
    expect(patches).toHaveLength(0)
    const item = w.find('[data-test="edit-title"]').element.closest('.el-form-item')!
    expect(item.querySelector('.el-form-item__error')?.textContent).toContain('标题不能少于 2 个字符')
  })
})

describe('NoticeDetailView issuing in the background', () => {
  let posts: string[]
  let next: NoticePublic[]

  beforeEach(() => {
    signIn()
    posts = []
    next = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const req = input as Request
      const url = new URL(req.url)
      if (url.pathname.endsWith('/versions')) return json([])
      if (req.method === 'POST') {
        posts.push(`${url.pathname}${url.search}`)
        return json(rendering({ step: 'queued', label: '排队等待生成', done: 0 }), 202)
      }
      return json(next.length > 1 ? next.shift() : next[0])
    })
  })
  afterEach(() => vi.restoreAllMocks())

  const formats: NoticePublic['files'][number]['format'][] = ['docx', 'xlsx', 'pdf']
  function rendering(p: { step: string; label: string; done: number; attempt?: number }): NoticePublic {
    return { ...notice(), state: 'rendering', progress: { total: 4, attempt: 1, formats, ...p } }
  }
  const issued: NoticePublic = {
    ...notice(), state: 'issued', version: 1, issued_by: 'user:1', issued_at: '2026-12-05T01:01:00Z',
    progress: { step: 'done', label: '文件已生成', done: 4, total: 4, attempt: 1, formats },
    files: [{ version: 1, format: 'pdf', key: 'k', sha256: 'a'.repeat(64), size: 2048, content_type: 'application/pdf',
      created_at: '2026-12-05T01:01:00Z', url: '' }],
  }

  it("shows the worker's progress, then the files once they are ready", async () => {
    next = [rendering({ step: 'pdf', label: '正在生成 PDF 文件', done: 1, attempt: 2 }), issued]
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    const card = w.find('[data-test="notice-progress"]')
    expect(card.find('[data-test="notice-progress-label"]').text()).toBe('正在生成 PDF 文件')
    expect(card.text()).toContain('DOCX、XLSX、PDF')
    expect(card.text()).toContain('上次生成中断，已自动重新生成（第 2 次）')
    await new Promise((r) => setTimeout(r, 1200)) // the page reads the notice again every second
    await flushPromises()
    expect(w.find('[data-test="notice-progress"]').exists()).toBe(false)
    expect(w.find('[data-test="notice-files"]').text()).toContain('PDF')
    w.unmount()
  }, 30_000)

  it('shows a failed rendering in Chinese only and issues it again with the same formats', async () => {
    next = [{ ...notice(), state: 'render_failed', error: '文件生成失败，请稍后重新印发；多次失败请联系系统管理员',
      progress: { step: 'failed', label: '文件生成失败', done: 1, total: 3, attempt: 1, formats: ['docx', 'pdf'] } }]
    const w = mount(NoticeDetailView, { props: { id: 5 }, global })
    await flushPromises()
    const alert = w.find('[data-test="notice-render-failed"]')
    expect(alert.text()).toContain('文件生成失败：文件生成失败，请稍后重新印发')
    expect(alert.text()).not.toMatch(/Error|Exception/)
    next = [rendering({ step: 'queued', label: '排队等待生成', done: 0 })]
    await w.find('[data-test="notice-retry"]').trigger('click')
    await flushPromises()
    expect(posts).toEqual(['/api/reporting/api/v1/notices/5/issue?formats=docx&formats=pdf'])
    expect(w.find('[data-test="notice-progress"]').exists()).toBe(true)
    w.unmount()
  }, 30_000)
})
