import { createRequire } from 'node:module'
import type { ActivityObject, ActorObject, FederationCore } from './apex.ts'
import { ContextUnavailableError, ROUTES } from './apex.ts'
import { RemoteFetchError } from './http.ts'
import { first } from './remote-pages.ts'
import { checkJsonShape, checkSignedRequest, SignatureError, verifyWithKey, withoutFragment } from './signatures.ts'

const require = createRequire(import.meta.url)
// activitypub-express's middleware is written for Express 4, so it runs in an Express 4 router.
const express = require('express')

/** Largest activity accepted in an inbox. */
export const MAX_ACTIVITY_BYTES = 1024 * 1024

type Request = Record<string, any> & { headers: Record<string, string | string[] | undefined>, body: any, rawBody?: Buffer }
type Response = Record<string, any> & { locals: Record<string, any> }
type Next = (error?: unknown) => void

export interface RouterOptions {
  core: FederationCore
  isBlocked: (host: string) => boolean
  log: { warn: (message: string) => void, error: (message: string) => void }
}

function hostOf (url: string): string {
  try {
    return new URL(url).hostname.toLowerCase()
  } catch {
    return ''
  }
}

function refuse (response: Response, status: number, message: string): void {
  response.status(status).type('text/plain').send(message)
}

/**
 * The ActivityPub endpoints, served by activitypub-express inside an Express
 * router. The inbox gets Praxiswiki's own guards first: body size and shape,
 * then the HTTP signature (always required, Digest checked, key owner must
 * be the actor), then JSON-LD processing that answers 400, not 500.
 */
