import type { MessageKey, Translate } from '../i18n/index.ts'

/**
 * The default fields of practice by their stored value. Lessons keep the German value
 * in their front matter, exports and federated Articles whatever the reader's language,
 * so filters and links stay the same for everyone; only what a person reads is translated.
 */
const FIELD_LABELS = new Map<string, MessageKey>([
  ['Altenhilfe', 'lesson.fieldName.olderPeople'],
  ['Jugendhilfe', 'lesson.fieldName.youth'],
  ['Eingliederungshilfe', 'lesson.fieldName.disability'],
  ['Quartiersarbeit', 'lesson.fieldName.neighbourhood'],
  ['Wohnungslosenhilfe', 'lesson.fieldName.homelessness'],
  ['Suchthilfe', 'lesson.fieldName.addiction'],
  ['Migration und Integration', 'lesson.fieldName.migration'],
  ['Familienhilfe', 'lesson.fieldName.family'],
  ['Arbeitsmarktintegration', 'lesson.fieldName.employment'],
  ['Gesundheitsförderung', 'lesson.fieldName.health']
])

/** A field of practice in the reader's language; a field the organisation added itself (LESSON_FIELDS) as it is stored. */
export function fieldLabel (t: Translate, field: string): string {
  const key = FIELD_LABELS.get(field)
  return key === undefined ? field : t(key)
}
