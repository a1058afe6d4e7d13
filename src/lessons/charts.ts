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
  /** The number sits on a plain chip, readable on every fill pattern. */
  chipWidth: number
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
  legendX: number
  legendSpacing: number
}

/** Room for the bars themselves; the labels get what their longest one needs. */
const BARS_WIDTH = 360
/** A generous average width of a character at the chart's 14px, so no label is cut off. */
const CHARACTER_WIDTH = 8.2
const MIN_LABEL_COLUMN = 80
const MAX_LABEL_CHARACTERS = 60
const BAR_HEIGHT = 22
const ROW_GAP = 12
const TOP = 10
const TOTAL_SPACE = 50
const LEGEND_HEIGHT = 40
/** Room around a number's chip inside its segment; narrower segments carry no number (the total and the table say it). */
const CHIP_MARGIN = 4
const DIGIT_WIDTH = 8.5
/** Each legend entry's square and word, the longest word ("gescheitert", "consulted") included. */
const LEGEND_SPACING = 120

/**
 * The chart is drawn at its own size (a narrow screen scrolls it rather than shrinking its
 * text), with the label column as wide as the longest label; a label beyond
 * MAX_LABEL_CHARACTERS is shortened, and the table beside the chart gives it whole.
 */
export function chartModel (rows: readonly OutcomeRow[], labelOf: (key: string) => string, describe: (row: OutcomeRow) => string): ChartModel {
  const labels = rows.map(row => shorten(labelOf(row.key), MAX_LABEL_CHARACTERS))
  const labelWidth = Math.max(MIN_LABEL_COLUMN, Math.ceil(Math.max(0, ...labels.map(label => label.length)) * CHARACTER_WIDTH) + 16)
  const width = labelWidth + BARS_WIDTH + TOTAL_SPACE
  const max = Math.max(1, ...rows.map(row => row.total))
  const scale = BARS_WIDTH / max
  const bars = rows.map((row, index): ChartBar => {
    let x = labelWidth
    const segments: ChartSegment[] = []
    for (const outcome of OUTCOMES) {
      const count = row.counts[outcome]
      if (count === 0) continue
      const width = count * scale
      const chipWidth = String(count).length * DIGIT_WIDTH + 10
      segments.push({ outcome, count, x, width, labelInside: width >= chipWidth + CHIP_MARGIN, labelX: x + width / 2, chipWidth })
      x += width
    }
    return { key: row.key, label: labels[index] ?? '', y: TOP + index * (BAR_HEIGHT + ROW_GAP), total: row.total, totalX: x + 6, segments, text: describe(row) }
  })
  const barsHeight = TOP + rows.length * (BAR_HEIGHT + ROW_GAP)
  // The legend ends at the chart's right edge; the narrowest label column still leaves it room.
  const legendX = width - OUTCOMES.length * LEGEND_SPACING
  return { width, height: barsHeight + LEGEND_HEIGHT, labelWidth, barHeight: BAR_HEIGHT, bars, legendY: barsHeight + 8, legendX, legendSpacing: LEGEND_SPACING }
}

function shorten (label: string, characters: number): string {
  return label.length <= characters ? label : `${label.slice(0, characters - 1).trimEnd()}…`
}
