import { createHash } from 'node:crypto'
import { parseDictionary } from 'structured-headers'

/** The digest algorithms of RFC 9530 that are checked, by their names in `Content-Digest`, with Node's names. */
const ALGORITHMS = new Map([['sha-256', 'sha256'], ['sha-512', 'sha512']])

/** A `Content-Digest` header (RFC 9530) for a body, with SHA-256 as Mastodon and Fedify send it. */
export function contentDigestOf (body: string | Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`
}

/**
 * Why a `Content-Digest` header does not vouch for the body, or null when it does. Every
 * SHA-256 and SHA-512 digest it names must match; at least one of them must be there.
 */
export function contentDigestProblem (header: string, body: Buffer): string | null {
  let digests: ReturnType<typeof parseDictionary>
  try {
    digests = parseDictionary(header)
  } catch {
    return 'the Content-Digest header is not a structured dictionary'
  }
  let checked = 0
  for (const [name, member] of digests) {
    const algorithm = ALGORITHMS.get(name)
    if (algorithm === undefined) continue
    const value = member[0]
    if (!(value instanceof ArrayBuffer)) return `the Content-Digest ${name} is not a byte sequence`
    if (!createHash(algorithm).update(body).digest().equals(Buffer.from(value))) return `the Content-Digest ${name} does not match the body`
    checked++
  }
  return checked === 0 ? 'the Content-Digest names neither sha-256 nor sha-512' : null
}
