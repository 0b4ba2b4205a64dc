// Bulk import: a dry run of a faulty sheet shows the per-row error table; a valid one passes.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, USERS, launch, login, shot } from './helpers.mjs'

const HEADER = '网站名称,首页网址,网站类型,网站标识码,ICP备案号,公安机关备案号,党政机关网站标识,主办单位,主管单位,状态,例外说明'
const csv = (rows) => Buffer.from(`\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`, 'utf8')

describe('批量导入', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('dry run of a faulty sheet lists every row error; nothing is imported', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/imports')
    const file = csv([
      `测试网站甲${RUN},ftp://bad-url,部门网站,,,,否,不存在的单位,渭南市,运行,`,
      `测试网站乙${RUN},https://yi${RUN}.weinan.gov.cn/,部门网站,X,,,否,渭南市民政局,查无此单位,运行,`,
    ])
    await page.locator('.el-upload__input').setInputFiles({ name: '网站导入.csv', mimeType: 'text/csv', buffer: file })
    assert.ok(await page.locator('[data-test="dry-run"] input').isChecked(), 'dry run is the default')
    await page.locator('[data-test="import-submit"]').click()
    const table = page.locator('[data-test="import-errors"]')
    await table.waitFor()
    const text = await table.innerText()
    assert.match(text, /不存在的单位/)
    assert.match(text, /查无此单位/)
    const rowsWithErrors = new Set((await table.locator('.el-table__row td:first-child').allInnerTexts()).map((t) => t.trim()))
    assert.ok(rowsWithErrors.size >= 2, `errors on both rows: ${[...rowsWithErrors]}`)
    assert.match(await page.locator('[data-test="import-failure"]').innerText(), /未导入任何记录/)
    await shot(page, '30-import-dry-run-errors')
    await page.close()
  })

  test('dry run of a valid account sheet passes', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/imports')
    await page.locator('[data-test="import-target"]').getByText('政务新媒体').click()
    const file = Buffer.from(`\uFEFF账号名称,账号类型,账号ID,主办单位,主管单位,互动地址,状态,例外说明\r\n渭南民政测试${RUN},抖音,wnmz_${RUN},渭南市民政局,渭南市,,运行,\r\n`, 'utf8')
    await page.locator('.el-upload__input').setInputFiles({ name: '账号导入.csv', mimeType: 'text/csv', buffer: file })
    await page.locator('[data-test="import-submit"]').click()
    await page.locator('[data-test="import-report"]').waitFor()
    assert.match(await page.locator('[data-test="import-report"]').innerText(), /校验通过/)
    await shot(page, '31-import-dry-run-ok')
    await page.close()
  })
})
