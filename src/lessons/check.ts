import type { SaveCheck } from '../wiki/service.ts'
import { LessonValidationError, PersonalDataError } from './errors.ts'
import { findPersonalData } from './personal-data.ts'
import { checkLesson } from './schema.ts'

export interface SaveCheckOptions {
  /** The fields of social work a lesson may name (LESSON_FIELDS). */
  lessonFields: readonly string[]
}

/**
 * What the wiki runs before it stores a page: lesson fields for `type: lesson`, then the
 * publishing check for pages that are public or unlisted. Local pages are never checked
 * for personal data: they do not leave the wiki.
 */
export function createSaveCheck (options: SaveCheckOptions): SaveCheck {
  return ({ source, parsed, previous, confirmPublication }) => {
    if (parsed.fields.type === 'lesson') {
      const problems = checkLesson(parsed.data, { fields: options.lessonFields })
      if (problems.length > 0) throw new LessonValidationError(problems)
    }
    if (parsed.fields.visibility === 'local' || confirmPublication) return
    let findings = findPersonalData(source)
    // What was already published (and confirmed then) is not asked about again.
    if (previous !== null && previous.fields.visibility !== 'local' && findings.length > 0) {
      const known = new Set(findPersonalData(previous.source).map(finding => `${finding.kind}:${finding.text}`))
      findings = findings.filter(finding => !known.has(`${finding.kind}:${finding.text}`))
    }
    if (findings.length > 0) throw new PersonalDataError(findings)
  }
}
