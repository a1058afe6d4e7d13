import { AppError } from '../http/errors.ts'
import type { MessageKey, Translate } from '../i18n/index.ts'
import type { PersonalDataFinding } from './personal-data.ts'

/**
 * A page about to become public or unlisted contains what looks like personal data,
 * and the author has not confirmed publishing it anyway; nothing was stored.
 */
export class PersonalDataError extends AppError {
  readonly statusCode = 422
  readonly code = 'personal-data-found'
  readonly messageKey = 'error.personalData'
  constructor (readonly findings: PersonalDataFinding[]) {
    super(`the page may contain personal data (${findings.length} finding(s))`)
  }

  override heading () { return 'publication.heading' as const }
  override details (t: Translate): string[] { return findingTexts(t, this.findings) }
}

/** Each finding as a line for the person: what kind, where, and the text found. */
export function findingTexts (t: Translate, findings: readonly PersonalDataFinding[]): string[] {
  return findings.map(finding => t('publication.finding', { kind: t(`publication.kind.${finding.kind}` as MessageKey), line: finding.line, text: finding.text }))
}
