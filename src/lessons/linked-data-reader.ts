import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import { LESSON_TERMS } from './linked-data.ts'
import { EvidenceSchema, LessonSchema, isRecord } from './schema.ts'

/** The most evidence rows a lesson may carry, as the lesson schema says. */
const MAX_EVIDENCE_ROWS = 50
/** A lesson literal of an older instance larger than this is not read at all. */
const MAX_LEGACY_LITERAL = 20_000

export interface ReadLesson {
  /** The fields that passed their checks, in the shape of a lesson's front matter; null when none did. */
  lesson: Record<string, unknown> | null
  /** The fields left out, each with why, for the log. */
  dropped: string[]
}

/** The first value of a property that JSON-LD compaction kept as an array, with `@value` unwrapped. */
function single (value: unknown): unknown {
  const found = Array.isArray(value) ? value[0] : value
  return isRecord(found) && '@value' in found ? found['@value'] : found
}

function many (value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  if (isRecord(value) && Array.isArray(value['@list'])) return value['@list']
  return Array.isArray(value) ? value : [value]
}

/**
 * The lesson node of an Article compacted with our context (so any prefix for the same
 * IRIs arrives under our terms), as plain front matter fields. Nothing is checked here.
 */
function plainOfNode (node: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {}
  for (const term of Object.keys(LESSON_TERMS)) {
    if (term === 'place' || term === 'period' || term === 'evidence') continue
    if (node[term] !== undefined) plain[term] = single(node[term])
  }
  const place = single(node.place)
  if (isRecord(place)) {
    const geo = single(place.geo)
    plain.place = {
      name: single(place.name),
      ...(isRecord(geo) ? { lat: single(geo.latitude), lon: single(geo.longitude) } : {})
    }
  }
  const period = single(node.period)
  if (isRecord(period)) plain.period = { from: single(period.from), to: single(period.to) }
  if (node.evidence !== undefined) {
    const rows = many(node.evidence)
    plain.evidence = rows.length > MAX_EVIDENCE_ROWS
      ? rows
      : rows.map(row => isRecord(row) ? { figure: single(row.figure), source: single(row.source), caveat: single(row.caveat) } : row)
  }
  return plain
}

const propertySchema = (field: string): TSchema | undefined => (LessonSchema.properties as Record<string, TSchema>)[field]

const trimmed = (value: unknown): unknown => typeof value === 'string' ? value.trim() : value

/**
 * Each field checked on its own against the lesson schema: a wrong field is left out and
 * named, the others are kept. Another organisation may name fields of practice this one
 * does not offer, so any short text is taken as a field.
 */
export function checkedLessonFields (plain: Record<string, unknown>): ReadLesson {
  const lesson: Record<string, unknown> = {}
  const dropped: string[] = []
  for (const [field, raw] of Object.entries(plain)) {
    if (raw === undefined || raw === null) continue
    if (field === 'place') {
      checkPlace(raw, lesson, dropped)
    } else if (field === 'period') {
      checkPeriod(raw, lesson, dropped)
    } else if (field === 'evidence') {
      checkEvidence(raw, lesson, dropped)
    } else {
      const schema = propertySchema(field)
      const value = trimmed(raw)
      if (schema !== undefined && field !== 'summary' && Value.Check(schema, value)) lesson[field] = value
      else dropped.push(`${field}: not a valid value`)
    }
  }
  return { lesson: Object.keys(lesson).length > 0 ? lesson : null, dropped }
}

function checkPlace (raw: unknown, lesson: Record<string, unknown>, dropped: string[]): void {
  const place = isRecord(raw) ? raw : { name: raw }
  const name = trimmed(place.name)
  if (!Value.Check(LessonSchema.properties.place.properties.name, name)) {
    dropped.push('place: no valid name')
    return
  }
  const { lat, lon } = place
  if (lat === undefined && lon === undefined) {
    lesson.place = { name }
  } else if (typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    lesson.place = { name, lat, lon }
  } else {
    lesson.place = { name }
    dropped.push('place.geo: coordinates out of range')
  }
}

function checkPeriod (raw: unknown, lesson: Record<string, unknown>, dropped: string[]): void {
  const yearMonth = LessonSchema.properties.period.properties.from
  const from = isRecord(raw) ? raw.from : undefined
  const to = isRecord(raw) ? raw.to : undefined
  if (!Value.Check(yearMonth, from)) {
    dropped.push('period: no valid start')
    return
  }
  if (to !== undefined && to !== null && (!Value.Check(yearMonth, to) || (to as string) < (from as string))) {
    lesson.period = { from }
    dropped.push('period.to: not a valid end')
    return
  }
  lesson.period = to === undefined || to === null ? { from } : { from, to }
}

function checkEvidence (raw: unknown, lesson: Record<string, unknown>, dropped: string[]): void {
  const rows = Array.isArray(raw) ? raw : []
  if (!Array.isArray(raw) || rows.length > MAX_EVIDENCE_ROWS) {
    dropped.push(`evidence: ${Array.isArray(raw) ? `${rows.length} rows, more than ${MAX_EVIDENCE_ROWS}` : 'not a list'}`)
    return
  }
  const kept = rows
    .map(row => isRecord(row) ? Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined && value !== null)) : row)
    .filter(row => Value.Check(EvidenceSchema, row))
  if (kept.length < rows.length) dropped.push(`evidence: ${rows.length - kept.length} rows not valid`)
  if (kept.length > 0) lesson.evidence = kept
}

/**
 * The lesson of an incoming Article, read from its `lesson` node (the vocabulary) or, from
 * older instances, the `legacyLesson` JSON literal. Both are bounded before they are read.
 */
export function readArticleLesson (article: Record<string, unknown>): ReadLesson {
  const node = single(article.lesson)
  if (isRecord(node)) return checkedLessonFields(plainOfNode(node))
  let literal = single(article.legacyLesson)
  if (typeof literal === 'string') {
    if (literal.length > MAX_LEGACY_LITERAL) return { lesson: null, dropped: ['lesson: literal too large'] }
    try {
      literal = JSON.parse(literal)
    } catch {
      return { lesson: null, dropped: ['lesson: not JSON'] }
    }
  }
  if (!isRecord(literal)) return { lesson: null, dropped: [] }
  if (JSON.stringify(literal).length > MAX_LEGACY_LITERAL) return { lesson: null, dropped: ['lesson: literal too large'] }
  const { type: _type, ...fields } = literal
  return checkedLessonFields(fields)
}
