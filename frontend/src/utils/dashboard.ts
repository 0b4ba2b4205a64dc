// Pure helpers of the dashboard (首页) and the 大屏: health bands, rankings, tooltips, and the map's data
// matched to a region's boundaries by GB/T 2260 code (names only ever reach the screen).
import type { DashboardUnit } from '@/api/reportingTypes'

export type UnitRow = Pick<DashboardUnit, 'name' | 'group' | 'region_code' | 'health' | 'pass_rate' | 'checked'
  | 'passed' | 'open_vetoes' | 'overdue_tasks' | 'coverage' | 'sites' | 'monitored_sites'>

export const pct = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`

/** Band of a health index: 优 ≥ 90, 良 ≥ 75, 中 ≥ 60, 差 below, 暂无 without data. */
export function healthBand(health: number | null | undefined): { label: string; color: string } {
  if (health === null || health === undefined) return { label: '暂无数据', color: '#909399' }
  if (health >= 90) return { label: '优', color: '#2e7d32' }
  if (health >= 75) return { label: '良', color: '#67c23a' }
  if (health >= 60) return { label: '中', color: '#e6a23c' }
  return { label: '差', color: '#c0392b' }
}

/** Best and worst `n` units with an index (units without data are in neither); each list without overlap. */
export function ranking<T extends Pick<UnitRow, 'name' | 'health'>>(units: T[], n = 5): { top: T[]; bottom: T[] } {
  const known = units.filter((u) => u.health !== null && u.health !== undefined)
    .sort((a, b) => (b.health as number) - (a.health as number) || a.name.localeCompare(b.name, 'zh-CN'))
  const top = known.slice(0, n)
  const bottom = known.slice(Math.max(n, known.length - n)).reverse()
  return { top, bottom }
}

/** The unit's figures in Chinese, one line each, for a tooltip. */
export function unitTooltip(u: UnitRow): string[] {
  const band = healthBand(u.health)
  return [
    `健康指数：${u.health ?? '—'}（${band.label}）`,
    `合格率：${pct(u.pass_rate)}（${u.passed}/${u.checked}）`,
    `未处置单项否决问题：${u.open_vetoes ?? '—'} 个`,
    `逾期整改任务：${u.overdue_tasks} 件`,
    `监测覆盖率：${pct(u.coverage)}（运行中网站 ${u.sites} 个，已监测 ${u.monitored_sites} 个）`,
  ]
}

export interface GeoFeatureCollection {
  type: 'FeatureCollection'
  features: { type: 'Feature'; properties: { name: string; adcode?: string }; geometry: unknown }[]
}

/** A parsed boundary file, or null when the answer is not one (a missing file answers the SPA's index page). */
export function asGeo(body: unknown): GeoFeatureCollection | null {
  const geo = body as GeoFeatureCollection | null
  return geo && geo.type === 'FeatureCollection' && Array.isArray(geo.features) && geo.features.length ? geo : null
}

export interface MapDatum { name: string; value: number | null; unit: UnitRow }

/** One datum per feature whose code matches a sub-region, named as the feature (ECharts matches by name), and
 *  the sub-regions that have no feature (shown beside the map so no unit silently disappears). */
export function mapData(geo: GeoFeatureCollection, units: UnitRow[]): { data: MapDatum[]; unmatched: UnitRow[] } {
  const byCode = new Map<string, UnitRow>()
  for (const u of units) if (u.group === 'region' && u.region_code) byCode.set(u.region_code, u)
  const data: MapDatum[] = []
  const used = new Set<UnitRow>()
  for (const f of geo.features) {
    const unit = f.properties.adcode ? byCode.get(f.properties.adcode) : undefined
    if (!unit || used.has(unit)) continue
    used.add(unit)
    data.push({ name: f.properties.name, value: unit.pass_rate === null || unit.pass_rate === undefined ? null : Math.round(unit.pass_rate * 1000) / 10, unit })
  }
  return { data, unmatched: units.filter((u) => u.group === 'region' && !used.has(u)) }
}
