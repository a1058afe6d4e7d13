import { parseSource, type ParsedSource } from '../markdown/front-matter.ts'
import type { MessageKey, MessageParams } from '../i18n/index.ts'
import { hasSectionHeading, readsBackAsExtra } from './body-sections.ts'
import { sourceFromValues, splitTags } from './front-matter-editing.ts'
import type { LessonFormValues } from './form-values.ts'
import { checkLesson, type LessonFieldName, type LessonProblem } from './schema.ts'
import { SECTION_IDS } from './vocabulary.ts'

export const FORM_FIELDS = [
  'title', 'summary', 'programme', 'organisation', 'placeName', 'lat', 'lon', 'field', 'periodFrom', 'periodTo',
  'outcome', 'impactStep', 'coProduction', 'evidence', 'evidenceDesign', 'participants', 'sites', 'costBand', 'tags', 'licence', 'visibility', 'language', 'lead',
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
  evidence: 'evidence',
  evidenceDesign: 'evidenceDesign',
  participants: 'participants',
  sites: 'sites',
  costBand: 'costBand'
}

const MAX_TAGS = 50
const MAX_TAG_LENGTH = 60
const LICENCE_EXPRESSION = /^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/

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
  if (hasSectionHeading(values.lead)) add('lead', 'lessonError.lead')
  for (const id of SECTION_IDS) {
    if (hasSectionHeading(values.sections[id])) add(`section-${id}`, 'lessonError.section')
  }
  const extra = values.extra.trim()
  if (extra !== '' && !readsBackAsExtra(extra)) add('extra', 'lessonError.extra')
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
