import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { registry, unwrap } from '@/api/http'
import type { Role, Token } from '@/api/types'
import { roleCan, type Permission } from '@/auth/permissions'

export const STORAGE_KEY = 'govwatch.auth'

export interface Session {
  token: string
  expiresAt: number // epoch ms
  role: Role
  orgId: number
  orgPath: string
  name: string
  username: string
  sub: string | null // "user:<id>" from the token's claims
}

/** The claims of a JWT (unverified; the API verifies). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1] ?? ''
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))
    return JSON.parse(json) as Record<string, unknown>
  } catch {
    return {}
  }
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    return session.token && session.expiresAt > Date.now() ? session : null
  } catch {
    return null
  }
}

export function sessionFromToken(token: Token, username: string, now = Date.now()): Session {
  return {
    token: token.access_token,
    expiresAt: now + token.expires_in * 1000,
    role: token.role,
    orgId: token.org_id,
    orgPath: token.org_path,
    name: token.name,
    username,
    sub: typeof jwtClaims(token.access_token).sub === 'string' ? (jwtClaims(token.access_token).sub as string) : null,
  }
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(load())

  const isAuthenticated = computed(() => !!session.value && session.value.expiresAt > Date.now())
  const role = computed<Role | null>(() => session.value?.role ?? null)
  const token = computed(() => (isAuthenticated.value ? session.value!.token : null))
  /** Ancestor ids of the user's organisation from its path "/1/2/15/" (root first, own org last). */
  const orgPathIds = computed(() =>
    (session.value?.orgPath ?? '').split('/').filter(Boolean).map(Number),
  )

  function can(permission: Permission): boolean {
    return isAuthenticated.value && roleCan(role.value, permission)
  }

  function set(next: Session | null): void {
    session.value = next
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next))
    else sessionStorage.removeItem(STORAGE_KEY)
  }

  async function login(username: string, password: string): Promise<Session> {
    const body = { grant_type: 'password', username, password }
    const data = await unwrap(
      registry.POST('/api/v1/auth/token', {
        body,
        bodySerializer: (b) => new URLSearchParams(b as Record<string, string>),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    )
    const next = sessionFromToken(data, username)
    set(next)
    return next
  }

  function logout(): void {
    set(null)
  }

  return { session, isAuthenticated, role, token, orgPathIds, can, login, logout }
})
