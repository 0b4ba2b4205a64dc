// Issue 16's done-when: a walk through every menu page as each demo role shows no internal identifier, code
// or English text (helpers.internalTexts), with a screenshot of each page to look at.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { internalTexts, launch, login, menuTexts, settled, shot } from './helpers.mjs'

// One user of each role and tier of the demo (services/registry/demo/data.py).
const ROLES = [
  ['province-admin', 'shaanxi_admin'],
  ['city-admin', 'weinan_admin'],
  ['city-supervisor', 'weinan_supervisor'],
  ['county-supervisor', 'linwei_supervisor'],
  ['operator', 'minzheng_operator'],
  ['viewer', 'weinan_viewer'],
]

// Pages that legitimately show login names (the users page, the header's account) or client ids.
const LOGIN_NAMES = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:admin|supervisor|operator|viewer)\b|\be2e_[a-z0-9_]+\b/g
// Every page: an indicator set's 编码 is named by the office creating it (the form asks for it, e.g. gov-2019,
// weinan-2025); and the names other browser suites give their data (a run id glued to Chinese text, 测试<label>,
// weinan-local-<run id>) when this suite runs after them on the same stack: test data, not the SPA's text.
const EVERYWHERE = [
  /\b[a-z][a-z0-9.]*(?:-[a-z0-9]+)*-(?:\d{4}|[a-z0-9]{6})\b/g,
  /(?<=[\u4e00-\u9fff（(〕])[a-z0-9]{6}\b/g,
  /测试[a-z_]+/g,
  /\b[a-z]{2}_[a-z0-9]{6}\b/g, // a short prefix and the run id: login names and account ids of the forms suite
]
const PAGE_ALLOW = {
  '/admin/users': [LOGIN_NAMES],
  '/admin/clients': [/\b[a-z][a-z0-9_-]*\b/g], // client ids are what a connecting system is configured with
}

async function check(page, title, slug) {
  // The click's route change first, then its requests; shot() waits again for an idle network and for charts
  // to animate in, then takes the picture the texts are read from.
  await page.waitForTimeout(300)
  await settled(page)
  const path = new URL(page.url()).pathname
  await shot(page, `walk-${slug}-${path.replace(/\//g, '_') || '_'}`)
  return (await internalTexts(page, { allow: [...EVERYWHERE, ...(PAGE_ALLOW[path.replace(/\/\d+.*$/, '')] ?? PAGE_ALLOW[path] ?? [])] }))
    .map((f) => `${title}（${path}）${f}`)
}

/**
 * Visit a page by its menu entry and return what it shows that it should not; then the first row's details
 * (its link in the table, or the row expanded) as a user opens them.
 */
async function visit(page, title, slug) {
  await page.locator('.el-aside .el-menu-item').filter({ hasText: new RegExp(`^\\s*${title}\\s*$`) }).first().click()
  const found = await check(page, title, slug)
  const table = page.locator('.el-main .el-table__body-wrapper').first()
  if (!(await table.count())) return found
  const expand = table.locator('.el-table__expand-icon').first()
  const link = table.locator('a[href]:not([href="#"]), a.link').first()
  if (await expand.count()) {
    await expand.click()
    found.push(...await check(page, `${title}·展开`, slug))
  } else if (await link.count()) {
    await link.click()
    found.push(...await check(page, `${title}·详情`, slug))
    await page.keyboard.press('Escape') // a drawer or dialog opened by the link
    await page.locator('.el-overlay:visible').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined)
  }
  return found
}

// Roles walk side by side (each page is a browser context of its own): one after another they took five
// minutes of the CI budget.
describe('每个演示角色走查全部菜单页面', { concurrency: 3 }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  for (const [slug, username] of ROLES) {
    test(`${slug} (${username}) sees no internal identifier or English text`, { timeout: 240_000 }, async () => {
      const page = await browser.newPage()
      await login(page, username)
      await settled(page)
      const titles = await menuTexts(page)
      assert.ok(titles.length >= 3, `menu of ${username}: ${titles}`)
      const problems = []
      for (const title of titles) problems.push(...await visit(page, title, slug))
      assert.deepEqual(problems, [], problems.join('\n'))
      await page.close()
    })
  }

  test('filing dialogs keep each label on one line and show no codes (issue 16 item 14)', { timeout: 120_000 }, async () => {
    const page = await browser.newPage()
    await login(page, 'minzheng_operator')
    await page.goto('/sites')
    await page.locator('.el-main .el-table__body-wrapper a').first().click()
    await settled(page)
    const kinds = page.locator('[data-test="subject-actions"] button')
    const count = await kinds.count()
    assert.ok(count >= 2, 'the site offers its filings')
    const problems = []
    for (let i = 0; i < count; i++) {
      const name = (await kinds.nth(i).innerText()).trim()
      await kinds.nth(i).click()
      const dialog = page.locator('.el-dialog:visible').last()
      await dialog.waitFor()
      await settled(page)
      // A label wrapped inside its box (“关停公告发布日 / 期”) is taller than one line of its own text.
      const wrapped = await dialog.locator('.el-form-item__label').evaluateAll((labels) => labels
        .filter((l) => l.textContent.trim() && l.offsetHeight > 0)
        .filter((l) => { const r = document.createRange(); r.selectNodeContents(l); return r.getClientRects().length > 1 })
        .map((l) => l.textContent.trim()))
      problems.push(...wrapped.map((label) => `${name}：标签换行“${label}”`))
      problems.push(...(await internalTexts(page, { allow: EVERYWHERE })).map((f) => `${name}：${f}`))
      await shot(page, `walk-operator-filing-${i}`)
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'hidden' }).catch(() => undefined)
    }
    assert.deepEqual(problems, [], problems.join('\n'))
    await page.close()
  })
})
