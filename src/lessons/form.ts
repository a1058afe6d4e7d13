import { Document, parseDocument } from 'yaml'
import { DEFAULT_LICENCE, parseSource, type ParsedSource } from '../markdown/front-matter.ts'
import type { MessageKey, MessageParams } from '../i18n/index.ts'
import { checkLesson, isRecord, type LessonFieldName, type LessonProblem } from './schema.ts'
import { SECTION_HEADINGS, SECTION_IDS, headingsFor, type SectionId } from './vocabulary.ts'

/**
 * The guided form and the plain editor edit the same text. The form reads a source
 * into plain strings and writes them back into that source, keeping every front matter
 * field and every piece of body text it does not show in its own boxes.
 */
export interface EvidenceRow {
  figure: string
  source: string
  caveat: string
}

export interface LessonFormValues {
  title: string
  summary: string
  programme: string
  organisation: string
  placeName: string
  lat: string
  lon: string
  field: string
  periodFrom: string
  periodTo: string
  outcome: string
  impactStep: string
  coProduction: string
  evidence: EvidenceRow[]
  tags: string
  licence: string
  visibility: string
  language: string
  /** Body text before the first section heading. */
  lead: string
  sections: Record<SectionId, string>
  /** Sections with headings of the author's own, in their order. */
  extra: string
}

export const FORM_FIELDS = [
  'title', 'summary', 'programme', 'organisation', 'placeName', 'lat', 'lon', 'field', 'periodFrom', 'periodTo',
  'outcome', 'impactStep', 'coProduction', 'evidence', 'tags', 'licence', 'visibility', 'language', 'lead',
  ...SECTION_IDS.map(id => `section-${id}` as const), 'extra'
] as const
export type FormField = typeof FORM_FIELDS[number]

export interface FormProblem {
  field: FormField
  message: MessageKey
  params: MessageParams
}

const LESSON_TO_FORM: Record<LessonFieldName, FormField> = {
  programme: 'programme',
  organisation: 'organisation',
  'place.name': 'placeName',
  'place.lat': 'lat',
  'place.lon': 'lon',
  field: 'field',
  'period.from': 'periodFrom',
  'period.to': 'periodTo',
  outcome: 'outcome',
  impactStep: 'impactStep',
  coProduction: 'coProduction',
  summary: 'summary',
  evidence: 'evidence'
}

