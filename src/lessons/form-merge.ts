import { mergeValues } from '../wiki/merge-fields.ts'
import { mergedLines, mergeLines } from '../wiki/merge-lines.ts'
import { FORM_FIELDS, type FormField } from './form-check.ts'
import { splitTags } from './front-matter-editing.ts'
import type { EvidenceRow, LessonFormValues } from './form-values.ts'
import { SECTION_IDS, type SectionId } from './vocabulary.ts'

export type FormFieldValue = string | EvidenceRow[]

/** Boxes whose text runs over lines: both sides' changes to different lines of one box are merged. */
const LONG_TEXT = new Set<FormField>(['summary', 'lead', 'extra', ...SECTION_IDS.map(id => `section-${id}` as const)])

/**
 * The guided form's view of a conflict: the values of the form merged three-way, field by
 * field as the form shows them (a field changed by one person takes that person's value; long
 * texts are merged line by line; tags and evidence rows item by item, as the front matter
 * merge does), and the fields both changed differently, which hold the person's own value.
 */
export function mergeFormValues (base: LessonFormValues, theirs: LessonFormValues, yours: LessonFormValues): { values: LessonFormValues, conflicts: FormField[] } {
  let values = yours
  const conflicts: FormField[] = []
  for (const field of FORM_FIELDS) {
    const merged = mergeField(field, fieldValue(base, field), fieldValue(theirs, field), fieldValue(yours, field))
    if (merged === null) conflicts.push(field)
    else values = withField(values, field, merged)
  }
  return { values, conflicts }
}

function mergeField (field: FormField, base: FormFieldValue, theirs: FormFieldValue, yours: FormFieldValue): FormFieldValue | null {
  if (field === 'tags') {
    const merged = mergeValues(splitTags(String(base)), splitTags(String(theirs)), splitTags(String(yours)))
    return merged.conflicts.length > 0 ? null : (merged.value as string[]).join(', ')
  }
  const merged = mergeValues(base, theirs, yours)
  if (merged.conflicts.length === 0) return merged.value as FormFieldValue
  if (!LONG_TEXT.has(field) || typeof base !== 'string' || typeof theirs !== 'string' || typeof yours !== 'string') return null
  return mergedLines(mergeLines(base.split('\n'), theirs.split('\n'), yours.split('\n')))?.join('\n') ?? null
}

/** A form field's value: text, or the evidence rows. */
export function fieldValue (values: LessonFormValues, field: FormField): FormFieldValue {
  if (field === 'evidence') return values.evidence
  const section = sectionOf(field)
  if (section !== null) return values.sections[section]
  return values[field as Exclude<FormField, 'evidence' | `section-${SectionId}`>]
}

/** The values with one field replaced. */
export function withField (values: LessonFormValues, field: FormField, value: FormFieldValue): LessonFormValues {
  if (field === 'evidence') return { ...values, evidence: value as EvidenceRow[] }
  const section = sectionOf(field)
  if (section !== null) return { ...values, sections: { ...values.sections, [section]: value as string } }
  return { ...values, [field]: value as string }
}

function sectionOf (field: FormField): SectionId | null {
  return field.startsWith('section-') ? field.slice('section-'.length) as SectionId : null
}
