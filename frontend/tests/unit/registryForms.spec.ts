import { describe, expect, it } from 'vitest'
import { PHONE_MESSAGE, normalisePhone, personProblem, phoneProblem } from '@/utils/contacts'
import { fromSortParam, sortValues, toSortParam } from '@/utils/tableSort'

describe('contact phone (as the registry checks it)', () => {
  it.each([
    ['13912345678', '13912345678'], ['139 1234 5678', '13912345678'], ['+8613912345678', '13912345678'],
    ['0913-2123456', '0913-2123456'], ['09132123456', '0913-2123456'], ['（0913）2123456', '0913-2123456'],
    ['029-88881234', '029-88881234'], ['0913-2123456-802', '0913-2123456-802'], ['', ''],
  ])('%s is %s', (raw, stored) => expect(normalisePhone(raw)).toBe(stored))

  it.each(['12345', '2123456', '12912345678', '1391234567', '0913-21234', '电话13912345678', '913-2123456'])(
    '%s is refused in the registry\'s words', (raw) => {
      expect(normalisePhone(raw)).toBeNull()
      expect(phoneProblem(raw)).toBe(PHONE_MESSAGE)
    })

  it('a responsible person is a plain name of 2–50 characters, or left empty', () => {
    expect(personProblem('')).toBe('')
    expect(personProblem('王建国')).toBe('')
    expect(personProblem('王')).toBe('负责人姓名至少2个字')
    expect(personProblem('<b>王</b>')).toContain('纯文本')
    expect(personProblem('王'.repeat(51))).toContain('不能超过50个字')
  })
})

describe('table sort ⇄ sort parameter', () => {
  const allowed = ['name', 'state', 'updated_at']
  it('maps a column and order to the API key', () => {
    expect(toSortParam('name', 'ascending', allowed)).toBe('name')
    expect(toSortParam('updated_at', 'descending', allowed)).toBe('-updated_at')
    expect(toSortParam('name', null, allowed)).toBeUndefined()
    expect(toSortParam('org_path', 'ascending', allowed)).toBeUndefined() // not offered: never sent
  })
  it('reads the URL value back into the table', () => {
    expect(fromSortParam('-state', allowed)).toEqual({ prop: 'state', order: 'descending' })
    expect(fromSortParam('name', allowed)).toEqual({ prop: 'name', order: 'ascending' })
    expect(fromSortParam('password', allowed)).toBeUndefined()
    expect(fromSortParam(undefined, allowed)).toBeUndefined()
  })
  it('lists both directions for the URL fields', () => {
    expect(sortValues(['name'])).toEqual(['name', '-name'])
  })
})
