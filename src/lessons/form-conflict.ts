import type { MessageKey, Translate } from '../i18n/index.ts'
import type { RevisionDocument } from '../wiki/model.ts'
import { FORM_FIELDS, type FormField } from './form-check.ts'
import { fieldValue, type FormFieldValue } from './form-merge.ts'
import type { LessonFormValues } from './form-values.ts'
import { formLabel, vocabularyChoices } from './view.ts'

/** Fields shown as a choice list in the form, by the list of `vocabularyChoices` they take. */
const CHOICE_LISTS: Partial<Record<FormField, keyof ReturnType<typeof vocabularyChoices>>> = {
  field: 'fields',
  outcome: 'outcomes',
  impactStep: 'impactSteps',
  coProduction: 'coProduction',
  visibility: 'visibilities',
  language: 'languages'
}
/** The empty choice each list offers in the form; the language and visibility lists have none. */
const EMPTY_CHOICES: Partial<Record<FormField, MessageKey>> = { field: 'lessonForm.choose', outcome: 'lessonForm.choose', impactStep: 'lesson.notGiven', coProduction: 'lesson.notGiven' }
const TEXT_ROWS: Partial<Record<FormField, number>> = { summary: 4, lead: 3, extra: 4 }

export interface LessonConflictState {
  slug: string
  title: string
  current: RevisionDocument
  /** The merged values: everything settled, and the person's own value in each conflicting field. */
  values: LessonFormValues
  theirs: LessonFormValues
  conflicts: FormField[]
  message: string
  choices?: Partial<Record<FormField, 'theirs' | 'yours'>>
  missing?: FormField[]
  lessonFields: readonly string[]
}

/**
 * What views/lesson-conflict.eta shows to someone who used the guided form: each field both
 * changed, labelled as the form labels it, with the current value to read and their own in the
 * form's own control; every settled field goes along unseen, as the form would send it.
 */
export function lessonConflictView (t: Translate, state: LessonConflictState): Record<string, unknown> & { title: string } {
  const { values, theirs, conflicts } = state
  const choices = vocabularyChoices(t, state.lessonFields.includes(values.field) || values.field === '' ? state.lessonFields : [...state.lessonFields, values.field])
  const settled = FORM_FIELDS.filter(field => !conflicts.includes(field))
  const hidden = settled.flatMap(field => {
    const value = fieldValue(values, field)
    if (typeof value === 'string') return [{ name: field, value }]
    return value.flatMap(row => [{ name: 'evidenceFigure', value: row.figure }, { name: 'evidenceSource', value: row.source }, { name: 'evidenceCaveat', value: row.caveat }])
  })
  const author = state.current.author ?? t('conflict.someone')
  const parts = conflicts.map(field => {
    const list = CHOICE_LISTS[field]
    const options = list === undefined ? null : choices[list]
    return {
      field,
      label: formLabel(t, field),
      theirs: shownValue(t, fieldValue(theirs, field), options),
      yours: fieldValue(values, field),
      choice: state.choices?.[field] ?? null,
      missing: state.missing?.includes(field) ?? false,
      control: {
        name: field,
        label: `${t('conflict.yoursValue')}: ${formLabel(t, field)}`,
        selectOptions: options,
        empty: EMPTY_CHOICES[field] === undefined ? null : t(EMPTY_CHOICES[field]),
        rows: TEXT_ROWS[field] ?? (field.startsWith('section-') ? 8 : null)
      }
    }
  })
  return {
    title: t('conflict.title'),
    heading: t('conflict.heading', { title: state.title }),
    action: `/lessons/${state.slug}/resolve`,
    cancelHref: `/wiki/${state.slug}`,
    author,
    conflictDate: state.current.createdAt,
    baseRevision: state.current._id.toHexString(),
    baseSource: state.current.source,
    conflictFields: conflicts.join(','),
    hidden,
    parts,
    count: parts.length,
    errors: (state.missing ?? []).map(field => ({ href: `#choice-${field}-theirs`, text: t('lessonForm.errorLink', { label: formLabel(t, field), message: t('conflict.choose', { number: conflicts.indexOf(field) + 1 }) }) })),
    message: state.message,
    noindex: true
  }
}

/** A value to read: a choice by its label, evidence rows one a line, nothing as "(empty)". */
function shownValue (t: Translate, value: FormFieldValue, options: Array<{ value: string, label: string }> | null): string {
  if (typeof value !== 'string') {
    const rows = value.map(row => [row.figure, row.source, row.caveat].filter(part => part.trim() !== '').join(' – '))
    return rows.length === 0 ? t('conflict.empty') : rows.join('\n')
  }
  if (value.trim() === '') return t('conflict.empty')
  return options?.find(option => option.value === value)?.label ?? value
}
