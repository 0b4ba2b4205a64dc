// Shared setup of the browser tests: Debian Chromium driven by playwright-core (no browser download).
//   GOVWATCH_E2E_URL         base URL of the SPA with its API proxy (default http://127.0.0.1:8000, the dev runner's front door)
//   GOVWATCH_DEMO_PASSWORD   password of the demo users (default Govwatch@2024)
//   GOVWATCH_CHROMIUM        browser binary (default /usr/bin/chromium)
//   GOVWATCH_E2E_ARTIFACTS   where screenshots and downloads go (default <repo>/artifacts)
//   GOVWATCH_E2E_DEMO        `registry` when the stack holds the registry demo only (./infra/test): no demo
//                            inspection or notice will appear there, so the walks that read one do not wait for it
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

// playwright-core is a dev dependency of frontend/; resolve it from there.
const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..', '..')
const require = createRequire(join(root, 'frontend', 'package.json'))
const { chromium } = require('playwright-core')

/** Whether ./infra/up's demo inspections and notices can appear in this stack (they come in the background). */
export const DEMO_ROUNDS = process.env.GOVWATCH_E2E_DEMO !== 'registry'
export const BASE_URL = (process.env.GOVWATCH_E2E_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '')
export const PASSWORD = process.env.GOVWATCH_DEMO_PASSWORD ?? 'Govwatch@2024'
export const ARTIFACTS = resolve(process.env.GOVWATCH_E2E_ARTIFACTS ?? join(root, 'artifacts'))
export const SCREENSHOTS = join(ARTIFACTS, 'screenshots')
export const DOWNLOADS = join(ARTIFACTS, 'downloads')
export const USERS = {
  admin: process.env.GOVWATCH_E2E_ADMIN ?? 'weinan_admin',
  supervisor: process.env.GOVWATCH_E2E_SUPERVISOR ?? 'weinan_supervisor',
  countySupervisor: process.env.GOVWATCH_E2E_COUNTY_SUPERVISOR ?? 'linwei_supervisor', // 临渭区
  neighbourSupervisor: process.env.GOVWATCH_E2E_NEIGHBOUR_SUPERVISOR ?? 'hancheng_supervisor', // 韩城市
  operator: process.env.GOVWATCH_E2E_OPERATOR ?? 'minzheng_operator', // 渭南市民政局
  viewer: process.env.GOVWATCH_E2E_VIEWER ?? 'weinan_viewer',
}

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

mkdirSync(SCREENSHOTS, { recursive: true })
mkdirSync(DOWNLOADS, { recursive: true })

const CONTEXT = {
  baseURL: BASE_URL,
  viewport: { width: 1440, height: 900 },
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  acceptDownloads: true,
}

/**
 * A fresh Chromium. Each `newPage()` is a browser profile of its own (its own storage): the SPA shares one
 * login across the tabs of a browser, so two people in one test are two browsers, as in an office.
 * `page.context().newPage()` opens another tab of the same person.
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.GOVWATCH_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  })
  const watch = (page) => page.on('pageerror', (err) => console.error(`[pageerror] ${err.message}`))
  return {
    browser,
    async newPage() {
      const context = await browser.newContext(CONTEXT)
      context.setDefaultTimeout(15_000)
      context.on('page', watch)
      const page = await context.newPage()
      page.on('close', () => void context.close().catch(() => undefined))
      return page
    },
    async close() {
      await browser.close()
    },
  }
}

/** Log in through the login page (each page from `newPage()` is its own browser, so it logs in on its own). */
export async function login(page, username, password = PASSWORD) {
  await page.goto('/login')
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('[data-test="login-submit"]').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.locator('[data-test="user-menu"]').waitFor()
}

/** Wait until no Element Plus loading mask is visible. */
export async function settled(page) {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'), null, { timeout: 15_000 }).catch(() => undefined)
}

