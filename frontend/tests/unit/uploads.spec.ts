import { File as NodeFile } from 'node:buffer'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import EvidenceUpload from '@/components/filings/EvidenceUpload.vue'
import { configureAuth } from '@/api/http'
import { limitsHint, refusal, sha256Hex, type UploadLimits } from '@/utils/uploads'

const LIMITS: UploadLimits = {
  evidence_max_bytes: 1000, evidence_max_mb: 50, evidence_extensions: ['pdf', 'png', 'jpg', 'jpeg', 'docx', 'xlsx'],
  evidence_types_label: 'PDF、PNG、JPG、DOCX、XLSX',
}

describe('evidence upload rules', () => {
  it('states the limit the API gives, not a number of its own', () => {
    expect(limitsHint(LIMITS)).toBe('支持 PDF、PNG、JPG、DOCX、XLSX，单个文件不超过 50 MB；类型按文件内容识别')
    expect(limitsHint(null)).not.toMatch(/MB/)
  })

  it('refuses empty, too large and wrongly named files before sending them', () => {
    expect(refusal({ name: 'a.pdf', size: 10 }, LIMITS)).toBeNull()
    expect(refusal({ name: 'A.PDF', size: 10 }, LIMITS)).toBeNull()
    expect(refusal({ name: 'a.pdf', size: 0 }, LIMITS)).toBe('a.pdf 是空文件')
    expect(refusal({ name: 'big.pdf', size: 1001 }, LIMITS)).toContain('超过单个文件 50 MB 的上限')
    expect(refusal({ name: 'run.exe', size: 10 }, LIMITS)).toContain('类型不允许')
    expect(refusal({ name: 'noext', size: 10 }, LIMITS)).toContain('类型不允许')
  })

  it('names a file by its sha256', async () => {
    expect(await sha256Hex(new NodeFile(['abc'], 'a') as unknown as Blob)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})

describe('EvidenceUpload', () => {
  const posts: string[] = []
  beforeEach(() => {
    posts.length = 0
    configureAuth({ token: () => 'tok', onUnauthorized: () => undefined })
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      if (url.endsWith('/api/v1/uploads/limits')) return new Response(JSON.stringify(LIMITS), { status: 200 })
      const method = typeof input === 'object' && 'method' in input ? input.method : init?.method ?? 'GET'
      posts.push(`${method} ${new URL(url, 'http://x').pathname}`)
      return new Response(JSON.stringify({ id: 5, kind: 'approval_document', filename: 'ok.pdf', sha256: 'x' }), { status: 201 })
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    configureAuth({ token: () => null, onUnauthorized: () => undefined })
  })

  async function pick(w: ReturnType<typeof mount>, file: File): Promise<void> {
    const input = w.find('input[type="file"]')
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await flushPromises()
  }

  it('drops a refused file so the next pick is taken, and the chosen file can be removed', async () => {
    const w = mount(EvidenceUpload, { props: { filingId: 3 }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(w.find('[data-test="evidence-hint"]').text()).toContain('50 MB')
    await pick(w, new File(['x'.repeat(2000)], 'big.pdf'))
    expect(w.find('[data-test="evidence-error"]').text()).toContain('超过单个文件 50 MB 的上限')
    expect(w.find('[data-test="evidence-chosen"]').exists()).toBe(false)
    await pick(w, new File(['%PDF-1.4'], 'ok.pdf'))
    expect(w.find('[data-test="evidence-error"]').exists()).toBe(false)
    expect(w.find('[data-test="evidence-chosen"]').text()).toContain('ok.pdf')
    await pick(w, new File(['%PDF-1.5'], 'other.pdf')) // replaces, no "one at a time" refusal
    expect(w.find('[data-test="evidence-chosen"]').text()).toContain('other.pdf')
    await w.find('[data-test="evidence-chosen-remove"]').trigger('click')
    expect(w.find('[data-test="evidence-chosen"]').exists()).toBe(false)
    expect(w.find('[data-test="evidence-submit"]').attributes('disabled')).toBeDefined()
    w.unmount()
  })

  it('catches a file already attached as the same kind without sending it', async () => {
    const file = new NodeFile(['%PDF-1.4 same'], 'again.pdf') as unknown as File
    const existing = [{ id: 1, kind: 'approval_document', filename: '批复.pdf', size: file.size, sha256: await sha256Hex(file) }]
    const w = mount(EvidenceUpload, { props: { filingId: 3, existing: existing as never }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    await pick(w, file)
    await w.find('[data-test="evidence-submit"]').trigger('click')
    await vi.waitFor(() => expect(w.find('[data-test="evidence-error"]').exists()).toBe(true)) // hashing is async work
    expect(w.find('[data-test="evidence-error"]').text()).toContain('已作为“审批表/批复文件”上传过（批复.pdf）')
    expect(posts).toEqual([])
    await pick(w, new File(['%PDF-1.4 a new one'], 'new.pdf'))
    await w.find('[data-test="evidence-submit"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test="evidence-error"]').exists() ? w.find('[data-test="evidence-error"]').text() : '').toBe('')
    expect(posts).toEqual(['POST /api/registry/api/v1/filings/3/evidence'])
    expect(w.emitted('uploaded')).toHaveLength(1)
    w.unmount()
  })
})
