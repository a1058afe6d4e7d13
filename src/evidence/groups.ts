import { emptyCounts, evidenceRating, filterLessons, IMPACT_STEPS, sortLessons, type Lesson, type Outcome } from '../lessons/index.ts'

/**
 * The evidence view's model: per field of practice, every lesson with its outcome, impact
 * step, evidence rating and cost band, the counts by outcome, and a gap map of field ×
 * impact step. Pure functions of a list of lessons, so the counts can be checked against
 * the CSV export of the same lessons.
 */

/** A lesson as the listing gives it; lessons of other organisations carry their `origin`. */
export type ListedLesson = Lesson & { origin?: string }

export interface EvidenceLesson {
  url: string
  title: string
  origin: string
  outcome: Outcome
  impactStep: number | null
  evidenceRating: number | null
  costBand: number | null
}

export interface EvidenceGroup {
  field: string
  counts: Record<Outcome, number>
  /** The highest impact step any lesson of the field reached; null when none names one. */
  highestStep: number | null
  /** How many lessons have each rating 0–5, and how many state none (key ""). */
  ratings: Record<string, number>
  /** How many lessons are in each cost band 1–5, and how many state none (key ""). */
  costBands: Record<string, number>
  lessons: EvidenceLesson[]
}

export interface EvidenceFilter {
  field?: string
  tag?: string
}

export function evidenceLesson (lesson: ListedLesson, url: string): EvidenceLesson {
  return {
    url,
    title: lesson.title,
    origin: lesson.origin ?? 'local',
    outcome: lesson.outcome,
    impactStep: lesson.impactStep ?? null,
    evidenceRating: evidenceRating(lesson)?.rating ?? null,
    costBand: lesson.costBand ?? null
  }
}

function increment (counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1
}

const countKeys = (keys: readonly number[]): Record<string, number> => Object.fromEntries([...keys.map(key => [String(key), 0]), ['', 0]])

/**
 * Groups in the order of the configured fields, then fields only lessons name; only
 * fields with at least one lesson. Lessons newest first, as /lessons lists them.
 */
export function evidenceGroups (lessons: readonly ListedLesson[], filter: EvidenceFilter, fields: readonly string[], itemOf: (lesson: ListedLesson) => EvidenceLesson): EvidenceGroup[] {
  const groups = new Map<string, EvidenceGroup>()
  for (const lesson of sortLessons(filterLessons(lessons, filter), 'newest')) {
    let group = groups.get(lesson.field)
    if (group === undefined) {
      group = { field: lesson.field, counts: emptyCounts(), highestStep: null, ratings: countKeys([0, 1, 2, 3, 4, 5]), costBands: countKeys([1, 2, 3, 4, 5]), lessons: [] }
      groups.set(lesson.field, group)
    }
    const item = itemOf(lesson)
    group.counts[item.outcome]++
    if (item.impactStep !== null && (group.highestStep === null || item.impactStep > group.highestStep)) group.highestStep = item.impactStep
    increment(group.ratings, item.evidenceRating === null ? '' : String(item.evidenceRating))
    increment(group.costBands, item.costBand === null ? '' : String(item.costBand))
    group.lessons.push(item)
  }
  const order = new Map(fields.map((field, index) => [field, index]))
  return [...groups.values()].sort((a, b) =>
    (order.get(a.field) ?? fields.length) - (order.get(b.field) ?? fields.length) || a.field.localeCompare(b.field, 'de'))
}

export interface GapRow {
  field: string
  /** Lessons per impact step 1–7 (index 0 is step 1); 0 is a gap. */
  cells: number[]
  /** Lessons that name no impact step. */
  withoutStep: number
}

/** Every configured field (and every field a lesson names) × every impact step, gaps included. */
export function gapMap (groups: readonly EvidenceGroup[], fields: readonly string[], filter: EvidenceFilter): GapRow[] {
  const byField = new Map(groups.map(group => [group.field, group]))
  const shown = filter.field === undefined ? [...new Set([...fields, ...groups.map(group => group.field)])] : [filter.field]
  return shown.map(field => {
    const cells = IMPACT_STEPS.map(() => 0)
    let withoutStep = 0
    for (const lesson of byField.get(field)?.lessons ?? []) {
      if (lesson.impactStep === null) withoutStep++
      else cells[lesson.impactStep - 1] = (cells[lesson.impactStep - 1] ?? 0) + 1
    }
    return { field, cells, withoutStep }
  })
}
