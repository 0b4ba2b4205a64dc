import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { STORAGE_KEY, jwtClaims, sessionFromToken, useAuthStore } from '@/stores/auth'
import { roleCan } from '@/auth/permissions'

function fakeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, '')
  return `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`
}

const TOKEN = {
  access_token: fakeJwt({ sub: 'user:9', role: 'supervisor', name: '临渭区政务公开办' }),
  token_type: 'bearer', expires_in: 3600, role: 'supervisor' as const, org_id: 15, org_path: '/1/2/15/', name: '临渭区政务公开办',
}

describe('auth store', () => {
  beforeEach(() => {
    sessionStorage.clear()
    setActivePinia(createPinia())
  })
  afterEach(() => vi.restoreAllMocks())

  it('logs in with the OAuth2 password form and keeps the session in sessionStorage', async () => {
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
    expect(JSON.parse(sessionStorage.getItem(STORAGE_KEY)!).token).toBe(TOKEN.access_token)
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
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull()
  })

  it('restores a live session and drops an expired one', () => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u')))
    expect(useAuthStore().isAuthenticated).toBe(true)
    setActivePinia(createPinia())
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u', Date.now() - 7_200_000)))
    expect(useAuthStore().isAuthenticated).toBe(false)
  })

  it('logout clears the session', () => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(sessionFromToken(TOKEN, 'u')))
    const auth = useAuthStore()
    auth.logout()
    expect(auth.isAuthenticated).toBe(false)
    expect(auth.token).toBeNull()
    expect(sessionStorage.getItem(STORAGE_KEY)).toBeNull()
  })

  it('decodes JWT claims (unicode included)', () => {
    expect(jwtClaims(TOKEN.access_token).name).toBe('临渭区政务公开办')
    expect(jwtClaims('garbage')).toEqual({})
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
