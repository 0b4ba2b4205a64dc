// 负责人 and 联系电话 as national filing asks them, checked in the form with the registry's rule and words
// (services/registry/contacts.py): an 11-digit mainland mobile number, or a landline with its area code.
import type { FormItemRule } from 'element-plus'
import { nameProblem } from '@/utils/names'

export const PHONE_MESSAGE = '联系电话格式有误：应为11位手机号码，或带区号的固定电话（如 0913-2123456）'

/** The phone as the registry stores it, '' for none, or null when it is not a phone number. */
export function normalisePhone(value: string): string | null {
  let text = value.replace(/[\s\u3000]/g, '').replace(/（/g, '(').replace(/）/g, ')').replace(/－/g, '-')
  if (!text) return ''
  text = text.replace(/^(?:\+86|0086)-?/, '').replace(/^\((0\d{2,3})\)/, '$1-')
  if (/^1[3-9]\d{9}$/.test(text)) return text
  const landline = /^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$/.exec(text)
  if (!landline) return null
  return `${landline[1]}-${landline[2]}${landline[3] ? `-${landline[3]}` : ''}`
}

export function phoneProblem(value: string): string {
  return normalisePhone(value) === null ? PHONE_MESSAGE : ''
}

/** What is wrong with a responsible person's name ('' when fine or left empty). */
export function personProblem(value: string): string {
  return value.trim() ? nameProblem(value, '负责人姓名', 2, 50) : ''
}

function rule(problem: (value: string) => string, required: boolean, label: string): FormItemRule {
  return {
    required,
    trigger: 'blur',
    validator: (_rule, value: unknown, callback: (error?: Error) => void) => {
      const text = String(value ?? '')
      if (required && !text.trim()) return callback(new Error(`请填写${label}`))
      const found = problem(text)
      callback(found ? new Error(found) : undefined)
    },
  }
}

export const phoneRule = (required = true): FormItemRule => rule(phoneProblem, required, '联系电话')
export const personRule = (required = true): FormItemRule => rule(personProblem, required, '负责人')
