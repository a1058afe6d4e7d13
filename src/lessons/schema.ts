import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { MessageKey, MessageParams } from '../i18n/index.ts'
import { CO_PRODUCTION_LEVELS, OUTCOMES, SUMMARY_MAX_LENGTH, type CoProduction, type Outcome } from './vocabulary.ts'
import { COST_BANDS, EVIDENCE_DESIGNS, isCostBand, isCount, isEvidenceDesign, MAX_PARTICIPANTS, MAX_SITES, type CostBand, type EvidenceDesign } from './evidence-strength.ts'

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' })
const YearMonth = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })
const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map(value => Type.Literal(value)))

export const EvidenceSchema = Type.Object({
  figure: Text(500),
  source: Text(500),
  caveat: Type.Optional(Type.String({ maxLength: 1000 }))
})

/**
 * The lesson fields of a page's front matter. Other fields are allowed and kept:
 * the wiki's own (title, tags, licence…) and whatever an author adds.
 */
export const LessonSchema = Type.Object({
  programme: Text(200),
  organisation: Text(200),
  place: Type.Object({
    name: Text(200),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 }))
  }),
  field: Text(100),
  period: Type.Object({ from: YearMonth, to: Type.Optional(YearMonth) }),
  outcome: literals(OUTCOMES),
  impactStep: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })),
  coProduction: Type.Optional(literals(CO_PRODUCTION_LEVELS)),
  summary: Type.String({ minLength: 1, maxLength: SUMMARY_MAX_LENGTH, pattern: '\\S' }),
  evidence: Type.Optional(Type.Array(EvidenceSchema, { maxItems: 50 })),
  // How sure, and at what cost (src/lessons/evidence-strength.ts): optional, beside the outcome.
  evidenceDesign: Type.Optional(literals(EVIDENCE_DESIGNS)),
  participants: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PARTICIPANTS })),
  sites: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SITES })),
  costBand: Type.Optional(Type.Union(COST_BANDS.map(band => Type.Literal(band))))
})

export type Evidence = Static<typeof EvidenceSchema>

/** The fields a person can get wrong, each with one message that says what is expected. */
export const LESSON_FIELD_NAMES = [
  'programme', 'organisation', 'place.name', 'place.lat', 'place.lon', 'field', 'period.from', 'period.to',
  'outcome', 'impactStep', 'coProduction', 'summary', 'evidence',
  'evidenceDesign', 'participants', 'sites', 'costBand'
] as const
export type LessonFieldName = typeof LESSON_FIELD_NAMES[number]

export interface LessonProblem {
  field: LessonFieldName
  message: MessageKey
  params: MessageParams
}

export interface LessonCheckOptions {
  /** The fields of social work a lesson may name. */
  fields: readonly string[]
}

/** Every problem of a lesson's front matter, at most one per field, in the order of the form. */
export function checkLesson (data: Record<string, unknown>, options: LessonCheckOptions): LessonProblem[] {
  const value = withoutNulls(data)
  const found = new Map<LessonFieldName, LessonProblem>()
  const add = (field: LessonFieldName, params: MessageParams = {}): void => {
    if (!found.has(field)) found.set(field, { field, message: `lessonError.${field}` as MessageKey, params })
  }
  for (const error of Value.Errors(LessonSchema, value)) {
    const field = fieldOfPath(error.path)
    if (field === 'summary') add(field, { max: SUMMARY_MAX_LENGTH, length: typeof value.summary === 'string' ? value.summary.length : 0 })
    else if (field === 'evidence') add(field, { row: evidenceRow(error.path) })
    else if (field === 'field') add(field, { fields: options.fields.join(', ') })
    else add(field)
    if (found.size >= LESSON_FIELD_NAMES.length) break
  }
  if (typeof value.field === 'string' && !found.has('field') && !options.fields.includes(value.field.trim())) {
    add('field', { fields: options.fields.join(', ') })
  }
  const place = value.place as { lat?: unknown, lon?: unknown } | undefined
  if (isRecord(place) && (place.lat === undefined) !== (place.lon === undefined)) {
    add(place.lat === undefined ? 'place.lat' : 'place.lon')
  }
  const period = value.period as { from?: unknown, to?: unknown } | undefined
  if (isRecord(period) && typeof period.from === 'string' && typeof period.to === 'string' && !found.has('period.from') && !found.has('period.to') && period.to < period.from) {
    found.set('period.to', { field: 'period.to', message: 'lessonError.periodOrder', params: { from: period.from, to: period.to } })
  }
  return LESSON_FIELD_NAMES.flatMap(name => found.get(name) ?? [])
}

/** Empty YAML values (`to:`) mean "not given", as they do in the form. */
function withoutNulls (data: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(data)) {
    if (item === null) continue
    copy[key] = isRecord(item) ? withoutNulls(item) : item
  }
  return copy
}

