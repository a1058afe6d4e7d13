import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Db } from 'mongodb'

/** People need a few seconds to write; scripts that post at once are refused. */
export const MIN_FORM_SECONDS = 3
/** A form older than a day is sent again by the person (their text is kept). */
export const MAX_FORM_SECONDS = 24 * 60 * 60

/**
 * The time trap of the no-account form, instead of a CAPTCHA: the form carries when it was
 * made, signed, so a submission can be told apart from one posted without reading the page.
 */
export async function createFormTrap (db: Db, now: () => number = Date.now) {
  const secrets = db.collection<{ _id: string, value: string }>('secrets')
  await secrets.updateOne({ _id: 'experience-form' }, { $setOnInsert: { value: randomBytes(32).toString('hex') } }, { upsert: true })
  const secret = (await secrets.findOne({ _id: 'experience-form' }))?.value ?? ''

  const mac = (pageId: string, at: number): string => createHmac('sha256', secret).update(`${pageId}:${at}`).digest('base64url')

  return {
    /** The hidden field's value for a form on this page. */
    issue (pageId: string): string {
      const at = Math.floor(now() / 1000)
      return `${at}.${mac(pageId, at)}`
    },
    /** Why a submission is refused, or null when it came in a sensible time from a form we made. */
    problem (pageId: string, token: string): 'forged' | 'tooFast' | 'expired' | null {
      const [atText, given] = token.split('.')
      const at = Number(atText)
      if (!Number.isSafeInteger(at) || given === undefined) return 'forged'
      const expected = Buffer.from(mac(pageId, at))
      const actual = Buffer.from(given)
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'forged'
      const age = now() / 1000 - at
      if (age < MIN_FORM_SECONDS) return 'tooFast'
      if (age > MAX_FORM_SECONDS) return 'expired'
      return null
    }
  }
}

export type FormTrap = Awaited<ReturnType<typeof createFormTrap>>
