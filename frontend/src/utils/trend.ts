// The pass-rate trend of the dashboard: a line needs two points; one inspection alone is drawn as a bar
// with its value, so the chart is never blank.

export interface TrendSeries {
  name: string
  type: 'line' | 'bar'
  data: (number | null)[]
  label: { show: boolean; formatter: string; position: 'top' }
  [key: string]: unknown
}

export function trendSeries(values: (number | null)[]): TrendSeries {
  const label = { show: true, formatter: '{c}%', position: 'top' as const }
  if (values.length === 1) {
    return { name: '合格率', type: 'bar', data: values, label, barMaxWidth: 48, itemStyle: { color: '#a8281e' } }
  }
  return {
    name: '合格率', type: 'line', data: values, label, connectNulls: true, smooth: false, symbolSize: 8,
    showAllSymbol: true, itemStyle: { color: '#a8281e' }, areaStyle: { opacity: 0.08 },
  }
}
