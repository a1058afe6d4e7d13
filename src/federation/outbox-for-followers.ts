import type { ActivityObject, ActorObject, Apex } from './apex-types.ts'
import { refuse, type Middleware, type Next, type Request, type Response } from './express.ts'
import type { InboxVerification } from './inbox-verification.ts'
import { ACCEPT_SIGNATURE_GET } from './rfc9421.ts'

export interface OutboxForFollowersOptions {
  apex: Apex
  verification: Pick<InboxVerification, 'signerOf' | 'untrusted'>
  log: { warn: (message: string) => void }
}

/**
 * A page of the outbox for whoever asks; a follower who signs its request also gets what
 * went to followers only (unlisted pages), so that it can back-fill them. Activities
 * addressed to single actors (an Accept, say) stay private to the owner.
 */
export function createOutboxForFollowers (options: OutboxForFollowersOptions): Middleware {
  const { apex, verification, log } = options
  const everyonesOutbox = apex.net.collection.outbox as (request: Request, response: Response, next: Next) => void

  return async function outboxForReader (request: Request, response: Response, next: Next): Promise<void> {
    const locals = response.locals.apex
    if (request.headers.signature === undefined || !locals.target || !request.query.page) return everyonesOutbox(request, response, next)
    try {
      const found = await verification.signerOf(request)
      if ('status' in found) return refuse(response, found.status, found.message)
      const us = locals.target as ActorObject
      const followersId = us.followers[0] as string
      if (!await apex.store.findActivityByCollectionAndActorId(followersId, found.signer.id)) return everyonesOutbox(request, response, next)
      const page = await apex.getCollection(us.outbox[0] as string, String(request.query.page), null, true)
      page.orderedItems = page.orderedItems.filter(activity => apex.isPublic(activity) || addressedTo(activity, followersId))
      locals.result = page
      next()
    } catch (error) {
      if (verification.untrusted(error)) {
        log.warn(`outbox read refused: ${error.message}`)
        response.set('Accept-Signature', ACCEPT_SIGNATURE_GET)
        return refuse(response, 401, error.message)
      }
      if ((error as Error).message === 'ApexStore: invalid page value') return refuse(response, 400, 'invalid page value')
      next(error)
    }
  }
}

function addressedTo (activity: ActivityObject, address: string): boolean {
  return ['to', 'cc', 'audience'].some(field => ([] as unknown[]).concat(activity[field] ?? []).includes(address))
}
