// 定期检查 and batch actions, walked in Chromium.
// The city office (weinan_supervisor) sets up a quarterly 抽查 of one department in the SPA; the checker's cron
// creates this quarter's round (named after the Beijing quarter), starts it, and the inspection page says it
// came from a schedule; the results with their findings export as a workbook; the schedule is paused,
// showing no next run, and deleted. Then an overdue rectification task of 渭南市民政局: the office selects it
// and sends one 催办 (a second the same day is refused with the reason), assigns a responsible person; the
// department's operator (minzheng_operator) finds the 催办 in the bell and on the task's history.
// Skipped when the reporting or checker API does not answer behind the proxy.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BASE_URL, DOWNLOADS, RUN, USERS, apiToken, assertNoInternalText, expectMessage, healthy, launch, login, menuTexts, settled, shot } from './helpers.mjs'
// Other browser suites' data on the same stack: names with their run id glued on (民政为民服务号bjd3se).
const TEST_DATA = { allow: [/(?<=[\u4e00-\u9fff（(〕])[a-z0-9]{6}\b/g] }

const SUPERVISOR = USERS.supervisor // 渭南市政务公开办
const OPERATOR = USERS.operator // 渭南市民政局
const QUARTERS = '一二三四'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

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

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })

function quarterName(title) {
  const beijing = new Date(Date.now() + 8 * 3600_000)
  return `${beijing.getUTCFullYear()}年第${QUARTERS[Math.floor(beijing.getUTCMonth() / 3)]}季度${title}`
}

async function waitInspection(token, id, timeout = 240_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    const { data } = await call(token, 'checker', `/api/v1/inspections/${id}`)
    if (data.state === 'completed') return data
    if (['failed', 'cancelled'].includes(data.state)) throw new Error(`inspection ${id} ${data.state}`)
    if (Date.now() > deadline) throw new Error(`inspection ${id} did not complete in time`)
    await sleep(1500)
  }
}

/** An overdue task of the department's site: a one-target inspection, a veto finding by hand, the notice. */
async function overdueTask(token, site) {
  const me = (await call(token, 'registry', '/api/v1/auth/me')).data
  const { data: created } = await call(token, 'checker', '/api/v1/inspections', {
    method: 'POST',
    body: { name: `催办测试检查${RUN}`, scope_org_id: me.org_id, target_kinds: ['site'], indicator_set: 'gov-2019',
      include_closed: true, targets: [{ kind: 'site', target_id: site.id }] },
  })
  await waitInspection(token, created.id)
  await call(token, 'checker', `/api/v1/inspections/${created.id}/results/site/${site.id}/findings`, {
    method: 'POST',
    body: { indicator: 'serious_error', message: `首页存在严重表述错误（测试${RUN}）`, evidence: [{ url: site.homepage_url, excerpt: '人工核查' }] },
  })
  const { data: notice } = await call(token, 'reporting', '/api/v1/notices', {
    method: 'POST', body: { inspection_id: created.id, doc_number: `催办测试〔2026〕${RUN}号` },
  })
  await call(token, 'reporting', `/api/v1/notices/${notice.id}`, { method: 'PATCH', body: { deadline: day(-2) } })
  let { data: issued } = await call(token, 'reporting', `/api/v1/notices/${notice.id}/issue?formats=docx`, { method: 'POST' })
  for (let i = 0; i < 120 && issued.state === 'rendering'; i += 1) {
    await sleep(500)
    issued = (await call(token, 'reporting', `/api/v1/notices/${notice.id}`)).data
  }
  assert.equal(issued.state, 'issued', `notice issued (${issued.error ?? ''})`)
  let tasks = []
  for (let i = 0; i < 20 && !tasks.length; i += 1) {
    tasks = (await call(token, 'reporting', `/api/v1/rectification/tasks?notice_id=${notice.id}`)).data.items
    if (!tasks.length) await sleep(1000)
  }
  assert.equal(tasks.length, 1)
  return tasks[0]
}

const up = (await healthy('reporting')) && (await healthy('checker'))

