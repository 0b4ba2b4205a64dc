// Issue 14 and 15 screens: registering a 信息公开专栏 (as the department's operator and the city's supervisor), the
// built-in word lists with their categories, the notice template's layout; no internal code on any of them.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { USERS, healthy, launch, login, settled, shot } from './helpers.mjs'

const checkerUp = await healthy('checker')
const reportingUp = await healthy('reporting')
const CODE = /\b[a-z]+_[a-z_]+\b|\buser:\d+/
const mainText = (page) => page.locator('.el-main').innerText()

describe('新增检查项的界面', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  for (const role of ['operator', 'supervisor']) {
    test(`${role}: a 信息公开专栏 is registered on a running site under its own prefix`, async () => {
      const page = await browser.newPage()
      await login(page, USERS[role])
      await page.goto('/sites/new')
      await page.locator('[data-test="site-kind"]').getByText('信息公开专栏').click()
      await page.getByText('信息公开专栏开设备案').waitFor()
      await page.locator('[data-test="host-site"]').click()
      const option = page.locator('.el-select-dropdown__item:visible').first()
      await option.waitFor({ timeout: 15_000 })
      await option.click()
      await settled(page)
      const text = await mainText(page)
      for (const label of ['专栏名称', '所在网站', '网址前缀']) assert.ok(text.includes(label), label)
      assert.ok(!CODE.test(text), text.match(CODE)?.[0])
      await shot(page, `70-column-open-${role}`)
      await page.close()
    })
  }

  test('supervisor: the sites list tags 专栏 apart', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/sites')
    await page.locator('[data-test="site-kind-tag"]').first().waitFor()
    const tags = await page.locator('[data-test="site-kind-tag"]').allInnerTexts()
    assert.ok(tags.every((t) => ['政府门户网站', '部门网站', '信息公开专栏'].includes(t.trim())), tags.join(','))
    await shot(page, '71-sites-kinds')
    await page.close()
  })

  test('admin: the built-in word lists show their categories and sources in Chinese', { skip: !checkerUp }, async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/wordlists')
    await page.getByRole('tab', { name: '内置词库' }).click()
    await page.locator('.el-tab-pane:visible .el-table__row').first().waitFor({ timeout: 20_000 })
    const text = await mainText(page)
    assert.ok(/赌博|机构名称变更|严重表述错误/.test(text), 'categories named')
    assert.ok(!CODE.test(text), text.match(CODE)?.[0])
    await shot(page, '72-builtin-wordlists')
    await page.close()
  })

  test('admin: the notice template offers seed 004\'s layout', { skip: !reportingUp }, async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/notice-template')
    const layout = page.locator('[data-test="template-layout"]')
    await layout.waitFor({ timeout: 20_000 })
    const text = await layout.innerText()
    assert.ok(text.includes('一、政府网站检查情况') && text.includes('一、总体情况'), text)
    // A city's default is seed 004's.
    assert.equal(await layout.locator('.el-radio.is-checked').innerText().then((t) => t.includes('政府网站检查情况')), true)
    await shot(page, '73-notice-template-layout')
    await page.close()
  })
})
