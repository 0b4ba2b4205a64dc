// 首页监管概览 and 大屏 (reporting /api/v1/dashboard/overview): the city supervisor sees its districts and counties
// on the map of 渭南市 coloured by the latest round's pass rate, the health-index rankings of 下级地区 and 部门,
// open vetoes and overdue tasks linking to their lists, and the full-screen 大屏 (dark, refreshed every minute,
// enters and leaves the browser's full screen); a county supervisor sees only its own units, as a ranked bar
// chart with the reason said in Chinese (no boundaries for a county's towns). Names only, no codes on screen.
// Skipped when the reporting or checker API does not answer behind the proxy.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { BASE_URL, SCREENSHOTS, USERS, apiToken, checkerApi, healthy, launch, login, settled, shot } from './helpers.mjs'

/** A screenshot of one element (the layout scrolls inside its main area, so a page shot stops at the fold). */
async function elementShot(locator, name) {
  await locator.scrollIntoViewIfNeeded()
  await settled(locator.page())
  await locator.page().waitForTimeout(500) // charts animate in
  await locator.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

/** Fail when the page shows a code, an id, a region code or English words (addresses and domains aside). */
async function assertNoInternalText(page) {
  const text = await page.evaluate(() => document.body.innerText)
  const found = []
  for (const line of text.split('\n')) {
    const rest = line.replace(/\bhttps?:\/\/\S+/g, ' ').replace(/\b(?:[a-z0-9-]+\.)+(?:cn|com|net|org|gov|test)\S*/gi, ' ')
    const match = rest.match(/\b[a-z]{3,}\b|\b[a-z]+_[a-z_]+\b|\b\d{6}\b|\bnull\b|\bundefined\b|\bNaN\b|[A-Z][a-z]+ [A-Za-z][a-z]+/)
    if (match) found.push(`“${match[0]}” in “${line.trim().slice(0, 100)}”`)
  }
  assert.deepEqual(found, [], `${new URL(page.url()).pathname} shows internal text`)
}

/** A completed inspection of the city (the latest, or a new sites-only run), assembled into a notice draft: that
 *  records the verdicts the dashboard's pass rates read. */
async function cityRound() {
  const token = await apiToken(USERS.supervisor)
  const me = await (await fetch(`${BASE_URL}/api/registry/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  const done = await checkerApi(token, `/api/v1/inspections?state=completed&limit=20`)
  let inspection = done.items.find((i) => i.scope_org_id === me.org_id)
  if (!inspection) {
    const created = await checkerApi(token, '/api/v1/inspections', {
      method: 'POST',
      body: JSON.stringify({ name: `看板测试检查${Date.now() % 100000}`, scope_org_id: me.org_id, target_kinds: ['site'], indicator_set: 'gov-2019', include_closed: true }),
    })
    const deadline = Date.now() + 240_000
    for (;;) {
      inspection = await checkerApi(token, `/api/v1/inspections/${created.id}`)
      if (inspection.state === 'completed') break
      if (['failed', 'cancelled'].includes(inspection.state)) throw new Error(`inspection ${created.id} ${inspection.state}`)
      if (Date.now() > deadline) throw new Error(`inspection ${created.id} did not complete in time`)
      await new Promise((r) => setTimeout(r, 2000))
    }
  }
  const response = await fetch(`${BASE_URL}/api/reporting/api/v1/notices`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ inspection_id: inspection.id }),
  })
  assert.ok([201, 409].includes(response.status), `notice draft: HTTP ${response.status} ${await response.text()}`)
  return inspection
}

const up = (await healthy('reporting')) && (await healthy('checker'))

describe('首页监管概览与大屏', { skip: up ? false : 'reporting or checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('city supervisor: map of its counties, rankings, vetoes and overdue tasks, and the 大屏', { timeout: 330_000 }, async () => {
    const inspection = await cityRound()
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    const panel = page.locator('[data-test="overview-panel"]')
    await panel.waitFor()
    await panel.locator('[data-test="region-map-chart"] canvas').waitFor()
    assert.equal(await panel.locator('[data-test="region-map-fallback"]').count(), 0, 'a city with boundaries gets the map')
    const header = await panel.locator('.el-card__header').innerText()
    assert.ok(header.includes(inspection.name), header)
    const text = await panel.innerText()
    for (const label of ['未处置单项否决问题', '逾期整改任务', '最近一轮合格率', '健康指数', '下级地区健康指数排名', '部门健康指数排名']) {
      assert.ok(text.includes(label), label)
    }
    const regions = await panel.locator('[data-test="ranking-下级地区"]').innerText()
    assert.ok(['临渭区', '华州区', '韩城市', '华阴市', '富平县'].some((n) => regions.includes(n)), regions)
    const departments = await panel.locator('[data-test="ranking-部门"]').innerText()
    assert.match(departments, /渭南市\S+局|委员会|办公室|管委会/)
    assert.doesNotMatch(text, /\b6105\d\d\b/, 'no region code on screen')
    // The map's tooltip names a county and its figures in Chinese.
    const chart = panel.locator('[data-test="region-map-chart"]')
    await chart.scrollIntoViewIfNeeded()
    const box = await chart.boundingBox()
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.55)
    await page.waitForTimeout(400)
    await elementShot(panel, '90-dashboard-city')
    await assertNoInternalText(page)
    // The health figure explains itself.
    await panel.locator('[data-test="glance-health"]').hover()
    await page.locator('.el-popper').filter({ hasText: '健康指数（0–100）=' }).first().waitFor()

    // Overdue tasks open the task list filtered to them.
    await panel.locator('[data-test="glance-overdue"]').click()
    await page.waitForURL(/\/rectification\?.*overdue=true/)
    await page.goBack()
    await panel.waitFor()

    // 大屏: dark, big figures, map and rankings; full screen on and off; back to 首页.
    await panel.locator('[data-test="open-screen"]').click()
    await page.waitForURL(/\/screen$/)
    const screen = page.locator('[data-test="screen"]')
    await screen.locator('[data-test="region-map-chart"] canvas').waitFor()
    const background = await screen.evaluate((el) => getComputedStyle(el).backgroundImage + getComputedStyle(el).backgroundColor)
    assert.match(background, /gradient|rgb\(8, 20, 38\)/)
    assert.match(await screen.locator('[data-test="screen-stamp"]').innerText(), /数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（每分钟自动刷新）/)
    assert.ok((await screen.innerText()).includes('渭南市政府网站与政务新媒体监管大屏'))
    await page.setViewportSize({ width: 1920, height: 1080 })
    await shot(page, '91-screen-city')
    await assertNoInternalText(page)
    const toggle = screen.locator('[data-test="toggle-fullscreen"]')
    await toggle.click()
    await page.waitForFunction(() => !!document.fullscreenElement).catch(() => undefined)
    if (await page.evaluate(() => !!document.fullscreenElement)) {
      assert.equal((await toggle.innerText()).trim(), '退出全屏')
      await toggle.click()
      await page.waitForFunction(() => !document.fullscreenElement)
    }
    assert.equal((await toggle.innerText()).trim(), '全屏显示')
    await screen.locator('[data-test="leave-screen"]').click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.close()
  })

  test('county supervisor: its own units only, as a ranked bar chart with the reason in Chinese', { timeout: 120_000 }, async () => {
    const page = await browser.newPage()
    await login(page, USERS.countySupervisor) // 临渭区: its towns have no boundaries here
    const panel = page.locator('[data-test="overview-panel"]')
    await panel.waitFor()
    const note = panel.locator('[data-test="region-map-fallback"]')
    await note.waitFor()
    assert.match(await note.innerText(), /暂无「临渭区」下级地区的地图边界数据，以下按健康指数列出各下级地区。/)
    await panel.locator('[data-test="region-map"] canvas').waitFor()
    const text = await panel.innerText()
    for (const other of ['韩城市', '华阴市', '渭南市民政局', '富平县']) assert.ok(!text.includes(other), `${other} is outside 临渭区`)
    assert.ok((await panel.locator('[data-test="ranking-部门"]').innerText()).includes('临渭区'))
    await elementShot(panel, '92-dashboard-county')
    await assertNoInternalText(page)
    // The city's figures are not the county's: asking for the city answers 404.
    const token = await apiToken(USERS.countySupervisor)
    const city = await (await fetch(`${BASE_URL}/api/registry/api/v1/orgs?kind=city`, { headers: { Authorization: `Bearer ${token}` } })).json()
    assert.equal(city.items.length, 0)
    await page.goto('/screen')
    const screen = page.locator('[data-test="screen"]')
    await screen.locator('[data-test="region-map-fallback"]').waitFor()
    await page.setViewportSize({ width: 1920, height: 1080 })
    await shot(page, '93-screen-county')
    await assertNoInternalText(page)
    await page.close()
  })
})
