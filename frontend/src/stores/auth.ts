import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { registry, unwrap } from '@/api/http'
import type { Role, Token } from '@/api/types'
import { roleCan, type Permission } from '@/auth/permissions'

// localStorage, not sessionStorage: a link opened in a new tab (Ctrl+click) shares the login, and a
// logout (or a login as someone else) in one tab reaches the others through the `storage` event.
export const STORAGE_KEY = 'govwatch.auth'
/** Warn this long before the token expires (there is no refresh: the user logs in again). */
export const EXPIRY_WARNING_MS = 5 * 60_000

export interface Session {
  token: string
  expiresAt: number // epoch ms
  role: Role
  orgId: number
  orgPath: string
  name: string
  username: string
  sub: string | null // "user:<id>" from the token's claims
  passwordExpired?: boolean // expired or reset by an administrator: change it before anything else
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
    const raw = localStorage.getItem(STORAGE_KEY)
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
    passwordExpired: !!token.password_expired,
  }
}

/** Which kind of change another tab made to the shared session. */
export type SessionChange = 'logout' | 'login' | 'switch'

export function sessionChange(before: Session | null, after: Session | null): SessionChange | null {
  if (!after) return before ? 'logout' : null
  if (!before) return 'login'
  return before.sub !== after.sub || before.orgId !== after.orgId || before.role !== after.role ? 'switch' : null
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(load())
  const listeners: ((change: SessionChange) => void)[] = []

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
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
    else localStorage.removeItem(STORAGE_KEY)
  }

  /** Another tab logged in, out, or as someone else: follow it (the callbacks move the router). */
  function onOtherTab(listener: (change: SessionChange) => void): void {
    listeners.push(listener)
  }
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event: StorageEvent) => {
      if (event.key !== STORAGE_KEY && event.key !== null) return // null: the other tab cleared the storage
      const before = session.value
      session.value = load()
      const change = sessionChange(before, session.value)
      if (change) listeners.forEach((listener) => listener(change))
    })
  }

  /** Milliseconds until the token expires (negative once it has). */
  function remainingMs(now = Date.now()): number {
    return session.value ? session.value.expiresAt - now : 0
  }

  /** Log in; `captcha` once the API asked for the picture code (after failed attempts). */
  async function login(username: string, password: string, captcha?: { id: string; answer: string }): Promise<Session> {
    const body = { grant_type: 'password', username, password, ...(captcha ? { captcha_id: captcha.id, captcha_answer: captcha.answer } : {}) }
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

  return { session, isAuthenticated, role, token, orgPathIds, can, login, logout, onOtherTab, remainingMs }
})
