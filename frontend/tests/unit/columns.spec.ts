import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createPinia, setActivePinia } from 'pinia'
import NoticePreview from '@/components/notices/NoticePreview.vue'
import { useAuthStore } from '@/stores/auth'
import { columnProblem, normalisedPrefix, withinPrefix } from '@/utils/columns'
import { SITE_KIND } from '@/utils/labels'
import NoticeDetailView from '@/views/notices/NoticeDetailView.vue'

const PORTAL = 'http://www.weinan.gov.cn/'

describe('信息公开专栏 prefix', () => {
  it('defaults to the entry page directory and always ends in a slash', () => {
    expect(normalisedPrefix('', 'http://www.weinan.gov.cn/bmzl/mzj/index.html')).toBe('http://www.weinan.gov.cn/bmzl/mzj/')
    expect(normalisedPrefix('http://www.weinan.gov.cn/bmzl/mzj', 'x')).toBe('http://www.weinan.gov.cn/bmzl/mzj/')
  })

  it('keeps to the host and the directory (…/mzjzx/ is not under …/mzj/)', () => {
    expect(withinPrefix('http://weinan.gov.cn/bmzl/mzj/a.html', 'http://www.weinan.gov.cn/bmzl/mzj/')).toBe(true)
    expect(withinPrefix('http://www.weinan.gov.cn/bmzl/mzjzx/', 'http://www.weinan.gov.cn/bmzl/mzj/')).toBe(false)
    expect(withinPrefix('http://mzj.weinan.gov.cn/bmzl/mzj/', 'http://www.weinan.gov.cn/bmzl/mzj/')).toBe(false)
    expect(withinPrefix('not a url', 'http://www.weinan.gov.cn/')).toBe(false)
  })

  it('says in Chinese what is wrong, as the registry does', () => {
    const entry = 'http://www.weinan.gov.cn/bmzl/mzj/index.html'
    expect(columnProblem(entry, '', PORTAL)).toBe('')
    expect(columnProblem(entry, 'http://www.weinan.gov.cn/bmzl/mzj/', PORTAL)).toBe('')
    expect(columnProblem(entry, '', null)).toBe('请选择专栏所在网站')
    expect(columnProblem('http://mzj.weinan.gov.cn/zl/', '', PORTAL, '渭南市人民政府'))
      .toBe('网址前缀应在渭南市人民政府的域名（www.weinan.gov.cn）之下')
    expect(columnProblem(entry, 'http://www.weinan.gov.cn/bmzl/jyj/', PORTAL)).toBe('专栏入口网址应在网址前缀之下')
    expect(columnProblem(entry, 'ftp://www.weinan.gov.cn/bmzl/', PORTAL)).toBe('网址前缀应以 http:// 或 https:// 开头')
    expect(columnProblem(entry, 'http://www.weinan.gov.cn/bmzl/?id=1', PORTAL)).toBe('网址前缀不能包含查询参数')
  })

  it('labels the kind', () => {
    expect(SITE_KIND.column).toBe('信息公开专栏')
  })
})

  const kind = (total: number, failed: number) => ({ total, checked: total, passed: total - failed, failed, errors: 0, groups: [] })
  const columnNotice = () => ({
    title: '临沧市人民政府办公室关于2021年二季度政府网站检查情况的通报', doc_number: '', doc_prefix: '', mark: '',
    requirements_template: '', placeholder_values: {}, follow_up: null, period: null, issuing_office: '临沧市人民政府办公室',
    addressees: '各县、自治县、区人民政府', issue_date: '2021-07-19', basis: '', scope_name: '临沧市', inspection_name: '',
    check_period: '', intro: '', overview: '问题专栏1个，合格率97.37%。', problems: '', requirements: '', deadline: null,
    report_to: '', signature: '临沧市人民政府办公室', rate_decimals: 2, rate_strip_zeros: true, previous_name: null,
    sites: kind(9, 1), accounts: kind(0, 0), columns: kind(38, 1), columns_label: '市级部门信息公开专栏', problem_groups: [],
    site_rows: [{ no: 1, name: '永德县人民政府门户网站', type: '政府门户网站', result: '不合格', remark: '栏目超期未更新', target_id: 1 }],
    account_rows: [],
    column_rows: [{ no: 1, name: '市自然资源和规划局信息公开专栏', type: '信息公开专栏', result: '不合格', remark: '存在严重表述错误', target_id: 9 }],
    attachment1_title: '2021年二季度政府网站检查情况汇总表', attachment2_title: '', attachment1_period: '', attachment2_period: '',
    attachment1_columns: ['序号', '网站名称', '检查结果', '突出问题'], attachment2_columns: [],
    columns_title: '2021年二季度信息公开专栏检查情况汇总表', columns_period: '（检查时间：6月30日）',
    columns_columns: ['序号', '专栏名称', '检查结果', '突出问题'], cc: '', printed_by: '', printed_on: null,
})

