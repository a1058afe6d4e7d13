import type { Lesson } from './schema.ts'
import { IMPACT_STEPS, OUTCOMES, type Outcome } from './vocabulary.ts'

/**
 * Counts and geometry of the overview's stacked bar charts. The SVG is drawn by a
 * template from this model; each outcome has its own fill pattern and every bar
 * carries its numbers as text, so nothing depends on telling colours apart.
 */
export interface OutcomeRow {
  key: string
  counts: Record<Outcome, number>
  total: number
}

export function emptyCounts (): Record<Outcome, number> {
  return { works: 0, fails: 0, mixed: 0, open: 0 }
}

function countRows (keys: readonly string[], lessons: readonly Lesson[], keyOf: (lesson: Lesson) => string): OutcomeRow[] {
  const rows = new Map<string, OutcomeRow>(keys.map(key => [key, { key, counts: emptyCounts(), total: 0 }]))
  for (const lesson of lessons) {
    const key = keyOf(lesson)
    let row = rows.get(key)
    if (row === undefined) {
      row = { key, counts: emptyCounts(), total: 0 }
      rows.set(key, row)
    }
    row.counts[lesson.outcome]++
    row.total++
  }
  return [...rows.values()]
}

/** One row per configured field (also when empty, so gaps show), plus fields only lessons name. */
export function outcomesByField (lessons: readonly Lesson[], fields: readonly string[]): OutcomeRow[] {
  return countRows(fields, lessons, lesson => lesson.field)
}

/** One row per impact step, and "" for lessons that name none. */
export function outcomesByImpactStep (lessons: readonly Lesson[]): OutcomeRow[] {
  const rows = countRows(IMPACT_STEPS.map(String), lessons, lesson => lesson.impactStep === undefined ? '' : String(lesson.impactStep))
  return rows.filter(row => row.key !== '' || row.total > 0)
}

export interface ChartSegment {
  outcome: Outcome
  count: number
  x: number
  width: number
  /** Whether the number fits inside the segment; otherwise the row's text says it. */
  labelInside: boolean
  labelX: number
}

export interface ChartBar {
  key: string
  label: string
  y: number
  total: number
  totalX: number
  segments: ChartSegment[]
  /** The whole row in words, e.g. for screen readers that read the SVG's text. */
  text: string
}

export interface ChartModel {
  width: number
  height: number
  labelWidth: number
  barHeight: number
  bars: ChartBar[]
  legendY: number
}

const WIDTH = 720
const LABEL_WIDTH = 260
const BAR_HEIGHT = 22
const ROW_GAP = 12
const TOP = 10
const TOTAL_SPACE = 50
const LEGEND_HEIGHT = 40
const MIN_LABEL_WIDTH = 24

export function chartModel (rows: readonly OutcomeRow[], labelOf: (key: string) => string, describe: (row: OutcomeRow) => string): ChartModel {
  const max = Math.max(1, ...rows.map(row => row.total))
  const scale = (WIDTH - LABEL_WIDTH - TOTAL_SPACE) / max
  const bars = rows.map((row, index): ChartBar => {
    let x = LABEL_WIDTH
    const segments: ChartSegment[] = []
    for (const outcome of OUTCOMES) {
      const count = row.counts[outcome]
      if (count === 0) continue
      const width = count * scale
      segments.push({ outcome, count, x, width, labelInside: width >= MIN_LABEL_WIDTH, labelX: x + width / 2 })
      x += width
    }
    return { key: row.key, label: labelOf(row.key), y: TOP + index * (BAR_HEIGHT + ROW_GAP), total: row.total, totalX: x + 6, segments, text: describe(row) }
  })
  const barsHeight = TOP + rows.length * (BAR_HEIGHT + ROW_GAP)
  return { width: WIDTH, height: barsHeight + LEGEND_HEIGHT, labelWidth: LABEL_WIDTH, barHeight: BAR_HEIGHT, bars, legendY: barsHeight + 8 }
}
