import type { MessageKey, Translate } from '../i18n/index.ts'
import { fieldLabel } from './field-labels.ts'
import type { FormField, FormProblem } from './form-check.ts'
import type { LessonFormValues } from './form-values.ts'
import type { Lesson } from './schema.ts'
import { strengthChoices, strengthView, type StrengthView } from './evidence-strength-view.ts'
import { CO_PRODUCTION_LEVELS, IMPACT_STEPS, OUTCOMES, SECTION_IDS, impactLevel, type Outcome } from './vocabulary.ts'

/** Display text for lessons in the reader's language, prepared so templates only render. */

// Shapes as well as words, so the badge reads without colour and at a glance.
const OUTCOME_ICONS: Record<Outcome, string> = { works: '✔', fails: '✘', mixed: '◑', open: '○' }

export function outcomeLabel (t: Translate, outcome: Outcome): string {
  return t(`lesson.outcome.${outcome}` as MessageKey)
}

export function coProductionLabel (t: Translate, level: string): string {
  return t(`lesson.coProduction.${level}` as MessageKey)
}

export function impactLabel (t: Translate, step: number): string {
  return t('lesson.impactValue', {
    step,
    level: t(`lesson.impactLevel.${impactLevel(step)}` as MessageKey),
    label: t(`lesson.impact.${step}` as MessageKey)
  })
}

export interface LessonView {
  slug: string
  /** Where the lesson is shown here. */
  href: string
  /** For another organisation's lesson, its name; null for this organisation's. */
  organisation: string | null
  originalUrl: string | null
  title: string
  language: string
  summary: string
  outcome: Outcome
  outcomeText: string
  outcomeIcon: string
  facts: Array<{ label: string, value: string }>
  evidence: Lesson['evidence']
  /** How sure and at what cost: shown beside the outcome, never merged into it. */
  strength: StrengthView
  tags: string[]
}

export function lessonView (t: Translate, lesson: Lesson): LessonView {
  const period = lesson.period.from === ''
    ? t('lesson.notGiven')
    : lesson.period.to === undefined ? t('lesson.periodOpen', { from: lesson.period.from }) : t('lesson.periodRange', { from: lesson.period.from, to: lesson.period.to })
  const given = (value: string): string => value === '' ? t('lesson.notGiven') : value
  return {
    slug: lesson.slug,
    href: lesson.path,
    organisation: lesson.remote === undefined ? null : lesson.origin,
    originalUrl: lesson.remote?.originalUrl ?? null,
    title: lesson.title,
    language: lesson.language,
    summary: lesson.summary,
    outcome: lesson.outcome,
    outcomeText: outcomeLabel(t, lesson.outcome),
    outcomeIcon: OUTCOME_ICONS[lesson.outcome],
    facts: [
      { label: t('lesson.programme'), value: given(lesson.programme) },
      { label: t('lesson.organisation'), value: given(lesson.organisation) },
      { label: t('lesson.place'), value: given(lesson.place.name) },
      { label: t('lesson.field'), value: given(fieldLabel(t, lesson.field)) },
      { label: t('lesson.period'), value: period },
      { label: t('lesson.impactStep'), value: lesson.impactStep === undefined ? t('lesson.notGiven') : impactLabel(t, lesson.impactStep) },
      { label: t('lesson.coProductionLabel'), value: lesson.coProduction === undefined ? t('lesson.notGiven') : coProductionLabel(t, lesson.coProduction) }
    ],
    evidence: lesson.evidence,
    strength: strengthView(t, lesson),
    tags: lesson.tags
  }
}

/** The choices the form and the filters offer, labelled for this reader. */
export function vocabularyChoices (t: Translate, fields: readonly string[]) {
  return {
    outcomes: OUTCOMES.map(value => ({ value, label: outcomeLabel(t, value), icon: OUTCOME_ICONS[value] })),
    coProduction: CO_PRODUCTION_LEVELS.map(value => ({ value, label: coProductionLabel(t, value) })),
    impactSteps: IMPACT_STEPS.map(step => ({ value: String(step), label: impactLabel(t, step) })),
    fields: fields.map(value => ({ value, label: fieldLabel(t, value) })),
    visibilities: (['local', 'unlisted', 'public'] as const).map(value => ({ value, label: t(`lessonForm.visibility.${value}` as MessageKey) })),
    languages: [{ value: 'de', label: 'Deutsch' }, { value: 'en', label: 'English' }],
    ...strengthChoices(t)
  }
}

export const FORM_LABELS: Record<FormField, MessageKey> = {
  title: 'lessonForm.title',
  summary: 'lessonForm.summary',
  programme: 'lessonForm.programme',
  organisation: 'lessonForm.organisation',
  placeName: 'lessonForm.placeName',
  lat: 'lessonForm.lat',
  lon: 'lessonForm.lon',
  field: 'lessonForm.field',
  periodFrom: 'lessonForm.periodFrom',
  periodTo: 'lessonForm.periodTo',
  outcome: 'lessonForm.outcome',
  impactStep: 'lessonForm.impactStep',
  coProduction: 'lessonForm.coProduction',
  evidence: 'lessonForm.evidence',
  evidenceDesign: 'lessonForm.evidenceDesign',
  participants: 'lessonForm.participants',
  sites: 'lessonForm.sites',
  costBand: 'lessonForm.costBand',
  tags: 'lessonForm.tags',
  licence: 'lessonForm.licence',
  visibility: 'lessonForm.visibility',
  language: 'lessonForm.language',
  lead: 'lessonForm.lead',
  'section-context': 'lessonForm.section.context',
  'section-approach': 'lessonForm.section.approach',
  'section-happened': 'lessonForm.section.happened',
  'section-learned': 'lessonForm.section.learned',
  'section-soWhat': 'lessonForm.section.soWhat',
  'section-evidence': 'lessonForm.section.evidence',
  extra: 'lessonForm.extra'
}

/** A form field's label without the mark of a required field, for messages that name the field. */
export function formLabel (t: Translate, field: FormField): string {
  return t(FORM_LABELS[field]).replace(/\s*\*$/, '')
}

/** Messages by form field, and the same as a list for the summary at the top of the form. */
export function formMessages (t: Translate, problems: readonly FormProblem[]) {
  const byField: Partial<Record<FormField, string>> = {}
  const list: Array<{ field: FormField, text: string }> = []
  for (const problem of problems) {
    const message = t(problem.message, problem.params)
    byField[problem.field] = byField[problem.field] === undefined ? message : `${byField[problem.field] ?? ''} ${message}`
    list.push({ field: problem.field, text: t('lessonForm.errorLink', { label: formLabel(t, problem.field), message }) })
  }
  return { byField, list }
}

/** Each refused lesson field with its reason, as the editor and error pages list them. */
export const EMPTY_EVIDENCE_ROWS = 2
const MAX_EVIDENCE_ROWS = 50

/** The evidence rows to show: what was typed, plus empty rows to add more without JavaScript. */
export function evidenceRows (values: LessonFormValues): LessonFormValues['evidence'] {
  const rows = [...values.evidence]
  for (let index = 0; index < EMPTY_EVIDENCE_ROWS && rows.length < MAX_EVIDENCE_ROWS; index++) rows.push({ figure: '', source: '', caveat: '' })
  return rows
}

export function sectionFields (t: Translate, values: LessonFormValues) {
  return SECTION_IDS.map(id => ({
    id,
    name: `section-${id}` as FormField,
    label: t(`lessonForm.section.${id}` as MessageKey),
    help: t(`lessonForm.sectionHelp.${id}` as MessageKey),
    value: values.sections[id]
  }))
}
