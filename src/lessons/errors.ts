import { AppError } from '../http/errors.ts'
import type { Translate } from '../i18n/index.ts'
import type { LessonProblem } from './schema.ts'

/** A page with `type: lesson` whose lesson fields are missing or wrong; nothing was stored. */
export class LessonValidationError extends AppError {
  readonly statusCode = 400
  readonly code = 'invalid-lesson'
  readonly messageKey = 'error.invalidLesson'
  constructor (readonly problems: LessonProblem[]) {
    super(`the lesson has ${problems.length} invalid field(s): ${problems.map(problem => problem.field).join(', ')}`)
  }

  override details (t: Translate): string[] { return problemTexts(t, this.problems) }
}

export function problemTexts (t: Translate, problems: readonly LessonProblem[]): string[] {
  return problems.map(problem => `${problem.field}: ${t(problem.message, problem.params)}`)
}
