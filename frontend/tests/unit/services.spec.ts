import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { retryDelay, useServicesStore } from '@/stores/services'

/** Health answers per service, in order; the last one repeats. */
function healthz(answers: Record<string, boolean[]>) {
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const service = String(input).split('/')[2]!
    const list = answers[service]!
    const ok = list.length > 1 ? list.shift()! : list[0]!
    if (!ok) throw new TypeError('network error')
    return new Response(JSON.stringify({ status: 'ok' }), { status: 200 })
  })
}

describe('service health', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => {
    useServicesStore().stop()
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('backs off 2 s, 4 s, 8 s … up to a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(retryDelay)).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
  })

  it('a failed check is retried: the menus and the bell come back, with a notice meanwhile', async () => {
    const fetch = healthz({ checker: [true], reporting: [false, false, true] })
    const services = useServicesStore()
    await services.refresh()
    expect(services.available('checker')).toBe(true)
    expect(services.available('reporting')).toBe(false)
    expect(services.down).toEqual(['reporting'])
    expect(services.degradedMessage).toContain('通报整改服务暂时无法连接')
    await vi.advanceTimersByTimeAsync(2000) // second try fails too
    expect(services.available('reporting')).toBe(false)
    await vi.advanceTimersByTimeAsync(3999)
    expect(services.available('reporting')).toBe(false)
    await vi.advanceTimersByTimeAsync(1) // third try, 4 s later: back
    expect(services.available('reporting')).toBe(true)
    expect(services.degradedMessage).toBe('')
    const calls = fetch.mock.calls.length
    await vi.advanceTimersByTimeAsync(120_000) // no more polling once it answers
    expect(fetch.mock.calls.length).toBe(calls)
  })
})
