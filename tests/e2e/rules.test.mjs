// 指标体系, 错敏词库 and 人工添加问题 (checker): a supervisor creates a local indicator set inheriting
// from gov-2019 with one override (and its next version), adds and deletes a word-list entry, and adds a
// finding by hand on an inspection result; a viewer gets neither the menu entries nor the pages.
// Skipped when the checker API does not answer behind the proxy.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, RUN, USERS, apiToken, checkerApi, expectMessage, healthy, launch, login, menuTexts, settled, shot } from './helpers.mjs'

/** A site result checked without error in a completed inspection the user sees; when there is none, a
 * new sites-only inspection of the user's own organisation is run first. */
async function checkedSiteResult(username) {
  const token = await apiToken(username)
  const pick = async (inspection) => {
    const results = await checkerApi(token, `/api/v1/inspections/${inspection.id}/results?status=ok&kind=site&limit=1`)
    return results.items.length ? { inspection, result: results.items[0] } : null
  }
  for (const inspection of (await checkerApi(token, '/api/v1/inspections?state=completed&limit=5')).items) {
    const found = await pick(inspection)
    if (found) return found
  }
  const me = await (await fetch(`${BASE_URL}/api/registry/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).json()
  const created = await checkerApi(token, '/api/v1/inspections', {
    method: 'POST',
    body: JSON.stringify({ name: `人工复核测试检查${RUN}`, scope_org_id: me.org_id, target_kinds: ['site'], indicator_set: 'gov-2019', include_closed: true }),
  })
  const deadline = Date.now() + 200_000
  for (;;) {
    const inspection = await checkerApi(token, `/api/v1/inspections/${created.id}`)
    if (inspection.state === 'completed') {
      const found = await pick(inspection)
      if (found) return found
      throw new Error(`inspection ${created.id} has no site checked without error`)
    }
    if (['failed', 'cancelled'].includes(inspection.state)) throw new Error(`inspection ${created.id} ${inspection.state}`)
    if (Date.now() > deadline) throw new Error(`inspection ${created.id} did not complete in time`)
    await new Promise((r) => setTimeout(r, 2000))
  }
}

/** Pick an option of an Element Plus select (the dropdown is teleported to the body). */
async function choose(page, select, option) {
  await select.click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: option }).first().click()
}

const up = await healthy('checker')
// The 错别字 indicator's row, by its Chinese name in the first cell (codes are not shown).
const TYPO_ROW = /^\s*错别字/

describe('指标体系、错敏词库与人工添加问题', { skip: up ? false : 'checker API not available' }, () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('supervisor creates a local indicator set inheriting from gov-2019, then its next version', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.locator('.el-aside').getByText('指标体系').waitFor()
    const menu = await menuTexts(page)
    for (const entry of ['指标体系', '错敏词库']) assert.ok(menu.includes(entry), `supervisor lacks ${entry}: ${menu}`)
    await page.locator('.el-aside').getByText('指标体系').click()
    await page.waitForURL(/\/admin\/indicator-sets$/)
    const table = page.locator('[data-test="indicator-sets-table"]')
    // A set's row, by the code in its first column (other rows name it as their parent).
    const setRow = (code) => table.locator('.el-table__row').filter({ has: page.locator('a.link', { hasText: new RegExp(`^${code}$`) }) })
    await setRow('gov-2019').waitFor()
    await setRow('weinan-2024').waitFor()
    await shot(page, '70-indicator-sets')

    // The built-in national set: its indicators and thresholds.
    await setRow('gov-2019').getByRole('button', { name: '查看' }).click()
    const detail = page.locator('.el-drawer').filter({ has: page.locator('[data-test="indicator-set-indicators"]') })
    await detail.locator('[data-test="indicator-set-indicators"] .el-table__row').filter({ hasText: TYPO_ROW }).waitFor()
    await shot(page, '71-indicator-set-builtin')
    await detail.locator('.el-drawer__close-btn').click()
    await detail.waitFor({ state: 'hidden' })

    // A new set: a malformed code is refused by the form, a too short one by the API; the form shows why.
    await page.locator('[data-test="indicator-set-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '新建指标集' })
    const rows = dialog.locator('[data-test="override-indicators"] .el-table__row')
    await rows.filter({ hasText: TYPO_ROW }).waitFor()
    await dialog.locator('input[name="set_code"]').fill('Weinan Local')
    await dialog.locator('[data-test="indicator-set-submit"]').click()
    await dialog.locator('.el-form-item__error').filter({ hasText: '编码只能包含小写字母' }).waitFor()
    await dialog.locator('input[name="set_code"]').fill('x')
    await dialog.locator('[data-test="indicator-set-submit"]').click()
    // In Chinese, without the request path of the field (body.code) or pydantic's English.
    await dialog.locator('.el-alert--error').filter({ hasText: '长度不能少于 2 个字符' }).waitFor()
    assert.ok(!(await dialog.locator('.el-alert--error').innerText()).includes('body.'))
    await dialog.locator('.el-form-item__error').filter({ hasText: '长度不能少于 2 个字符' }).waitFor()
    await shot(page, '72-indicator-set-invalid')

    // One override: typos become a veto item.
    const code = `weinan-local-${RUN}`
    await dialog.locator('input[name="set_code"]').fill(code)
    await dialog.locator('input[name="set_name"]').fill(`渭南市本级检查指标（测试${RUN}）`)
    await dialog.locator('textarea[name="set_note"]').fill('错别字按单项否决处理')
    await rows.filter({ hasText: TYPO_ROW }).locator('[data-test="rule-severity"] .el-radio-button').filter({ hasText: '单项否决' }).click()
    await dialog.locator('[data-test="override-count"]').filter({ hasText: '覆盖 1 项' }).waitFor()
    await dialog.locator('.el-tabs__item').filter({ hasText: '覆盖内容' }).click()
    const preview = dialog.locator('[data-test="overrides-preview"]')
    await preview.locator('.el-table__body tr').filter({ hasText: '错别字' }).filter({ hasText: '性质' }).filter({ hasText: '单项否决' }).waitFor()
    assert.doesNotMatch(await preview.innerText(), /typo|indicators|[{}]/)
    await shot(page, '73-indicator-set-overrides')
    await dialog.locator('.el-tabs__item').filter({ hasText: '检查指标' }).click()
    await shot(page, '73-indicator-set-create')
    await dialog.locator('[data-test="indicator-set-submit"]').click()
    await expectMessage(page, /已保存指标集/)
    await dialog.waitFor({ state: 'hidden' })

    // The new set opens with its override, and is listed.
    await detail.locator('[data-test="indicator-set-overrides"]').filter({ hasText: '错别字 · 性质 → 单项否决' }).waitFor()
    await detail.locator('[data-test="indicator-set-versions"] .el-table__row').first().waitFor()
    assert.equal(await detail.locator('[data-test="indicator-set-versions"] .el-table__row').count(), 1)
    await shot(page, '74-indicator-set-detail')
    await detail.locator('.el-drawer__close-btn').click()
    const row = setRow(code)
    await row.waitFor()
    assert.match(await row.innerText(), /gov-2019/)
    assert.match(await row.innerText(), /v1/)

    // Its next version keeps the override and adds one.
    await row.locator('[data-test="indicator-set-version"]').click()
    const next = page.locator('.el-dialog').filter({ hasText: '新版本' })
    await next.locator('[data-test="override-count"]').filter({ hasText: '覆盖 1 项' }).waitFor()
    const points = next.locator('[data-test="override-indicators"] .el-table__row').filter({ hasText: /^\s*链接不可用/ })
      .locator('[data-test="rule-max-points"] input')
    await points.fill('8')
    await points.press('Tab')
    await next.locator('textarea[name="set_note"]').fill('链接不可用扣分上限提高到8分')
    await next.locator('[data-test="override-count"]').filter({ hasText: '覆盖 2 项' }).waitFor()
    await next.locator('[data-test="indicator-set-submit"]').click()
    await expectMessage(page, /第2版/)
    await detail.locator('[data-test="indicator-set-overrides"]').filter({ hasText: '链接不可用 · 扣分上限 → 8' }).waitFor()
    assert.equal(await detail.locator('[data-test="indicator-set-versions"] .el-table__row').count(), 2)
    await shot(page, '75-indicator-set-version-2')
    await page.close()
  })

  test('supervisor adds a word-list entry, is told about a duplicate, and deletes it', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/admin/wordlists')
    await page.locator('[data-test="wordlist-table"]').waitFor()
    const word = `测试错词${RUN}`

    const add = async () => {
      await page.locator('[data-test="word-create"]').click()
      const dialog = page.locator('.el-dialog').filter({ hasText: '添加词条' })
      await dialog.locator('.el-radio-button').filter({ hasText: '错别字' }).click()
      await dialog.locator('input[name="word"]').fill(word)
      await dialog.locator('input[name="suggestion"]').fill(`正确词${RUN}`)
      await dialog.locator('textarea[name="word_note"]').fill('端到端测试添加')
      return dialog
    }
    let dialog = await add()
    await shot(page, '76-wordlist-add')
    await dialog.locator('[data-test="word-submit"]').click()
    await expectMessage(page, /已添加词条/)
    await dialog.waitFor({ state: 'hidden' })

    // The same entry again: the API's conflict shows in the dialog.
    dialog = await add()
    await dialog.locator('[data-test="word-submit"]').click()
    await dialog.locator('.el-alert--error').filter({ hasText: '词条已存在' }).waitFor()
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Filtered by kind and word, the entry is listed.
    await choose(page, page.locator('[data-test="word-kind-filter"]'), '错别字')
    await page.locator('input[name="word_search"]').fill(word)
    await page.locator('input[name="word_search"]').press('Enter')
    const row = page.locator('[data-test="wordlist-table"] .el-table__row').filter({ hasText: word })
    await row.waitFor()
    assert.match(await row.innerText(), /错别字/)
    assert.match(await row.innerText(), new RegExp(`正确词${RUN}`))
    await shot(page, '77-wordlist-listed')

    await row.locator('[data-test="word-delete"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
    await expectMessage(page, /已删除词条/)
    await row.waitFor({ state: 'detached' })
    await settled(page)
    assert.equal(await page.locator('[data-test="wordlist-table"] .el-table__row').filter({ hasText: word }).count(), 0)
    await page.close()
  })

  test('supervisor adds a finding by hand on an inspection result', { timeout: 260_000 }, async () => {
    const { inspection, result } = await checkedSiteResult(USERS.supervisor)
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/inspections/${inspection.id}/results/site/${result.target_id}`)
    await page.locator('[data-test="verdict"]').waitFor()
    await settled(page)
    const before = await page.locator('[data-test="finding"]').count()

    await page.locator('[data-test="manual-finding-add"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '人工添加问题' })
    // Required fields are checked before anything is sent.
    await dialog.locator('[data-test="manual-finding-submit"]').click()
    await dialog.getByText('请选择检查指标').waitFor()
    const message = `人工复核：首页“部暑”应为“部署”（测试${RUN}）`
    await choose(page, dialog.locator('[data-test="finding-indicator"]'), '错别字')
    await dialog.locator('textarea[name="finding_message"]').fill(message)
    assert.equal(await dialog.locator('input[name="evidence_url_0"]').inputValue(), result.url ?? '')
    if (!result.url) await dialog.locator('input[name="evidence_url_0"]').fill('http://example.gov.cn/')
    await dialog.locator('textarea[name="evidence_excerpt_0"]').fill('认真部暑本年度政务公开工作')
    await shot(page, '78-manual-finding-dialog')
    await dialog.locator('[data-test="manual-finding-submit"]').click()
    await expectMessage(page, /已添加问题/)
    await dialog.waitFor({ state: 'hidden' })

    const added = page.locator('[data-test="finding"]').filter({ hasText: message })
    await added.waitFor()
    await added.locator('[data-test="finding-manual"]').waitFor()
    assert.match(await added.innerText(), /错别字/)
    assert.match(await added.locator('[data-test="finding-evidence"]').innerText(), /认真部暑/)
    assert.equal(await page.locator('[data-test="finding"]').count(), before + 1)
    await added.scrollIntoViewIfNeeded()
    await shot(page, '79-manual-finding-added')

    // The finding is stored: a reload shows it, still marked as added by hand.
    await page.reload()
    await page.locator('[data-test="finding"]').filter({ hasText: message }).locator('[data-test="finding-manual"]').waitFor()
    await page.close()
  })

  test('a viewer has neither the menu entries nor the pages', async () => {
    const page = await browser.newPage()
    await login(page, USERS.viewer)
    await page.locator('.el-aside').getByText('检查任务').waitFor()
    const menu = await menuTexts(page)
    for (const entry of ['指标体系', '错敏词库']) assert.ok(!menu.includes(entry), `viewer has ${entry}`)
    for (const path of ['/admin/indicator-sets', '/admin/wordlists']) {
      await page.goto(path)
      await page.locator('[data-test="forbidden"]').waitFor()
    }
    await shot(page, '7a-rules-forbidden-viewer')

    // On an inspection result the viewer reads the findings but cannot add one.
    const token = await apiToken(USERS.viewer)
    const done = await checkerApi(token, '/api/v1/inspections?state=completed&limit=1')
    if (done.items.length) {
      const results = await checkerApi(token, `/api/v1/inspections/${done.items[0].id}/results?kind=site&limit=1`)
      if (results.items.length) {
        await page.goto(`/inspections/${done.items[0].id}/results/site/${results.items[0].target_id}`)
        await page.locator('[data-test="verdict"], [data-test="findings-card"]').first().waitFor()
        await settled(page)
        assert.equal(await page.locator('[data-test="manual-finding-add"]').count(), 0)
      }
    }
    await page.close()
  })
})
