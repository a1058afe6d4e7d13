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

/**
 * A page about to go outward shows images that were not published before, and the author
 * has not confirmed that everyone shown agreed; nothing was stored.
 */
export class ImageConsentError extends AppError {
  readonly statusCode = 422
  readonly code = 'image-consent-required'
  readonly messageKey = 'error.imageConsent'
  constructor (readonly images: string[]) {
    super(`the page shows ${images.length} image(s) whose publication was not confirmed`)
  }

  override heading () { return 'consent.heading' as const }
  override details (): string[] { return this.images }
}

/**
 * Each finding as a line for the person: what kind, where, and the text found. Where is
 * the line, unless `placeOf` names the place the person typed it (a form field).
 */
export function findingTexts (t: Translate, findings: readonly PersonalDataFinding[], placeOf: (finding: PersonalDataFinding) => string | null = () => null): string[] {
  return findings.map(finding => {
    const kind = t(`publication.kind.${finding.kind}` as MessageKey)
    const place = placeOf(finding)
    return place === null
      ? t('publication.finding', { kind, line: finding.line, text: finding.text })
      : t('publication.findingInField', { kind, field: place, text: finding.text })
  })
}