describe('NoticePreview with 信息公开专栏', () => {
  it('prints the 专栏 table after seed 004\'s two, numbered as the document numbers it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const w = mount(NoticePreview, { props: { content: columnNotice() as any }, global: { plugins: [ElementPlus] } })
    await flushPromises()
    const table = w.find('[data-test="preview-columns"]')
    expect(table.findAll('th').map((th) => th.text())).toEqual(['序号', '专栏名称', '检查结果', '突出问题'])
    expect(table.find('tbody tr').findAll('td').map((td) => td.text()))
      .toEqual(['1', '市自然资源和规划局信息公开专栏', '不合格', '存在严重表述错误'])
    // No accounts: the 专栏 table is 附件2 in the list, as in the docx.
    expect(w.find('[data-test="preview-attachment-list"]').text()).toContain('2.2021年二季度信息公开专栏检查情况汇总表')
    expect(w.find('[data-test="preview-columns-period"]').text()).toBe('（检查时间：6月30日）')
  })
})

describe('NoticeDetailView with 信息公开专栏', () => {
  it('edits the 专栏 table\'s period and columns and sends only those', async () => {
    setActivePinia(createPinia())
    useAuthStore().session = {
      token: 't', expiresAt: Date.now() + 3600_000, role: 'supervisor', orgId: 2, orgPath: '/1/2/', name: '督查员',
      username: 'sup', sub: 'user:1',
    }
    const notice = {
      id: 5, inspection_id: 3, previous_inspection_id: null, scope_org_id: 2, scope_org_path: '/1/2/', state: 'draft',
      version: 0, error: null, created_by: 'user:1', created_at: '2021-07-19T01:00:00Z', updated_at: '2021-07-19T01:00:00Z',
      issued_by: null, issued_at: null, edited: [], content: columnNotice(), text: '', files: [],
    }
    const patches: Record<string, unknown>[] = []
    const reply = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      const req = input as Request
      if (req.method === 'PATCH') {
        patches.push(JSON.parse(await req.text()) as Record<string, unknown>)
        return reply(notice)
      }
      return reply(new URL(req.url).pathname.endsWith('/versions') ? [] : notice)
    })
    try {
      const w = mount(NoticeDetailView, { props: { id: 5 }, global: { plugins: [ElementPlus], stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
      await flushPromises()
      expect(w.find('[data-test="notice-edit"]').text()).toContain('附件：信息公开专栏汇总表')
      await w.find('[data-test="edit-columns-period"]').setValue('（检查时间：6月29日——6月30日）')
      const select = w.findAllComponents({ name: 'ElSelect' }).find((c) => c.attributes('data-test') === 'edit-columns-columns'
        || c.find('[data-test="edit-columns-columns"]').exists())!
      select.vm.$emit('update:modelValue', ['序号', '专栏名称', '检查结果'])
      await flushPromises()
      await w.find('[data-test="notice-save"]').trigger('click')
      await flushPromises()
      expect(patches).toEqual([{ columns_period: '（检查时间：6月29日——6月30日）', columns_columns: ['序号', '专栏名称', '检查结果'] }])
      w.unmount()
    } finally {
      spy.mockRestore()
    }
  })
})
