// 信息公开专栏: a department's section on another site (usually the portal), registered with its host site and
// the URL prefix its pages live under. The form says what is wrong before the registry does, in its words.

function parse(url: string): URL | null {
  try {
    const u = new URL(url.trim())
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null
  } catch {
    return null
  }
}

const hostKey = (u: URL): string => `${u.hostname.toLowerCase().replace(/^www\./, '')}:${u.port}`

/** The prefix the registry stores: the entry page's directory when none is given, always ending in "/". */
export function normalisedPrefix(prefix: string, entry: string): string {
  const chosen = prefix.trim() || entry.trim().replace(/[^/]*$/, '')
  return chosen.endsWith('/') ? chosen : `${chosen}/`
}

/** `url` is one of the 专栏's pages: same host (www. aside) and a path under the prefix's. */
export function withinPrefix(url: string, prefix: string): boolean {
  const a = parse(url)
  const b = parse(prefix)
  return !!a && !!b && hostKey(a) === hostKey(b) && a.pathname.startsWith(b.pathname)
}

/** What is wrong with a 专栏's entry page and prefix on its host site, or '' when they fit. */
export function columnProblem(entry: string, prefix: string, hostUrl: string | null, hostName = '所在网站'): string {
  if (!hostUrl) return '请选择专栏所在网站'
  const full = normalisedPrefix(prefix, entry)
  const p = parse(full)
  if (!p) return '网址前缀应以 http:// 或 https:// 开头'
  if (p.search || p.hash) return '网址前缀不能包含查询参数'
  const host = parse(hostUrl)
  if (!host || hostKey(host) !== hostKey(p)) return `网址前缀应在${hostName}的域名（${host?.hostname ?? hostUrl}）之下`
  if (!withinPrefix(entry, full)) return '专栏入口网址应在网址前缀之下'
  return ''
}
