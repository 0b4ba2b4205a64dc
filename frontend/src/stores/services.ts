import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { probe, type Service } from '@/api/http'

export type OptionalService = Exclude<Service, 'registry'>
export const SERVICE_LABEL: Record<OptionalService, string> = { checker: '检查', reporting: '通报整改' }
const OPTIONAL: OptionalService[] = ['checker', 'reporting']

/** Wait before the n-th retry (n ≥ 1): 2 s, 4 s, 8 s … at most a minute; a service that is down is
 *  asked again for as long as the page is open. */
export function retryDelay(attempt: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempt - 1))
}

/**
 * Which optional services answer. Their pages appear when they do; a failed health check is retried with
 * backoff (a single lost answer must not hide 通报整改 and the bell for the whole visit) and shown as a
 * degraded notice until the service answers again.
 */
export const useServicesStore = defineStore('services', () => {
  const checker = ref(false)
  const reporting = ref(false)
  const probed = ref(false)
  const attempts = ref<Record<OptionalService, number>>({ checker: 0, reporting: 0 })
  const timers: Partial<Record<OptionalService, ReturnType<typeof setTimeout>>> = {}
  const state = { checker, reporting }

  /** Services that did not answer their last health check. */
  const down = computed(() => (probed.value ? OPTIONAL.filter((s) => !state[s].value) : []))
  const degradedMessage = computed(() =>
    down.value.length
      ? `${down.value.map((s) => SERVICE_LABEL[s]).join('、')}服务暂时无法连接，相关菜单和提醒已暂时隐藏，系统正在自动重试`
      : '',
  )

  async function check(service: OptionalService): Promise<void> {
    clearTimeout(timers[service])
    const ok = await probe(service)
    state[service].value = ok
    if (ok) {
      attempts.value[service] = 0
      return
    }
    attempts.value[service] += 1
    timers[service] = setTimeout(() => void check(service), retryDelay(attempts.value[service]))
  }

  async function refresh(): Promise<void> {
    await Promise.all(OPTIONAL.map(check))
    probed.value = true
  }

  /** Stop the retries (logout, tests). */
  function stop(): void {
    OPTIONAL.forEach((s) => clearTimeout(timers[s]))
  }

  function available(service: Service): boolean {
    return service === 'registry' || (service === 'checker' ? checker.value : reporting.value)
  }

  return { checker, reporting, probed, attempts, down, degradedMessage, refresh, check, stop, available }
})
