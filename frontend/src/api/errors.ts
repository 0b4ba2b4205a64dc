// The API error shape shared by every govwatch service:
// {"detail": {"code": "...", "message": "...", "field": ..., ...extra}}
export interface ApiErrorDetail {
  code: string
  message: string
  field?: string | null
  [extra: string]: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | null
  readonly detail: ApiErrorDetail

  constructor(status: number, detail: ApiErrorDetail) {
    super(detail.message)
    this.name = 'ApiError'
    this.status = status
    this.code = detail.code
    this.field = detail.field ?? null
    this.detail = detail
  }

  /** Extra members of the detail (e.g. `allowed`, `rules`, `errors`). */
  extra<T>(key: string): T | undefined {
    return this.detail[key] as T | undefined
  }
}

const FALLBACK: Record<number, string> = {
  400: '请求有误',
  401: '登录已失效，请重新登录',
  403: '当前角色无权执行此操作',
  404: '记录不存在或无权访问',
  409: '操作与当前状态冲突',
  413: '文件过大',
  422: '提交的内容有误',
  500: '服务器内部错误，请稍后重试',
  502: '服务暂不可用，请稍后重试',
  503: '服务暂不可用，请稍后重试',
  504: '服务响应超时，请稍后重试',
}

/** Text a person can read: it has Chinese in it (framework texts such as "Not Found" do not). */
function readable(text: unknown): text is string {
  return typeof text === 'string' && /[\u4e00-\u9fff]/.test(text)
}

const HTTP_CALL = /\b(GET|POST|PUT|PATCH|DELETE)\s+\S/

/**
 * A service's message as a person reads it. Some carry a gloss for developers: a state code or an English
 * note in brackets (lower-case words: "(PDF)" stays) ("不能修改 (draft)", "网站不存在或无权访问 (site not found)"), the API call to make next
 * ("如需更正请先 POST /revise 开始新版本"), or codes after a colon ("可执行：accept, close"). Those parts go.
 */
export function humanize(message: string): string {
  const clauses = message
    .replace(/\s*[(（][^()（）]*[a-z]{2}[^()（）]*[)）]/g, '')
    .split(/\s*[;；]\s*/)
    // Codes after a colon: the first clause keeps what precedes them; a later one (a note) goes whole.
    .map((c, i) => (/[:：]\s*[\x20-\x7e…]+$/.test(c) ? (i === 0 ? c.replace(/\s*[:：]\s*[\x20-\x7e…]+$/, '') : '') : c).trim())
    .filter((c) => c && !HTTP_CALL.test(c) && /[\u4e00-\u9fff]/.test(c))
  return clauses.join('；') || message
}

/** Build an ApiError from any response body (JSON detail object, FastAPI string detail, or nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  const detail = (body as { detail?: unknown } | null | undefined)?.detail
  if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
    const d = detail as Partial<ApiErrorDetail>
    let message = readable(d.message) ? humanize(d.message) : fallbackMessage(status)
    // The shared 422 reads "请求参数有误: body.cc: 长度不能超过 …": the request path of the field is for
    // forms (see `field`), not for people.
    const first = Array.isArray(d.errors) ? (d.errors[0] as { message?: unknown } | undefined) : undefined
    if (d.code === 'validation_error' && readable(first?.message)) message = `${fallbackMessage(status)}：${first.message}`
    return new ApiError(status, { ...d, code: typeof d.code === 'string' ? d.code : `http_${status}`, message })
  }
  if (Array.isArray(detail) && detail.length) {
    // FastAPI's own 422 list (services install a handler that sends the shared shape instead); its texts are English.
    const first = detail[0] as { loc?: unknown[]; msg?: unknown }
    const field = Array.isArray(first.loc) ? first.loc.join('.') : null
    return new ApiError(status, { code: 'validation_error', message: fallbackMessage(status), field, errors: detail })
  }
  if (readable(detail)) {
    return new ApiError(status, { code: `http_${status}`, message: humanize(detail), field: null })
  }
  return new ApiError(status, { code: `http_${status}`, message: fallbackMessage(status), field: null })
}

export function fallbackMessage(status: number): string {
  return FALLBACK[status] ?? `请求失败（HTTP ${status}）`
}

/** The text to show a person for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof TypeError) return '无法连接服务器，请检查网络'
  // Script errors ("Cannot read properties of undefined") are not for people; a thrown zh-CN message is.
  if (err instanceof Error && readable(err.message)) return err.message
  return '操作失败'
}

/** The form field an error names, without the request part: "body.code" → "code", "overrides" → "overrides". */
export function errorField(err: unknown): string | null {
  if (!(err instanceof ApiError) || !err.field) return null
  const parts = err.field.split('.')
  if (['body', 'query', 'path'].includes(parts[0]!)) parts.shift()
  return parts[0] || null
}

export function isApiError(err: unknown, code?: string, status?: number): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code) && (status === undefined || err.status === status)
}
