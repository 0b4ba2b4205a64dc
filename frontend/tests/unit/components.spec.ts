import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import ImportErrorTable from '@/components/ImportErrorTable.vue'
import StateTag from '@/components/StateTag.vue'
import SubjectActions from '@/components/SubjectActions.vue'
import { MENU, visibleMenu } from '@/router/menu'
import { roleCan } from '@/auth/permissions'
import { allowedChanges } from '@/utils/lifecycle'

const global = { plugins: [ElementPlus] }

describe('StateTag', () => {
  it('labels site and account states in Chinese', () => {
    expect(mount(StateTag, { props: { subject: 'site', state: 'closed' }, global }).text()).toBe('已下线')
    expect(mount(StateTag, { props: { subject: 'account', state: 'pending_open' }, global }).text()).toBe('待开设')
    expect(mount(StateTag, { props: { subject: 'site', state: 'unknown' }, global }).text()).toBe('unknown')
  })
})

describe('SubjectActions', () => {
  it('offers the filings the lifecycle allows and emits the pick', async () => {
    const wrapper = mount(SubjectActions, { props: { subject: 'site', state: 'active' }, global })
    const labels = wrapper.findAll('button').map((b) => b.text())
    expect(labels).toEqual(['更名', '变更', '临时关停', '永久关停'])
    await wrapper.find('[data-test="action-close"]').trigger('click')
    expect(wrapper.emitted('pick')).toEqual([['close']])
  })

  it('says so when nothing is allowed', () => {
    const wrapper = mount(SubjectActions, { props: { subject: 'account', state: 'deregistered' }, global })
    expect(wrapper.findAll('button')).toHaveLength(0)
    expect(wrapper.text()).toContain('无可办理')
  })
})

describe('ImportErrorTable', () => {
  it('renders one row per error', async () => {
    const wrapper = mount(ImportErrorTable, {
      props: { errors: [{ row: 2, column: '首页网址', message: '网址应以 http:// 或 https:// 开头' }, { row: 5, column: null, message: '重复的网站标识码' }] },
      global,
      attachTo: document.body,
    })
    await new Promise((r) => setTimeout(r, 0))
    const text = wrapper.text()
    expect(text).toContain('首页网址')
    expect(text).toContain('（整行）')
    expect(text).toContain('重复的网站标识码')
    wrapper.unmount()
  })
})

describe('lifecycle and menu', () => {
  it('mirrors the registry lifecycle', () => {
    expect(allowedChanges('site', 'closing')).toEqual(['offline'])
    expect(allowedChanges('site', 'closed')).toEqual(['deregister'])
    expect(allowedChanges('account', 'closing')).toEqual(['deregister'])
    expect(allowedChanges('account', 'suspended')).toEqual(['resume', 'close'])
  })

  it('builds each role’s menu and hides services that do not answer', () => {
    const titles = (role: 'admin' | 'operator' | 'viewer', checker = false) =>
      visibleMenu(MENU, (p) => roleCan(role, p), (s) => s === 'registry' || (s === 'checker' && checker))
        .flatMap((m) => (m.children ? m.children.map((c) => c.title) : [m.title]))
    expect(titles('admin')).toContain('用户管理')
    expect(titles('admin')).not.toContain('检查任务')
    expect(titles('admin', true)).toContain('检查任务')
    expect(titles('operator')).toEqual(['首页', '政府网站', '政务新媒体', '备案申请', '网站开设备案', '新媒体开设备案'])
    expect(titles('viewer')).toEqual(['首页', '政府网站', '政务新媒体', '备案申请'])
  })
})
