// Server-side sorting of a list table: Element Plus's sort-change (prop + ascending/descending) as the API's
// `sort` parameter (`name`, `-name`), and back, for the URL (kept with the filters and page) and the table's
// default-sort. Only a list's own columns are offered; the API refuses any other key.

export type SortOrder = 'ascending' | 'descending' | null

/** `sort` for a column and order; undefined when sorting is cleared (the list's default order). */
export function toSortParam(prop: string | undefined, order: SortOrder, allowed: readonly string[]): string | undefined {
  if (!prop || !order || !allowed.includes(prop)) return undefined
  return order === 'descending' ? `-${prop}` : prop
}

/** The table's default-sort for a `sort` parameter; undefined for none or a key the list does not offer. */
export function fromSortParam(sort: string | undefined | null, allowed: readonly string[]):
  { prop: string; order: 'ascending' | 'descending' } | undefined {
  if (!sort) return undefined
  const prop = sort.replace(/^-/, '')
  if (!allowed.includes(prop)) return undefined
  return { prop, order: sort.startsWith('-') ? 'descending' : 'ascending' }
}

/** The `sort` values a list accepts in its URL (both directions of each column), for useQueryState's fields. */
export function sortValues(allowed: readonly string[]): string[] {
  return allowed.flatMap((p) => [p, `-${p}`])
}

/** Bind a table's sort to a list's `filters.sort` (kept in the URL by useQueryState): the header shows the
 *  sort of the URL, and a click sorts on the server from page one. */
export function useTableSort(filters: { sort?: string }, allowed: readonly string[], search: () => void) {
  return {
    defaultSort: fromSortParam(filters.sort, allowed),
    onSortChange({ prop, order }: { prop?: string; order: SortOrder }): void {
      filters.sort = toSortParam(prop, order, allowed)
      search()
    },
  }
}
