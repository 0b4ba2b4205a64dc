import { describe, expect, it } from 'vitest'
import { nameProblem, nameRule } from '@/utils/names'

describe('name rules of the forms', () => {
  it('says the maximum for a long name, not the minimum', () => {
    expect(nameProblem('长'.repeat(300), '单位名称', 2, 100)).toBe('单位名称不能超过100个字（当前300个字）')
    expect(nameProblem('甲', '单位名称', 2, 100)).toBe('单位名称至少2个字')
    expect(nameProblem('  ', '网站名称', 2, 200)).toBe('请填写网站名称')
  })

  it('refuses markup and keeps Chinese brackets', () => {
    expect(nameProblem('<script>alert(1)</script>', '网站名称', 2, 200)).toContain('不能包含 < 或 > 等标记字符')
    expect(nameProblem('市政府>办公室', '姓名', 1, 100)).not.toBe('')
    expect(nameProblem('《条例》实施办公室（临时）', '单位名称', 2, 100)).toBe('')
  })

  it('works as an Element Plus rule', () => {
    const rule = nameRule('账号名称', 1, 200)
    const seen: (Error | undefined)[] = []
    const validate = rule.validator as (r: unknown, v: unknown, cb: (e?: Error) => void) => void
    validate(rule, '<b>x</b>', (e) => seen.push(e))
    validate(rule, '渭南发布', (e) => seen.push(e))
    expect(seen[0]?.message).toContain('标记字符')
    expect(seen[1]).toBeUndefined()
  })
})
