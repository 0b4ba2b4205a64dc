import { describe, expect, it } from 'vitest'
import { ApiError, errorMessage, isApiError, toApiError } from '@/api/errors'
import { filenameFrom, parseEvent } from '@/api/http'

describe('toApiError', () => {
  it('reads the shared detail shape with its extras', () => {
    const err = toApiError(409, {
      detail: { code: 'illegal_transition', message: '当前状态 closed 不允许 rename 备案', field: null, allowed: ['deregister'] },
    })
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(409)
    expect(err.code).toBe('illegal_transition')
    expect(err.message).toBe('当前状态 closed 不允许 rename 备案')
    expect(err.extra<string[]>('allowed')).toEqual(['deregister'])
  })

  it('keeps import row errors', () => {
    const errors = [{ row: 2, column: '主办单位', message: '单位「x」不存在' }]
    const err = toApiError(422, { detail: { code: 'import_invalid', message: '导入文件有 1 处错误', errors, rows: 1 } })
    expect(isApiError(err, 'import_invalid')).toBe(true)
    expect(err.extra('errors')).toEqual(errors)
  })

  it('accepts FastAPI string details and empty bodies', () => {
    expect(toApiError(404, { detail: '网站不存在' }).message).toBe('网站不存在')
    // Framework texts in English are not shown: the status's own Chinese is.
    expect(toApiError(404, { detail: 'Not Found' }).message).toBe('记录不存在或无权访问')
    expect(toApiError(405, { detail: 'Method Not Allowed' }).message).toBe('请求失败（HTTP 405）')
    const empty = toApiError(502, null)
    expect(empty.code).toBe('http_502')
    expect(empty.message).toMatch(/服务暂不可用/)
  })

  it('falls back to a Chinese message when the detail has none', () => {
    expect(toApiError(403, { detail: { code: 'forbidden' } }).message).toBe('当前角色无权执行此操作')
    expect(toApiError(500, { detail: { code: 'internal', message: 'KeyError: site_id' } }).message).toBe('服务器内部错误，请稍后重试')
  })

  it('leaves out the codes, English notes and API calls some messages carry for developers', () => {
    const shown = (message: string) => toApiError(409, { detail: { code: 'x', message } }).message
    expect(shown('通报已印发，不能修改 (issued); 如需更正请先 POST /revise 开始新版本')).toBe('通报已印发，不能修改')
    expect(toApiError(404, { detail: { code: 'not_found', message: '网站不存在或无权访问 (网站 not found)' } }).message)
      .toBe('网站不存在或无权访问')
    expect(shown('只有推送失败的记录可以重试 (state resolved)')).toBe('只有推送失败的记录可以重试')
    expect(shown('整改任务当前状态（submitted）不能执行该操作；可执行：accept, reject, close')).toBe('整改任务当前状态不能执行该操作')
    expect(shown('该差异应以重新报送国家系统处理：POST …/differences/{id}/push')).toBe('该差异应以重新报送国家系统处理')
    // Chinese in brackets and after a colon stays.
    expect(shown('缺少证明材料（批复文件）：请上传后再提交')).toBe('缺少证明材料（批复文件）：请上传后再提交')
    expect(shown('仅支持导出为表格（XLSX）')).toBe('仅支持导出为表格（XLSX）')
  })

  it('shows a validation error without the request path of its field, and keeps the field for forms', () => {
    const err = toApiError(422, { detail: {
      code: 'validation_error', message: '请求参数有误: body.title: 长度不能少于 2 个字符', field: 'body.title',
      errors: [{ field: 'body.title', message: '长度不能少于 2 个字符', type: 'string_too_short' }],
    } })
    expect(err.message).toBe('提交的内容有误：长度不能少于 2 个字符')
    expect(err.field).toBe('body.title')
    const raw = toApiError(422, { detail: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }] })
    expect(raw.message).toBe('提交的内容有误')
    expect(raw.field).toBe('body.name')
  })
})

describe('errorMessage / isApiError', () => {
  it('speaks Chinese for network failures', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe('无法连接服务器，请检查网络')
    expect(errorMessage('x')).toBe('操作失败')
    expect(errorMessage(new Error("Cannot read properties of undefined (reading 'id')"))).toBe('操作失败')
    expect(errorMessage(new Error('文件过大'))).toBe('文件过大')
  })
  it('matches by code and status', () => {
    const err = toApiError(404, { detail: { code: 'not_found', message: '网站不存在或无权访问' } })
    expect(isApiError(err, undefined, 404)).toBe(true)
    expect(isApiError(err, 'rule_violation')).toBe(false)
    expect(isApiError(new Error('x'))).toBe(false)
  })
})

describe('filenameFrom', () => {
  it('decodes RFC 5987 names', () => {
    expect(filenameFrom("attachment; filename*=UTF-8''%E6%94%BF%E5%BA%9C%E7%BD%91%E7%AB%99.xlsx")).toBe('政府网站.xlsx')
    expect(filenameFrom('attachment; filename="a.csv"')).toBe('a.csv')
    expect(filenameFrom(null)).toBeNull()
  })
})

describe('parseEvent', () => {
  it('parses server-sent event blocks', () => {
    expect(parseEvent('event: progress\nid: 3\ndata: {"a":1}')).toEqual({ event: 'progress', id: '3', data: '{"a":1}' })
    expect(parseEvent(': ping')).toBeNull()
    expect(parseEvent('data: a\ndata: b')).toEqual({ event: 'message', data: 'a\nb', id: undefined })
  })
})
