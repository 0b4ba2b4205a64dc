// The filing flow: an operator files to open a site (rule override), uploads an evidence PNG,
// a supervisor approves; change filings and their conflicts.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, USERS, api, apiToken, expectMessage, launch, login, pngBytes, settled, shot } from './helpers.mjs'

describe('备案', () => {
  let browser
  let filingPath = ''
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('operator files to open a site, overriding the one-site rule, and uploads evidence', async () => {
    const page = await browser.newPage()
    await login(page, USERS.operator)
    await page.goto('/sites/new')
    await page.locator('input[name="name"]').fill(`渭南市民政局婚姻登记专题网站${RUN}`)
    await page.locator('input[name="homepage_url"]').fill(`https://hy${RUN}.mzj.weinan.gov.cn/`)
    await page.locator('input[name="site_code"]').fill(`61${String(Date.now()).slice(-8)}`)
    await page.locator('input[name="icp_number"]').fill('陕ICP备12009999号')
    await settled(page)
    await shot(page, '20-site-open-form')
    await page.locator('[data-test="open-submit"]').click()
    // 民政局 already runs a site: the API answers 409 rule_violation and the form asks for a reason.
    await page.locator('[data-test="rule-violation"]').waitFor()
    assert.match(await page.locator('[data-test="rule-violation"]').innerText(), /一个单位只开设一个网站/)
    await shot(page, '21-site-open-rule-violation')
    await page.locator('textarea[name="override_reason"]').fill('婚姻登记业务独立运行，经市政府办同意单独开设专题网站')
    await page.locator('[data-test="open-submit"]').click()
    await page.waitForURL(/\/filings\/\d+$/)
    filingPath = new URL(page.url()).pathname
    await page.locator('[data-test="evidence-upload"]').waitFor()
    assert.match(await page.locator('[data-test="required-evidence"]').first().innerText(), /未提交/)

    await page.locator('[data-test="evidence-upload"] input[type="file"]').setInputFiles({
      name: '开设审批表.png', mimeType: 'image/png', buffer: pngBytes(),
    })
    await page.locator('[data-test="evidence-submit"]').click()
    await expectMessage(page, /已上传/)
    await page.locator('[data-test="evidence-table"] .el-table__row').first().waitFor()
    assert.match(await page.locator('[data-test="evidence-table"]').innerText(), /开设审批表\.png/)
    assert.match(await page.locator('[data-test="required-evidence"]').first().innerText(), /✓/)
    assert.equal(await page.locator('[data-test="approve"]').count(), 0, 'operators cannot approve')
    await shot(page, '22-filing-evidence-uploaded')
    await page.close()
  })

  test('supervisor finds it in the approval queue and approves', async () => {
    assert.ok(filingPath, 'previous test created a filing')
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/filings?state=pending')
    await page.locator('[data-test="filings-table"] .el-table__row').first().waitFor()
    await shot(page, '23-filings-queue')
    await page.goto(filingPath)
    await page.locator('[data-test="decision"]').waitFor()
    await page.locator('textarea[name="decision_note"]').fill('材料齐全，同意开设')
    await page.locator('[data-test="approve"]').click()
    await expectMessage(page, /已审批通过/)
    await page.locator('[data-test="filing-state"]').getByText('已通过').waitFor()
    await shot(page, '24-filing-approved')
    // The site is now active and its history shows the approved open filing.
    await page.getByRole('link', { name: new RegExp(`婚姻登记专题网站${RUN}`) }).click()
    await page.locator('[data-test="site-fields"]').waitFor()
    assert.match(await page.locator('[data-test="site-fields"]').innerText(), /运行中/)
    // The history loads after the fields: wait for its row rather than reading an empty table.
    await page.locator('[data-test="subject-filings"]').getByText('已通过').first().waitFor()
    assert.match(await page.locator('[data-test="subject-filings"]').innerText(), /开设[\s\S]*已通过/)
    await page.close()
  })

  test('change filing, then a second one is refused while the first is pending; withdraw', async () => {
    const token = await apiToken(USERS.supervisor)
    const { body } = await api(token, `/api/v1/sites?q=${encodeURIComponent(`婚姻登记专题网站${RUN}`)}`)
    const site = body.items[0]
    assert.ok(site, 'site from the previous test')
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/sites/${site.id}`)
    await page.locator('[data-test="action-close"]').click()
    await page.locator('input[name="closure_notice_on"]').fill('2026-01-05')
    await page.locator('input[name="closure_notice_on"]').press('Enter')
    await page.locator('input[name="migration_target_url"]').fill('https://mzj.weinan.gov.cn/')
    await page.locator('textarea[name="reason"]').fill('专题网站整合至市民政局网站')
    await shot(page, '25-close-filing-dialog')
    await page.locator('[data-test="filing-submit"]').click()
    await page.waitForURL(/\/filings\/\d+$/)
    const closePath = new URL(page.url()).pathname
    assert.match(await page.locator('.el-descriptions').first().innerText(), /关停公告日期[\s\S]*2026-01-05/)

    await page.goto(`/sites/${site.id}`)
    await page.locator('[data-test="action-rename"]').click()
    await page.locator('input[name="new_name"]').fill(`婚姻登记网${RUN}`)
    await page.locator('[data-test="filing-submit"]').click()
    await page.locator('[data-test="filing-conflict"]').waitFor()
    assert.match(await page.locator('[data-test="filing-conflict"]').innerText(), /待审批的备案/)
    await page.keyboard.press('Escape')

    await page.goto(closePath)
    await page.locator('[data-test="withdraw"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '撤回' }).click()
    await page.locator('[data-test="filing-state"]').getByText('已撤回').waitFor()
    await page.close()
  })

  test('approving without evidence is refused with the missing materials', async () => {
    // Filed by the unit's operator: nobody decides their own filing.
    const token = await apiToken(USERS.operator)
    const { body } = await api(token, `/api/v1/sites?q=${encodeURIComponent(`婚姻登记专题网站${RUN}`)}`)
    const site = body.items[0]
    const filed = await api(token, `/api/v1/sites/${site.id}/filings`, {
      method: 'POST', body: JSON.stringify({ kind: 'suspend', payload: {}, reason: '系统升级' }),
    })
    assert.equal(filed.status, 201, JSON.stringify(filed.body))
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto(`/filings/${filed.body.id}`)
    await page.locator('[data-test="approve"]').click()
    await expectMessage(page, /缺少证明材料：审批表/)
    await page.locator('textarea[name="decision_note"]').fill('未附审批表，请补充后重新提交')
    await page.locator('[data-test="reject"]').click()
    await page.locator('[data-test="filing-state"]').getByText('已驳回').waitFor()
    await page.close()
  })
})
