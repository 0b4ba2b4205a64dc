import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { reporting, unwrap } from '@/api/http'
import type { NotificationPublic } from '@/api/reportingTypes'

/** The bell's state: the unread count and the latest notifications of the user's subtree. */
export const useNotificationStore = defineStore('notifications', () => {
  const unread = ref(0)
  const latest = shallowRef<NotificationPublic[]>([])
  const loaded = ref(false)

  async function refresh(): Promise<void> {
    const page = await unwrap(reporting.GET('/api/v1/notifications', { params: { query: { limit: 8 } } }))
    unread.value = page.unread
    latest.value = page.items
    loaded.value = true
  }

  async function markRead(id: number): Promise<void> {
    const { marked } = await unwrap(reporting.POST('/api/v1/notifications/{notification_id}/read', {
      params: { path: { notification_id: id } },
    }))
    if (marked) {
      unread.value = Math.max(0, unread.value - marked)
      const now = new Date().toISOString()
      latest.value = latest.value.map((n) => (n.id === id ? { ...n, read_at: n.read_at ?? now } : n))
    }
  }

  async function markAll(): Promise<number> {
    const { marked } = await unwrap(reporting.POST('/api/v1/notifications/read-all'))
    unread.value = 0
    const now = new Date().toISOString()
    latest.value = latest.value.map((n) => ({ ...n, read_at: n.read_at ?? now }))
    return marked
  }

  function reset(): void {
    unread.value = 0
    latest.value = []
    loaded.value = false
  }

  return { unread, latest, loaded, refresh, markRead, markAll, reset }
})
