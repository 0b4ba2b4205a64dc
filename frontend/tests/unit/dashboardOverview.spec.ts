import { describe, expect, it } from 'vitest'
import { asGeo, healthBand, mapData, ranking, unitTooltip, type UnitRow } from '@/utils/dashboard'

const unit = (name: string, health: number | null, extra: Partial<UnitRow> = {}): UnitRow => ({
  name, group: 'region', region_code: null, health, pass_rate: 0.9, checked: 10, passed: 9, open_vetoes: 0,
  overdue_tasks: 0, coverage: 1, sites: 1, monitored_sites: 1, ...extra,
})

describe('dashboard helpers', () => {
  it('bands a health index', () => {
    expect(healthBand(95).label).toBe('优')
    expect(healthBand(75).label).toBe('良')
    expect(healthBand(59).label).toBe('差')
    expect(healthBand(null).label).toBe('暂无数据')
  })

  it('ranks best and worst without overlap and leaves units without data out', () => {
    const units = [unit('甲', 80), unit('乙', 95), unit('丙', null), unit('丁', 40), unit('戊', 60)]
    const { top, bottom } = ranking(units, 2)
    expect(top.map((u) => u.name)).toEqual(['乙', '甲'])
    expect(bottom.map((u) => u.name)).toEqual(['丁', '戊'])
    const few = ranking(units.slice(0, 2), 5)
    expect(few.top).toHaveLength(2)
    expect(few.bottom).toHaveLength(0)
  })

  it('says every figure in Chinese, with dashes for what is unknown', () => {
    const lines = unitTooltip(unit('华阴市', 59, { open_vetoes: null, pass_rate: null, checked: 0, passed: 0 }))
    expect(lines[0]).toBe('健康指数：59（差）')
    expect(lines[1]).toBe('合格率：—（0/0）')
    expect(lines[2]).toContain('—')
    expect(lines.join('')).not.toMatch(/[A-Za-z]/)
  })

  it('refuses what is not a boundary file (the SPA answers a missing file with its index page)', () => {
    expect(asGeo('<!doctype html>')).toBeNull()
    expect(asGeo({ type: 'FeatureCollection', features: [] })).toBeNull()
    expect(asGeo(null)).toBeNull()
  })

  it('matches sub-regions to features by code and reports those without one', () => {
    const geo = asGeo({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { name: '华州区', adcode: '610503' }, geometry: null },
      { type: 'Feature', properties: { name: '潼关县', adcode: '610522' }, geometry: null },
    ] })!
    const units = [unit('渭南市华州区', 70, { region_code: '610503', pass_rate: 0.8125 }),
      unit('新区', 90, { region_code: '610599' }), unit('市民政局', 90, { group: 'department', region_code: '610500' })]
    const { data, unmatched } = mapData(geo, units)
    expect(data).toEqual([{ name: '华州区', value: 81.3, unit: units[0] }])
    expect(unmatched.map((u) => u.name)).toEqual(['新区'])
  })
})