const MAX_TAGS = 50
const MAX_TAG_LENGTH = 60
const LICENCE_EXPRESSION = /^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/
const HEADING = /^##[ \t]+(.*?)[ \t]*#*[ \t]*$/
const FENCE = /^[ \t]{0,3}(```|~~~)/

export function emptySections (): Record<SectionId, string> {
  return { context: '', approach: '', happened: '', learned: '', soWhat: '', evidence: '' }
}

export function blankValues (language: string, fields: readonly string[]): LessonFormValues {
  return {
    title: '',
    summary: '',
    programme: '',
    organisation: '',
    placeName: '',
    lat: '',
    lon: '',
    field: fields.length === 1 ? fields[0] ?? '' : '',
    periodFrom: '',
    periodTo: '',
    outcome: '',
    impactStep: '',
    coProduction: '',
    evidence: [],
    tags: '',
    licence: DEFAULT_LICENCE,
    visibility: 'local',
    language,
    lead: '',
    sections: emptySections(),
    extra: ''
  }
}

/** The form's view of a page source; throws FrontMatterError when the source cannot be read. */
export function valuesFromSource (source: string, fallbackLanguage: string): LessonFormValues {
  const parsed = parseSource(source)
  const data = parsed.data
  const text = (value: unknown): string => value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  const place = isRecord(data.place) ? data.place : {}
  const period = isRecord(data.period) ? data.period : {}
  const body = splitBody(parsed.body)
  return {
    title: text(data.title),
    summary: text(data.summary),
    programme: text(data.programme),
    organisation: text(data.organisation),
    placeName: typeof data.place === 'string' ? data.place : text(place.name),
    lat: text(place.lat),
    lon: text(place.lon),
    field: text(data.field),
    periodFrom: text(period.from),
    periodTo: text(period.to),
    outcome: text(data.outcome),
    impactStep: text(data.impactStep),
    coProduction: text(data.coProduction),
    evidence: Array.isArray(data.evidence)
      ? data.evidence.map(item => isRecord(item) ? { figure: text(item.figure), source: text(item.source), caveat: text(item.caveat) } : { figure: text(item), source: '', caveat: '' })
      : [],
    tags: parsed.fields.tags.join(', '),
    licence: parsed.fields.licence,
    visibility: parsed.fields.visibility,
    language: parsed.fields.language ?? fallbackLanguage,
    ...body
  }
}

/** Splits a lesson body at its level-2 headings into the form's boxes. */
export function splitBody (body: string): { lead: string, sections: Record<SectionId, string>, extra: string } {
  const sections = emptySections()
  const filled = new Set<SectionId>()
  const lead: string[] = []
  const extra: string[] = []
  let target: string[] = lead
  let current: SectionId | null = null
  const sectionLines: string[] = []
  const flush = (): void => {
    if (current !== null) sections[current] = sectionLines.join('\n').trim()
    sectionLines.length = 0
    current = null
  }
  let fence: string | null = null
  for (const line of body.split('\n')) {
    const fenceMatch = FENCE.exec(line)
    if (fenceMatch !== null) fence = fence === null ? fenceMatch[1] ?? null : (fence === fenceMatch[1] ? null : fence)
    const heading = fence === null ? HEADING.exec(line) : null
    if (heading !== null) {
      const id = sectionOfHeading(heading[1] ?? '')
      if (id !== null && !filled.has(id)) {
        flush()
        filled.add(id)
        current = id
        target = sectionLines
        continue
      }
      flush()
      target = extra
    }
    target.push(line)
  }
  flush()
  return { lead: lead.join('\n').trim(), sections, extra: extra.join('\n').trim() }
}

function normaliseHeading (heading: string): string {
  return heading.toLowerCase().replace(/\s+/g, ' ').trim()
}

const KNOWN_HEADINGS = new Map<string, SectionId>()
for (const headings of Object.values(SECTION_HEADINGS)) {
  for (const id of SECTION_IDS) KNOWN_HEADINGS.set(normaliseHeading(headings[id]), id)
}

function sectionOfHeading (heading: string): SectionId | null {
  return KNOWN_HEADINGS.get(normaliseHeading(heading)) ?? null
}

/** Level-2 headings outside code blocks, which would split the text into other boxes. */
function headingsIn (text: string): string[] {
  const found: string[] = []
  let fence: string | null = null
  for (const line of text.split('\n')) {
    const fenceMatch = FENCE.exec(line)
    if (fenceMatch !== null) fence = fence === null ? fenceMatch[1] ?? null : (fence === fenceMatch[1] ? null : fence)
    const heading = fence === null ? HEADING.exec(line) : null
    if (heading !== null) found.push(heading[1] ?? '')
  }
  return found
}

export function composeBody (values: Pick<LessonFormValues, 'lead' | 'sections' | 'extra' | 'language'>): string {
  const headings = headingsFor(values.language)
  const parts: string[] = []
  if (values.lead.trim() !== '') parts.push(values.lead.trim())
  for (const id of SECTION_IDS) {
    const text = values.sections[id].trim()
    if (text !== '') parts.push(`## ${headings[id]}\n\n${text}`)
  }
  if (values.extra.trim() !== '') parts.push(values.extra.trim())
  return `\n${parts.join('\n\n')}\n`
}

/**
 * Writes the form's values into a source. With a base source (editing), the front
 * matter is edited in place: unknown fields, comments and the author's formatting of
 * unchanged fields stay as they were.
 */
export function sourceFromValues (values: LessonFormValues, baseSource: string | null): string {
  const document = baseDocument(baseSource)
  const baseData = (document.toJS() ?? {}) as Record<string, unknown>
  const put = (key: string, value: unknown): void => {
    if (value === undefined) {
      if (document.has(key)) document.delete(key)
      return
    }
    if (JSON.stringify(baseData[key]) === JSON.stringify(value)) return
    document.set(key, value)
  }
  const basePlace = isRecord(baseData.place) ? baseData.place : {}
  const basePeriod = isRecord(baseData.period) ? baseData.period : {}
  const baseEvidence = Array.isArray(baseData.evidence) ? baseData.evidence : []

  // An empty title would make the front matter unreadable; the form reports it at the field instead.
  put('title', values.title.trim() === '' ? undefined : values.title.trim())
  put('language', values.language)
  put('type', 'lesson')
  put('summary', values.summary.trim())
  put('programme', values.programme.trim())
  put('organisation', values.organisation.trim())
  const place: Record<string, unknown> = { ...basePlace, name: values.placeName.trim() }
  delete place.lat
  delete place.lon
  if (values.lat.trim() !== '') place.lat = numberOrText(values.lat)
  if (values.lon.trim() !== '') place.lon = numberOrText(values.lon)
  put('place', place)
  put('field', values.field.trim())
  const period: Record<string, unknown> = { ...basePeriod, from: values.periodFrom.trim() }
  delete period.to
  if (values.periodTo.trim() !== '') period.to = values.periodTo.trim()
  put('period', period)
  put('outcome', values.outcome.trim())
  put('impactStep', values.impactStep.trim() === '' ? undefined : numberOrText(values.impactStep))
  put('coProduction', values.coProduction.trim() === '' ? undefined : values.coProduction.trim())
  const evidence = values.evidence
    .map((row, index) => ({ row, base: isRecord(baseEvidence[index]) ? baseEvidence[index] : {} }))
    .filter(({ row }) => row.figure.trim() !== '' || row.source.trim() !== '' || row.caveat.trim() !== '')
    .map(({ row, base }) => {
      const item: Record<string, unknown> = { ...base, figure: row.figure.trim(), source: row.source.trim() }
      delete item.caveat
      if (row.caveat.trim() !== '') item.caveat = row.caveat.trim()
      return item
    })
  put('evidence', evidence.length === 0 ? undefined : evidence)
  put('tags', splitTags(values.tags))
  put('licence', values.licence.trim() === '' ? DEFAULT_LICENCE : values.licence.trim())
  put('visibility', values.visibility)
  return `---\n${document.toString({ lineWidth: 0 })}---\n${composeBody(values)}`
}

