import type { Db } from 'mongodb'

/** The two ways of signing an HTTP request the fediverse knows. */
export type SignatureSpec = 'draft-cavage' | 'rfc9421'
export const SIGNATURE_SPECS: readonly SignatureSpec[] = ['draft-cavage', 'rfc9421']

/**
 * How long the spec a host accepted is remembered. Afterwards the preferred spec (the
 * setting) is tried first again, so a host that changed is noticed within a week, at the
 * cost of one second knock per host and week at most.
 */
export const SIGNATURE_CHOICE_TTL_MS = 7 * 24 * 3600_000

/**
 * Answers that say the signature was not accepted, so the other spec is tried: 401 (what
 * Mastodon and Fedify answer), 400 (a Signature header that could not be parsed) and 403
 * (some servers refuse unverifiable requests so). Not 404 or 410, which are about the
 * address, nor 408, 429 or 5xx, which are about the server's state and are retried later.
 */
export const SIGNATURE_REFUSED = new Set([400, 401, 403])

interface StoredChoice {
  _id: string
  spec: SignatureSpec
  expiresAt: Date
}

export interface SignatureChoiceOptions {
  db: Db
  /**
   * The spec tried first with a host nothing is remembered of (a live setting). Its default,
   * draft-cavage, is Mastodon 4.5's order: RFC 9421 only when draft-cavage is refused.
   */
  preferred: () => SignatureSpec
  ttlMs?: number
  now?: () => number
}

/**
 * Double-knocking with memory: a request to a host is signed with the spec that worked with
 * it last (kept in `signatureChoices` until it expires), else the preferred one; when the
 * host refuses the signature, the request is sent once more signed with the other spec,
 * and whichever was accepted is remembered.
 */
export function createSignatureChoice (options: SignatureChoiceOptions) {
  const choices = options.db.collection<StoredChoice>('signatureChoices')
  const ttlMs = options.ttlMs ?? SIGNATURE_CHOICE_TTL_MS
  const now = options.now ?? Date.now

  /** What is remembered for a host, unless it has expired. */
  async function remembered (host: string): Promise<SignatureSpec | null> {
    const found = await choices.findOne({ _id: host.toLowerCase() })
    if (found === null || found.expiresAt.getTime() <= now()) return null
    return found.spec
  }

  async function remember (host: string, spec: SignatureSpec): Promise<void> {
    await choices.updateOne({ _id: host.toLowerCase() }, { $set: { spec, expiresAt: new Date(now() + ttlMs) } }, { upsert: true })
  }

  /**
   * Sends a request signed with the spec for its host, and once more with the other if the
   * signature was refused. `discard` releases a refused answer's body before the second knock.
   */
  async function knock<T extends { status: number }> (host: string, send: (spec: SignatureSpec) => Promise<T>, discard: (answer: T) => Promise<void>): Promise<T> {
    const known = await remembered(host)
    const first = known ?? options.preferred()
    const answer = await send(first)
    if (!SIGNATURE_REFUSED.has(answer.status)) {
      if (known === null && answer.status >= 200 && answer.status < 300) await remember(host, first)
      return answer
    }
    await discard(answer)
    const other: SignatureSpec = first === 'rfc9421' ? 'draft-cavage' : 'rfc9421'
    const second = await send(other)
    if (second.status >= 200 && second.status < 300) await remember(host, other)
    return second
  }

  return { knock, remembered }
}

export type SignatureChoice = ReturnType<typeof createSignatureChoice>
