// Evidence as offices use it (issue 16, items 7, 8, 11, 12, 13, 14): a saved page opens inert with the cited
// text marked; filing evidence picks replace, refused files drop, duplicates are caught, wrong files come off;
// account results say what the check saw and fail for seed 004's reasons; the dashboard's defaults and lists.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, USERS, api, apiToken, checkerApi, expectMessage, healthy, launch, login, pngBytes, settled, shot } from './helpers.mjs'

const checkerUp = await healthy('checker')
const INTERNAL = /\b(account_[a-z_]+|serious_error|column_not_updated|snapshots\/sha256|user:\d+|not_checked|no_link)\b/

/** The newest completed inspection result citing a stored page snapshot, for `token`'s scope. */
async function resultWithSnapshot(token) {
  const inspections = await checkerApi(token, '/api/v1/inspections?limit=50')
  for (const inspection of inspections.items.filter((i) => i.target_kinds.includes('site'))) {
    const results = await checkerApi(token, `/api/v1/inspections/${inspection.id}/results?kind=site&limit=200`)
    for (const row of results.items.filter((r) => r.indicators.length)) {
      const detail = await checkerApi(token, `/api/v1/inspections/${inspection.id}/results/site/${row.target_id}`)
      const cited = detail.findings.find((f) => f.evidence.some((e) => /^snapshots\/sha256\//.test(e.snapshot ?? '') && !e.snapshot_state))
      if (cited) return { inspection, row, finding: cited }
    }
  }
  return null
}

/** An account inspection of the city run through the demo's platform simulator (started when none is there). */
async function accountInspection(token, timeoutMs = 240_000) {
  const me = await (await api(token, '/api/v1/auth/me')).body
  let inspection = (await checkerApi(token, '/api/v1/inspections?limit=50')).items
    .find((i) => i.target_kinds.length === 1 && i.target_kinds[0] === 'account' && !i.targets && i.state !== 'failed' && i.state !== 'cancelled')
  if (!inspection) {
    inspection = await checkerApi(token, '/api/v1/inspections', {
      method: 'POST',
      body: JSON.stringify({ name: `政务新媒体检查${RUN}`, scope_org_id: me.org_id, target_kinds: ['account'], indicator_set: 'weinan-2024' }),
    })
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const now = await checkerApi(token, `/api/v1/inspections/${inspection.id}`)
    if (now.state === 'completed') return now
    await new Promise((r) => setTimeout(r, 3000))
  }
  throw new Error('the account inspection did not complete in time')
}

describe('证据与检查结果', { skip: checkerUp ? false : 'checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('a cited page opens as saved, inert, with the cited text marked', async (t) => {
    const token = await apiToken(USERS.supervisor)
    const found = await resultWithSnapshot(token)
    if (!found) return t.skip('no inspection result cites a stored page snapshot yet')
    const page = await browser.newPage()
    const external = []
    page.on('request', (request) => { if (!/^(blob:|data:|http:\/\/127\.0\.0\.1)/.test(request.url())) external.push(request.url()) })
    await login(page, USERS.supervisor)
    await page.goto(`/inspections/${found.inspection.id}/results/site/${found.row.target_id}`)
    const finding = page.locator('[data-test="finding"]').filter({ hasText: found.finding.message.slice(0, 10) }).first()
    await finding.locator('[data-test="snapshot-view"]').first().click()
    const dialog = page.locator('[data-test="snapshot-dialog"]')
    const frame = dialog.locator('[data-test="snapshot-frame"]')
    await frame.waitFor()
    assert.equal(await frame.getAttribute('sandbox'), '', 'the frame runs nothing and has no origin of its own')
    const body = page.frameLocator('[data-test="snapshot-frame"]').locator('body')
    await body.waitFor()
    const marks = await page.frameLocator('[data-test="snapshot-frame"]').locator('mark.gw-hit').count()
    const note = await dialog.locator('[data-test="snapshot-note"]').innerText()
    if (marks) assert.match(note, new RegExp(`已用黄色标出引用的文字（${marks} 处）`))
    else assert.match(note, /未在保存的页面中找到引用的文字/)
    assert.equal(await page.frameLocator('[data-test="snapshot-frame"]').locator('script, iframe, img, form, link').count(), 0)
    assert.doesNotMatch(await dialog.innerText(), INTERNAL)
    await shot(page, '100-snapshot-viewer')
    assert.deepEqual(external, [], 'the saved page loads nothing from elsewhere')
    await page.close()
  })

  test('a unit operator attaches filing evidence: picks replace, refusals drop, duplicates are caught, wrong files come off', async () => {
    const opToken = await apiToken(USERS.operator)
    const supToken = await apiToken(USERS.supervisor)
    const org = async (name) => (await api(supToken, `/api/v1/orgs?q=${encodeURIComponent(name)}&limit=5`)).body.items.find((o) => o.name === name)
    const [host, city] = [await org('渭南市民政局'), await org('渭南市')]
    // Filed by the city office for the unit; the unit's operator attaches the material.
    const created = await api(supToken, '/api/v1/sites', {
      method: 'POST',
      body: JSON.stringify({
        name: `民政专题网站${RUN}`, homepage_url: `https://zt${RUN}.mzj.weinan.gov.cn/`, kind: 'department',
        site_code: `61${String(Date.now()).slice(-8)}`, host_org_id: host.id, supervising_org_id: city.id,
        override_reason: '专题业务独立运行，经市政府办同意单独开设',
      }),
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const page = await browser.newPage()
    await login(page, USERS.operator)
    await page.goto(`/filings/${created.body.id}`)
    const upload = page.locator('[data-test="evidence-upload"]')
    await upload.waitFor()
    await settled(page)
    assert.match(await upload.locator('[data-test="evidence-hint"]').innerText(), /单个文件不超过 50 MB/)
    const input = upload.locator('input[type="file"]')
    // A refused pick is dropped: the next pick is taken without removing anything by hand.
    await input.setInputFiles({ name: '审批表.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') })
    await upload.locator('[data-test="evidence-error"]').waitFor()
    assert.match(await upload.locator('[data-test="evidence-error"]').innerText(), /类型不允许/)
    assert.equal(await upload.locator('[data-test="evidence-chosen"]').count(), 0)
    await input.setInputFiles({ name: '错误截图.png', mimeType: 'image/png', buffer: pngBytes() })
    await upload.locator('[data-test="evidence-chosen"]').getByText('错误截图.png').waitFor()
    assert.equal(await upload.locator('[data-test="evidence-error"]').count(), 0)
    // Another pick replaces the chosen file (no "one file at a time" refusal).
    await input.setInputFiles({ name: '开设审批表.png', mimeType: 'image/png', buffer: pngBytes() })
    await upload.locator('[data-test="evidence-chosen"]').getByText('开设审批表.png').waitFor()
    await shot(page, '101-filing-evidence-chosen')
    await upload.locator('[data-test="evidence-submit"]').click()
    await expectMessage(page, /已上传/)
    const rows = page.locator('[data-test="evidence-table"] .el-table__body-wrapper .el-table__row')
    await rows.first().waitFor()
    // The same file again as the same kind: caught before it is sent, nothing attached twice.
    await input.setInputFiles({ name: '开设审批表（副本）.png', mimeType: 'image/png', buffer: pngBytes() })
    await upload.locator('[data-test="evidence-submit"]').click()
    await upload.locator('[data-test="evidence-error"]').getByText(/上传过（开设审批表\.png）/).waitFor()
    assert.equal(await rows.count(), 1)
    await shot(page, '102-filing-evidence-duplicate')
    // A wrong file comes off again.
    await page.locator('[data-test="evidence-remove"]').first().click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await expectMessage(page, /已删除/)
    await page.locator('[data-test="evidence-table"]').getByText('尚未上传材料').waitFor()
    assert.equal((await api(opToken, `/api/v1/filings/${created.body.id}`)).body.evidence.length, 0)
    await page.close()
  })

  test('account results fail for seed 004\'s reasons and say what the check saw', { timeout: 300_000 }, async () => {
    const token = await apiToken(USERS.supervisor)
    const inspection = await accountInspection(token)
    const failing = await checkerApi(token, `/api/v1/inspections/${inspection.id}/results?kind=account&verdict=fail&limit=200`)
    const reasons = new Set(failing.items.flatMap((r) => r.indicators))
    for (const code of ['account_not_updated', 'account_no_original', 'account_interaction_link_broken', 'account_renamed_unfiled', 'account_not_found']) {
      assert.ok(reasons.has(code), `a demo account fails for ${code}`)
    }
    const broken = failing.items.find((r) => r.name === '渭南二黄')
    assert.ok(broken, '渭南二黄 fails (互动交流链接有误)')
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/inspections/${inspection.id}/results/account/${broken.target_id}`)
    const card = page.locator('[data-test="result-activity"]')
    await card.waitFor()
    const text = await card.innerText()
    for (const label of ['最近发文', '近14天发文', '近3个月原创', '检查的入口', '无法打开']) assert.ok(text.includes(label), label)
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/)
    assert.doesNotMatch(await page.locator('.page').innerText(), INTERNAL)
    assert.match(await page.locator('[data-test="verdict"]').innerText(), /不合格/)
    await shot(page, '103-account-result-activity')
    await page.close()
  })

  test('a site result shows what the check covered', async (t) => {
    const token = await apiToken(USERS.supervisor)
    const found = await resultWithSnapshot(token)
    if (!found) return t.skip('no site result yet')
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/inspections/${found.inspection.id}/results/site/${found.row.target_id}`)
    const coverage = page.locator('[data-test="result-coverage"]')
    await coverage.waitFor()
    const text = await coverage.innerText()
    for (const label of ['已知页面', '本轮已抓取', '附件', '链接']) assert.ok(text.includes(label), label)
    await page.close()
  })

  test('the dashboard: the trend is drawn, re-checks stay out of the recent list, the donut keeps its labels', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/')
    await settled(page)
    // The trend is a chart (a bar for one inspection) or says why there is none: never empty axes.
    const rates = page.locator('[data-test="panel-pass-rates"]')
    await rates.waitFor()
    await settled(page)
    assert.equal(await rates.locator('[data-test="chart-trend"], [data-test="trend-empty"]').count() > 0 ||
      (await rates.innerText()).includes('暂无已通报的检查结果'), true)
    const recent = page.locator('[data-test="panel-inspections"]')
    await recent.waitFor()
    assert.doesNotMatch(await recent.innerText(), /复查/, 're-checks are counted apart, not listed')
    // Donut labels sit on the ring; every label box lies inside its chart.
    const clipped = await page.evaluate(() => [...document.querySelectorAll('.el-card canvas')].some((c) => c.getBoundingClientRect().width < 50))
    assert.equal(clipped, false)
    await shot(page, '104-dashboard')
    // The create dialog names the inspection after the current quarter (Beijing time).
    await page.goto('/inspections')
    await page.locator('[data-test="inspection-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '任务名称' })
    await dialog.waitFor()
    const beijing = new Date(Date.now() + 8 * 3600_000)
    const round = ['第一次', '第二次', '第三次', '第四次'][Math.floor(beijing.getUTCMonth() / 3)]
    const name = await dialog.locator('input[name="inspection_name"]').inputValue()
    assert.equal(name, `${beijing.getUTCFullYear()}年${round}政府网站与政务新媒体全面检查`)
    // Labels fit on one line.
    const wrapped = await dialog.locator('.el-form-item__label').evaluateAll((labels) => labels.filter((l) => l.getBoundingClientRect().height > 40).map((l) => l.textContent))
    assert.deepEqual(wrapped, [])
    await shot(page, '105-inspection-create-default-name')
    await page.close()
  })
})
