import type { SaveCheck } from '../publishing/check.ts'
import { LessonValidationError } from './errors.ts'
import { checkLesson } from './schema.ts'

export interface LessonCheckOptions {
  /** The fields of social work a lesson may name (LESSON_FIELDS). */
  lessonFields: readonly string[]
}

/** What the wiki runs before it stores a page with `type: lesson`: the lesson fields must be complete and valid. */
export function createLessonCheck (options: LessonCheckOptions): SaveCheck {
  return ({ parsed }) => {
    if (parsed.fields.type !== 'lesson') return
    const problems = checkLesson(parsed.data, { fields: options.lessonFields })
    if (problems.length > 0) throw new LessonValidationError(problems)
  }
}
