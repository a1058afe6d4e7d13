import type { ActorObject, Apex } from './apex-types.ts'
import { refuse, type Next, type Request, type Response } from './express.ts'
import { RemoteFetchError } from './http.ts'
import { first } from './remote-pages.ts'
import { ACCEPT_SIGNATURE_POST, checkRfc9421Request, isRfc9421Request, verifyRfc9421 } from './rfc9421.ts'
import { checkJsonShape, checkSignedRequest, SignatureError, verifyWithKey, withoutFragment, type IncomingRequest } from './signatures.ts'

export interface InboxVerificationOptions {
  apex: Apex
  isBlocked: (host: string) => boolean
  log: { warn: (message: string) => void }
}

/** The actor whose key signed a request, or the short answer to give instead. */
export type SignerAnswer = { signer: ActorObject } | { status: number, message: string }

export interface InboxVerification {
  /** Refuses what is not a JSON-LD activity of a sane size and shape, before any key is fetched. */
  checkShape: (request: Request, response: Response, next: Next) => void
  /** Requires an HTTP signature by the activity's own actor (Digest checked), answering 401 otherwise. */
  verifySignature: (request: Request, response: Response, next: Next) => Promise<void>
  /**
   * The actor whose key signed the request, or a short answer instead: 403 for a blocked
   * domain, 202 when there is nothing to do. Throws SignatureError or RemoteFetchError when
   * the signature cannot be trusted.
   */
  signerOf: (request: Request, claimedActorId?: string) => Promise<SignerAnswer>
  /** Whether an error means the request's signature cannot be trusted (401), not that the server failed. */
  untrusted: (error: unknown) => error is Error
}

/**
 * Praxiswiki's own guards for incoming activities, in place of apex's: the HTTP signature
 * (draft-cavage, or RFC 9421 when `Signature-Input` is sent) is always required (apex
 * skips it in Express's development env), its Digest or Content-Digest must match the
 * body, and the key's owner must be the activity's actor.
 */
export function createInboxVerification (options: InboxVerificationOptions): InboxVerification {
  const { apex, isBlocked, log } = options

  function checkShape (request: Request, response: Response, next: Next): void {
    if (!request.is(apex.consts.jsonldTypes)) return refuse(response, 415, 'activities must be sent as application/activity+json or application/ld+json')
    const body = request.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return refuse(response, 400, 'an activity must be a JSON object')
    const problem = checkJsonShape(body)
    if (problem) return refuse(response, 400, `the activity is too complex: ${problem}`)
    if (typeof body.type !== 'string' || (typeof body.actor !== 'string' && typeof body.actor?.id !== 'string')) {
      return refuse(response, 400, 'an activity needs a type and an actor')
    }
    next()
  }

  /** Either signature spec, checked as far as it can be without the key. */
  function checkRequest (request: Request): { keyId: string, verify: (publicKeyPem: string) => boolean } {
    const incoming: IncomingRequest = {
      method: request.method,
      originalUrl: request.originalUrl,
      headers: request.headers,
      httpVersion: request.httpVersion,
      rawBody: request.rawBody
    }
    if (isRfc9421Request(request.headers)) {
      // The sender signed the public URL; behind a proxy the request arrives at another.
      const rfc9421 = checkRfc9421Request(incoming, apex.baseUrl)
      return { keyId: rfc9421.keyId, verify: pem => verifyRfc9421(rfc9421, pem) }
    }
    const cavage = checkSignedRequest(incoming)
    return { keyId: cavage.keyId, verify: pem => verifyWithKey(cavage, pem) }
  }

  async function signerOf (request: Request, claimedActorId?: string): Promise<SignerAnswer> {
    const parsed = checkRequest(request)
    const keyOwnerId = withoutFragment(parsed.keyId)
    if (isBlocked(hostOf(keyOwnerId)) || (claimedActorId !== undefined && isBlocked(hostOf(claimedActorId)))) {
      return { status: 403, message: 'this server does not accept requests from your domain' }
    }
    let signer = await apex.resolveObject(keyOwnerId, false, false, true)
    const cached = Boolean(signer)
    if (!signer) {
      const body = request.body
      const objectId = typeof body?.object === 'string' ? body.object : body?.object?.id
      // An actor we never knew was deleted: nothing to do, and nothing to fetch (Mastodon does the same).
      if (request.method === 'POST' && body.type === 'Delete' && objectId === claimedActorId) return { status: 202, message: 'accepted' }
      signer = await apex.resolveObject(keyOwnerId)
    }
    if (!signer) throw new SignatureError(`could not load the key ${parsed.keyId}`)
    let valid = parsed.verify(publicKeyOf(signer, parsed.keyId))
    if (!valid && cached) {
      // The key may have been rotated since it was cached.
      signer = await apex.resolveObject(keyOwnerId, false, true)
      valid = Boolean(signer) && parsed.verify(publicKeyOf(signer, parsed.keyId))
    }
    if (!valid) throw new SignatureError('the HTTP signature does not verify')
    return { signer }
  }

  const untrusted = (error: unknown): error is Error => error instanceof SignatureError || error instanceof RemoteFetchError

  async function verifySignature (request: Request, response: Response, next: Next): Promise<void> {
    try {
      const body = request.body
      const actorId = String(typeof body.actor === 'string' ? body.actor : body.actor.id)
      const found = await signerOf(request, actorId)
      if ('status' in found) return refuse(response, found.status, found.message)
      if (found.signer.id !== actorId) throw new SignatureError(`the key belongs to ${found.signer.id}, not to the activity's actor ${actorId}`)
      response.locals.apex.sender = found.signer
      next()
    } catch (error) {
      if (untrusted(error)) {
        log.warn(`inbox refused a request: ${error.message}`)
        // RFC 9421 §5.1: what a signature this inbox accepts covers (draft-cavage ones are accepted too).
        response.set('Accept-Signature', ACCEPT_SIGNATURE_POST)
        return refuse(response, 401, error.message)
      }
      next(error)
    }
  }

  return { checkShape, verifySignature, signerOf, untrusted }
}

function hostOf (url: string): string {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ''
  }
}

function publicKeyOf (actor: Record<string, any>, keyId: string): string {
  const keys: Array<Record<string, any>> = Array.isArray(actor.publicKey) ? actor.publicKey : [actor.publicKey].filter(Boolean)
  const key = keys.find(candidate => candidate?.id === keyId) ?? keys[0]
  return String(first(key?.publicKeyPem) ?? '')
}
