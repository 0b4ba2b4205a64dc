// 整改 (reporting): a county office inspects a unit's account, records a veto finding by hand and issues
// the notice, which opens a rectification task. In the browser the unit uploads evidence (a fake file
// is refused), explains and submits; the office rejects with a reason; the unit resubmits; the office
// accepts and the re-check (a real one-target inspection in the checker) closes the task as verified.
// Also: a neighbouring county cannot open the task, an overdue task shows on the dashboard, the
// quarterly self-inspection report round trip, notifications, and the annual assessment with export.
// Skipped when the reporting or checker API does not answer behind the proxy.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BASE_URL, DOWNLOADS, RUN, SCREENSHOTS, USERS, apiToken, expectMessage, healthy, launch, login, menuTexts, pngBytes, settled, shot } from './helpers.mjs'

const COUNTY_SUPERVISOR = USERS.countySupervisor // 临渭区政务公开办
const UNIT_OPERATOR = process.env.GOVWATCH_E2E_UNIT_OPERATOR ?? 'linwei_shuiwu_operator' // 临渭区水务局 (account 临渭水务)

/** JSON call to a service behind the proxy; throws on an unexpected status. */
async function call(token, service, path, { method = 'GET', body, expect = [200, 201, 202, 204] } = {}) {
  const response = await fetch(`${BASE_URL}/api/${service}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let data = null
  try { data = text ? JSON.parse(text) : null } catch { data = text }
  if (!expect.includes(response.status)) throw new Error(`${method} ${service}${path}: HTTP ${response.status} ${text.slice(0, 300)}`)
  return { status: response.status, data }
}

/** An Element Plus input or textarea by its data-test (the attribute lands on the element or its wrapper). */
const field = (page, name, tag = 'textarea') => page.locator(`${tag}[data-test="${name}"], [data-test="${name}"] ${tag}`).first()

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitInspection(token, id, timeout = 200_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    const { data } = await call(token, 'checker', `/api/v1/inspections/${id}`)
    if (data.state === 'completed') return data
    if (['failed', 'cancelled'].includes(data.state)) throw new Error(`inspection ${id} ${data.state}`)
    if (Date.now() > deadline) throw new Error(`inspection ${id} did not complete in time`)
    await sleep(1500)
  }
}

const day = (offset) => {
  const d = new Date(Date.now() + offset * 86_400_000)
  return d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }) // YYYY-MM-DD where the offices work
}

/**
 * One failing target made deterministic: a one-target inspection of `target` by `supervisor`, a manual
 * veto finding on its result, a notice draft (deadline set by PATCH), issued → the rectification task.
 */
async function issueTaskFor(supervisor, scopeOrgId, target, finding, deadline) {
  const token = await apiToken(supervisor)
  const { data: created } = await call(token, 'checker', '/api/v1/inspections', {
    method: 'POST',
    body: {
      name: `整改测试检查${RUN}-${target.kind}${target.id}`, scope_org_id: scopeOrgId, target_kinds: [target.kind],
      indicator_set: 'gov-2019', include_closed: true, targets: [{ kind: target.kind, target_id: target.id }],
    },
  })
  await waitInspection(token, created.id)
  const path = `/api/v1/inspections/${created.id}/results/${target.kind}/${target.id}`
  const { data: before } = await call(token, 'checker', path)
  const { data: result } = await call(token, 'checker', `${path}/findings`, {
    method: 'POST', body: { ...finding, evidence: [{ url: target.url ?? 'https://mp.weixin.qq.com/', excerpt: `人工核查记录（测试${RUN}）` }] },
  })
  assert.equal(result.verdict, 'fail', 'the manual veto finding makes the target fail')
  const { data: notice } = await call(token, 'reporting', '/api/v1/notices', {
    method: 'POST', body: { inspection_id: created.id, doc_number: `整改测试〔2026〕${RUN}-${target.id}号` },
  })
  await call(token, 'reporting', `/api/v1/notices/${notice.id}`, { method: 'PATCH', body: { deadline } })
  let { data: issued } = await call(token, 'reporting', `/api/v1/notices/${notice.id}/issue?formats=docx`, { method: 'POST' })
  assert.equal(issued.state, 'rendering', 'the API answers at once; the reporting worker renders the files')
  for (let i = 0; i < 120 && issued.state === 'rendering'; i += 1) {
    await sleep(500)
    issued = (await call(token, 'reporting', `/api/v1/notices/${notice.id}`)).data
  }
  assert.equal(issued.state, 'issued', `notice issued (${issued.error ?? ''})`)
  let tasks = []
  for (let i = 0; i < 20 && !tasks.length; i += 1) { // the worker's sweep opens them if the request could not
    tasks = (await call(token, 'reporting', `/api/v1/rectification/tasks?notice_id=${notice.id}`)).data.items
    if (!tasks.length) await sleep(1000)
  }
  assert.equal(tasks.length, 1, 'one task for the one failing target')
  return { task: tasks[0], notice: issued, inspection: created, originalVerdict: before.verdict }
}

async function task(token, id) {
  return (await call(token, 'reporting', `/api/v1/rectification/tasks/${id}`)).data
}

/** A small but valid one-page PDF (uploads are validated by structure: it must parse), padded to about
 * `size` bytes with a comment line before the cross-reference table. */
function pdfBytes(size = 0) {
  const objects = ['<</Type/Catalog/Pages 2 0 R>>', '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>']
  let body = '%PDF-1.4\n'
  const offsets = objects.map((object, i) => {
    const at = body.length
    body += `${i + 1} 0 obj${object}endobj\n`
    return at
  })
  const padding = Math.max(0, size - body.length - 200)
  if (padding) body += `%${'x'.repeat(padding)}\n`
  const xref = body.length
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  body += offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('')
  body += `trailer<</Size ${objects.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}

/** A Windows executable renamed to .pdf: the API must refuse it by content (415). */
function fakePdf() {
  const buffer = Buffer.alloc(512, 0)
  buffer.write('MZ', 0, 'latin1')
  buffer.write('This program cannot be run in DOS mode.', 78, 'latin1')
  return buffer
}

async function upload(page, { name, mimeType, buffer, kind }) {
  if (kind) {
    await page.locator('[data-test="task-evidence-kind"]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: kind }).first().click()
  }
  // A new choice replaces a file still chosen from a refused attempt.
  await page.locator('[data-test="task-upload"] input[type="file"]').setInputFiles({ name, mimeType, buffer })
  await page.locator('[data-test="task-evidence-submit"]').click()
}

const up = (await healthy('reporting')) && (await healthy('checker'))

describe('整改', { skip: up ? false : 'reporting or checker API not available' }, () => {
  let browser
  let mainTask = null // the task of the main flow (issued in the first test)
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('unit uploads and submits, office rejects, unit resubmits, office accepts, the re-check verifies', { timeout: 420_000 }, async () => {
    // Setup through the API: the unit's account, inspected by the county office, a veto finding, the notice.
    const operatorToken = await apiToken(UNIT_OPERATOR)
    const accounts = (await call(operatorToken, 'registry', '/api/v1/accounts?limit=5')).data.items
    assert.ok(accounts.length, `${UNIT_OPERATOR} has an account`)
    const account = accounts[0]
    const countyToken = await apiToken(COUNTY_SUPERVISOR)
    const me = (await call(countyToken, 'registry', '/api/v1/auth/me')).data
    const issued = await issueTaskFor(COUNTY_SUPERVISOR, me.org_id, { kind: 'account', id: account.id }, {
      indicator: 'account_bought_followers', message: `账号存在购买粉丝、刷阅读量等数据造假行为（测试${RUN}）`,
    }, day(14))
    mainTask = issued.task
    assert.equal(mainTask.state, 'open')
    assert.equal(mainTask.deadline, day(14))

    // ---- the unit (operator) ----
    const unit = await browser.newPage()
    await login(unit, UNIT_OPERATOR)
    const menu = await menuTexts(unit)
    // 通报: a unit reads and downloads the notices that name it (issue 16); reviewing stays with the office.
    for (const entry of ['通报', '整改任务', '自查报告', '消息提醒']) assert.ok(menu.includes(entry), `operator menu has ${entry}`)
    for (const entry of ['整改审核', '年度考核']) assert.ok(!menu.includes(entry), `operator menu lacks ${entry}`)
    // The bell counts the new-task notification.
    await unit.locator('[data-test="notification-badge"] .el-badge__content').waitFor()
    assert.match(await unit.locator('[data-test="notification-badge"] .el-badge__content').innerText(), /^\d+|99\+$/)
    await unit.locator('[data-test="notification-bell"]').click()
    await unit.locator('[data-test="notification-dropdown"]').getByText('新的整改任务').first().waitFor()
    await shot(unit, '80-rect-bell')
    await unit.keyboard.press('Escape')

    await unit.locator('.el-aside').getByText('整改任务', { exact: true }).click()
    await unit.waitForURL(/\/rectification$/)
    const row = unit.locator(`[data-test="tasks-table"] a[href="/rectification/${mainTask.id}"]`).first()
    await row.waitFor()
    await unit.locator('[data-test="tasks-table"] [data-test="days-left"]').first().waitFor()
    await shot(unit, '81-rect-unit-list')
    await row.click()
    await unit.waitForURL(new RegExp(`/rectification/${mainTask.id}$`))
    await unit.locator('[data-test="task-problems"]').waitFor()
    assert.match(await unit.locator('[data-test="task-problems"]').innerText(), new RegExp(`购买粉丝.*测试${RUN}`))
    assert.ok(await unit.locator('[data-test="finding-evidence-link"]').count() >= 1, 'findings link their evidence')
    assert.match(await unit.locator('[data-test="task-state"]').first().innerText(), /待整改/)
    assert.equal(await unit.locator('[data-test="task-accept"]').count(), 0, 'units do not review')

    // A fake file (an .exe renamed .pdf) is refused by content, with a clear message.
    await upload(unit, { name: `整改报告${RUN}.pdf`, mimeType: 'application/pdf', buffer: fakePdf() })
    const refused = unit.locator('[data-test="task-upload-error"]')
    await refused.waitFor()
    assert.match(await refused.innerText(), /文件类型不允许[\s\S]*类型按内容判断/)
    await shot(unit, '82-rect-upload-refused')
    assert.equal(await unit.locator('[data-test="task-evidence-table"]').count(), 0, 'nothing stored')

    // A real screenshot (PNG) goes in, with its progress bar.
    await upload(unit, { name: `整改后截图${RUN}.png`, mimeType: 'image/png', buffer: pngBytes() })
    await expectMessage(unit, /已上传/)
    await unit.locator('[data-test="task-evidence-table"]').getByText(`整改后截图${RUN}.png`).waitFor()
    assert.equal(await refused.count(), 0, 'the error clears on the next attempt')
    assert.match(await unit.locator('[data-test="task-upload-progress"]').innerText(), /100%/)
    assert.match(await unit.locator('[data-test="task-evidence-table"]').innerText(), /整改截图/)
    const explanation = `已清理异常粉丝并停止与第三方推广机构合作，建立发布审核制度（测试${RUN}）。`
    await field(unit, 'task-explanation-input', 'textarea').fill(explanation)
    await shot(unit, '83-rect-unit-ready')
    await unit.locator('[data-test="task-submit"]').click()
    await expectMessage(unit, /已提交/)
    await unit.locator('[data-test="task-state"]').getByText('待审核').waitFor()
    assert.equal(await unit.locator('[data-test="task-upload"]').count(), 0, 'no uploads while submitted')
    await shot(unit, '84-rect-unit-submitted')

    // ---- the county office rejects ----
    const office = await browser.newPage()
    await login(office, COUNTY_SUPERVISOR)
    assert.ok((await menuTexts(office)).includes('整改审核'))
    await office.locator('.el-aside').getByText('整改审核', { exact: true }).click()
    await office.waitForURL(/\/rectification\/review$/)
    const queued = office.locator(`[data-test="review-submitted-table"] a[data-test="review-task-link"][href="/rectification/${mainTask.id}"]`)
    await queued.waitFor()
    await shot(office, '85-rect-review-queue')
    await queued.click()
    await office.locator('[data-test="task-review"]').waitFor()
    assert.match(await office.locator('[data-test="task-explanation-text"]').innerText(), new RegExp(`测试${RUN}`))
    const reason = `缺少盖章的整改报告扫描件，请补充（测试${RUN}）`
    await field(office, 'task-review-reason-input', 'textarea').fill(reason)
    await office.locator('[data-test="task-reject"]').click()
    await expectMessage(office, /已退回/)
    await office.locator('[data-test="task-state"]').getByText('待整改').waitFor()
    await shot(office, '86-rect-office-rejected')

    // ---- the unit sees it back with the reason, adds the signed report (progress shown), resubmits ----
    await unit.reload()
    await unit.locator('[data-test="task-review-reason"]').waitFor()
    assert.ok((await unit.locator('[data-test="task-review-reason"]').innerText()).includes(reason))
    assert.match(await unit.locator('[data-test="task-state"]').first().innerText(), /待整改/)
    assert.equal((await task(operatorToken, mainTask.id)).round, 2)
    // Slow the upload down so the progress bar is seen moving.
    const cdp = await unit.context().newCDPSession(unit)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 })
    await upload(unit, { name: `整改报告（盖章）${RUN}.pdf`, mimeType: 'application/pdf', buffer: pdfBytes(900 * 1024), kind: '签字扫描件' })
    const bar = unit.locator('[data-test="task-upload-progress"]')
    await bar.waitFor()
    const seen = new Set()
    for (let i = 0; i < 40; i += 1) {
      const text = (await bar.innerText().catch(() => '')).trim()
      if (text) seen.add(text)
      if (/^[1-9]\d?%$/.test(text) && !seen.has('shot')) {
        seen.add('shot')
        await unit.screenshot({ path: join(SCREENSHOTS, '87-rect-upload-progress.png'), fullPage: true })
      }
      if (/100%|校验/.test(text)) break
      await sleep(150)
    }
    await expectMessage(unit, /已上传/)
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    assert.ok([...seen].some((t) => /^[1-9]\d?%$/.test(t)), `progress seen below 100%: ${[...seen].join(', ')}`)
    await unit.locator('[data-test="task-evidence-table"]').getByText('签字扫描件').waitFor()
    // The file of the current round can be removed again; the one submitted in round 1 cannot.
    assert.equal(await unit.locator('[data-test="task-evidence-delete"]').count(), 1)
    await field(unit, 'task-explanation-input', 'textarea').fill(`${explanation}已补充盖章的整改报告。`)
    await unit.locator('[data-test="task-submit"]').click()
    await expectMessage(unit, /已提交/)
    await unit.locator('[data-test="task-state"]').getByText('待审核').waitFor()
    await shot(unit, '88-rect-unit-resubmitted')

    // ---- the office accepts; the re-check runs in the checker and closes the task ----
    await office.goto('/rectification/review')
    await office.locator(`[data-test="review-submitted-table"] a[data-test="review-task-link"][href="/rectification/${mainTask.id}"]`).click()
    await office.locator('[data-test="task-accept"]').waitFor()
    assert.equal(await office.locator('[data-test="task-evidence-table"] .el-table__row').count(), 2)
    await office.locator('[data-test="task-accept"]').click()
    await office.locator('.el-message-box').getByRole('button', { name: '通过并复查' }).click()
    await expectMessage(office, /已通过/)
    await office.locator('[data-test="task-recheck-card"]').waitFor()
    await shot(office, '89-rect-rechecking')
    await office.goto('/rectification/review')
    await office.locator('[data-test="review-accepted-table"]').waitFor()
    await settled(office)
    await shot(office, '8a-rect-review-queue-accepted')
    await office.goto(`/rectification/${mainTask.id}`)
    // The page polls /refresh while the task is accepted: it moves on by itself.
    await office.locator('[data-test="task-state"]').filter({ hasText: /已复查通过|待整改/ }).first().waitFor({ timeout: 240_000 })
    const done = await task(countyToken, mainTask.id)
    assert.notEqual(done.state, 'accepted', 'the task left accepted')
    assert.ok(done.recheck_inspection_id, 'a re-check inspection ran')
    assert.ok(done.recheck_verdict, 'the re-check outcome is recorded')
    if (issued.originalVerdict === 'pass') {
      // Without the hand-made finding the account passes: the re-check verifies the task.
      assert.equal(done.state, 'verified')
      assert.equal(done.recheck_verdict, 'pass')
      await office.locator('[data-test="task-recheck-verdict"]').getByText('合格').waitFor()
    } else {
      // The target really has veto defects: the re-check sends it back; the office closes it with a reason.
      assert.equal(done.state, 'open')
      assert.equal(done.recheck_verdict, 'fail')
      await office.locator('[data-test="task-close"]').click()
      await office.locator('.el-message-box textarea').fill(`账号已注销，无需继续整改（测试${RUN}）`)
      await office.locator('.el-message-box').getByRole('button', { name: '办结' }).click()
      await office.locator('[data-test="task-state"]').getByText('已办结').waitFor()
    }
    await shot(office, '8b-rect-verified')
    const history = await office.locator('[data-test="task-history"]').innerText()
    for (const step of ['下发整改任务', '上传材料', '提交整改', '退回整改', '审核通过', '发起复查']) assert.ok(history.includes(step), `history shows ${step}`)
    // Refused uploads are audited.
    await office.locator('[data-test="task-history"] .el-tabs__item').filter({ hasText: '审计记录' }).click()
    await office.locator('[data-test="task-audit"]').getByText('上传被拒绝').first().waitFor()
    await shot(office, '8c-rect-audit')

    // The unit hears about it: notifications page, mark everything read.
    await unit.goto('/notifications')
    await unit.locator('[data-test="notifications-table"]').getByText(/整改被退回/).first().waitFor()
    await shot(unit, '8d-notifications')
    await unit.locator('[data-test="notifications-read-all"]').click()
    await expectMessage(unit, /标为已读|没有未读/)
    await unit.locator('[data-test="notification-badge"] .el-badge__content').waitFor({ state: 'hidden' })
    await unit.close()
    await office.close()
  })

  test('a neighbouring county cannot open the task', async () => {
    assert.ok(mainTask, 'the first test issued a task')
    const page = await browser.newPage()
    await login(page, USERS.neighbourSupervisor)
    await page.goto(`/rectification/${mainTask.id}`)
    await page.locator('[data-test="not-found"]').waitFor()
    assert.match(await page.locator('[data-test="not-found"]').innerText(), /整改任务不存在或无权访问/)
    await shot(page, '8e-rect-neighbour-forbidden')
    // Nor does the list show it.
    await page.goto('/rectification')
    await page.locator('[data-test="tasks-table"]').waitFor()
    await settled(page)
    assert.equal(await page.locator(`[data-test="tasks-table"] a[href="/rectification/${mainTask.id}"]`).count(), 0)
    const token = await apiToken(USERS.neighbourSupervisor)
    assert.equal((await call(token, 'reporting', `/api/v1/rectification/tasks/${mainTask.id}`, { expect: [404] })).status, 404)
    await page.close()
  })

  test('an overdue task is marked in the list and on the dashboard', { timeout: 240_000 }, async () => {
    // 渭南市民政局's site, a notice whose deadline already passed.
    const operatorToken = await apiToken(USERS.operator)
    const me = (await call(operatorToken, 'registry', '/api/v1/auth/me')).data
    // The unit's own demo site (the oldest; later tests may have filed more).
    const sites = (await call(operatorToken, 'registry', '/api/v1/sites?limit=50')).data.items
      .filter((s) => s.host_org_id === me.org_id && s.state === 'active').sort((a, b) => a.id - b.id)
    assert.ok(sites.length, `${USERS.operator} runs a site`)
    const supervisorToken = await apiToken(USERS.supervisor)
    const city = (await call(supervisorToken, 'registry', '/api/v1/auth/me')).data
    const { task: late } = await issueTaskFor(USERS.supervisor, city.org_id, { kind: 'site', id: sites[0].id, url: sites[0].homepage_url }, {
      indicator: 'serious_error', message: `首页存在严重表述错误（测试${RUN}）`,
    }, day(-3))
    assert.equal(late.overdue, true)
    assert.equal(late.days_left, -3)

    // The unit's list: red 已逾期 tag.
    const unit = await browser.newPage()
    await login(unit, USERS.operator)
    await unit.goto('/rectification?overdue=true')
    const lateRow = unit.locator('[data-test="tasks-table"] .el-table__row').filter({ has: unit.locator(`a[href="/rectification/${late.id}"]`) })
    await lateRow.waitFor()
    assert.match(await lateRow.locator('[data-test="overdue-tag"]').innerText(), /已逾期 3 天/)
    await shot(unit, '8f-rect-overdue-list')
    await unit.locator(`a[href="/rectification/${late.id}"]`).first().click()
    await unit.locator('[data-test="task-overdue"]').waitFor()
    await unit.close()

    // The city office's dashboard: the rectification panel, the unit's row marked overdue.
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/')
    const panel = page.locator('[data-test="panel-rectification"]')
    await panel.waitFor()
    await panel.locator('[data-test="rect-units-table"]').waitFor()
    assert.ok(Number(await panel.locator('[data-test="rect-stat-overdue"] .value').innerText()) >= 1)
    const unitRow = panel.locator('.el-table__row').filter({ hasText: '渭南市民政局' })
    await unitRow.first().waitFor()
    assert.match(await unitRow.first().innerText(), /已逾期/)
    assert.ok(await unitRow.first().evaluate((el) => el.classList.contains('row-overdue')), 'the overdue unit is highlighted')
    await shot(page, '8g-dashboard-rectification')
    await panel.screenshot({ path: join(SCREENSHOTS, '8h-dashboard-rectification-panel.png') })
    await page.close()
  })

  test('quarterly self-inspection report: create, edit, submit, download; the office accepts', { timeout: 120_000 }, async () => {
    const operatorToken = await apiToken(USERS.operator)
    const existing = (await call(operatorToken, 'reporting', '/api/v1/self-reports?limit=100')).data.items
    // The newest quarter (current or earlier) without a report of this unit.
    const now = new Date(new Date().toLocaleString('en-US', { timeZone: 'Asia/Shanghai' }))
    let year = now.getFullYear()
    let quarter = Math.floor(now.getMonth() / 3) + 1
    for (let i = 0; i < 5 && existing.some((r) => r.year === year && r.quarter === quarter); i += 1) {
      quarter -= 1
      if (!quarter) { quarter = 4; year -= 1 }
    }
    const label = `${year}年第${'一二三四'[quarter - 1]}季度`

    const page = await browser.newPage()
    await login(page, USERS.operator)
    await page.locator('.el-aside').getByText('自查报告', { exact: true }).click()
    await page.locator('[data-test="reports-table"]').waitFor()
    await page.locator('[data-test="report-create"]').click()
    const dialog = page.locator('[data-test="report-create-dialog"]')
    await dialog.locator('[data-test="report-quarter"]').click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: label }).first().click()
    await shot(page, '8i-report-create')
    await page.locator('[data-test="report-create-submit"]').click()
    await page.waitForURL(/\/self-reports\/\d+$/)
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test="report-edit"]').waitFor()
    assert.match(await page.locator('[data-test="report-state"]').innerText(), /草稿/)
    const problems = field(page, 'report-section-problems', 'textarea')
    assert.ok((await problems.inputValue()).length > 0, 'the section is pre-filled')
    const added = `本季度对栏目更新情况开展专项自查，已完成整改（测试${RUN}）。`
    await problems.fill(`${await problems.inputValue()}\n${added}`)
    await field(page, 'report-figure-problems_fixed', 'input').fill('3')
    await field(page, 'report-figure-problems_fixed', 'input').blur()
    await page.locator('[data-test="report-save"]').click()
    await expectMessage(page, '已保存')
    const stored = (await call(operatorToken, 'reporting', `/api/v1/self-reports/${id}`)).data
    assert.ok(stored.sections.problems.includes(added))
    assert.equal(stored.figures.problems_fixed, 3)
    await shot(page, '8j-report-edited')
    await page.locator('[data-test="report-submit"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '提交' }).click()
    await page.locator('[data-test="report-state"]').getByText('已提交').waitFor()
    await page.locator('[data-test="report-preview"]').waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="report-download"]').click()])
    assert.match(download.suggestedFilename(), /\.docx$/)
    const saved = join(DOWNLOADS, `self-report-${RUN}.docx`)
    await download.saveAs(saved)
    assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK')
    await shot(page, '8k-report-submitted')
    await page.close()

    const office = await browser.newPage()
    await login(office, USERS.supervisor)
    await office.goto('/self-reports')
    await office.locator(`[data-test="reports-table"] a[href="/self-reports/${id}"]`).click()
    await office.locator('[data-test="report-review"]').waitFor()
    assert.ok((await office.locator('[data-test="report-preview"]').innerText()).includes(added))
    await office.locator('[data-test="report-accept"]').click()
    await expectMessage(office, '已审核通过')
    await office.locator('[data-test="report-state"]').getByText('审核通过').waitFor()
    await shot(office, '8l-report-accepted')
    await office.close()
  })

  test('annual assessment: ranking, weights and the Excel export; notification channels', { timeout: 120_000 }, async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.locator('.el-aside').getByText('年度考核', { exact: true }).click()
    await page.waitForURL(/\/assessment$/)
    const rows = page.locator('[data-test="assessment-table"] .el-table__body-wrapper .el-table__row')
    await rows.first().waitFor()
    assert.ok(await rows.count() > 1, 'units are ranked')
    assert.match(await rows.first().innerText(), /^1\s/)
    await page.locator('[data-test="weights-card"]').waitFor()
    const token = await apiToken(USERS.supervisor)
    const year = new Date().getFullYear()
    const current = (await call(token, 'reporting', `/api/v1/assessment/weights?year=${year}`)).data.weights.overdue_task
    const next = current === 2.5 ? 3 : 2.5
    await field(page, 'weight-overdue_task', 'input').fill(String(next))
    await field(page, 'weight-overdue_task', 'input').blur()
    await page.locator('[data-test="weights-save"]').click()
    await expectMessage(page, /已保存\d+年度考核权重/)
    const weights = (await call(token, 'reporting', `/api/v1/assessment/weights?year=${year}`)).data
    assert.equal(weights.weights.overdue_task, next)
    await settled(page)
    await shot(page, '8m-assessment')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="assessment-export"]').click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const saved = join(DOWNLOADS, `assessment-${RUN}.xlsx`)
    await download.saveAs(saved)
    assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK')

    // Channels: a webhook for the city office and its units.
    await page.goto('/notifications')
    await page.locator('[data-test="channels-card"]').waitFor()
    await page.locator('[data-test="channel-add"]').click()
    await field(page, 'channel-target', 'input').fill(`https://hooks.example.gov.cn/zhenggai/${RUN}`)
    await page.locator('[data-test="channel-save"]').click()
    await expectMessage(page, '已添加提醒渠道')
    await page.locator('[data-test="channels-table"]').getByText(`/zhenggai/${RUN}`).waitFor()
    await shot(page, '8n-notification-channels')
    await page.close()

    // A viewer reads the ranking but cannot set weights.
    const viewer = await browser.newPage()
    await login(viewer, USERS.viewer)
    const menu = await menuTexts(viewer)
    assert.ok(menu.includes('年度考核') && menu.includes('整改任务') && !menu.includes('整改审核'))
    await viewer.goto('/assessment')
    await viewer.locator('[data-test="assessment-table"] .el-table__row').first().waitFor()
    assert.equal(await viewer.locator('[data-test="weights-card"]').count(), 0)
    await viewer.close()
  })
})
