import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { EXPIRY_WARNING_MS, STORAGE_KEY, jwtClaims, sessionChange, sessionFromToken, useAuthStore } from '@/stores/auth'
import { roleCan } from '@/auth/permissions'

function fakeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '')
  return `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`
}

const TOKEN = {
  access_token: fakeJwt({ sub: 'user:9', role: 'supervisor', name: '临渭区政务公开办' }),
  token_type: 'bearer', expires_in: 3600, role: 'supervisor' as const, org_id: 15, org_path: '/1/2/15/', name: '临渭区政务公开办', password_expired: false,
}

describe('auth store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.restoreAllMocks())

  it('logs in with the OAuth2 password form and keeps the session in localStorage (shared by the tabs)', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify(TOKEN), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    )
    const auth = useAuthStore()
    await auth.login('linwei_supervisor', 'secret')
    const request = fetchMock.mock.calls[0]![0] as Request
    expect(new URL(request.url).pathname).toBe('/api/registry/api/v1/auth/token')
    expect(request.method).toBe('POST')
    expect(request.headers.get('Content-Type')).toContain('application/x-www-form-urlencoded')
    const body = new URLSearchParams(await request.text())
    expect(body.get('grant_type')).toBe('password')
    expect(body.get('username')).toBe('linwei_supervisor')
    expect(auth.isAuthenticated).toBe(true)
    expect(auth.role).toBe('supervisor')
    expect(auth.orgPathIds).toEqual([1, 2, 15])
    expect(auth.session?.sub).toBe('user:9')
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!).token).toBe(TOKEN.access_token)
    expect(auth.can('filings.decide')).toBe(true)
    expect(auth.can('admin')).toBe(false)
  })

  it('surfaces the API message on wrong credentials and stays logged out', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(
      JSON.stringify({ detail: { code: 'invalid_credentials', message: '用户名或密码错误，或账号已停用 (invalid credentials)', field: null } }),
      { status: 401, headers: { 'Content-Type': 'application/json' } },
    ))
    const auth = useAuthStore()
    await expect(auth.login('x', 'y')).rejects.toThrow(/用户名或密码错误/)
    expect(auth.isAuthenticated).toBe(false)
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull()
  })

  it('restores a live session and drops an expired one', () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u')))
    expect(useAuthStore().isAuthenticated).toBe(true)
    setActivePinia(createPinia())
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u', Date.now() - 7_200_000)))
    expect(useAuthStore().isAuthenticated).toBe(false)
  })

  it('logout clears the session', () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u')))
    const auth = useAuthStore()
    auth.logout()
    expect(auth.isAuthenticated).toBe(false)
    expect(auth.token).toBeNull()
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull()
  })

  it('decodes JWT claims (unicode included)', () => {
    expect(jwtClaims(TOKEN.access_token).name).toBe('临渭区政务公开办')
    expect(jwtClaims('garbage')).toEqual({})
  })
})

describe('one login for every tab', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  /** What the browser does in the other tabs when one tab writes the shared storage. */
  function fromOtherTab(value: string | null): void {
    if (value === null) localStorage.removeItem(STORAGE_KEY)
    else localStorage.setItem(STORAGE_KEY, value)
    window.dispatchEvent(new StorageEvent('storage', { key: STORAGE_KEY, newValue: value }))
  }

  it('a new tab (a link opened with Ctrl+click) starts logged in', () => {
    useAuthStore().logout()
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'linwei_supervisor')))
    setActivePinia(createPinia()) // the new tab's own app
    const tab = useAuthStore()
    expect(tab.isAuthenticated).toBe(true)
    expect(tab.session?.username).toBe('linwei_supervisor')
  })

  it('a logout in another tab logs this one out; a login there logs this one in', () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u')))
    const auth = useAuthStore()
    const seen: string[] = []
    auth.onOtherTab((change) => seen.push(change))
    fromOtherTab(null)
    expect(auth.isAuthenticated).toBe(false)
    expect(auth.token).toBeNull()
    fromOtherTab(JSON.stringify(sessionFromToken(TOKEN, 'u')))
    expect(auth.isAuthenticated).toBe(true)
    const other = { ...TOKEN, access_token: fakeJwt({ sub: 'user:3', role: 'viewer' }), role: 'viewer' as const }
    fromOtherTab(JSON.stringify(sessionFromToken(other, 'weinan_viewer')))
    expect(auth.role).toBe('viewer')
    expect(seen).toEqual(['logout', 'login', 'switch'])
    window.dispatchEvent(new StorageEvent('storage', { key: 'something.else', newValue: 'x' }))
    expect(seen).toHaveLength(3)
  })

  it('tells a change of user from the same user logging in again', () => {
    const a = sessionFromToken(TOKEN, 'u')
    expect(sessionChange(a, { ...a, token: 'renewed', expiresAt: a.expiresAt + 1 })).toBeNull()
    expect(sessionChange(a, { ...a, sub: 'user:10' })).toBe('switch')
    expect(sessionChange(null, null)).toBeNull()
  })

  it('keeps that the password must be changed first (expired, or reset by an administrator)', () => {
    expect(sessionFromToken(TOKEN, 'u').passwordExpired).toBe(false)
    expect(sessionFromToken({ ...TOKEN, password_expired: true }, 'u').passwordExpired).toBe(true)
  })

  it('sends the picture code when the API asked for one', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify(TOKEN), { status: 200, headers: { 'Content-Type': 'application/json' } }),
    )
    await useAuthStore().login('u', 'p', { id: 'abc', answer: 'K7PQ' })
    const body = new URLSearchParams(await (fetchMock.mock.calls[0]![0] as Request).text())
    expect([body.get('captcha_id'), body.get('captcha_answer')]).toEqual(['abc', 'K7PQ'])
  })

  it('knows how long the session has left, for the expiry warning', () => {
    const auth = useAuthStore()
    localStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken({ ...TOKEN, expires_in: 240 }, 'u')))
    setActivePinia(createPinia())
    const soon = useAuthStore()
    expect(soon.remainingMs()).toBeLessThanOrEqual(EXPIRY_WARNING_MS)
    expect(soon.remainingMs()).toBeGreaterThan(200_000)
    expect(auth.remainingMs(Date.now())).toBe(0)
  })
})

describe('role permissions', () => {
  it('matches the brief', () => {
    expect(roleCan('admin', 'admin')).toBe(true)
    expect(roleCan('supervisor', 'imports')).toBe(true)
    expect(roleCan('supervisor', 'admin')).toBe(false)
    expect(roleCan('operator', 'inventory.write')).toBe(true)
    expect(roleCan('operator', 'filings.decide')).toBe(false)
    expect(roleCan('operator', 'rectification.work')).toBe(true)
    expect(roleCan('viewer', 'inventory.read')).toBe(true)
    expect(roleCan('viewer', 'inventory.write')).toBe(false)
    expect(roleCan(null, 'dashboard')).toBe(false)
  })
})
