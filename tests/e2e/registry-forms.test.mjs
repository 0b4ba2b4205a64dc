// Filing forms carrying what national filing asks (issue 16): a department operator files a new-media account
// with its 负责人, 联系电话 (a wrong number is refused in the form, in Chinese) and 二维码 (a ZIP named .png is
// refused, a real picture previewed); the supervisor sees the contacts and the QR code on the filing, approves,
// and finds them on the account. Then: lists sorted by a column keep the sort in the URL across reload and back,
// and a user whose password an administrator reset can do nothing through the API but change it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync, crc32 } from 'node:zlib'
import { RUN, USERS, api, apiToken, assertNoInternalText, expectMessage, launch, login, pngBytes, settled, shot } from './helpers.mjs'

/** A QR-code-like picture (finder squares and a module pattern, 29 modules × 6 px) as a real PNG. */
function qrPicture() {
  const modules = 29, scale = 6, size = modules * scale
  const dark = (x, y) => {
    const finder = (fx, fy) => x >= fx && x < fx + 7 && y >= fy && y < fy + 7 &&
      (x === fx || x === fx + 6 || y === fy || y === fy + 6 || (x >= fx + 2 && x <= fx + 4 && y >= fy + 2 && y <= fy + 4))
    if (finder(0, 0) || finder(22, 0) || finder(0, 22)) return true
    const inFinder = (x < 8 && y < 8) || (x > 20 && y < 8) || (x < 8 && y > 20)
    return !inFinder && ((x * 7 + y * 13 + x * y) % 5 < 2)
  }
  const rows = []
  for (let py = 0; py < size + 2 * scale * 2; py++) {
    const row = Buffer.alloc(1 + (size + 4 * scale))
    for (let px = 0; px < size + 4 * scale; px++) {
      const x = Math.floor(px / scale) - 2, y = Math.floor(py / scale) - 2
      row[1 + px] = x >= 0 && y >= 0 && x < modules && y < modules && dark(x, y) ? 0 : 255
    }
    rows.push(row)
  }
  const width = size + 4 * scale
  const chunk = (type, data) => {
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])))
    return Buffer.concat([length, Buffer.from(type), data, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0); header.writeUInt32BE(rows.length, 4); header[8] = 8; header[9] = 0
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

/** A ZIP archive (an empty one: its end-of-directory record), given a .png name. */
const zipBytes = () => Buffer.from('504b0506' + '00'.repeat(18), 'hex')

const ACCOUNT = `民政为民服务号${RUN}`
// The run's suffix in names and the account id typed in are the test's own, not codes of the platform.
const ALLOW = { allow: [new RegExp(`(?:mz_)?${RUN}`)] }

describe('备案表单：负责人、联系电话、二维码；列表排序；密码过期', () => {
  let browser
  let filingPath = ''
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('a department operator files an account with its contacts and QR code', async () => {
    const page = await browser.newPage()
    await login(page, USERS.operator)
    await page.goto('/accounts/new')
    await page.locator('input[name="registered_name"]').fill(ACCOUNT)
    await page.locator('input[name="platform_id"]').fill(`mz_${RUN}`)
    await page.locator('input[name="responsible_person"]').fill('张丽华')
    // A wrong number is refused by the form in the registry's words.
    await page.locator('input[name="contact_phone"]').fill('0913-21')
    await page.locator('input[name="responsible_person"]').click()
    await page.getByText('联系电话格式有误：应为11位手机号码，或带区号的固定电话').waitFor()
    await shot(page, 'rf-01-account-open-bad-phone')
    await page.locator('input[name="contact_phone"]').fill('0913 2123456')
    await page.locator('input[name="responsible_person"]').click() // the field is checked again on blur
    await page.getByText('联系电话格式有误').waitFor({ state: 'detached' })

    // A PNG that is really a ZIP is refused by the registry (typed by content); the next pick starts clean.
    const input = page.locator('[data-test="qr-upload"] input[type="file"]')
    await input.setInputFiles({ name: '二维码.png', mimeType: 'image/png', buffer: zipBytes() })
    await expectMessage(page, /二维码图片应为 PNG 或 JPG 格式/)
    assert.equal(await page.locator('[data-test="qr-preview"]').count(), 0)
    await shot(page, 'rf-02-account-open-zip-refused')
    await input.setInputFiles({ name: '民政为民服务号二维码.png', mimeType: 'image/png', buffer: qrPicture() })
    await page.locator('[data-test="qr-preview"]').waitFor()
    await shot(page, 'rf-03-account-open-form')
    await assertNoInternalText(page, ALLOW)

    await page.locator('[data-test="open-submit"]').click()
    // The unit may already run an account on the platform: the form asks for a reason, as the rule says.
    const violation = page.locator('[data-test="rule-violation"]')
    await Promise.race([page.waitForURL(/\/filings\/\d+$/).catch(() => undefined), violation.waitFor().catch(() => undefined)])
    if (!/\/filings\/\d+$/.test(page.url())) {
      await page.locator('textarea[name="override_reason"]').fill('面向群众办事咨询，经市政府办同意单独开设')
      await page.locator('[data-test="open-submit"]').click()
      await page.waitForURL(/\/filings\/\d+$/)
    }
    filingPath = new URL(page.url()).pathname
    await page.locator('[data-test="filing-qr"]').waitFor()
    const fields = await page.locator('.el-descriptions').first().innerText()
    assert.match(fields, /负责人\s*张丽华/)
    assert.match(fields, /联系电话\s*0913-2123456/)
    await page.locator('[data-test="evidence-upload"] input[type="file"]').setInputFiles({
      name: '开设审批表.png', mimeType: 'image/png', buffer: pngBytes(),
    })
    await page.locator('[data-test="evidence-submit"]').click()
    await expectMessage(page, /已上传/)
    await shot(page, 'rf-04-account-filing-operator')
    await assertNoInternalText(page, ALLOW)
    await page.close()
  })

  test('the supervisor sees the QR code and contacts, approves, and finds them on the account', async () => {
    assert.ok(filingPath, 'previous test filed an account')
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(filingPath)
    await page.locator('[data-test="decision"]').waitFor()
    const qr = page.locator('[data-test="filing-qr"]')
    await qr.waitFor()
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR picture is shown')
    await shot(page, 'rf-05-account-filing-supervisor')
    await assertNoInternalText(page, ALLOW)
    await page.locator('textarea[name="decision_note"]').fill('材料齐全，同意开设')
    await page.locator('[data-test="approve"]').click()
    await expectMessage(page, /已审批通过/)
    await page.getByRole('link', { name: ACCOUNT }).click()
    await page.locator('[data-test="account-fields"]').waitFor()
    await page.locator('[data-test="account-qr"]').waitFor()
    const fields = await page.locator('[data-test="account-fields"]').innerText()
    assert.match(fields, /负责人\s*张丽华/)
    assert.match(fields, /联系电话\s*0913-2123456/)
    assert.ok(await page.locator('[data-test="account-qr"]').evaluate((img) => img.complete && img.naturalWidth > 100))
    await shot(page, 'rf-06-account-detail-qr')
    await assertNoInternalText(page, ALLOW)
    await page.close()
  })

  test('lists sort on the server by a column; the sort stays in the URL across reload and back', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/sites')
    const table = page.locator('[data-test="sites-table"]')
    await table.locator('.el-table__row').first().waitFor()
    const nameHeader = table.locator('thead th').filter({ hasText: '网站名称' })
    await nameHeader.locator('.sort-caret.ascending').click()
    await page.waitForURL(/[?&]sort=name(&|$)/)
    await nameHeader.locator('.sort-caret.descending').click()
    await page.waitForURL(/[?&]sort=-name(&|$)/)
    await settled(page)
    const names = async () => (await table.locator('.el-table__body tr td:first-child').allInnerTexts()).map((t) => t.trim())
    const first = await names()
    assert.ok(first.length > 5)
    const token = await apiToken(USERS.supervisor)
    const server = (await api(token, `/api/v1/sites?sort=-name&limit=${first.length}`)).body.items.map((x) => x.name)
    assert.deepEqual(first, server, 'the table shows the server\'s order by name, descending')
    await shot(page, 'rf-07-sites-sorted')
    await page.reload()
    await table.locator('.el-table__row').first().waitFor()
    await settled(page)
    assert.deepEqual(await names(), first, 'the sort survives a reload')
    assert.equal(await table.locator('th.descending').filter({ hasText: '网站名称' }).count(), 1, 'the header shows it')
    await table.locator('.el-table__row').first().locator('a').click()
    await page.waitForURL(/\/sites\/\d+$/)
    await page.goBack()
    await page.waitForURL(/[?&]sort=-name(&|$)/)
    await table.locator('.el-table__row').first().waitFor()
    await settled(page)
    assert.deepEqual(await names(), first, 'and back from a detail page')

    await page.goto('/filings')
    const filings = page.locator('[data-test="filings-table"]')
    await filings.locator('.el-table__row').first().waitFor()
    await filings.locator('thead th').filter({ hasText: '备案对象' }).locator('.sort-caret.ascending').click()
    await page.waitForURL(/[?&]sort=subject_name(&|$)/)
    await settled(page)
    await shot(page, 'rf-08-filings-sorted')
    await assertNoInternalText(page, ALLOW)
    await page.close()
  })

  test('a password reset by an administrator: the API refuses everything but the change, in Chinese', async () => {
    const admin = await apiToken(USERS.admin)
    const me = await api(admin, '/api/v1/auth/me')
    const username = `rf_${RUN}`
    const created = await api(admin, '/api/v1/users', { method: 'POST', body: JSON.stringify({
      username, display_name: '重置测试', org_id: me.body.org_id, role: 'viewer', password: 'Initial#Pass2024' }) })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const reset = await api(admin, `/api/v1/users/${created.body.id}/password`, { method: 'POST',
      body: JSON.stringify({ new_password: 'Temporary#Pass2024' }) })
    assert.equal(reset.status, 204)
    const token = await apiToken(username, 'Temporary#Pass2024')
    const refused = await api(token, '/api/v1/sites')
    assert.equal(refused.status, 403)
    assert.equal(refused.body.detail.code, 'password_expired')
    assert.match(refused.body.detail.message, /请先修改密码/)

    const page = await browser.newPage()
    await page.goto('/login')
    await page.locator('input[name="username"]').fill(username)
    await page.locator('input[name="password"]').fill('Temporary#Pass2024')
    await page.locator('[data-test="login-submit"]').click()
    await page.waitForURL(/\/password/)
    await page.locator('[data-test="password-expired"]').waitFor()
    await settled(page)
    assert.equal(await page.locator('.el-message--error').count(), 0, 'nothing loads (and fails) behind the form')
    await shot(page, 'rf-09-password-expired')
    await assertNoInternalText(page, ALLOW)
    await page.close()
  })
})