export function createApexRouter (options: RouterOptions) {
  const { core, isBlocked, log } = options
  const { apex } = core
  const router = express.Router()

  const withActor = (_request: Request, response: Response, next: Next): void => {
    core.actor().then(() => next(), error => {
      log.error(`the organisation actor is not available: ${(error as Error).message}`)
      refuse(response, 503, 'the organisation actor is being set up; try again shortly')
    })
  }
  const withApex = (request: Request, response: Response, next: Next): void => apex(request, response, next)
  const jsonBody = express.json({
    type: apex.consts.jsonldTypes,
    limit: MAX_ACTIVITY_BYTES,
    strict: true,
    verify: (request: Request, _response: Response, buffer: Buffer) => { request.rawBody = Buffer.from(buffer) }
  })

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

  /**
   * The actor whose key signed the request, or a short answer instead: 403 for a blocked
   * domain, 202 when there is nothing to do. Throws SignatureError or RemoteFetchError when
   * the signature cannot be trusted.
   */
  async function signerOf (request: Request, claimedActorId?: string): Promise<{ signer: ActorObject } | { status: number, message: string }> {
    const parsed = checkSignedRequest({
      method: request.method,
      originalUrl: request.originalUrl,
      headers: request.headers,
      httpVersion: request.httpVersion,
      rawBody: request.rawBody
    })
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
    let valid = verifyWithKey(parsed, publicKeyOf(signer, parsed.keyId))
    if (!valid && cached) {
      // The key may have been rotated since it was cached.
      signer = await apex.resolveObject(keyOwnerId, false, true)
      valid = Boolean(signer) && verifyWithKey(parsed, publicKeyOf(signer, parsed.keyId))
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
        return refuse(response, 401, error.message)
      }
      next(error)
    }
  }

  const everyonesOutbox = apex.net.collection.outbox as (request: Request, response: Response, next: Next) => void
  /**
   * A page of the outbox for whoever asks; a follower who signs its request also gets what
   * went to followers only (unlisted pages), so that it can back-fill them. Activities
   * addressed to single actors (an Accept, say) stay private to the owner.
   */
  async function outboxForReader (request: Request, response: Response, next: Next): Promise<void> {
    const locals = response.locals.apex
    if (request.headers.signature === undefined || !locals.target || !request.query.page) return everyonesOutbox(request, response, next)
    try {
      const found = await signerOf(request)
      if ('status' in found) return refuse(response, found.status, found.message)
      const us = locals.target as ActorObject
      const followersId = us.followers[0] as string
      if (!await apex.store.findActivityByCollectionAndActorId(followersId, found.signer.id)) return everyonesOutbox(request, response, next)
      const page = await apex.getCollection(us.outbox[0] as string, String(request.query.page), null, true)
      page.orderedItems = page.orderedItems.filter(activity => apex.isPublic(activity) || addressedTo(activity, followersId))
      locals.result = page
      next()
    } catch (error) {
      if (untrusted(error)) {
        log.warn(`outbox read refused: ${error.message}`)
        return refuse(response, 401, error.message)
      }
      if ((error as Error).message === 'ApexStore: invalid page value') return refuse(response, 400, 'invalid page value')
      next(error)
    }
  }

  async function jsonld (request: Request, response: Response, next: Next): Promise<void> {
    try {
      const compacted = await apex.fromJSONLD(request.body)
      if (!compacted) return refuse(response, 400, 'the body is not valid JSON-LD')
      request.body = compacted
      next()
    } catch (error) {
      const reason = error instanceof ContextUnavailableError ? error.message : `the body is not valid JSON-LD: ${(error as Error).message}`
      refuse(response, 400, reason.slice(0, 500))
    }
  }

  // After each follow, unfollow, like, share, accept or reject, apex would send every follower
  // an Update of the changed collection or object: n deliveries per event. Mastodon sends none,
  // and the collections can be fetched at any time. The side effects in the store stay.
  const sideEffectsWithoutUpdates = (request: Request, response: Response, next: Next): void => {
    const postWork = response.locals.apex.postWork as unknown[]
    const before = postWork.length
    apex.net.activity.inboxSideEffects(request, response, (error?: unknown) => {
      postWork.splice(before)
      next(error)
    })
  }
  const apexInbox = (apex.net.inbox.post as unknown[])
    .filter(step => step !== apex.net.validators.jsonld && step !== apex.net.security.verifySignature)
    .map(step => step === apex.net.activity.inboxSideEffects ? sideEffectsWithoutUpdates : step)
  router.post(ROUTES.inbox, withActor, withApex, jsonBody, checkShape, verifySignature, jsonld, ...apexInbox)

  const reads: Array<[string, keyof typeof apex.net]> = [
    [ROUTES.actor, 'actor'], [ROUTES.object, 'object'], [ROUTES.activity, 'activityStream'], [ROUTES.inbox, 'inbox'],
    [ROUTES.outbox, 'outbox'], [ROUTES.followers, 'followers'], [ROUTES.following, 'following'], [ROUTES.liked, 'liked'],
    [ROUTES.shares, 'shares'], [ROUTES.likes, 'likes'], [ROUTES.collections, 'collections'], [ROUTES.blocked, 'blocked'],
    [ROUTES.rejections, 'rejections'], [ROUTES.rejected, 'rejected']
  ]
  for (const [path, name] of reads) {
    let handlers = (apex.net[name] as Record<string, unknown[]> | undefined)?.get
    if (name === 'outbox') handlers = handlers?.map(step => step === apex.net.collection.outbox ? outboxForReader : step)
    if (handlers) router.get(path, withActor, withApex, ...handlers)
  }
  router.get('/.well-known/webfinger', withActor, withApex, ...apex.net.webfinger.get)
  router.get('/.well-known/nodeinfo', withActor, withApex, ...apex.net.nodeInfoLocation.get)
  router.get('/nodeinfo/:version', withActor, withApex, ...apex.net.nodeInfo.get)

  // Errors from the body parser and from apex's middleware: a clear status, never a stack trace.
  router.use((error: any, _request: Request, response: Response, next: Next) => {
    if (response.headersSent) return next(error)
    if (error?.type === 'entity.too.large') return refuse(response, 413, `activities are limited to ${MAX_ACTIVITY_BYTES} bytes`)
    if (error?.type === 'entity.parse.failed' || error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') {
      return refuse(response, 400, 'the body is not valid JSON')
    }
    const status = Number(error?.status ?? error?.statusCode)
    if (status >= 400 && status < 500) return refuse(response, status, String(error.message ?? 'bad request').slice(0, 300))
    log.error(`ActivityPub request failed: ${error?.stack ?? error}`)
    refuse(response, 500, 'internal error')
  })

  return router
}

function addressedTo (activity: ActivityObject, address: string): boolean {
  return ['to', 'cc', 'audience'].some(field => ([] as unknown[]).concat(activity[field] ?? []).includes(address))
}

function publicKeyOf (actor: Record<string, any>, keyId: string): string {
  const keys: Array<Record<string, any>> = Array.isArray(actor.publicKey) ? actor.publicKey : [actor.publicKey].filter(Boolean)
  const key = keys.find(candidate => candidate?.id === keyId) ?? keys[0]
  return String(first(key?.publicKeyPem) ?? '')
}
