import type { Db } from 'mongodb'
import type { ActivityObject, ActorObject } from './apex-types.ts'
import type { FederationCore } from './core.ts'
import { PUBLIC_COLLECTION } from './long-form.ts'
import { first, idOf, sameHost } from './remote-pages.ts'

/** One quote this wiki approved: which post quotes which page, under which authorisation. */
interface QuoteApproval {
  authorizationId: string
  articleId: string
  quotingId: string
  requesterId: string
  approvedAt: Date
  revokedAt: Date | null
}

export interface QuotesOptions {
  core: FederationCore
  db: Db
  log: { info: (message: string) => void, warn: (message: string) => void }
}

/**
 * Quotes of our Articles (FEP-044f, as Mastodon 4.5 does them): a QuoteRequest for a public
 * page is answered with an Accept whose `result` is a QuoteAuthorization, kept where its id
 * points so that any server can check it; a request for anything else gets a Reject. When a
 * page stops being public, each authorisation for it becomes a Tombstone and a Delete of it
 * goes to the quoting author, which Mastodon takes as the quote's revocation.
 */
export function createQuotes (options: QuotesOptions) {
  const { core, log } = options
  const { apex } = core
  const approvals = options.db.collection<QuoteApproval>('quoteApprovals')

  async function quotable (us: ActorObject, articleId: string): Promise<boolean> {
    if (articleId === '' || !articleId.startsWith(`${apex.baseUrl}/`)) return false
    const article = await apex.store.getObject(articleId)
    return article != null && String(first(article.type)) === 'Article' && idOf(article.attributedTo) === us.id && apex.isPublic(article)
  }

  async function answer (us: ActorObject, request: ActivityObject, requester: ActorObject): Promise<void> {
    const articleId = idOf(request.object)
    const quotingId = idOf(request.instrument)
    // The quoting post must be the requester's own: nobody asks on someone else's behalf.
    if (!await quotable(us, articleId) || quotingId === '' || !sameHost(quotingId, requester.id)) {
      const reject = await apex.buildActivity('Reject', us.id, requester.id, { object: request })
      await apex.addToOutbox(us, reject)
      log.info(`refused a quote of ${articleId} by ${requester.id}`)
      return
    }
    const existing = await approvals.findOne({ articleId, quotingId, requesterId: requester.id, revokedAt: null })
    const authorizationId = existing?.authorizationId ?? apex.utils.objectIdToIRI()
    if (!existing) {
      const authorization = await apex.fromJSONLD({
        '@context': apex.context,
        id: authorizationId,
        type: 'QuoteAuthorization',
        attributedTo: us.id,
        interactingObject: quotingId,
        interactionTarget: articleId,
        to: [PUBLIC_COLLECTION]
      })
      await apex.store.saveObject(authorization)
      await approvals.insertOne({ authorizationId, articleId, quotingId, requesterId: requester.id, approvedAt: new Date(), revokedAt: null })
    }
    const accept = await apex.buildActivity('Accept', us.id, requester.id, { object: request, result: authorizationId })
    await apex.addToOutbox(us, accept)
    log.info(`approved a quote of ${articleId} by ${requester.id}`)
  }

  /** Withdraws every authorisation for a page that is no longer public. */
  async function revokeFor (articleId: string): Promise<number> {
    const us = await core.actor()
    const active = await approvals.find({ articleId, revokedAt: null }).toArray()
    for (const approval of active) {
      // Public like the authorisation was, so that whoever checks it learns it is gone (410).
      const tombstone = { ...await apex.buildTombstone({ id: approval.authorizationId }), to: [apex.consts.publicAddress] }
      await apex.store.updateObject(tombstone, us.id, true)
      await approvals.updateOne({ authorizationId: approval.authorizationId }, { $set: { revokedAt: new Date() } })
      const deletion = await apex.buildActivity('Delete', us.id, [PUBLIC_COLLECTION, approval.requesterId], { object: approval.authorizationId })
      await apex.addToOutbox(us, deletion)
    }
    if (active.length > 0) log.info(`withdrew ${active.length} quote authorisations of ${articleId}`)
    return active.length
  }

  return { answer, revokeFor, ensureIndexes: () => approvals.createIndex({ articleId: 1 }, { name: 'quote_article' }) }
}

export type Quotes = ReturnType<typeof createQuotes>
