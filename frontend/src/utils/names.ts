// Names of the inventory (units, sites, accounts, people) as the APIs accept them: plain text of a bounded
// length. The form says what is wrong before the API does, in the same words.
import type { FormItemRule } from 'element-plus'

const MARKUP = /[<>]/

/** What is wrong with a name, or '' when it is acceptable. */
export function nameProblem(value: string, label: string, min: number, max: number): string {
  const text = value.trim()
  if (!text) return `请填写${label}`
  if (text.length < min) return `${label}至少${min}个字`
  if (text.length > max) return `${label}不能超过${max}个字（当前${text.length}个字）`
  if (MARKUP.test(text)) return `${label}应为纯文本，不能包含 < 或 > 等标记字符`
  return ''
}

/** The same rule for an Element Plus form item. */
export function nameRule(label: string, min: number, max: number): FormItemRule {
  return {
    required: true,
    trigger: 'blur',
    validator: (_rule, value: unknown, callback: (error?: Error) => void) => {
      const problem = nameProblem(String(value ?? ''), label, min, max)
      callback(problem ? new Error(problem) : undefined)
    },
  }
}