function fieldOfPath (path: string): LessonFieldName {
  const [first = '', second = ''] = path.replace(/^\//, '').split('/')
  if (first === 'place' || first === 'period') {
    const nested = `${first}.${second === '' ? (first === 'place' ? 'name' : 'from') : second}`
    if ((LESSON_FIELD_NAMES as readonly string[]).includes(nested)) return nested as LessonFieldName
    return first === 'place' ? 'place.name' : 'period.from'
  }
  if ((LESSON_FIELD_NAMES as readonly string[]).includes(first)) return first as LessonFieldName
  return 'evidence'
}

function evidenceRow (path: string): number {
  const index = Number(path.split('/')[2])
  return Number.isInteger(index) ? index + 1 : 1
}

export function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A lesson as lists, filters and exports use it, read leniently from stored front matter. */
export interface Lesson {
  slug: string
  title: string
  language: string
  summary: string
  programme: string
  organisation: string
  place: { name: string, lat?: number, lon?: number }
  field: string
  period: { from: string, to?: string }
  outcome: Outcome
  impactStep?: number
  coProduction?: CoProduction
  evidence: Evidence[]
  evidenceDesign?: EvidenceDesign
  participants?: number
  sites?: number
  costBand?: CostBand
  tags: string[]
  licence: string
  visibility: string
  createdAt: Date
  updatedAt: Date
  /** `local`, or the organisation whose instance published it (see remote-lessons.ts). */
  origin: string
  /** Where it is shown here: `/wiki/<slug>`, or `/remote/<id>` for another organisation's lesson. */
  path: string
  /** Another organisation's lesson: where the original is and on which host. */
  remote?: { originalUrl: string, host: string }
}

export interface LessonPage {
  slug: string
  title: string
  language: string
  frontMatter: Record<string, unknown>
  fields: { tags: string[], licence: string, visibility: string, summary?: string, type?: string }
  createdAt: Date
  updatedAt: Date
}

/**
 * The lesson of a stored page, or null when the page is no lesson. Pages saved before
 * the checks existed (or received from elsewhere) may miss fields; they get neutral values.
 */
export function lessonOfPage (page: LessonPage): Lesson | null {
  if (page.fields.type !== 'lesson') return null
  const data = withoutNulls(page.frontMatter)
  const text = (value: unknown): string => typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
  const place = isRecord(data.place) ? data.place : {}
  const period = isRecord(data.period) ? data.period : {}
  const outcome = (OUTCOMES as readonly unknown[]).includes(data.outcome) ? data.outcome as Outcome : 'open'
  const lesson: Lesson = {
    slug: page.slug,
    title: page.title,
    language: page.language,
    summary: page.fields.summary ?? text(data.summary),
    programme: text(data.programme),
    organisation: text(data.organisation),
    place: { name: typeof data.place === 'string' ? data.place.trim() : text(place.name) },
    field: text(data.field),
    period: { from: text(period.from) },
    outcome,
    evidence: Array.isArray(data.evidence) ? data.evidence.filter(item => Value.Check(EvidenceSchema, item)) as Evidence[] : [],
    tags: page.fields.tags,
    licence: page.fields.licence,
    visibility: page.fields.visibility,
    createdAt: page.createdAt,
    updatedAt: page.updatedAt,
    origin: 'local',
    path: `/wiki/${page.slug}`
  }
  if (isCoordinate(place.lat, 90) && isCoordinate(place.lon, 180)) {
    lesson.place.lat = place.lat
    lesson.place.lon = place.lon
  }
  if (text(period.to) !== '') lesson.period.to = text(period.to)
  if (typeof data.impactStep === 'number' && Number.isInteger(data.impactStep) && data.impactStep >= 1 && data.impactStep <= 7) lesson.impactStep = data.impactStep
  if ((CO_PRODUCTION_LEVELS as readonly unknown[]).includes(data.coProduction)) lesson.coProduction = data.coProduction as CoProduction
  if (isEvidenceDesign(data.evidenceDesign)) lesson.evidenceDesign = data.evidenceDesign
  if (isCount(data.participants, MAX_PARTICIPANTS)) lesson.participants = data.participants
  if (isCount(data.sites, MAX_SITES)) lesson.sites = data.sites
  if (isCostBand(data.costBand)) lesson.costBand = data.costBand
  return lesson
}

function isCoordinate (value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit
}

/** Calendar years a lesson's period touches; an open period counts its first year only. */
export function lessonYears (lesson: Pick<Lesson, 'period'>): number[] {
  const from = Number(lesson.period.from.slice(0, 4))
  const to = Number((lesson.period.to ?? lesson.period.from).slice(0, 4))
  if (!Number.isInteger(from) || from < 1000) return []
  const last = Number.isInteger(to) && to >= from ? Math.min(to, from + 100) : from
  const years: number[] = []
  for (let year = from; year <= last; year++) years.push(year)
  return years
}
