// The notice body's numbered sections as the .docx prints them (services/reporting/notices/text.py, body_sections):
// the preview shows a draft's unsaved edits, so the layout is worked out here from the same three texts.
export interface NoticeSection { key: 'overview' | 'problems' | 'requirements' | 'merged'; heading: string; text: string }

const NUMERALS = '一二三四五六七八九十'
const NO_PROBLEMS = '本次检查未发现不合格情况。'
const PART = /^（[一二三四五六七八九十]+）([^。]{1,30})。(.*)$/

/** Edit-form labels of the three texts in each layout. */
export const SECTION_LABELS: Record<string, { overview: string; problems: string; requirements: string }> = {
  overview: { overview: '一、总体情况', problems: '二、主要问题', requirements: '三、有关要求' },
  by_kind: { overview: '各类对象检查情况', problems: '各类对象存在问题', requirements: '下一步工作要求' },
}

function parts(text: string): [string, string][] | null {
  const out: [string, string][] = []
  for (const line of text.split('\n').map((x) => x.trim()).filter(Boolean)) {
    const m = PART.exec(line)
    if (!m) return null
    out.push([m[1], m[2]])
  }
  return out
}

/** Seed 004's layout: a section per kind with its figures and problems in one paragraph, then 下一步工作要求;
 * null when edited texts no longer read as “（一）名称。内容” lines (the three-section layout is kept). */
function byKind(overview: string, problems: string, requirements: string): NoticeSection[] | null {
  const over = parts(overview)
  let probs = parts(problems)
  if (probs === null && problems.trim() === NO_PROBLEMS) probs = []
  if (over === null || probs === null) return null
  const said = new Map(probs)
  const sections: { heading: string; text: string }[] = []
  for (const [head, text] of over) {
    const kind = head.replace(/检查情况$/, '').split('和')[0]
    const problem = said.get(kind) ?? ''
    said.delete(kind)
    sections.push({ heading: head, text: problem ? `${text.replace(/。+$/, '')}，${problem}` : text })
  }
  for (const [kind, text] of said) sections.push({ heading: `${kind}存在问题`, text })
  sections.push({ heading: '下一步工作要求', text: requirements })
  return sections.map((s, i) => ({ key: i === sections.length - 1 ? 'requirements' : 'merged',
    heading: `${NUMERALS[i]}、${s.heading}`, text: s.text }))
}

export function noticeSections(c: { layout?: string | null; overview?: string | null; problems?: string | null;
  requirements?: string | null }): NoticeSection[] {
  const overview = c.overview ?? ''
  const problems = c.problems ?? ''
  const requirements = c.requirements ?? ''
  if (c.layout === 'by_kind') {
    const merged = byKind(overview, problems, requirements)
    if (merged) return merged
  }
  return [
    { key: 'overview', heading: '一、总体情况', text: overview },
    { key: 'problems', heading: '二、主要问题', text: problems },
    { key: 'requirements', heading: '三、有关要求', text: requirements },
  ]
}
