import { computed, type Ref } from 'vue'
import { useAuthStore } from '@/stores/auth'
import { useOrgStore } from '@/stores/orgs'

/**
 * The supervising unit must be the host or one of its ancestors. Ancestors above the user's own
 * organisation are not listable by the user, so they are offered by id from the token's org path.
 */
export function useSupervisingChoices(hostId: Ref<number | null>) {
  const auth = useAuthStore()
  const orgs = useOrgStore()

  const extra = computed(() =>
    auth.orgPathIds
      .filter((id) => !orgs.byId.has(id))
      .map((id, i, all) => ({ id, label: i === all.length - 1 ? `上级主管单位（编号 ${id}）` : `上级单位（编号 ${id}）` })),
  )

  /** Default: the host's parent (its supervising tier), else the host itself. */
  function defaultFor(host: number | null): number | null {
    if (host === null) return null
    const org = orgs.byId.get(host)
    if (!org) return host
    return org.kind === 'department' || org.kind === 'township' ? (org.parent_id ?? host) : host
  }

  return { extra, defaultFor: () => defaultFor(hostId.value) }
}
