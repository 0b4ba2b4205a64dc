// Each role logs in and sees the menu its role allows.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { USERS, launch, login, menuTexts, shot } from './helpers.mjs'

describe('登录与角色菜单', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('wrong password shows the API message', async () => {
    const page = await browser.newPage()
    await page.goto('/login')
    await shot(page, '00-login')
    await page.locator('input[name="username"]').fill(USERS.supervisor)
    await page.locator('input[name="password"]').fill('wrong-password')
    await page.locator('[data-test="login-submit"]').click()
    const error = page.locator('[data-test="login-error"]')
    await error.waitFor()
    assert.match(await error.innerText(), /用户名或密码错误/)
    await page.close()
  })

  test('unauthenticated visit goes to login and back after it', async () => {
    const page = await browser.newPage()
    await page.goto('/sites')
    await page.waitForURL(/\/login\?redirect=/)
    await page.locator('input[name="username"]').fill(USERS.viewer)
    await page.locator('input[name="password"]').fill(process.env.GOVWATCH_DEMO_PASSWORD ?? 'Govwatch@2024')
    await page.locator('[data-test="login-submit"]').click()
    await page.waitForURL((url) => url.pathname === '/sites')
    await page.close()
  })

  test('admin sees everything including 系统管理', async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    const menu = await menuTexts(page)
    for (const entry of ['首页', '政府网站', '政务新媒体', '备案申请', '批量导入', '操作日志', '组织机构', '用户管理', '接口客户端']) {
      assert.ok(menu.includes(entry), `admin menu lacks ${entry}: ${menu}`)
    }
    await shot(page, '01-dashboard-admin')
    await page.close()
  })

  test('supervisor: approvals, imports, audit; no 系统管理', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    const menu = await menuTexts(page)
    for (const entry of ['首页', '政府网站', '备案申请', '批量导入', '操作日志']) assert.ok(menu.includes(entry), `supervisor lacks ${entry}`)
    for (const entry of ['用户管理', '组织机构']) assert.ok(!menu.includes(entry), `supervisor has ${entry}`)
    await page.locator('[data-test="stat-sites"]').waitFor()
    await shot(page, '02-dashboard-supervisor')
    await page.goto('/admin/users')
    await page.locator('[data-test="forbidden"]').waitFor()
    await page.close()
  })

  test('operator: own inventory and filings; no imports or audit', async () => {
    const page = await browser.newPage()
    await login(page, USERS.operator)
    const menu = await menuTexts(page)
    for (const entry of ['政府网站', '备案申请', '网站开设备案']) assert.ok(menu.includes(entry), `operator lacks ${entry}`)
    for (const entry of ['批量导入', '操作日志', '用户管理']) assert.ok(!menu.includes(entry), `operator has ${entry}`)
    await page.goto('/sites')
    await page.locator('[data-test="sites-table"] .el-table__row').first().waitFor()
    // Column 5 is 主办单位: every site listed belongs to the operator's own unit (named once the units have loaded).
    const hostCells = '[data-test="sites-table"] .el-table__body-wrapper .el-table__row td:nth-child(5)'
    await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((td) => td.textContent.trim() !== ''), hostCells)
    const hosts = await page.locator(hostCells).allInnerTexts()
    assert.deepEqual([...new Set(hosts.map((n) => n.trim()))], ['渭南市民政局'], `operator sees other units' sites: ${hosts}`)
    await shot(page, '03-sites-operator')
    await page.close()
  })

  test('viewer: dashboards and read-only lists', async () => {
    const page = await browser.newPage()
    await login(page, USERS.viewer)
    const menu = await menuTexts(page)
    assert.ok(menu.includes('首页') && menu.includes('政府网站'))
    for (const entry of ['网站开设备案', '批量导入', '操作日志', '用户管理']) assert.ok(!menu.includes(entry), `viewer has ${entry}`)
    await page.goto('/sites')
    await page.locator('[data-test="sites-table"] .el-table__row').first().waitFor()
    assert.equal(await page.getByRole('button', { name: '开设备案' }).count(), 0)
    await page.goto('/sites/1')
    await page.locator('[data-test="site-fields"]').waitFor()
    assert.equal(await page.locator('[data-test="subject-actions"]').count(), 0, 'viewer sees filing buttons')
    await page.goto('/imports')
    await page.locator('[data-test="forbidden"]').waitFor()
    await page.close()
  })

  test('a rejected token (401) sends the user back to login', async () => {
    const page = await browser.newPage()
    await login(page, USERS.viewer)
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('govwatch.auth'))
      session.token = `${session.token.slice(0, -8)}AAAAAAAA` // bad signature, still "unexpired"
      localStorage.setItem('govwatch.auth', JSON.stringify(session))
    })
    await page.goto('/sites')
    await page.waitForURL(/\/login\?.*expired=1/)
    await page.getByText('登录已失效，请重新登录').waitFor()
    await page.close()
  })

  test('logout returns to login and protects pages', async () => {
    const page = await browser.newPage()
    await login(page, USERS.viewer)
    await page.locator('[data-test="user-menu"]').click()
    await page.getByText('退出登录').click()
    await page.waitForURL(/\/login/)
    await page.goto('/accounts')
    await page.waitForURL(/\/login\?redirect=/)
    await page.close()
  })
})