export async function shot(page, name) {
  await settled(page)
  // Charts animate in; pages without one need no wait (some 280 screenshots a run: a minute of the CI budget).
  if (await page.locator('canvas').count()) await page.waitForTimeout(300)
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** The side menu's entries (leaf items) once the health checks that decide the optional menus have answered: by default
 *  with every service up (`ready`, as the SPA shows it after a retry when one answer was lost under load);
 *  `{ when: 'probed' }` takes whatever the first answers gave (tests of a service that is down). */
export async function menuTexts(page, { when = 'ready' } = {}) {
  await page.locator(when === 'ready' ? '.el-aside[data-services="ready"]' : '.el-aside:not([data-services="probing"])').waitFor()
  return (await page.locator('.el-aside .el-menu-item').allInnerTexts()).map((t) => t.trim())
}

/** Wait for an Element Plus message toast whose text matches; returns its text. */
export async function expectMessage(page, pattern) {
  const message = page.locator('.el-message').filter({ hasText: pattern }).first()
  await message.waitFor()
  return (await message.innerText()).trim()
}

/** Call the API with a user's token (for setting up or checking data). */
export async function apiToken(username, password = PASSWORD) {
  const response = await fetch(`${BASE_URL}/api/registry/api/v1/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  })
  if (!response.ok) throw new Error(`login ${username}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()).access_token
}

export async function api(token, path, init = {}) {
  const response = await fetch(`${BASE_URL}/api/registry${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.body && typeof init.body === 'string' ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  })
  const text = await response.text()
  let body = null
  try { body = JSON.parse(text) } catch { body = text }
  return { status: response.status, body }
}

/** Whether a service answers its health check behind the proxy (suites skip when it does not). */
export async function healthy(service) {
  try {
    const response = await fetch(`${BASE_URL}/api/${service}/healthz`, { signal: AbortSignal.timeout(3000) })
    return response.ok && (await response.json()).status === 'ok'
  } catch {
    return false
  }
}

/** JSON call to the checker API with a user's token; throws on an error status. */
export async function checkerApi(token, path, init = {}) {
  const response = await fetch(`${BASE_URL}/api/checker${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
  })
  if (!response.ok) throw new Error(`checker ${path}: HTTP ${response.status} ${await response.text()}`)
  return response.json()
}

/** A minimal valid PNG (1×1) — evidence files are typed by content, not by name. */
export function pngBytes() {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  )
}

/** A unique suffix for names created by a test run. */
export const RUN = Date.now().toString(36).slice(-6)

// What a user may legitimately read in Latin letters: addresses, file names, filing numbers and a few
// words offices use as they are. Everything else in Latin script is an identifier, a code or English text.
const ALLOWED_TEXT = [
  /\bhttps?:\/\/\S+/g, // addresses
  /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, // e-mail addresses
  /\b(?:[a-z0-9-]+\.)+(?:cn|com|net|org|gov|edu|test|local|localhost)(?::\d+)?(?:\/\S*)?/gi, // domains
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:\/\S*)?/g, // IP addresses of the farm
  /[^\s"'“”（）()、，/]*\.(?:pdf|docx?|xlsx?|csv|png|jpe?g|gif|zip|txt|ofd|wps)\b/gi, // file names and types
  /\b(?:gh_[0-9a-z]+|wx[0-9a-f]{16})\b/gi, // WeChat original ids (公众号原始ID), shown as the platform does
  /\bsha256:[0-9a-f]+/gi,
  /\b\d{4}\.\d{1,2}\.\d{1,2}(?:\+[0-9a-f]+)?/g, // versions of the word lists (2026.12.06+1f7f9233)
  /\b(?:ICP|PDF|Excel|Word|URL|IP|ID|HTTPS?|DOCX|XLSX|CSV|API|APP|App|RSS|QR|IPv6|DNS|SSL|TLS|CA|WPS|OFD|JSON|ZIP)\b/g,
]

// What must never reach a user's screen.
const INTERNAL_TEXT = [
  { why: '内部编号', re: /\b(?:user|org|site|account|inspection|notice|task|filing):\d+/ },
  { why: '代码（下划线）', re: /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/ },
  { why: '代码（点分动作）', re: /\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b/ },
  { why: '异常名', re: /\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\bTraceback\b/ },
  { why: 'JSON', re: /[{[]\s*"[^"\n]*"\s*:|\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]/ },
  { why: '英文', re: /\b[A-Za-z][a-z]+(?:[\s,:;'-]+[A-Za-z][a-z]+){1,}\b/ }, // two English words in a row
  { why: '英文', re: /\b[a-z]{3,}\b/ }, // a lowercase English word or code
]

/**
 * Visible texts on the page (main area, dialogs, drawers, messages, the menu and header) that look like an
 * internal identifier, a code or English text. `allow` adds patterns a page may show (e.g. login names on
 * the users page). Returns the offending snippets with what they look like, for a test to assert empty.
 */
export async function internalTexts(page, { allow = [] } = {}) {
  const text = await page.evaluate(() => document.body.innerText)
  const found = []
  for (const line of text.split('\n')) {
    let rest = line
    for (const re of [...ALLOWED_TEXT, ...allow]) rest = rest.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'), ' ')
    for (const { why, re } of INTERNAL_TEXT) {
      const match = rest.match(re)
      if (match) { found.push(`${why}: “${match[0]}” in “${line.trim().slice(0, 120)}”`); break }
    }
  }
  return [...new Set(found)]
}

/** Fail when the page shows an internal identifier, a code or English text (see internalTexts). */
export async function assertNoInternalText(page, options = {}) {
  const found = await internalTexts(page, options)
  if (found.length) throw new Error(`${new URL(page.url()).pathname}: ${found.join('; ')}`)
}
