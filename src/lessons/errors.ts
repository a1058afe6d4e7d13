import type { LessonProblem } from './schema.ts'
import type { PersonalDataFinding } from './personal-data.ts'

/** A page with `type: lesson` whose lesson fields are missing or wrong; nothing was stored. */
export class LessonValidationError extends Error {
  constructor (readonly problems: LessonProblem[]) {
    super(`the lesson has ${problems.length} invalid field(s): ${problems.map(problem => problem.field).join(', ')}`)
    this.name = 'LessonValidationError'
  }
}

/**
 * A page about to become public or unlisted contains what looks like personal data,
 * and the author has not confirmed publishing it anyway; nothing was stored.
 */
export class PersonalDataError extends Error {
  constructor (readonly findings: PersonalDataFinding[]) {
    super(`the page may contain personal data (${findings.length} finding(s))`)
    this.name = 'PersonalDataError'
  }
}
