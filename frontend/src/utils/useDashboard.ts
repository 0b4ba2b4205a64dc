// The dashboard's figures (reporting /api/v1/dashboard/overview) for the user's own organisation, with an
// optional periodic refresh (the 大屏 refreshes every minute); errors are kept here as Chinese text.
import { onBeforeUnmount, onMounted, ref, shallowRef } from 'vue'
import { authFetch } from '@/api/http'
import { errorMessage } from '@/api/errors'
import type { DashboardOverview } from '@/api/reportingTypes'

export function useDashboard(refreshMs = 0) {
  const overview = shallowRef<DashboardOverview | null>(null)
  const loading = ref(true)
  const error = ref('')
  const loadedAt = ref<Date | null>(null)
  let timer: ReturnType<typeof setInterval> | undefined

  async function load(): Promise<void> {
    try {
      overview.value = (await (await authFetch('reporting', '/api/v1/dashboard/overview')).json()) as DashboardOverview
      loadedAt.value = new Date()
      error.value = ''
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
  }
  onMounted(() => {
    void load()
    if (refreshMs > 0) timer = setInterval(() => void load(), refreshMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return { overview, loading, error, loadedAt, load }
}
