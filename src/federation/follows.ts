import net from 'node:net'
import { signerFor } from './actor.ts'
import type { ActorObject } from './apex-types.ts'
import type { FederationCore } from './core.ts'
import type { FollowScope, FollowScopes } from './follow-scopes.ts'
import { RemoteFetchError, type RemoteHttp } from './http.ts'
import { first, idOf, sameHost } from './remote-pages.ts'

/** Pages taken from a followed outbox on the first follow. */
export const BACKFILL_LIMIT = 200
const BACKFILL_PAGES = 20

/** Something the admin asked for that cannot be done: a 4xx with this message. */
export class FollowError extends Error {
  constructor (message: string, readonly status = 400) {
    super(message)
    this.name = 'FollowError'
  }
}

export interface FollowsOptions {
  core: FederationCore
  http: RemoteHttp
  allowPrivateAddresses: boolean
  keepArticle: (sender: ActorObject, article: Record<string, any>, isUpdate: boolean) => Promise<void>
  followScopes: FollowScopes
  log: { info: (message: string) => void, warn: (message: string) => void }
}

/**
 * Following other organisations: by handle (`wiki@other.example`, found
 * through WebFinger) or by URL; unfollowing; and filling in the pages a
 * newly followed organisation published before.
 */
export function createFollows (options: FollowsOptions) {
  const { core, http } = options
  const { apex } = core

  function schemeFor (host: string): string {
    const bare = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    // Plain HTTP only where the tests' loopback setting allows it.
    return options.allowPrivateAddresses && (net.isIP(bare) !== 0 || bare === 'localhost') ? 'http' : 'https'
  }

  /** The actor URL a handle or URL names. */
  async function resolveActorId (target: string): Promise<string> {
    const trimmed = target.trim().replace(/^acct:/, '').replace(/^@/, '')
    if (/^https?:\/\//.test(trimmed)) return (await resolveActorByUrl(trimmed)).id
    const match = /^([^@\s/]+)@([^@\s/]+)$/.exec(trimmed)
    if (!match) throw new FollowError(`"${target}" is neither a handle like wiki@example.org nor a URL`)
    const [, user, host] = match as unknown as [string, string, string]
    const resource = `acct:${user}@${host}`
    let finger: Record<string, unknown>
    try {
      finger = await http.getJson(`${schemeFor(host)}://${host}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`, undefined, 'application/jrd+json, application/json')
    } catch (error) {
      throw new FollowError(`could not look up ${resource}: ${(error as Error).message}`, error instanceof RemoteFetchError && error.status === 404 ? 404 : 400)
    }
    const links = Array.isArray(finger.links) ? finger.links as Array<Record<string, unknown>> : []
    const self = links.find(link => link.rel === 'self' && typeof link.href === 'string' &&
      /application\/(activity\+json|ld\+json)/.test(String(link.type ?? '')))
    if (!self) throw new FollowError(`${resource} has no ActivityPub actor`)
    return String(self.href)
  }

  /**
   * The actor an address names: an actor's own URL (fetched once, signed, and kept by apex),
   * or a web page or instance address, whose WebFinger is asked for its wiki actor.
   */
  async function resolveActorByUrl (url: string): Promise<ActorObject> {
    let failure: string
    try {
      const document = await apex.resolveObject(url)
      if (document && first(document.inbox)) return document as ActorObject
      failure = 'it is not an ActivityPub actor'
    } catch (error) {
      failure = (error as Error).message
    }
    const host = new URL(url).host
    try {
      return await actorWithInbox(await resolveActorId(`wiki@${host}`))
    } catch {
      throw new FollowError(`could not follow ${url}: ${failure}, and ${host} names no wiki actor`)
    }
  }

  async function actorWithInbox (actorId: string): Promise<ActorObject> {
    const remote = await apex.resolveObject(actorId).catch(() => null)
    if (!remote || !first(remote.inbox)) throw new FollowError(`${actorId} is not an actor with an inbox`)
    return remote as ActorObject
  }

  /** Follows an organisation; `scope` (lessons only, unless given) is stored before the Follow goes, so the back-fill heeds it. */
  async function follow (target: string, scope?: FollowScope): Promise<{ actorId: string, alreadyFollowing: boolean }> {
    const us = await core.actor()
    const trimmed = target.trim()
    const remote = /^https?:\/\//.test(trimmed) ? await resolveActorByUrl(trimmed) : await actorWithInbox(await resolveActorId(trimmed))
    if (remote.id === us.id) throw new FollowError('this wiki cannot follow itself')
    if (scope !== undefined) await options.followScopes.set(remote.id, scope)
    if (await apex.store.findActivityByCollectionAndObjectId(us.following[0] as string, remote.id)) {
      return { actorId: remote.id, alreadyFollowing: true }
    }
    // Asking again replaces a request that was not answered (or was refused): one at a time.
    await core.withdrawFollow(us, remote.id)
    const activity = await apex.buildActivity('Follow', us.id, remote.id, { object: remote.id })
    await apex.addToOutbox(us, activity)
    options.log.info(`sent Follow to ${remote.id}`)
    return { actorId: remote.id, alreadyFollowing: false }
  }

  /** Undoes our follow, accepted or still pending. */
  async function unfollow (target: string): Promise<{ actorId: string }> {
    const us = await core.actor()
    const actorId = await resolveActorId(target)
    // Removing the Follow takes it out of "following" at once, as an outbox Undo would.
    const followActivity = await core.withdrawFollow(us, actorId)
    if (!followActivity) throw new FollowError(`this wiki does not follow ${actorId}`, 404)
    await apex.addToOutbox(us, await apex.buildActivity('Undo', us.id, actorId, { object: followActivity }))
    return { actorId }
  }

  /**
   * Reads the followed actor's outbox (bounded in pages and items) and keeps
   * the Articles it created, as if they had just arrived.
   */
  async function backfill (remote: ActorObject): Promise<void> {
    const outboxId = first<string>(remote.outbox)
    if (!outboxId) return
    // Signed, so that the followed organisation shows us what went to its followers only.
    const signer = signerFor(await core.actor())
    let collection: Record<string, any>
    try {
      collection = await http.getJson(outboxId, signer)
    } catch (error) {
      options.log.warn(`back-fill of ${remote.id} failed: ${(error as Error).message}`)
      return
    }
    const context = collection['@context'] ?? apex.context
    let items: unknown[] = Array.isArray(collection.orderedItems) ? collection.orderedItems : []
    let next: unknown = typeof collection.first === 'string' ? collection.first : (collection.first as Record<string, unknown> | undefined)?.id
    if (items.length > 0) next = undefined
    let kept = 0
    for (let page = 0; page < BACKFILL_PAGES && kept < BACKFILL_LIMIT; page++) {
      if (items.length === 0) {
        if (typeof next !== 'string') break
        try {
          const fetched = await http.getJson(next, signer)
          items = Array.isArray(fetched.orderedItems) ? fetched.orderedItems : []
          next = fetched.next
        } catch (error) {
          options.log.warn(`back-fill of ${remote.id} stopped: ${(error as Error).message}`)
          break
        }
        if (items.length === 0) break
      }
      for (const item of items) {
        if (kept >= BACKFILL_LIMIT) break
        const activity = item as Record<string, any>
        if (activity?.type !== 'Create' || typeof activity.object !== 'object' || activity.object === null) continue
        const compacted = await apex.fromJSONLD({ '@context': activity['@context'] ?? context, ...activity.object }).catch(() => null)
        if (!compacted || compacted.type !== 'Article') continue
        // Kept where apex keeps what arrives in the inbox, so that a later Delete of it is accepted there.
        if (sameHost(String(compacted.id ?? ''), remote.id)) await apex.store.saveObject(compacted)
        await options.keepArticle(remote, compacted, false)
        kept++
      }
      items = []
    }
    options.log.info(`back-filled ${kept} pages from ${remote.id}`)
  }

  async function listFollowing (): Promise<string[]> {
    const us = await core.actorWithBlockList()
    return (await apex.getFollowing(us, Infinity, true)).orderedItems.map(item => typeof item === 'string' ? item : String(item?.id))
  }

  /** Follows this wiki sent that the other side has neither accepted nor refused yet. */
  async function listFollowRequests (): Promise<string[]> {
    const us = await core.actor()
    const rejections = apex.utils.nameToRejectionsIRI(String(us.preferredUsername))
    const sent = await apex.store.db.collection('streams')
      .find({ '_meta.collection': us.outbox[0], type: 'Follow', actor: us.id }, { projection: { object: 1, _meta: 1 } })
      .toArray()
    const answered = new Set([us.following[0], rejections])
    return sent
      .filter(follow => !(follow._meta?.collection as string[] | undefined ?? []).some(collection => answered.has(collection)))
      .map(follow => idOf(follow.object))
      .filter(id => id !== '')
  }

  async function listFollowers (): Promise<string[]> {
    const us = await core.actorWithBlockList()
    return (await apex.getFollowers(us, Infinity, true)).orderedItems.map(item => typeof item === 'string' ? item : String(item?.id))
  }

  return { follow, unfollow, backfill, resolveActorId, listFollowing, listFollowRequests, listFollowers }
}

export type Follows = ReturnType<typeof createFollows>
