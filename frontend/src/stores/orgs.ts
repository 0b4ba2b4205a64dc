import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { registry, unwrap } from '@/api/http'
import type { OrgPublic } from '@/api/types'

export interface OrgNode {
  id: number
  label: string
  kind: OrgPublic['kind']
  children: OrgNode[]
}

/** The organisations the user can see (its subtree), loaded once per session. */
export const useOrgStore = defineStore('orgs', () => {
  const list = ref<OrgPublic[]>([])
  const loaded = ref(false)
  let pending: Promise<void> | null = null

  const byId = computed(() => new Map(list.value.map((o) => [o.id, o])))
  // Names of the user's own chain of units (ancestors are not listable but must be nameable).
  const ancestors = ref(new Map<number, string>())

  const tree = computed<OrgNode[]>(() => buildTree(list.value))

  function name(id: number | null | undefined): string {
    if (id === null || id === undefined) return '—'
    const known = byId.value.get(id)?.name ?? ancestors.value.get(id)
    if (known !== undefined) return known
    // Until the list has loaded an unknown id is not yet a fact: blank rather than a wrong name.
    return loaded.value ? '上级单位' : ''
  }

  async function load(force = false): Promise<void> {
    if (loaded.value && !force) return
    if (pending && !force) return pending
    pending = (async () => {
      const all: OrgPublic[] = []
      for (let offset = 0; ; offset += 500) {
        const page = await unwrap(registry.GET('/api/v1/orgs', { params: { query: { limit: 500, offset } } }))
        all.push(...page.items)
        if (all.length >= page.total || page.items.length === 0) break
      }
      const me = (await unwrap(registry.GET('/api/v1/auth/me'))) as {
        organisations?: { id: number; name: string }[]
      }
      ancestors.value = new Map((me.organisations ?? []).map((o) => [o.id, o.name]))
      list.value = all
      loaded.value = true
    })()
    try {
      await pending
    } finally {
      pending = null
    }
  }

  function reset(): void {
    list.value = []
    loaded.value = false
  }

  /** Only the user's own unit and its ancestors (/auth/me): all one may read before changing an expired password. */
  async function loadOwn(): Promise<void> {
    const me = (await unwrap(registry.GET('/api/v1/auth/me'))) as { organisations?: { id: number; name: string }[] }
    ancestors.value = new Map((me.organisations ?? []).map((o) => [o.id, o.name]))
  }

  return { list, loaded, byId, tree, name, load, loadOwn, reset }
})

const KIND_ORDER = { province: 0, city: 1, county: 2, township: 3, department: 4 } as const

export function buildTree(orgs: OrgPublic[]): OrgNode[] {
  const nodes = new Map<number, OrgNode>()
  for (const o of orgs) nodes.set(o.id, { id: o.id, label: o.name, kind: o.kind, children: [] })
  const roots: OrgNode[] = []
  for (const o of orgs) {
    const node = nodes.get(o.id)!
    const parent = o.parent_id !== null ? nodes.get(o.parent_id) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list: OrgNode[]) => {
    list.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.id - b.id)
    list.forEach((n) => sort(n.children))
  }
  sort(roots)
  return roots
}
