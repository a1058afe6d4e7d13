import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const httpSignature = require('http-signature') as {
  parseRequest: (request: unknown, options?: Record<string, unknown>) => ParsedSignature
  verifySignature: (parsed: ParsedSignature, publicKeyPem: string) => boolean
}

export interface ParsedSignature {
  keyId: string
  algorithm: string
  params: { headers: string[], keyId: string, signature: string }
  signingString: string
}

/** Mastodon's window for the signed `Date`: at most 12 hours old, at most 1 hour ahead. */
export const MAX_SIGNATURE_AGE_MS = 12 * 60 * 60 * 1000
export const MAX_SIGNATURE_FUTURE_MS = 60 * 60 * 1000

/** A request whose signature cannot be checked or does not hold: 401, as Mastodon answers. */
export class SignatureError extends Error {
  readonly status = 401
  constructor (message: string) {
    super(message)
    this.name = 'SignatureError'
  }
}

export interface IncomingRequest {
  method: string
  /** The full path and query the sender signed, not one shortened by a router. */
  originalUrl: string
  headers: Record<string, string | string[] | undefined>
  httpVersion: string
  rawBody: Buffer | undefined
}

/**
 * Parses the draft-cavage `Signature` header and checks what does not need
 * the key: the signed headers, the Date window and the Digest of the body.
 * Peers that sign with RFC 9421 only get 401, so they retry the old way.
 */
export function checkSignedRequest (request: IncomingRequest, now = Date.now()): ParsedSignature {
  if (request.headers.signature === undefined && request.headers.authorization === undefined) {
    throw new SignatureError('missing HTTP signature')
  }
  let parsed: ParsedSignature
  try {
    parsed = httpSignature.parseRequest({
      method: request.method,
      url: request.originalUrl,
      headers: request.headers,
      httpVersion: request.httpVersion
    }, { clockSkew: Number.MAX_SAFE_INTEGER, headers: ['(request-target)', 'host', 'date'] })
  } catch (error) {
    throw new SignatureError(`unreadable HTTP signature: ${(error as Error).message}`)
  }
  // The key is looked up by this URL; anything else is the sender's fault, not ours.
  if (!URL.canParse(parsed.keyId)) throw new SignatureError('the keyId is not a URL')
  const signed = parsed.params.headers.map(header => header.toLowerCase())
  const date = Date.parse(String(request.headers.date ?? ''))
  if (!Number.isFinite(date)) throw new SignatureError('the signed Date header is not a date')
  if (now - date > MAX_SIGNATURE_AGE_MS) throw new SignatureError('the signature has expired (Date more than 12 hours old)')
  if (date - now > MAX_SIGNATURE_FUTURE_MS) throw new SignatureError('the signature is dated more than an hour ahead')
  if (request.method === 'POST') {
    if (!signed.includes('digest')) throw new SignatureError('the Digest header must be signed')
    checkDigest(String(request.headers.digest ?? ''), request.rawBody ?? Buffer.alloc(0))
  }
  return parsed
}

function checkDigest (header: string, body: Buffer): void {
  const digests = header.split(',').map(part => part.trim()).filter(part => part !== '')
  const sha256 = digests.find(part => part.toLowerCase().startsWith('sha-256='))
  if (!sha256) throw new SignatureError('missing SHA-256 Digest header')
  const expected = createHash('sha256').update(body).digest('base64')
  if (sha256.slice('sha-256='.length) !== expected) throw new SignatureError('the Digest does not match the body')
}

// Parsed public keys by PEM: parsing costs more than verifying, and peers sign with the same key for years.
const keyCache = new Map<string, KeyObject>()
const KEY_CACHE_LIMIT = 1000

/** A public key from its PEM, parsed once. */
export function publicKey (pem: string): KeyObject {
  let key = keyCache.get(pem)
  if (key === undefined) {
    key = createPublicKey(pem)
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string)
    keyCache.set(pem, key)
  }
  return key
}

/**
 * Checks the signature over the signing string. RSA keys with SHA-256 are
 * what the fediverse uses (`rsa-sha256`, or `hs2019` with an RSA key); other
 * algorithms go through http-signature's own verifier.
 */
export function verifyWithKey (parsed: ParsedSignature, publicKeyPem: string): boolean {
  try {
    const algorithm = (parsed.algorithm ?? '').toLowerCase()
    const key = publicKey(publicKeyPem)
    if ((algorithm === 'rsa-sha256' || algorithm === 'hs2019') && key.asymmetricKeyType === 'rsa') {
      return verify('sha256', Buffer.from(parsed.signingString, 'utf8'), key, Buffer.from(parsed.params.signature, 'base64'))
    }
    return httpSignature.verifySignature(parsed, publicKeyPem)
  } catch {
    return false
  }
}

/** The document id without its fragment: `…/actor#main-key` → `…/actor`. */
export function withoutFragment (id: string): string {
  const hash = id.indexOf('#')
  return hash === -1 ? id : id.slice(0, hash)
}

/** Depth and size bounds, checked before any JSON-LD processing. */
export function checkJsonShape (value: unknown, maxDepth = 24, maxNodes = 20_000): string | null {
  let nodes = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number]
    if (++nodes > maxNodes) return `more than ${maxNodes} values`
    if (current === null || typeof current !== 'object') continue
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`
    for (const inner of Array.isArray(current) ? current : Object.values(current)) stack.push([inner, depth + 1])
  }
  return null
}