function baseDocument (baseSource: string | null): Document {
  if (baseSource !== null) {
    const text = baseSource.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
    const lines = text.split('\n')
    if (/^---[ \t]*$/.test(lines[0] ?? '')) {
      const closing = lines.findIndex((line, index) => index > 0 && /^(?:---|\.\.\.)[ \t]*$/.test(line))
      if (closing > 0) {
        const document = parseDocument(lines.slice(1, closing).join('\n'), { schema: 'core' })
        if (document.errors.length === 0 && (document.contents === null || isRecord(document.toJS()))) return document
      }
    }
  }
  return new Document({}, { schema: 'core' })
}

function numberOrText (text: string): number | string {
  const trimmed = text.trim().replace(',', '.')
  return /^-?\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : text.trim()
}

export function splitTags (text: string): string[] {
  const tags: string[] = []
  for (const tag of text.split(',').map(item => item.trim()).filter(item => item !== '')) {
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}

/** The lesson check's problems at the form's fields. */
export function formProblemsOf (problems: readonly LessonProblem[]): FormProblem[] {
  return problems.map(problem => ({ field: LESSON_TO_FORM[problem.field], message: problem.message, params: problem.params }))
}

export interface CheckedForm {
  problems: FormProblem[]
  /** The source the values make; null when the form itself has errors that stop it. */
  source: string | null
  parsed: ParsedSource | null
}

/** Checks what was typed, field by field, the way the save itself will check it. */
export function checkForm (values: LessonFormValues, baseSource: string | null, options: { fields: readonly string[] }): CheckedForm {
  const problems: FormProblem[] = []
  const add = (field: FormField, message: MessageKey, params: MessageParams = {}): void => { problems.push({ field, message, params }) }
  if (values.title.trim() === '' || values.title.trim().length > 200) add('title', 'lessonError.title')
  const tags = splitTags(values.tags)
  if (tags.length > MAX_TAGS || tags.some(tag => tag.length > MAX_TAG_LENGTH)) add('tags', 'lessonError.tags')
  if (values.licence.trim() !== '' && !LICENCE_EXPRESSION.test(values.licence.trim())) add('licence', 'lessonError.licence')
  if (headingsIn(values.lead).length > 0) add('lead', 'lessonError.lead')
  for (const id of SECTION_IDS) {
    if (headingsIn(values.sections[id]).length > 0) add(`section-${id}`, 'lessonError.section')
  }
  const extra = values.extra.trim()
  if (extra !== '' && (!HEADING.test(extra.split('\n')[0] ?? '') || headingsIn(extra).some(heading => sectionOfHeading(heading) !== null))) {
    add('extra', 'lessonError.extra')
  }
  const source = sourceFromValues(values, baseSource)
  let parsed: ParsedSource | null = null
  try {
    parsed = parseSource(source)
  } catch {
    // The form's own checks above name the field; the source is not usable.
    if (problems.length === 0) add('title', 'lessonError.title')
    return { problems, source: null, parsed: null }
  }
  problems.push(...formProblemsOf(checkLesson(parsed.data, { fields: options.fields })))
  const order = new Map<FormField, number>(FORM_FIELDS.map((field, index) => [field, index]))
  problems.sort((a, b) => (order.get(a.field) ?? 0) - (order.get(b.field) ?? 0))
  return { problems, source, parsed }
}