describe('定期检查与批量催办', { skip: up ? false : 'reporting or checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('the city office sets up a quarterly 抽查; the cron creates and starts this quarter\'s round; export; pause; delete', { timeout: 300_000 }, async () => {
    const token = await apiToken(SUPERVISOR)
    const title = `政府网站和政务新媒体抽查${String(Date.now()).slice(-6)}` // digits: no Latin text on screen
    const page = await browser.newPage()
    await login(page, SUPERVISOR)
    assert.ok((await menuTexts(page)).includes('定期检查'), 'the menu has 定期检查')
    await page.goto('/inspections/schedules')
    await page.locator('[data-test="schedule-monitor"]').getByText(/个/).first().waitFor()
    await page.locator('[data-test="schedule-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '新建检查计划' })
    await dialog.waitFor()
    await dialog.locator('[data-test="schedule-title"] input, input[data-test="schedule-title"]').first().fill(title)
    // Scope: the department only (a city-wide round would crawl every site of the demo).
    await dialog.locator('.el-select').first().click() // 检查范围 tree select
    await page.locator('.el-select-dropdown:visible .el-tree-node__content').filter({ hasText: '渭南市民政局' }).first().click()
    // Day 1 of the quarter at 0:00 Beijing time: this quarter's round is due at once.
    const numbers = dialog.locator('.el-input-number input')
    await numbers.nth(0).fill('1')
    await numbers.nth(1).fill('0')
    await numbers.nth(1).press('Tab')
    assert.match(await dialog.innerText(), new RegExp(`每轮任务名称：${quarterName(title)}`))
    await shot(page, 'sch-01-create')
    await assertNoInternalText(page, TEST_DATA)
    await dialog.locator('[data-test="schedule-save"]').click()
    await expectMessage(page, /检查计划已创建/)
    const row = page.locator('[data-test="schedules-table"] .el-table__row').filter({ hasText: title })
    await row.waitFor()
    assert.match(await row.innerText(), /每季度（首月1日 0:00，北京时间）/)
    assert.match(await row.locator('[data-test="schedule-next"]').innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)

    // The worker's cron (every minute) creates and starts this quarter's round.
    const schedule = (await call(token, 'checker', '/api/v1/schedules?limit=100')).data.items.find((s) => s.title === title)
    let detail = null
    for (let i = 0; i < 60; i += 1) {
      detail = (await call(token, 'checker', `/api/v1/schedules/${schedule.id}`)).data
      if (detail.rounds.length) break
      await sleep(2000)
    }
    assert.equal(detail.rounds.length, 1, 'one round this quarter')
    const round = detail.rounds[0]
    assert.equal(round.name, quarterName(title))
    assert.equal(round.schedule_id, schedule.id)
    await waitInspection(token, round.id)
    await page.reload()
    await row.waitFor()
    assert.match(await row.innerText(), /已创建/)
    const next = await row.locator('[data-test="schedule-next"]').innerText()
    assert.ok(next > day(0), `the next run is next quarter (${next})`)
    await shot(page, 'sch-02-list')
    await assertNoInternalText(page, TEST_DATA)

    // The round's page says where it came from; its results with findings download as a workbook.
    await page.goto(`/inspections/${round.id}`)
    await page.locator('[data-test="inspection-scheduled"]').waitFor()
    assert.match(await page.locator('h2').first().innerText(), new RegExp(quarterName(title)))
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="inspection-export"]').click()])
    assert.match(download.suggestedFilename(), /检查结果与问题_\d{12}\.xlsx$/)
    const saved = join(DOWNLOADS, `schedule-export-${RUN}.xlsx`)
    await download.saveAs(saved)
    assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx (zip) workbook')
    await shot(page, 'sch-03-round')
    await assertNoInternalText(page, TEST_DATA)

    // Paused: no next run; deleted: gone, its round stays.
    await page.goto('/inspections/schedules')
    await row.waitFor()
    await row.locator('[data-test="schedule-enabled"]').click()
    await expectMessage(page, /已暂停/)
    await page.locator('[data-test="schedules-table"] .el-table__row').filter({ hasText: title })
      .locator('[data-test="schedule-next"]').getByText('已暂停').waitFor()
    await shot(page, 'sch-04-paused')
    await row.locator('[data-test="schedule-delete"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await expectMessage(page, /检查计划已删除/)
    await settled(page)
    assert.equal(await page.locator('[data-test="schedules-table"] .el-table__row').filter({ hasText: title }).count(), 0)
    assert.equal((await call(token, 'checker', `/api/v1/inspections/${round.id}`)).data.state, 'completed')
    await page.close()
  })

  test('催办 an overdue task once a day, assign a responsible person; the department sees the 催办', { timeout: 420_000 }, async () => {
    const token = await apiToken(SUPERVISOR)
    const operatorToken = await apiToken(OPERATOR)
    const sites = (await call(operatorToken, 'registry', '/api/v1/sites?limit=5&state=active')).data.items
    assert.ok(sites.length, `${OPERATOR} has a site`)
    const task = await overdueTask(token, sites[0])

    const office = await browser.newPage()
    await login(office, SUPERVISOR)
    await office.goto('/rectification?overdue=true')
    const row = office.locator('[data-test="tasks-table"] .el-table__row').filter({ has: office.locator(`a[href="/rectification/${task.id}"]`) })
    await row.waitFor()
    await row.locator('.el-checkbox').first().click()
    await office.locator('[data-test="batch-urge"]').click()
    const urge = office.locator('.el-dialog').filter({ hasText: '整改催办' })
    await urge.locator('textarea').fill('请于本周五前完成整改并提交材料')
    await shot(office, 'sch-10-urge-dialog')
    await urge.locator('[data-test="urge-confirm"]').click()
    const result = office.locator('.el-dialog').filter({ hasText: '催办结果' })
    await result.locator('[data-test="batch-summary"]').getByText('成功 1 项，未成功 0 项').waitFor()
    await shot(office, 'sch-11-urge-done')
    await assertNoInternalText(office, TEST_DATA)
    await result.getByRole('button', { name: '知道了' }).click()

    // The same day again: refused, with the reason, nothing sent.
    await row.locator('.el-checkbox').first().click().catch(() => undefined)
    if (!(await row.locator('.el-checkbox.is-checked').count())) await row.locator('.el-checkbox').first().click()
    await office.locator('[data-test="batch-urge"]').click()
    await urge.locator('[data-test="urge-confirm"]').click()
    await result.locator('[data-test="batch-summary"]').getByText('成功 0 项，未成功 1 项').waitFor()
    assert.match(await result.locator('[data-test="batch-items"]').innerText(), /今天.*已催办过.*请明天再催办/)
    await shot(office, 'sch-12-urge-refused')
    await assertNoInternalText(office, TEST_DATA)
    await result.getByRole('button', { name: '知道了' }).click()

    // 指派 a responsible person (the unit stays).
    if (!(await row.locator('.el-checkbox.is-checked').count())) await row.locator('.el-checkbox').first().click()
    await office.locator('[data-test="batch-assign"]').click()
    const assign = office.locator('.el-dialog').filter({ hasText: '批量指派' })
    await assign.locator('[data-test="assign-person"] input, input[data-test="assign-person"]').first().fill('王建国')
    await assign.locator('[data-test="assign-phone"] input, input[data-test="assign-phone"]').first().fill('0913-2123456')
    await assign.locator('[data-test="assign-confirm"]').click()
    await office.locator('.el-dialog').filter({ hasText: '指派结果' }).locator('[data-test="batch-summary"]').getByText('成功 1 项').waitFor()
    await office.locator('.el-dialog').filter({ hasText: '指派结果' }).getByRole('button', { name: '知道了' }).click()
    await office.goto(`/rectification/${task.id}`)
    await office.locator('[data-test="task-responsible"]').getByText('王建国').waitFor()
    // The single 催办 on the task page is refused the same day, in Chinese.
    await office.locator('[data-test="task-urge"]').click()
    await expectMessage(office, /已催办过/)
    await shot(office, 'sch-13-task-office')
    await assertNoInternalText(office, TEST_DATA)
    await office.close()

    // The department: the 催办 in its bell and on the task's history, with who sent it.
    const unit = await browser.newPage()
    await login(unit, OPERATOR)
    await unit.locator('[data-test="notification-bell"]').click()
    await unit.locator('[data-test="notification-dropdown"]').getByText(/整改催办/).first().waitFor()
    await shot(unit, 'sch-20-unit-bell')
    await unit.keyboard.press('Escape')
    await unit.goto(`/rectification/${task.id}`)
    await unit.getByText('请于本周五前完成整改并提交材料').first().waitFor()
    const history = await unit.locator('body').innerText()
    assert.match(history, /催办/)
    assert.equal(await unit.locator('[data-test="task-urge"]').count(), 0, 'a unit does not urge itself')
    assert.equal(await unit.locator('[data-test="task-batch"]').count(), 0)
    await shot(unit, 'sch-21-unit-task')
    await assertNoInternalText(unit, TEST_DATA)
    await unit.goto('/rectification')
    await unit.locator('[data-test="tasks-table"]').waitFor()
    assert.equal(await unit.locator('[data-test="task-batch"]').count(), 0, 'no batch actions for the unit')
    await unit.close()
  })
})
