// Evidence uploads: one size limit and one list of file types, as the registry states them
// (GET /api/v1/uploads/limits, GOVWATCH_EVIDENCE_MAX_BYTES); filings and rectification show the same.
import { ref, type Ref } from 'vue'
import { authFetch } from '@/api/http'
import { formatSize } from '@/utils/labels'

export interface UploadLimits {
  evidence_max_bytes: number
  evidence_max_mb: number
  evidence_extensions: string[]
  evidence_types_label: string
}

let pending: Promise<UploadLimits> | null = null

/** The limits, asked once per visit (a failed ask is asked again next time). */
export function fetchUploadLimits(): Promise<UploadLimits> {
  pending ??= authFetch('registry', '/api/v1/uploads/limits').then((r) => r.json() as Promise<UploadLimits>)
    .catch((err: unknown) => { pending = null; throw err })
  return pending
}

/** Reactive limits for a component: null until the registry answered. */
export function useUploadLimits(): Ref<UploadLimits | null> {
  const limits = ref<UploadLimits | null>(null)
  fetchUploadLimits().then((l) => { limits.value = l }, () => undefined)
  return limits
}

/** The hint under a file picker. */
export function limitsHint(limits: UploadLimits | null): string {
  if (!limits) return '支持 PDF、DOCX、XLSX、JPG、PNG；类型按文件内容识别'
  return `支持 ${limits.evidence_types_label}，单个文件不超过 ${limits.evidence_max_mb} MB；类型按文件内容识别`
}

/** The accept attribute of a file picker. */
export function acceptList(limits: UploadLimits | null): string {
  return (limits?.evidence_extensions ?? ['pdf', 'jpg', 'jpeg', 'png', 'docx', 'xlsx']).map((e) => `.${e}`).join(',')
}

/** Why a chosen file will not be taken, before anything is sent; null when it may be uploaded. */
export function refusal(file: { name: string; size: number }, limits: UploadLimits | null): string | null {
  if (file.size === 0) return `${file.name} 是空文件`
  if (limits && file.size > limits.evidence_max_bytes) {
    return `${file.name}（${formatSize(file.size)}）超过单个文件 ${limits.evidence_max_mb} MB 的上限，请压缩或拆分后再上传`
  }
  const ext = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase()
  if (limits && (!ext || !limits.evidence_extensions.includes(ext))) {
    return `${file.name} 的类型不允许，请上传 ${limits.evidence_types_label} 文件`
  }
  return null
}

/** sha256 of a file in hex (the registry names a duplicate by the same digest). */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
