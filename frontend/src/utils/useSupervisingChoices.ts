import { computed, type Ref } from 'vue'
import { useAuthStore } from '@/stores/auth'
import { useOrgStore } from '@/stores/orgs'

/**
 * The supervising unit must be the host or one of its ancestors. Ancestors above the user's own
 * organisation are not listable by the user; they come from the token's org path, named by /auth/me.
 */
export function useSupervisingChoices(hostId: Ref<number | null>) {
  const auth = useAuthStore()
  const orgs = useOrgStore()

  const extra = computed(() =>
    auth.orgPathIds
      .filter((id) => !orgs.byId.has(id))
      .map((id) => ({ id, label: orgs.name(id) })),
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
