import type { PageFields, ParsedSource } from '../markdown/front-matter.ts'
import { PersonalDataError } from './errors.ts'
import { findPersonalDataInTurns } from './personal-data.ts'

export interface SaveCheckInput {
  source: string
  parsed: ParsedSource
  /** The page before this save; null when it is being created. */
  previous: { source: string, fields: PageFields } | null
  /** The author saw the publishing warnings and publishes anyway (imports are trusted). */
  confirmPublication: boolean
  /** The author confirmed that everyone shown in the page's images agreed to its publication. */
  confirmConsent?: boolean
}

/** Runs before a page is stored; throws an error that says its HTTP answer to refuse the save. */
export type SaveCheck = (input: SaveCheckInput) => void | Promise<void>

/** The checks in order; the first that refuses decides. */
export function allChecks (...checks: SaveCheck[]): SaveCheck {
  return async input => {
    for (const check of checks) await check(input)
  }
}

/**
 * The publishing check for pages that are public or unlisted: they leave the wiki, so
 * what looks like personal data must be confirmed or removed first. Local pages are
 * never checked: they do not leave the wiki.
 */
export function createPublishingCheck (): SaveCheck {
  return async ({ source, parsed, previous, confirmPublication }) => {
    if (parsed.fields.visibility === 'local' || confirmPublication) return
    let findings = await findPersonalDataInTurns(source)
    // What was already published (and confirmed then) is not asked about again.
    if (previous !== null && previous.fields.visibility !== 'local' && findings.length > 0) {
      const known = new Set((await findPersonalDataInTurns(previous.source)).map(finding => `${finding.kind}:${finding.text}`))
      findings = findings.filter(finding => !known.has(`${finding.kind}:${finding.text}`))
    }
    if (findings.length > 0) throw new PersonalDataError(findings)
  }
}
