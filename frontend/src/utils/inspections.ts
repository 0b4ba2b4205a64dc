// Inspections as offices name and list them.

const ROUNDS = ['第一次', '第二次', '第三次', '第四次']

/** The default name of a new full inspection: the year and quarterly round of today in Beijing time
 * (a December inspection is the year's 第四次, as seed 004 counts them), not always 第一次. */
export function defaultInspectionName(now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000) // read as UTC fields: Beijing has no DST
  const quarter = Math.floor(beijing.getUTCMonth() / 3)
  return `${beijing.getUTCFullYear()}年${ROUNDS[quarter]}政府网站与政务新媒体全面检查`
}

/** The latest `count` full inspections; re-checks of rectified targets (targeted inspections) are counted
 * apart so they do not crowd the list. */
export function recentInspections<T extends { targets?: unknown[] | null }>(items: T[], count: number):
  { shown: T[]; rechecks: number } {
  const full = items.filter((i) => !i.targets?.length)
  return { shown: full.slice(0, count), rechecks: items.length - full.length }
}
