import { ROUTES } from './activitypub-paths.ts'
import type { FederationCore } from './core.ts'
import { express, refuse, type Next, type Request, type Response } from './express.ts'
import { createInboxVerification } from './inbox-verification.ts'
import { InvalidJsonLdError, JsonLdBusyError } from './jsonld-pool.ts'
import { createOutboxForFollowers } from './outbox-for-followers.ts'

/** Largest activity accepted in an inbox. */
export const MAX_ACTIVITY_BYTES = 1024 * 1024

export interface ActivityPubEndpointsOptions {
  core: FederationCore
  isBlocked: (host: string) => boolean
  log: { warn: (message: string) => void, error: (message: string) => void }
}

/**
 * The ActivityPub endpoints, served by activitypub-express inside an Express
 * router. The inbox gets Praxiswiki's own guards first: body size and shape,
 * then the HTTP signature (see inbox-verification.ts), then JSON-LD
 * processing that answers 400, not 500.
 */
export function createApexRouter (options: ActivityPubEndpointsOptions) {
  const { core, isBlocked, log } = options
  const { apex } = core
  const router = express.Router()
  const verification = createInboxVerification({ apex, isBlocked, log })

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

  /** apex's own JSON-LD step, large documents in a worker thread (see jsonld-pool.ts): a bad document is a 400, a busy pool a 503. */
  async function jsonld (request: Request, response: Response, next: Next): Promise<void> {
    try {
      const compacted = await core.jsonld.fromJSONLD(request.body)
      if (!compacted) return refuse(response, 400, 'the body is not valid JSON-LD')
      request.body = compacted
      next()
    } catch (error) {
      if (error instanceof JsonLdBusyError) {
        response.set('Retry-After', '10')
        return refuse(response, 503, error.message)
      }
      refuse(response, 400, error instanceof InvalidJsonLdError ? error.message : `the body is not valid JSON-LD: ${(error as Error).message}`.slice(0, 500))
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
  router.post(ROUTES.inbox, withActor, withApex, jsonBody, verification.checkShape, verification.verifySignature, jsonld, ...apexInbox)

  const outboxForReader = createOutboxForFollowers({ apex, verification, log })
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
