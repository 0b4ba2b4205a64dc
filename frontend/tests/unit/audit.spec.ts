import { describe, expect, it } from 'vitest'
import { auditAction, auditChanges, auditEntity } from '@/utils/audit'
import { indicatorLabel } from '@/utils/checkerLabels'

describe('audit log labels', () => {
  it('names every action the registry writes in Chinese, never by its code', () => {
    expect(auditAction('site.open')).toBe('政府网站开设生效')
    expect(auditAction('account.deregister')).toBe('政务新媒体注销生效')
    expect(auditAction('site.import')).toBe('政府网站批量导入')
    expect(auditAction('account.bootstrap')).toBe('政务新媒体从国家系统导入')
    expect(auditAction('auth.lockout')).toBe('登录失败过多，临时锁定')
    expect(auditAction('sync.retry')).toBe('重新推送国家系统')
    expect(auditAction('something.new')).toBe('其他操作')
    expect(auditEntity('sync_outbox', '渭南市人民政府')).toBe('国家系统推送 渭南市人民政府')
    expect(auditEntity('user', null)).toBe('用户') // a user deleted since: its kind alone, never its number
    expect(auditEntity('mystery', null)).toBe('其他对象')
  })

  it('names the object by its recorded name, and shows changes field by field in Chinese (no codes, no JSON)', () => {
    const after = {
      id: 97, state: 'active', org_path: '/1/2/35/', platform: 'wechat_subscription', registered_name: '渭南民政',
      host_org_id: 35, created_at: '2026-12-06T06:07:50Z', platform_id: 'gh_d4566f2b9d3b',
    }
    expect(auditEntity('account', '渭南民政（更名后）', null, after)).toBe('新媒体账号 渭南民政') // as it was called then
    const orgName = (id: number) => (id === 35 ? '渭南市民政局' : '上级单位')
    expect(auditChanges('account', null, after, orgName)).toEqual([
      { field: '状态', before: '—', after: '运行中' },
      { field: '平台', before: '—', after: '微信订阅号' },
      { field: '账号名称', before: '—', after: '渭南民政' },
      { field: '主办单位', before: '—', after: '渭南市民政局' },
      { field: '平台账号', before: '—', after: 'gh_d4566f2b9d3b' },
    ])
    // An update lists only what changed.
    expect(auditChanges('site', { name: '旧名', state: 'active', has_badge: true }, { name: '新名', state: 'suspended', has_badge: true }, orgName))
      .toEqual([{ field: '名称', before: '旧名', after: '新名' }, { field: '状态', before: '运行中', after: '临时关停' }])
  })

  it('names indicators without their codes', () => {
    expect(indicatorLabel('no_services')).toBe('无在线办事服务')
    expect(indicatorLabel('not_a_known_code')).not.toContain('not_a_known_code')
  })
})
