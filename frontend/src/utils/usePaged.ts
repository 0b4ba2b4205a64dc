import { reactive, ref, shallowRef, watch } from 'vue'
import { showError } from '@/api/http'

export interface PageResult<T> {
  items: T[]
  total: number
  /** The registry's site and account lists (count=estimate): past 1,000 rows the total is an estimate. */
  total_estimated?: boolean
}

/** A paged list: page/size state, loading flag, reload on page change, errors shown. */
export function usePaged<T>(fetch: (limit: number, offset: number) => Promise<PageResult<T>>, size = 20) {
  const items = shallowRef<T[]>([])
  const total = ref(0)
  const estimated = ref(false)
  const loading = ref(false)
  const page = reactive({ current: 1, size })

  async function load(): Promise<void> {
    loading.value = true
    try {
      const result = await fetch(page.size, (page.current - 1) * page.size)
      items.value = result.items
      total.value = result.total
      estimated.value = result.total_estimated ?? false
    } catch (err) {
      showError(err)
    } finally {
      loading.value = false
    }
  }

  /** Back to the first page and load (after a filter change). */
  function search(): Promise<void> {
    if (page.current !== 1) {
      page.current = 1 // the watcher loads
      return Promise.resolve()
    }
    return load()
  }

  watch(() => [page.current, page.size], () => void load())

  return { items, total, estimated, loading, page, load, search }
}
