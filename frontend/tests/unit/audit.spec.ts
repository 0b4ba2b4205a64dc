import { describe, expect, it } from 'vitest'
import { auditAction, auditEntity } from '@/utils/audit'
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
    expect(auditEntity('sync_outbox', 4)).toBe('国家系统推送 #4')
    expect(auditEntity('mystery', null)).toBe('其他对象')
  })

  it('names indicators without their codes', () => {
    expect(indicatorLabel('no_services')).toBe('无在线办事服务')
    expect(indicatorLabel('not_a_known_code')).not.toContain('not_a_known_code')
  })
})
