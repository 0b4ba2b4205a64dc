// Issue 16: the SPA as an office's daily tool — one login across tabs, lists that keep their filters in the
// URL, a visible notice while a service is down, the 验证码 and password expiry, notices for the units they
// name, forms that say what is wrong, and no internal identifiers on screen.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, DEMO_ROUNDS, PASSWORD, RUN, USERS, api, apiToken, expectMessage, healthy, launch, login, menuTexts, settled, shot } from './helpers.mjs'

const reportingUp = await healthy('reporting')
const checkerUp = await healthy('checker')
const NAMED_DEPARTMENT = 'hancheng_czj_operator' // 韩城市财政局: named by the demo's 韩城市 notice

/** A fresh viewer account (its own login counts and password), made by the city's administrator. */
async function freshUser(label) {
  const admin = await apiToken(USERS.admin)
  const me = await api(admin, '/api/v1/auth/me')
  const username = `e2e_${label}_${RUN}`
  const created = await api(admin, '/api/v1/users', {
    method: 'POST',
    body: JSON.stringify({ username, display_name: `测试${label}`, org_id: me.body.org_id, role: 'viewer', password: PASSWORD }),
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  return { admin, username, id: created.body.id }
}

async function typeLogin(page, username, password) {
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('[data-test="login-submit"]').click()
}

/** Visible text of the main area, for checks that no code or internal id reaches the screen. */
const mainText = (page) => page.locator('.el-main').innerText()
const CODE = /\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b|\buser:\d+|\b[a-z]+_[a-z_]+\b/

describe('日常使用', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('a link opened in a new tab stays logged in; a logout reaches every tab', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    const tab = await page.context().newPage() // Ctrl+click: the same browser
    await tab.goto('/filings?state=pending')
    await tab.locator('[data-test="filings-table"]').waitFor()
    assert.match(new URL(tab.url()).pathname, /^\/filings$/)
    await shot(tab, 'i16-01-new-tab-logged-in')
    await page.locator('[data-test="user-menu"]').click()
    await page.getByText('退出登录').click()
    await tab.waitForURL(/\/login/)
    await tab.close()
    await page.close()
  })

  test('the last minutes of a login are announced, with a way to log in again', async () => {
    const page = await browser.newPage()
    await login(page, USERS.viewer)
    await page.evaluate(() => { // as if the hour of the token were nearly over
      const session = JSON.parse(localStorage.getItem('govwatch.auth'))
      session.expiresAt = Date.now() + 4 * 60_000
      localStorage.setItem('govwatch.auth', JSON.stringify(session))
    })
    await page.goto('/sites')
    const warning = page.locator('[data-test="session-expiring"]')
    await warning.waitFor()
    assert.match(await warning.innerText(), /登录将在 4 分钟后失效/)
    await shot(page, 'i16-11-session-expiring')
    await warning.locator('[data-test="relogin"]').click()
    await page.waitForURL(/\/login\?redirect=(%2F|\/)sites/)
    await page.close()
  })

  test('filters and page of a list survive back and reload', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/sites')
    await page.locator('[data-test="sites-table"]').waitFor()
    await page.locator('input[data-test="search"]').fill('局')
    await page.locator('input[data-test="search"]').press('Enter')
    await page.waitForURL(/q=/)
    await settled(page)
    await page.locator('.el-pager li').filter({ hasText: /^2$/ }).click()
    await page.waitForURL(/page=2/)
    await settled(page)
    const firstOnPage2 = (await page.locator('[data-test="sites-table"] .el-table__row a').first().innerText()).trim()
    await page.locator('[data-test="sites-table"] .el-table__row a').first().click()
    await page.waitForURL(/\/sites\/\d+$/)
    await page.goBack()
    await page.waitForURL(/\/sites\?.*page=2/)
    await settled(page)
    assert.equal(await page.locator('input[data-test="search"]').inputValue(), '局')
    assert.equal((await page.locator('.el-pager li.is-active').innerText()).trim(), '2')
    assert.equal((await page.locator('[data-test="sites-table"] .el-table__row a').first().innerText()).trim(), firstOnPage2)
    await page.reload()
    await page.locator('[data-test="sites-table"] .el-table__row').first().waitFor()
    await settled(page)
    assert.equal(await page.locator('input[data-test="search"]').inputValue(), '局')
    assert.equal((await page.locator('.el-pager li.is-active').innerText()).trim(), '2')
    await shot(page, 'i16-02-list-state-after-reload')
    await page.close()
  })

  test('a failed health check shows a notice and the menus come back on retry', { skip: reportingUp ? false : 'reporting API not available' }, async () => {
    const page = await browser.newPage()
    let refused = 0
    await page.route('**/api/reporting/healthz', (route) => (refused++ < 2 ? route.abort('connectionrefused') : route.continue()))
    await login(page, USERS.supervisor)
    const notice = page.locator('[data-test="services-degraded"]')
    await notice.waitFor()
    assert.match(await notice.innerText(), /通报整改服务暂时无法连接/)
    assert.ok(!(await menuTexts(page, { when: 'probed' })).includes('通报'))
    await shot(page, 'i16-03-service-degraded')
    await page.locator('.el-aside').getByText('通报', { exact: true }).waitFor({ timeout: 20_000 }) // 2 s, then 4 s
    await notice.waitFor({ state: 'detached' })
    await page.close()
  })

  test('a department opens and downloads the 通报 that names it', { skip: reportingUp ? false : 'reporting API not available', timeout: 240_000 }, async (t) => {
    // The demo's 韩城市 notice is issued in the background by ./infra/up (the reporting demo); the stack of
    // ./infra/test loads the registry demo only, so there it is absent and this walk is skipped (the access
    // rule itself is tested in tests/reporting/test_notices.py).
    const office = await apiToken(USERS.neighbourSupervisor)
    const deadline = Date.now() + (DEMO_ROUNDS ? 20_000 : 0) // looked for once where it cannot come
    let issued = null
    for (;;) {
      const list = await (await fetch(`${BASE_URL}/api/reporting/api/v1/notices?limit=50`, { headers: { Authorization: `Bearer ${office}` } })).json()
      issued = (list.items ?? []).find((n) => n.version > 0) ?? null
      if (issued || Date.now() >= deadline) break
      await new Promise((r) => setTimeout(r, 3000))
    }
    if (!issued) {
      t.skip('no issued demo notice in this stack (./infra/up issues one)')
      return
    }
    const page = await browser.newPage()
    await login(page, NAMED_DEPARTMENT)
    assert.ok((await menuTexts(page)).includes('通报'))
    await page.goto('/notices')
    const row = page.locator('[data-test="notices-table"] .el-table__row').filter({ hasText: issued.title || '通报' }).first()
    await row.waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('[data-test="notice-download"]').click()])
    assert.match(download.suggestedFilename(), /\.docx$/)
    await shot(page, 'i16-04-department-notices')
    await row.locator('a').first().click()
    await page.waitForURL(/\/notices\/\d+$/)
    await page.locator('[data-test="notice-preview"]').waitFor()
    assert.equal(await page.locator('[data-test="notice-edit"]').count(), 0, 'a named unit cannot edit')
    await shot(page, 'i16-05-department-notice-detail')
    await page.close()
  })

  test('after failed logins the 验证码 is asked; a reset password is changed first', async () => {
    const { username } = await freshUser('captcha')
    const page = await browser.newPage()
    await page.goto('/login')
    for (let i = 0; i < 3; i++) {
      await typeLogin(page, username, 'wrong-password')
      await page.locator('[data-test="login-error"]').waitFor()
    }
    await page.locator('[data-test="captcha-image"]').waitFor()
    assert.match(await page.locator('[data-test="login-error"]').innerText(), /用户名或密码错误/)
    assert.doesNotMatch(await page.locator('.panel').innerText(), /[a-z]{4,}/, 'no English on the login page')
    await page.locator('input[name="captcha"]').fill('0000') // never a code: 0 is not in the alphabet
    await page.locator('[data-test="login-submit"]').click()
    await page.locator('[data-test="login-error"]').filter({ hasText: '验证码错误' }).waitFor()
    await shot(page, 'i16-06-login-captcha')
    await page.locator('input[name="password"]').fill('')
    assert.equal(await page.locator('[data-test="login-error"]').count(), 0, 'the error goes when the user types again')

    // An administrator resets another user's password: the first thing after login is choosing a new one.
    const other = await freshUser('reset')
    const reset = await api(other.admin, `/api/v1/users/${other.id}/password`, { method: 'POST', body: JSON.stringify({ new_password: 'Temporary#2026' }) })
    assert.equal(reset.status, 204)
    const second = await browser.newPage()
    await second.goto('/login')
    await typeLogin(second, other.username, 'Temporary#2026')
    await second.waitForURL(/\/account\/password/)
    await second.locator('[data-test="password-expired"]').waitFor()
    await second.goto('/sites')
    await second.waitForURL(/\/account\/password/) // nothing else until it is changed
    await shot(second, 'i16-07-password-must-change')
    const inputs = second.locator('.box input[type="password"]')
    await inputs.nth(0).fill('Temporary#2026')
    await inputs.nth(1).fill('Chosen#Mine2026')
    await inputs.nth(2).fill('Chosen#Mine2026')
    await second.getByRole('button', { name: '保存' }).click()
    await second.waitForURL(/\/login/)
    await login(second, other.username, 'Chosen#Mine2026')
    assert.doesNotMatch(second.url(), /password/)
    await second.close()
    await page.close()
  })

  test('forms say the maximum length and refuse markup', async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/orgs')
    await page.locator('[data-test="org-tree"] .el-tree-node__content').first().click()
    await page.locator('[data-test="org-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '新建下级单位' })
    await dialog.locator('input[name="org_name"]').fill('长'.repeat(300))
    await dialog.getByRole('button', { name: '保存' }).click()
    await expectMessage(page, /单位名称不能超过100个字（当前300个字）/)
    await shot(page, 'i16-08-name-too-long')
    await dialog.locator('input[name="org_name"]').fill('<script>alert(1)</script>办公室')
    await dialog.getByRole('button', { name: '保存' }).click()
    await expectMessage(page, /不能包含 < 或 > 等标记字符/)
    // The API refuses it too, in Chinese.
    const token = await apiToken(USERS.admin)
    const refused = await api(token, '/api/v1/orgs', { method: 'POST', body: JSON.stringify({ name: '<b>单位</b>', kind: 'department', parent_id: (await api(token, '/api/v1/auth/me')).body.org_id }) })
    assert.equal(refused.status, 422)
    assert.match(refused.body.detail.errors[0].message, /标记字符/)
    await page.close()
  })

  test('the audit log and the organisation page show no codes or internal ids', async () => {
    // A password reset records no before/after state: the log must still name the user.
    const token = await apiToken(USERS.admin)
    const me = (await api(token, '/api/v1/auth/me')).body
    const created = await api(token, '/api/v1/users', { method: 'POST', body: JSON.stringify({
      username: `e2e_audit_${RUN}`, display_name: '日志测试用户', org_id: me.org_id, role: 'viewer', password: 'Harden#Test2024' }) })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const reset = await api(token, `/api/v1/users/${created.body.id}/password`, { method: 'POST', body: JSON.stringify({ new_password: 'Temporary#2024' }) })
    assert.equal(reset.status, 204)
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/audit')
    await page.locator('[data-test="audit-table"] .el-table__row').first().waitFor()
    await settled(page)
    const text = await page.locator('[data-test="audit-table"]').innerText()
    assert.doesNotMatch(text, CODE, 'audit rows show codes')
    assert.doesNotMatch(text, /#\d/, 'audit rows show internal ids') // a reset password, an upload: named too
    assert.match(text, /重置密码\s+用户 日志测试用户/)
    assert.doesNotMatch(await page.locator('.toolbar').innerHTML(), /user:3/)
    await shot(page, 'i16-09-audit-in-chinese')
    await page.goto('/admin/orgs')
    await page.locator('[data-test="org-tree"] .el-tree-node__content').first().click()
    const info = await mainText(page)
    assert.doesNotMatch(info, /\/\d+\//, 'the internal path is not shown')
    assert.match(info, /隶属关系/)
    await page.close()
  })

  test('a failing result names the 单项否决 that decided it', { skip: checkerUp ? false : 'checker API not available', timeout: 240_000 }, async (t) => {
    // Reads a completed inspection of the demo (./infra/up runs one); the stack of ./infra/test has none at this
    // point, so there the walk is skipped (vetoes in results: tests/checker/api, the SPA's unit tests).
    const token = await apiToken(USERS.neighbourSupervisor)
    const get = async (path) => (await fetch(`${BASE_URL}/api/checker${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()
    const deadline = Date.now() + (DEMO_ROUNDS ? 20_000 : 0) // looked for once where it cannot come
    let found = null
    for (;;) {
      for (const ins of (await get('/api/v1/inspections?state=completed&limit=20')).items ?? []) {
        const results = await get(`/api/v1/inspections/${ins.id}/results?verdict=fail&limit=100`)
        const vetoed = (results.items ?? []).find((r) => r.vetoes?.length)
        if (vetoed) { found = { ins, vetoed }; break }
      }
      if (found || Date.now() >= deadline) break
      await new Promise((r) => setTimeout(r, 5000))
    }
    if (!found) {
      t.skip('no completed demo inspection with a vetoed result in this stack (./infra/up runs one)')
      return
    }
    const page = await browser.newPage()
    await login(page, USERS.neighbourSupervisor)
    await page.goto(`/inspections/${found.ins.id}?verdict=fail`)
    const row = page.locator('[data-test="results-table"] .el-table__row').filter({ hasText: found.vetoed.name }).first()
    await row.waitFor()
    assert.match(await row.innerText(), /单项否决：/)
    await row.locator('[data-test="veto-reason"]').waitFor()
    assert.equal(await page.locator('.el-select').filter({ hasText: '不合格' }).count() > 0, true, 'the verdict filter came from the URL')
    await shot(page, 'i16-10-veto-shown')
    await page.close()
  })
})
