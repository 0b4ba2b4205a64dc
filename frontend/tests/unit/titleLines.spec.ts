import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import NoticePreview from '@/components/notices/NoticePreview.vue'
import type { NoticeContent } from '@/api/reportingTypes'
import { titleLines } from '@/utils/titleLines'

// The lines render_docx.title_lines gives for these titles (python: title_lines(t) / title_lines(t, 16)).
const DOCX: [string, string[]][] = 
[["渭南市人民政府办公室关于2026年第四季度政府网站与政务新媒体检查情况的通报", ["渭南市人民政府办公室关于2026年第四季度", "政府网站与政务新媒体检查情况的通报"]], ["韩城市人民政府办公室关于2026年第一次全市政府网站和政务新媒体抽查情况的通报", ["韩城市人民政府办公室关于2026年第一次", "全市政府网站和政务新媒体抽查情况的通报"]], ["临渭区政务公开办关于2025年下半年政府系统政务新媒体专项检查情况的通报", ["临渭区政务公开办关于2025年下半年", "政府系统政务新媒体专项检查情况的通报"]], ["陕西省人民政府办公厅关于全省政府网站与政府系统政务新媒体2026年第三次检查情况的通报", ["陕西省人民政府办公厅关于全省", "政府网站与政府系统政务新媒体", "2026年第三次检查情况的通报"]], ["关于2026年12月份政府网站监测情况的通报", ["关于2026年12月份政府网站监测情况的通报"]], ["渭南市住房和城乡建设局关于本系统网站整改情况的报告", ["渭南市住房和城乡建设局关于", "本系统网站整改情况的报告"]], ["短标题的通报", ["短标题的通报"]], ["关于《某某办法》执行情况（试行）的自查报告和整改情况汇总表", ["关于《某某办法》执行情况（试", "行）的自查报告和整改情况汇总表"]]]

describe('notice title lines', () => {
  it('breaks titles between words exactly as the .docx does', () => {
    for (const [title, lines] of DOCX) expect(titleLines(title), title).toEqual(lines)
    expect(titleLines("渭南市人民政府办公室关于2026年第四季度政府网站与政务新媒体检查情况的通报", 16)).toEqual(["渭南市人民政府办公室", "关于2026年第四季度", "政府网站与政务新媒体", "检查情况的通报"])
  })

  it('shows the title in the preview as those lines, never a word split by the width', () => {
    const title = DOCX[0]![0]
    const wrapper = mount(NoticePreview, { props: { content: { title, issuing_office: '渭南市人民政府办公室' } as unknown as NoticeContent } })
    const lines = wrapper.findAll('[data-test="preview-title"] .title-line').map((l) => l.text())
    expect(lines).toEqual(['渭南市人民政府办公室关于2026年第四季度', '政府网站与政务新媒体检查情况的通报'])
    expect(wrapper.find('[data-test="preview-title"]').text()).toBe(title)
  })
})
