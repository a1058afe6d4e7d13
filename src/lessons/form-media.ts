import type { FormField } from './form-check.ts'
import { fieldValue, withField } from './form-merge.ts'
import type { LessonFormValues } from './form-values.ts'
import { SECTION_IDS } from './vocabulary.ts'

/** The boxes of the report a file can be put into; '' is the end of the report. */
export const MEDIA_BOXES = ['lead', ...SECTION_IDS.map(id => `section-${id}` as const)] as const
export type MediaBox = typeof MEDIA_BOXES[number]

/** The report's boxes in the order the page shows them. */
const REPORT_ORDER: readonly FormField[] = [...MEDIA_BOXES, 'extra']

/**
 * The values with an uploaded file's Markdown added to the end of the chosen box. The end of
 * the report is the last box with text, where the file will also be when the page is read
 * back into the form (the extra box must open with a heading of its own, so it is never
 * started with a file).
 */
export function withMedia (values: LessonFormValues, chosen: MediaBox | '', markdown: string): { values: LessonFormValues, box: FormField } {
  const hasText = (field: FormField): boolean => String(fieldValue(values, field)).trim() !== ''
  const box = chosen !== '' ? chosen : [...REPORT_ORDER].reverse().find(hasText) ?? 'lead'
  const text = String(fieldValue(values, box)).replace(/\s*$/, '')
  return { values: withField(values, box, text === '' ? markdown : `${text}\n\n${markdown}`), box }
}
