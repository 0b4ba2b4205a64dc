// A notice title broken between words into lines of balanced length, as the .docx prints it
// (services/reporting/notices/render_docx.py title_lines, GB/T 9704 7.3.1: 回行时词意完整). The preview
// shows these lines, so it never breaks a word as the browser would by width (“…的通/报”).

// Words a title is never broken inside: the office, rounds, what was checked (render_docx.TITLE_WORDS).
const TITLE_WORDS = new RegExp(
  '[\\u4e00-\\u9fff]{1,8}?(?:省|市|自治州|州|盟|县|区|旗)(?=人民政府|政府|关于|[\\u4e00-\\u9fff]{0,12}局)|人民政府办公[室厅]|人民政府|'
  + '办公[室厅]|政务公开|工作领导小组|关于|政府网站(?:与|和|及)(?:政府系统)?政务新媒体|\\d{4}年度?(?:第[一二三四五六七八九十\\d]{1,3}(?:次|季度)|[一二三四1-4]季度|[上下]半年|\\d{1,2}月份?)?|第[一二三四五六七八九十\\d]{1,3}(?:次|季度)|[一二三四1-4]季度|'
  + '[上下]半年|\\d{1,2}月份?|政府网站|政务新媒体|政府系统|全面检查|专项检查|抽查|抽检|普查|监测|检查|情况|通报|'
  + '汇总表|自查|整改|报告|全[省市县区]',
  'gu',
)
/** 2号 characters on a 156 mm line (render_docx.TITLE_CHARS). */
export const TITLE_CHARS = 20

/** Digits and Latin letters are half the width of a Chinese character. */
const size = (chars: string[]): number => chars.reduce((n, ch) => n + ((ch.codePointAt(0) ?? 0) < 128 ? 0.5 : 1), 0)
const isDigit = (ch: string | undefined): boolean => !!ch && /^\d$/.test(ch)
/** Python's round(): halves to the even neighbour, so the cuts are the .docx's. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

export function titleLines(title: string, width: number = TITLE_CHARS): string[] {
  const chars = [...title]
  if (size(chars) <= width) return [title]
  const joined = new Array<boolean>(chars.length + 1).fill(false) // joined[i]: no break between chars[i-1] and chars[i]
  // Match offsets are in UTF-16 units; titles are BMP text, where units and characters coincide.
  for (const m of title.matchAll(TITLE_WORDS)) {
    for (let i = m.index + 1; i < m.index + m[0].length; i++) joined[i] = true
  }
  for (let i = 1; i < chars.length; i++) {
    if ('的、，。：；）”》'.includes(chars[i]!) || '（“《'.includes(chars[i - 1]!) || (isDigit(chars[i]) && isDigit(chars[i - 1]))) joined[i] = true
  }
  let n = Math.ceil(Math.trunc(size(chars)) / width)
  for (;;) {
    const cuts: number[] = []
    let start = 0
    for (let k = 1; k < n; k++) {
      const target = roundHalfEven(chars.length * k / n)
      let best = -1
      for (let i = start + 1; i < chars.length; i++) {
        if (joined[i] || size(chars.slice(start, i)) > width) continue
        // Nearest to the even split; on a tie the later cut (Python: min by (distance, -i)).
        if (best < 0 || Math.abs(i - target) < Math.abs(best - target) || (Math.abs(i - target) === Math.abs(best - target) && i > best)) best = i
      }
      if (best < 0) break
      cuts.push(best)
      start = best
    }
    const bounds = [0, ...cuts, chars.length]
    const lines = cuts.length === n - 1 ? bounds.slice(1).map((end, j) => chars.slice(bounds[j], end).join('')) : []
    if (lines.length && lines.every((line) => size([...line]) <= width)) return lines
    if (n >= chars.length) return [title]
    n += 1
  }
}
