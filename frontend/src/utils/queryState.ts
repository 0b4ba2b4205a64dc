// A list's filters, sort and page kept in the URL query: back (from a detail page) and reload show the
// same list, and a link such as /filings?state=pending opens it filtered.
import { onMounted, watch, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router'

/** How a query value is read: text, a whole number, a yes/no switch, or one of the given values. */
export type FieldType = 'string' | 'number' | 'boolean' | readonly string[]
export type Fields = Record<string, FieldType>
type Filters = Record<string, unknown>

interface Page {
  current: number
  size: number
}

const PAGE_SIZES = [10, 20, 50, 100]

function first(value: LocationQuery[string] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** A query value as the filter holds it; undefined when absent or not valid for the field. */
export function parseField(type: FieldType, raw: string | undefined): string | number | boolean | undefined {
  if (raw === undefined) return undefined
  if (type === 'number') return /^\d{1,10}$/.test(raw) ? Number(raw) : undefined
  if (type === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined
  if (type === 'string') return raw.slice(0, 200)
  return type.includes(raw) ? raw : undefined
}

/** Filters and page as a query (empty values and the defaults left out, so a plain list has a plain URL). */
export function toQuery(fields: Fields, filters: Filters, page: Page, defaultSize: number,
  defaults: Filters = {}): Record<string, string> {
  const query: Record<string, string> = {}
  for (const key of Object.keys(fields)) {
    const value = filters[key]
    if (value === undefined || value === null || value === '' || value === defaults[key]) continue
    query[key] = typeof value === 'string' ? value.trim() : String(value)
    if (!query[key]) delete query[key]
  }
  if (page.current > 1) query.page = String(page.current)
  if (page.size !== defaultSize) query.size = String(page.size)
  return query
}

/** Apply a query to the filters and page: every field is set (one the query lacks goes back to its default). */
export function fromQuery(fields: Fields, query: LocationQuery, filters: Filters, page: Page, defaultSize: number,
  defaults: Filters = {}): void {
  for (const [key, type] of Object.entries(fields)) {
    const value = parseField(type, first(query[key]))
    filters[key] = value === undefined ? defaults[key] : value
  }
  const current = parseField('number', first(query.page)) as number | undefined
  const size = parseField('number', first(query.size)) as number | undefined
  page.current = current && current > 0 ? current : 1
  page.size = size && PAGE_SIZES.includes(size) ? size : defaultSize
}

export function sameQuery(a: LocationQueryRaw | LocationQuery, b: LocationQueryRaw | LocationQuery): boolean {
  const norm = (q: LocationQueryRaw | LocationQuery) =>
    JSON.stringify(Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '').sort(([x], [y]) => x.localeCompare(y)))
  return norm(a) === norm(b)
}

/**
 * Bind a paged list (usePaged) to the URL. Call it after usePaged, instead of `onMounted(load)`: it reads the
 * query into `filters` and `page`, loads once, writes the applied state back to the query (replace, no new
 * history entry) whenever the list loads, and follows a query changed from outside (back/forward, a link).
 */
export function useQueryState(options: {
  fields: Fields
  filters: Filters
  page: Page
  loading: Ref<boolean>
  load: () => Promise<void> | void
}): void {
  const { fields, filters, page, loading, load } = options
  const route = useRoute()
  const router = useRouter()
  const path = route.path
  const defaultSize = page.size
  const defaults: Filters = Object.fromEntries(Object.keys(fields).map((k) => [k, filters[k]])) // as the view sets them up
  const serialise = () => toQuery(fields, filters, page, defaultSize, defaults)
  let written: Record<string, string> = {}

  function apply(query: LocationQuery): boolean {
    const before = { ...page }
    fromQuery(fields, query, filters, page, defaultSize, defaults)
    return before.current !== page.current || before.size !== page.size // usePaged reloads on a page change
  }

  const pageMoved = apply(route.query)
  written = serialise()
  onMounted(() => {
    if (!pageMoved) void load()
  })

  // Each load is of the state as applied (filters searched, page chosen): that state goes to the URL.
  watch(loading, (busy) => {
    if (!busy || route.path !== path) return
    const query = serialise()
    if (sameQuery(query, route.query)) return
    written = query
    void router.replace({ path, query, hash: route.hash })
  })

  // Back/forward or a link to this list with other filters: the view stays mounted (keyed by path).
  watch(() => route.query, (query) => {
    if (route.path !== path || sameQuery(query, written)) return
    const moved = apply(query)
    written = serialise()
    if (!moved) void load()
  })
}
