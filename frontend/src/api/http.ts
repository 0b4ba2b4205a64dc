// The one API helper: typed clients generated from each service's OpenAPI document, the bearer
// token on every request, 401 → back to login, and errors turned into ApiError.
import createClient, { type Client, type Middleware } from 'openapi-fetch'
import { ElMessage } from 'element-plus'
import type { paths as RegistryPaths } from './registry'
import type { paths as CheckerPaths } from './checker'
import type { paths as ReportingPaths } from './reporting'
import { ApiError, errorMessage, toApiError } from './errors'

export type Service = 'registry' | 'checker' | 'reporting'

/** Where the dev runner (and vite's proxy) expose each service. */
export const serviceBase = (service: Service): string => `/api/${service}`

interface AuthHooks {
  token: () => string | null
  onUnauthorized: () => void
}
let hooks: AuthHooks = { token: () => null, onUnauthorized: () => undefined }

/** Called once at start-up by main.ts (keeps this module free of store/router imports). */
export function configureAuth(next: AuthHooks): void {
  hooks = next
}

const TOKEN_PATH = '/api/v1/auth/token'

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const token = hooks.token()
    if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`)
    return request
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url, location.href).pathname.endsWith(TOKEN_PATH)) {
      hooks.onUnauthorized()
    }
    return response
  },
}

function makeClient<P extends {}>(service: Service): Client<P> {
  // Absolute base: openapi-fetch builds Request objects, which need a full URL outside browsers.
  const origin = typeof location !== 'undefined' ? location.origin : ''
  // fetch looked up per call (not captured at start-up), so tests and polyfills can replace it.
  const client = createClient<P>({ baseUrl: `${origin}${serviceBase(service)}`, fetch: (request) => globalThis.fetch(request) })
  client.use(authMiddleware)
  return client
}

export const registry = makeClient<RegistryPaths>('registry')
export const checker = makeClient<CheckerPaths>('checker')
export const reporting = makeClient<ReportingPaths>('reporting')

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Await an openapi-fetch call; return its data or throw ApiError. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok || error !== undefined) throw toApiError(response.status, error)
  return data as T
}

/** Show an error with ElMessage (the message from the API's detail). */
export function showError(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) return // the login redirect says enough
  ElMessage.error({ message: errorMessage(err), grouping: true })
}

/** Raw authorised fetch for things openapi-fetch does not model well (file downloads, SSE-less polling). */
export async function authFetch(service: Service, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  const token = hooks.token()
  if (token) headers.set('Authorization', `Bearer ${token}`)
  const response = await fetch(`${serviceBase(service)}${path}`, { ...init, headers })
  if (response.status === 401) hooks.onUnauthorized()
  if (!response.ok) {
    let body: unknown = null
    try {
      body = await response.json()
    } catch {
      body = null
    }
    throw toApiError(response.status, body)
  }
  return response
}

/** Download a file from an API path and hand it to the browser with the server's file name. */
export async function downloadFile(service: Service, path: string, fallbackName: string): Promise<string> {
  const response = await authFetch(service, path)
  const name = filenameFrom(response.headers.get('Content-Disposition')) ?? fallbackName
  const blob = await response.blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}

export function filenameFrom(disposition: string | null): string | null {
  if (!disposition) return null
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      return star[1]
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  return plain?.[1] ?? null
}

/** Is a service answering? Used to show the checker/reporting pages and panels only when they exist. */
export async function probe(service: Service): Promise<boolean> {
  try {
    const response = await fetch(`${serviceBase(service)}/healthz`, { signal: AbortSignal.timeout(3000) })
    if (!response.ok) return false
    const body = (await response.json()) as { status?: string }
    return body.status === 'ok'
  } catch {
    return false
  }
}

export interface ServerEvent {
  event: string
  data: string
  id?: string
}

/**
 * Read a server-sent event stream with the bearer token (EventSource cannot send headers).
 * Resolves when the stream ends; rejects on HTTP or network errors (callers fall back to polling).
 */
export async function streamEvents(
  service: Service, path: string, onEvent: (event: ServerEvent) => void, signal: AbortSignal,
): Promise<void> {
  const response = await authFetch(service, path, { headers: { Accept: 'text/event-stream' }, signal })
  if (!response.body) throw new Error('no stream')
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value.replace(/\r\n/g, '\n')
    let cut: number
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut)
      buffer = buffer.slice(cut + 2)
      const event = parseEvent(block)
      if (event) onEvent(event)
    }
  }
}

export function parseEvent(block: string): ServerEvent | null {
  let event = 'message'
  let id: string | undefined
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
  }
  return data.length ? { event, data: data.join('\n'), id } : null
}

export interface UploadProgress {
  loaded: number
  total: number
  percent: number
}

/** Whole percent of an upload (0 while the size is unknown, never above 100). */
export function progressPercent(loaded: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)))
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

/**
 * POST a multipart form with upload progress (fetch reports none): XMLHttpRequest with the bearer
 * token, 401 → login, errors turned into ApiError like every other call. Resolves with the JSON body.
 */
export function uploadWithProgress<T>(service: Service, path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${serviceBase(service)}${path}`)
    const token = hooks.token()
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.setRequestHeader('Accept', 'application/json')
    let sent = 0
    let size = 0
    xhr.upload.onprogress = (event: ProgressEvent) => {
      sent = event.loaded
      size = event.lengthComputable ? event.total : 0
      options.onProgress?.({ loaded: sent, total: size, percent: progressPercent(sent, size) })
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status === 401) hooks.onUnauthorized()
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T)
      else reject(toApiError(xhr.status, body))
    }
    xhr.onerror = () => {
      // A server that refuses a large body early may close the connection before the browser reads its answer.
      reject(size && sent < size ? new Error('上传中断：文件可能过大，或网络连接异常') : new TypeError('network error'))
    }
    xhr.onabort = () => reject(new DOMException('上传已取消', 'AbortError'))
    if (options.signal) {
      if (options.signal.aborted) return reject(new DOMException('上传已取消', 'AbortError'))
      options.signal.addEventListener('abort', () => xhr.abort(), { once: true })
    }
    xhr.send(form)
  })
}
