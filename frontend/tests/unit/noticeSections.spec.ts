import { describe, expect, it } from 'vitest'
import { noticeSections } from '@/utils/noticeSections'

const overview = [
  '（一）政府网站检查情况。截至2024年2月，全市政府系统共运行网站51个。检查结果为：合格政府网站47个，不合格政府网站4个，合格率92.2%。',
  '（二）政务新媒体检查情况。截至2024年2月，全市政府系统共运行政务新媒体470个，检查结果为：合格政务新媒体437个，不合格政务新媒体33个，合格率93%。',
].join('\n')
const problems = ['（一）政府网站。市民政局网站存在多个栏目更新不及时。', '（二）政务新媒体。澄城公安等微信公众号内容14天未更新。'].join('\n')

describe('noticeSections', () => {
  it('keeps the three sections of seeds 000 and 001', () => {
    const s = noticeSections({ layout: 'overview', overview, problems, requirements: '要求。' })
    expect(s.map((x) => x.heading)).toEqual(['一、总体情况', '二、主要问题', '三、有关要求'])
  })

  it("merges figures and problems per kind as seed 004 prints them", () => {
    const s = noticeSections({ layout: 'by_kind', overview, problems, requirements: '要求。' })
    expect(s.map((x) => x.heading)).toEqual(['一、政府网站检查情况', '二、政务新媒体检查情况', '三、下一步工作要求'])
    expect(s[0].text).toBe('截至2024年2月，全市政府系统共运行网站51个。检查结果为：合格政府网站47个，不合格政府网站4个，合格率92.2%，'
      + '市民政局网站存在多个栏目更新不及时。')
    expect(s[2].text).toBe('要求。')
  })

  it('keeps the figures alone when nothing failed, and falls back when an edit breaks the “（一）名称。” lines', () => {
    const clean = noticeSections({ layout: 'by_kind', overview, problems: '本次检查未发现不合格情况。', requirements: 'r' })
    expect(clean[0].text.endsWith('合格率92.2%。')).toBe(true)
    const edited = noticeSections({ layout: 'by_kind', overview: '全市网站运行平稳。', problems, requirements: 'r' })
    expect(edited.map((x) => x.heading)).toEqual(['一、总体情况', '二、主要问题', '三、有关要求'])
  })
})
