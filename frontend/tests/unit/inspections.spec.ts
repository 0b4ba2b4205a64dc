import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import InspectionProgress from '@/components/inspections/InspectionProgress.vue'

const global = { plugins: [ElementPlus] }

describe('InspectionProgress', () => {
  const base = { total: 10, done: 4, failed: 0, remaining: 6, passed: 3, not_passed: 1, probes_done: 0, probes_total: 0, percent: 40 }

  it('shows targets being checked, stalled and retried when there are any', () => {
    const w = mount(InspectionProgress, { props: { progress: { ...base, running: 2, stalled: 1, retried: 3 } }, global })
    expect(w.find('[data-test="progress-running"]').text()).toBe('检查中 2')
    expect(w.find('[data-test="progress-stalled"]').text()).toBe('中断待重试 1')
    expect(w.find('[data-test="progress-retried"]').text()).toBe('重试过 3')
  })

  it('leaves them out at zero', () => {
    const w = mount(InspectionProgress, { props: { progress: { ...base, running: 0, stalled: 0, retried: 0 } }, global })
    expect(w.find('[data-test="progress-stalled"]').exists()).toBe(false)
    expect(w.find('[data-test="progress-running"]').exists()).toBe(false)
  })
})
