// Inventory lists, filters, export, detail pages, and the scope rule seen from the browser.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DOWNLOADS, USERS, api, apiToken, launch, login, settled, shot } from './helpers.mjs'

describe('资源台账', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('site list: search, filters, pagination total, detail', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/sites')
    const rows = page.locator('[data-test="sites-table"] .el-table__body-wrapper .el-table__row')
    await rows.first().waitFor()
    const totalText = await page.locator('.el-pagination__total').innerText()
    assert.match(totalText, /共\s*\d+\s*条/)
    await shot(page, '10-sites-list')

    await page.locator('input[data-test="search"]').fill('韩城')
    await page.locator('input[data-test="search"]').press('Enter')
    await settled(page)
    const names = await page.locator('[data-test="sites-table"] .el-table__row td:first-child').allInnerTexts()
    assert.ok(names.length > 0 && names.every((n) => n.includes('韩城')), `search result: ${names}`)

    await rows.first().locator('a').click()
    await page.locator('[data-test="site-fields"]').waitFor()
    await page.locator('[data-test="subject-actions"]').waitFor()
    assert.ok(await page.locator('[data-test="action-rename"]').count() === 1, 'active site offers 更名')
    await shot(page, '11-site-detail')
    await page.close()
  })

  test('export xlsx and csv download files', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/sites')
    await page.locator('[data-test="sites-table"] .el-table__row').first().waitFor()
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="export-xlsx"]').click()])
    assert.match(xlsx.suggestedFilename(), /^政府网站-\d+\.xlsx$/)
    const xlsxPath = join(DOWNLOADS, xlsx.suggestedFilename())
    await xlsx.saveAs(xlsxPath)
    assert.equal(readFileSync(xlsxPath).subarray(0, 2).toString(), 'PK', 'xlsx is a zip')

    await page.goto('/accounts')
    await page.locator('[data-test="accounts-table"] .el-table__row').first().waitFor()
    await shot(page, '12-accounts-list')
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="export-csv"]').click()])
    const csvPath = join(DOWNLOADS, csv.suggestedFilename())
    await csv.saveAs(csvPath)
    assert.match(readFileSync(csvPath, 'utf8'), /账号名称/)
    await page.close()
  })

  test('account detail shows fields and lifecycle history', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/accounts')
    await page.locator('[data-test="accounts-table"] .el-table__row a').first().click()
    await page.locator('[data-test="account-fields"]').waitFor()
    await page.locator('[data-test="subject-filings"]').waitFor()
    await shot(page, '13-account-detail')
    await page.close()
  })

  test("a county cannot reach a neighbour county's records", async () => {
    const neighbour = await apiToken(USERS.neighbourSupervisor)
    const sites = await api(neighbour, '/api/v1/sites?limit=1')
    const accounts = await api(neighbour, '/api/v1/accounts?limit=1')
    assert.ok(sites.body.items.length && accounts.body.items.length, 'neighbour county has records')
    const siteId = sites.body.items[0].id
    const accountId = accounts.body.items[0].id

    const page = await browser.newPage()
    await login(page, USERS.countySupervisor)
    await page.goto(`/sites/${siteId}`)
    await page.locator('[data-test="not-found"]').waitFor()
    assert.equal(await page.locator('[data-test="site-fields"]').count(), 0)
    await shot(page, '14-site-not-found-other-county')
    await page.goto(`/accounts/${accountId}`)
    await page.locator('[data-test="not-found"]').waitFor()

    // Its own list holds only its own subtree.
    await page.goto('/sites')
    await page.locator('[data-test="sites-table"] .el-table__row').first().waitFor()
    const names = await page.locator('[data-test="sites-table"] .el-table__row td:first-child').allInnerTexts()
    assert.ok(!names.some((n) => n.includes('韩城')), `临渭区 sees 韩城 sites: ${names}`)
    await page.close()
  })
})
