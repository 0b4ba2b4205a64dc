// 通报 (reporting): a supervisor assembles a notice draft from a completed inspection, edits a section,
// issues it, downloads the Word file and sees version 1; the dashboard shows the pass-rate panel.
// Skipped when the reporting or checker API does not answer behind the proxy.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BASE_URL, DOWNLOADS, RUN, SCREENSHOTS, USERS, apiToken, checkerApi, expectMessage, healthy, launch, login, menuTexts, settled, shot } from './helpers.mjs'

/** A completed inspection the supervisor sees: the latest one, or a new sites-only run of its own org. */
async function completedInspection(username) {
  const token = await apiToken(username)
  const done = await checkerApi(token, '/api/v1/inspections?state=completed&limit=1')
  if (done.items.length) return done.items[0]
  const me = await (await fetch(`${BASE_URL}/api/registry/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  const created = await checkerApi(token, '/api/v1/inspections', {
    method: 'POST',
    body: JSON.stringify({ name: `通报测试检查${RUN}`, scope_org_id: me.org_id, target_kinds: ['site'], indicator_set: 'gov-2019', include_closed: true }),
  })
  const deadline = Date.now() + 200_000
  for (;;) {
    const inspection = await checkerApi(token, `/api/v1/inspections/${created.id}`)
    if (inspection.state === 'completed') return inspection
    if (['failed', 'cancelled'].includes(inspection.state)) throw new Error(`inspection ${created.id} ${inspection.state}`)
    if (Date.now() > deadline) throw new Error(`inspection ${created.id} did not complete in time`)
    await new Promise((r) => setTimeout(r, 2000))
  }
}

const up = (await healthy('reporting')) && (await healthy('checker'))

describe('通报', { skip: up ? false : 'reporting or checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('supervisor creates a notice draft, edits it, issues it and downloads the docx', { timeout: 300_000 }, async () => {
    const inspection = await completedInspection(USERS.supervisor)
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.locator('.el-aside').getByText('通报', { exact: true }).waitFor()
    assert.ok((await menuTexts(page)).includes('通报'))

    // Draft from the completed inspection
    await page.goto('/notices')
    await page.locator('[data-test="notices-table"]').waitFor()
    await page.locator('[data-test="notice-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '生成通报草稿' })
    await dialog.locator('[data-test="notice-inspection"]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: inspection.name }).first().click()
    const docNumber = `渭政办函〔2026〕${RUN}号`
    await dialog.getByPlaceholder('如：渭政办函').fill(docNumber)
    await shot(page, '60-notice-create')
    await dialog.locator('[data-test="notice-create-submit"]').click()
    await page.waitForURL(/\/notices\/\d+$/, { timeout: 60_000 })
    const preview = page.locator('[data-test="notice-preview"]')
    await preview.waitFor()
    assert.equal((await page.locator('[data-test="preview-doc-number"]').innerText()).trim(), docNumber)
    // Laid out as the scope's template says: a city's as seed 004 (a section per kind of target, then
    // 下一步工作要求), a county's as seeds 000 and 001 (总体情况, 主要问题, 有关要求).
    const body = await preview.innerText()
    const seed004 = /一、(政府网站|政务新媒体)\S*检查情况/.test(body) && body.includes('下一步工作要求')
    const seed001 = ['一、总体情况', '二、主要问题', '三、有关要求'].every((h) => body.includes(h))
    assert.ok(seed004 || seed001, body.slice(0, 600))
    assert.match(await page.locator('[data-test="notice-state"]').innerText(), /草稿/)
    await shot(page, '61-notice-draft')

    // Edit a free-text section; the preview follows, saving stores it
    const extra = `请各单位于收到通报后立即组织整改（测试${RUN}）。`
    const requirements = page.locator('textarea[data-test="edit-requirements"], [data-test="edit-requirements"] textarea').first()
    await requirements.fill(`${await requirements.inputValue()}\n${extra}`)
    assert.ok((await preview.innerText()).includes(extra))
    // 主送 and the 版记 (抄送, 印发机关) are edited here too; the preview prints the 版记 at the end
    await page.locator('[data-test="edit-addressees"]').first().fill('各县（市、区）人民政府')
    await page.locator('[data-test="edit-cc"]').first().fill('市委办公室')
    await page.locator('[data-test="edit-printed-by"]').first().fill('渭南市人民政府办公室')
    assert.equal((await page.locator('[data-test="preview-addressees"]').innerText()).trim(), '各县（市、区）人民政府：')
    assert.equal((await page.locator('[data-test="preview-cc"]').innerText()).trim(), '抄送：市委办公室。')
    assert.match(await page.locator('[data-test="preview-printed"]').innerText(), /^渭南市人民政府办公室\s*\d{4}年\d{1,2}月\d{1,2}日印发$/)
    await page.locator('[data-test="notice-save"]').click()
    await expectMessage(page, '已保存')
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    const token = await apiToken(USERS.supervisor)
    const stored = await (await fetch(`${BASE_URL}/api/reporting/api/v1/notices/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json()
    assert.ok(stored.content.requirements.includes(extra))
    assert.ok(stored.edited.includes('requirements'))
    assert.equal(stored.content.addressees, '各县（市、区）人民政府')
    assert.equal(stored.content.cc, '市委办公室')
    assert.equal(stored.content.printed_by, '渭南市人民政府办公室')
    await shot(page, '62-notice-edited')

    // Issue (all three formats) and confirm
    await page.locator('[data-test="notice-issue"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '印发' }).click()
    // The API answers at once; the page follows the reporting worker's progress until the files are ready.
    await page.locator('[data-test="notice-state"]').getByText(/生成中|已印发/).waitFor()
    await page.locator('[data-test="notice-state"]').getByText('已印发').waitFor({ timeout: 120_000 })
    await page.locator('[data-test="notice-files"]').waitFor()
    assert.equal(await page.locator('[data-test="notice-edit"]').count(), 0)

    // Download the Word file: a zip container starts with PK
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test="download-docx"]').click(),
    ])
    assert.match(download.suggestedFilename(), /\.docx$/)
    const saved = join(DOWNLOADS, `notice-${RUN}.docx`)
    await download.saveAs(saved)
    assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK')

    // Version 1 is listed
    const versions = page.locator('[data-test="notice-versions"] .el-table__body-wrapper .el-table__row')
    await versions.first().waitFor()
    assert.equal(await versions.count(), 1)
    assert.match(await versions.first().innerText(), /v1/)
    await page.locator('[data-test="notice-revise"]').waitFor()
    await shot(page, '63-notice-issued')
    const attachments = page.locator('[data-test="preview-attachment1"], [data-test="preview-attachment2"]').first()
    if (await attachments.count()) {
      await page.locator('[data-test="preview-signature"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
      await page.screenshot({ path: join(SCREENSHOTS, '63-notice-attachments.png') })
    }

    // The list shows it issued
    await page.goto('/notices')
    await page.locator('[data-test="notices-table"]').getByText('已印发').first().waitFor()
    await shot(page, '64-notice-list')

    // The dashboard's pass-rate panel (trend and by kind/platform)
    await page.goto('/')
    await page.locator('[data-test="panel-pass-rates"]').waitFor()
    await settled(page)
    // A trend once a whole-area round is issued; before that (a county's round only) the panel says why not.
    await page.locator('[data-test="chart-trend"] canvas, [data-test="trend-empty"]').first().waitFor()
    await shot(page, '65-dashboard-pass-rates')
    await page.locator('[data-test="panel-pass-rates"]').screenshot({ path: join(SCREENSHOTS, '66-dashboard-pass-rate-panel.png') })
    await page.close()
  })
})
