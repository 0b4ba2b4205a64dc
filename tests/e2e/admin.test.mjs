// 系统管理 (admin) and 操作日志 (audit).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RUN, USERS, expectMessage, launch, login, shot } from './helpers.mjs'

describe('系统管理与操作日志', () => {
  let browser
  before(async () => { browser = await launch() })
  after(async () => { await browser?.close() })

  test('organisation tree', async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/orgs')
    const tree = page.locator('[data-test="org-tree"]')
    await tree.locator('.el-tree-node__content').filter({ hasText: /^渭南市/ }).first().waitFor()
    await tree.locator('.el-tree-node__content').filter({ hasText: /^临渭区/ }).first().click()
    await page.getByText('610502').waitFor()
    await shot(page, '40-admin-orgs')
    await page.close()
  })

  test('users: list and create', async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/users')
    await page.locator('[data-test="users-table"] .el-table__row').first().waitFor()
    await page.locator('[data-test="user-create"]').click()
    const dialog = page.locator('.el-dialog').filter({ hasText: '新建用户' })
    await dialog.locator('input[name="new_username"]').fill(`e2e_user_${RUN}`)
    await dialog.locator('input[name="display_name"]').fill('测试查看员')
    await dialog.locator('.el-select').first().click() // 所属单位 tree select
    await page.locator('.el-select-dropdown:visible .el-tree-node__content').filter({ hasText: '渭南市民政局' }).first().click()
    await dialog.locator('.el-form-item').filter({ hasText: '角色' }).locator('.el-select').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: '查看员' }).click()
    await dialog.locator('input[name="new_password"]').fill('Govwatch@2024x')
    await shot(page, '41-admin-user-create')
    await dialog.getByRole('button', { name: '保存' }).click()
    await expectMessage(page, /已新建用户/)
    await page.close()
  })

  test('API clients page', async () => {
    const page = await browser.newPage()
    await login(page, USERS.admin)
    await page.goto('/admin/clients')
    await page.locator('[data-test="clients-table"]').waitFor()
    await shot(page, '42-admin-clients')
    await page.close()
  })

  test('audit log lists recent writes', async () => {
    const page = await browser.newPage()
    await login(page, USERS.supervisor)
    await page.goto('/audit')
    await page.locator('[data-test="audit-table"] .el-table__row').first().waitFor()
    await page.locator('[data-test="audit-table"] .el-table__expand-icon').first().click()
    await shot(page, '43-audit-log')
    await page.close()
  })
})
