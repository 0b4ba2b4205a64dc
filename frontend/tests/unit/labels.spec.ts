import { describe, expect, it } from 'vitest'
import { actorLabel, userError } from '@/utils/labels'

describe('texts shown for stored failures and actors', () => {
  it('keeps the zh-CN part of a stored failure, never the exception class or its English text', () => {
    expect(userError('检查出错: ValueError: invalid literal for int()')).toBe('检查出错')
    expect(userError('无法从登记系统获取检查对象: ConnectError: [Errno 111] Connection refused')).toBe('无法从登记系统获取检查对象')
    expect(userError('检查所需数据无法获取: registry answered 503')).toBe('检查所需数据无法获取')
    expect(userError('检查超时（超过 120 秒未完成）')).toBe('检查超时（超过 120 秒未完成）')
    expect(userError('OSError: [Errno 28] No space left on device')).toBe('原因未知，请稍后重试或联系管理员')
    expect(userError('redirect_loop')).toBe('重定向循环')
    expect(userError('复查请求失败，将自动重试：ConnectError: All connection attempts failed')).toBe('复查请求失败，将自动重试')
    expect(userError('复查检查任务未完成（failed）')).toBe('复查检查任务未完成')
    expect(userError('复查未能完成：检查出错: KeyError: \'rules\'')).toBe('复查未能完成：检查出错')
    expect(userError(null)).toBe('原因未知，请稍后重试或联系管理员')
  })

  it('names an actor without printing its subject', () => {
    const me = { sub: 'user:3', name: '王督查' }
    expect(actorLabel('user:3', me)).toBe('王督查')
    expect(actorLabel('user:7', me)).toBe('用户（编号 7）')
    expect(actorLabel('system:login', me)).toBe('系统')
    expect(actorLabel(null, me)).toBe('—')
  })
})
