import { defineStore } from 'pinia'
import { ref } from 'vue'
import { probe, type Service } from '@/api/http'

/** Which optional services answer. Pages of the checker and reporting appear only when they do. */
export const useServicesStore = defineStore('services', () => {
  const checker = ref(false)
  const reporting = ref(false)
  const probed = ref(false)

  async function refresh(): Promise<void> {
    const [c, r] = await Promise.all([probe('checker'), probe('reporting')])
    checker.value = c
    reporting.value = r
    probed.value = true
  }

  function available(service: Service): boolean {
    return service === 'registry' || (service === 'checker' ? checker.value : reporting.value)
  }

  return { checker, reporting, probed, refresh, available }
})
