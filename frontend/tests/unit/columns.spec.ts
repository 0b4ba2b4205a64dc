import { describe, expect, it } from 'vitest'
import { columnProblem, normalisedPrefix, withinPrefix } from '@/utils/columns'
import { SITE_KIND } from '@/utils/labels'

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

describe('NoticePreview with 信息公开专栏', () => {
  it('prints the 专栏 table after seed 004\'s two, numbered as the document numbers it', async () => {
    const { mount, flushPromises } = await import('@vue/test-utils')
    const ElementPlus = (await import('element-plus')).default
    const NoticePreview = (await import('@/components/notices/NoticePreview.vue')).default
    const kind = (total: number, failed: number) => ({ total, checked: total, passed: total - failed, failed, errors: 0, groups: [] })
    const content = {
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
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const w = mount(NoticePreview, { props: { content: content as any }, global: { plugins: [ElementPlus] } })
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
