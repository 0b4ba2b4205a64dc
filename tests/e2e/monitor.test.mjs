// 全站监测: the overview of monitored sites and a site's monitoring card (coverage, the problem ledger), as a
// city supervisor and as a unit operator. The checker worker of the stack monitors the farm's sites from its
// start; the suite waits (bounded) until the monitor has pages and a problem to show.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, USERS, apiToken, checkerApi, healthy, launch, login, menuTexts, shot } from './helpers.mjs'

const up = await healthy('checker')
const INTERNAL_CODES = /serious_error|sensitive_content|dark_link|broken_link|first_cycle|not_scannable|too_large/

/** A monitored site of the caller's scope with pages and an open problem (waits for the monitor's first slices). */
async function monitoredSite(token, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs
  let best = null
  while (Date.now() < deadline) {
    const page = await checkerApi(token, '/api/v1/monitor/sites?limit=100')
    const withPages = page.items.filter((s) => s.pages_known > 1)
    best = withPages.find((s) => s.open_findings > 0) ?? best
    if (best) return { site: best, total: page.total }
    await new Promise((r) => setTimeout(r, 3000))
  }
  throw new Error('no monitored site with pages and an open problem in time')
}

describe('全站监测', { skip: up ? false : 'checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('a city supervisor sees every monitored site and a site\'s coverage and open problems', { timeout: 240_000 }, async () => {
    const token = await apiToken(USERS.supervisor)
    const { site } = await monitoredSite(token)
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.locator('.el-aside').getByText('检查监测').click()
    assert.ok((await menuTexts(page)).includes('全站监测'))
    await page.goto('/monitor')
    const rows = page.locator('[data-test="monitor-table"] .el-table__body-wrapper .el-table__row')
    await rows.first().waitFor()
    assert.ok(await rows.count() > 1)
    const overview = await page.locator('[data-test="monitor-table"]').innerText()
    assert.match(overview, /监测中|首轮监测中/)
    assert.doesNotMatch(overview, INTERNAL_CODES)
    await shot(page, '90-monitor-overview')

    await page.goto(`/sites/${site.site_id}`)
    const card = page.locator('[data-test="site-monitor"]')
    await card.locator('[data-test="coverage"]').waitFor()
    await card.locator('[data-test="ledger"] .el-table__row').first().waitFor()
    const text = await card.innerText()
    for (const label of ['已知页面', '本轮已抓取', '附件', '链接', '未覆盖及原因', '问题台账', '首次发现']) assert.ok(text.includes(label), label)
    assert.doesNotMatch(text, INTERNAL_CODES)
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/) // dates formatted, never ISO strings
    await card.scrollIntoViewIfNeeded()
    await shot(page, '91-monitor-site-card')
    await card.getByText('全部（含已解决）').click()
    await card.locator('[data-test="ledger"] .el-table__row').first().waitFor()
    await page.close()
  })

  test('a broken link is shown at the pages that carry it, where it is to be mended', { timeout: 240_000 }, async () => {
    const token = await apiToken(USERS.supervisor)
    // The farm plants broken links on its pages; wait (bounded) until the monitor has one on a site's first ledger
    // page with the pages that carry it (a target no page links to, such as a registered column's dead address or a
    // sitemap entry, has none and keeps its own address there).
    const deadline = Date.now() + 150_000
    let found = null
    while (!found && Date.now() < deadline) {
      const sites = (await checkerApi(token, '/api/v1/monitor/sites?limit=100')).items.filter((s) => s.open_findings > 0)
      for (const s of sites) {
        const ledger = await checkerApi(token, `/api/v1/monitor/sites/${s.site_id}/findings?limit=10`)
        const row = ledger.items.find((f) => f.indicator === 'broken_link' && f.linked_from.length)
        if (row) { found = { site: s, row }; break }
      }
      if (!found) await new Promise((r) => setTimeout(r, 3000))
    }
    assert.ok(found, 'no broken link in the monitor\'s ledger in time')
    const { site, row } = found
    assert.ok(row.linked_from_total >= row.linked_from.length)
    assert.ok(!row.linked_from.includes(row.url)) // the carrying pages, not the dead target

    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/sites/${site.site_id}`)
    const card = page.locator('[data-test="site-monitor"]')
    await card.locator('[data-test="linked-from"]').first().waitFor()
    const text = await card.innerText()
    assert.ok(text.includes('链接所在页面') && text.includes(row.linked_from[0]))
    assert.ok(text.includes(`存在不可用链接：${row.url}`))
    await card.locator('[data-test="linked-from"]').first().scrollIntoViewIfNeeded()
    await shot(page, '91b-monitor-broken-link-sources')
    await page.close()
  })

  test('a unit operator sees only its own unit\'s sites, and not a site of another unit', { timeout: 120_000 }, async () => {
    const supervisor = await apiToken(USERS.supervisor)
    const operator = await apiToken(USERS.operator)
    const all = await checkerApi(supervisor, '/api/v1/monitor/sites?limit=200')
    const own = await checkerApi(operator, '/api/v1/monitor/sites?limit=200')
    assert.ok(own.total < all.total)
    const ownIds = new Set(own.items.map((s) => s.site_id))
    const foreign = all.items.find((s) => !ownIds.has(s.site_id))
    assert.ok(foreign)

    const page = await browser.newPage()
    await login(page, USERS.operator)
    await page.goto('/monitor')
    await page.locator('[data-test="monitor-table"]').waitFor()
    await page.waitForLoadState('networkidle')
    const shown = await page.locator('[data-test="monitor-table"]').innerText()
    assert.ok(!shown.includes(foreign.site_name) || own.items.some((s) => s.site_name === foreign.site_name))
    await shot(page, '92-monitor-operator')
    const status = (await fetch(`${BASE_URL}/api/checker/api/v1/monitor/sites/${foreign.site_id}`,
      { headers: { Authorization: `Bearer ${operator}` } })).status
    assert.equal(status, 404)
    await page.close()
  })
})
