import type { Db } from 'mongodb'
import { EventBus } from '../events/index.ts'
import type { FederationEventBus } from './events.ts'
import type { ActivityObject, ActorObject } from './apex-types.ts'
import type { FederationCore } from './core.ts'
import type { Quotes } from './quotes.ts'
import type { FollowScope } from './follow-scopes.ts'
import { withoutFragment } from './signatures.ts'
import {
  actorNameOf, articleToRemotePage, first, idOf, indexableOf, newRemotePageId, remotePagesCollection, remoteSnapshot, sameHost, webUrl
} from './remote-pages.ts'

export interface InboxMessage {
  actor: ActorObject
  activity: ActivityObject
  recipient: ActorObject
  object?: Record<string, any>
}

/** Said once an incoming activity has been handled, whatever came of it; tests wait for it instead of guessing. */
export interface InboxEvents extends Record<string, unknown> {
  handled: { activityId: string, type: string }
}

/** Replies to our Articles and comments, handed to the comments; true when a reply was theirs to handle. */
export interface ReplyHandler {
  received: (sender: ActorObject, object: Record<string, any>, isUpdate: boolean) => Promise<boolean>
  deleted: (sender: ActorObject, objectId: string) => Promise<boolean>
}

export interface InboxOptions {
  core: FederationCore
  db: Db
  events: FederationEventBus
  quotes: Quotes
  /** Asked at each Follow: an admin may switch it in the settings. */
  followApproval: () => 'auto' | 'manual'
  backfill: (actor: ActorObject) => Promise<void>
  /** Copies the page's images from its sender's server and points the HTML at the copies. */
  localiseImages?: (html: string, senderId: string) => Promise<string>
  /** What the admin chose to take from a followed organisation: its lessons only, or all its public pages. */
  scopeOf: (actorId: string) => Promise<FollowScope>
  log: { info: (message: string) => void, warn: (message: string) => void }
}

/**
 * What the wiki does with activities activitypub-express has verified and
 * stored: accept follows, back-fill after our follow is accepted, and keep
 * remote pages of the organisations we follow. Nothing from an actor we do
 * not follow becomes a page.
 */
export function createInboxHandler (options: InboxOptions) {
  const { core, db, events } = options
  const { apex } = core
  const remotePages = remotePagesCollection(db)
  const handled = new EventBus<InboxEvents>()
  let replies: ReplyHandler | null = null

  async function isFollowing (us: ActorObject, actorId: string): Promise<boolean> {
    return (await apex.store.findActivityByCollectionAndObjectId(us.following[0] as string, actorId)) != null
  }

  async function acceptFollow (us: ActorObject, follow: ActivityObject, follower: ActorObject): Promise<void> {
    const accept = await apex.buildActivity('Accept', us.id, follower.id, { object: follow.id })
    // apex would also send every follower an Update of the followers collection on each new
    // follower (n² deliveries); Mastodon does not, and the collection can be fetched any time.
    await apex.acceptFollow(us, follow)
    await apex.addToOutbox(us, accept)
  }

  /** Stores or updates the page; the sender must own both the Article and the page it replaces. */
  async function keepArticle (sender: ActorObject, article: Record<string, any>, isUpdate: boolean): Promise<void> {
    const objectId = String(article.id ?? '')
    const attributedTo = idOf(article.attributedTo)
    // Its id is also the link to the original when it names no url: only http(s) ones are taken.
    if (webUrl(objectId) === '' || !sameHost(objectId, sender.id) || (attributedTo !== '' && withoutFragment(attributedTo) !== sender.id)) {
      options.log.warn(`ignored an Article ${objectId} that ${sender.id} does not own`)
      return
    }
    const fields = {
      ...articleToRemotePage(article, { id: sender.id, name: String(first(sender.name) ?? first(sender.preferredUsername) ?? '') }, new Date(),
        dropped => { options.log.warn(`kept ${objectId} without lesson fields that failed their checks: ${dropped.join('; ').slice(0, 500)}`) }),
      indexable: indexableOf(sender)
    }
    const existing = await remotePages.findOne({ objectId })
    if (existing && existing.actorId !== sender.id) {
      options.log.warn(`ignored an ${isUpdate ? 'Update' : 'Create'} of ${objectId} from ${sender.id}, which does not own it`)
      return
    }
    if (existing && existing.deletedAt === null && existing.updated.getTime() > fields.updated.getTime()) return
    if (fields.lesson === null && await options.scopeOf(sender.id) === 'lessons') {
      // Lessons only: a page that is no lesson (or no longer one) is not kept.
      if (existing && existing.deletedAt === null) await forgetArticle(sender, objectId)
      return
    }
    if (options.localiseImages !== undefined) fields.html = await options.localiseImages(fields.html, sender.id)
    const stored = await remotePages.findOneAndUpdate(
      { objectId },
      { $set: { ...fields, receivedAt: new Date(), deletedAt: null }, $setOnInsert: { _id: newRemotePageId() } },
      { upsert: true, returnDocument: 'after' }
    )
    if (stored) events.emit('remote.saved', remoteSnapshot(stored))
  }

  async function forgetArticle (sender: ActorObject, objectId: string): Promise<void> {
    const withdrawn = await remotePages.findOneAndUpdate(
      { objectId, actorId: sender.id, deletedAt: null },
      { $set: { deletedAt: new Date(), html: '', source: null, summary: '' } }
    )
    if (withdrawn) events.emit('remote.deleted', { id: objectId })
  }

  /**
   * An organisation that deleted its actor is gone, as Mastodon treats a deleted account:
   * its pages are withdrawn here (kept as tombstones, like a deleted page), and this wiki no
   * longer follows it or counts it as a follower.
   */
  async function forgetActor (us: ActorObject, actor: ActorObject): Promise<void> {
    const pages = await remotePages.find({ actorId: actor.id, deletedAt: null }, { projection: { objectId: 1 } }).toArray()
    for (const page of pages) await forgetArticle(actor, page.objectId)
    // Our Follow goes as an unfollow's does; theirs leaves the followers and the requests.
    await core.withdrawFollow(us, actor.id)
    await core.dropFollower(us, actor.id)
    options.log.info(`${actor.id} deleted itself: withdrew ${pages.length} of its pages`)
  }

  /**
   * An organisation that renames itself is shown under its new name on the pages it sent;
   * one that withdraws its consent to search (`indexable: false`) leaves the index, and
   * comes back when it gives it again.
   */
  async function applyActorUpdate (actor: ActorObject, updated: Record<string, any>): Promise<void> {
    const actorName = actorNameOf({ id: actor.id, name: String(first(updated.name) ?? first(updated.preferredUsername) ?? '') })
    const indexable = indexableOf(updated)
    const result = await remotePages.updateMany(
      { actorId: actor.id, $or: [{ actorName: { $ne: actorName } }, { indexable: { $ne: indexable } }] },
      { $set: { actorName, indexable } }
    )
    if (result.modifiedCount === 0) return
    for (const page of await remotePages.find({ actorId: actor.id, deletedAt: null }).toArray()) events.emit('remote.saved', remoteSnapshot(page))
  }

  async function handleActivity (message: InboxMessage): Promise<void> {
    const { activity, actor: sender, recipient: us } = message
    const type = String(activity.type).toLowerCase()
    const object = message.object ?? first<Record<string, any>>(activity.object)
    switch (type) {
      case 'follow':
        if (options.followApproval() === 'auto') await acceptFollow(us, activity, sender)
        else options.log.info(`follow request from ${sender.id} waits for approval`)
        return
      case 'quoterequest':
        await options.quotes.answer(us, activity, sender)
        return
      case 'accept': {
        const accepted = object && String(object.type ?? '').toLowerCase() === 'follow' ? object : null
        if (accepted && idOf(accepted.actor) === us.id) await options.backfill(sender)
        return
      }
      case 'create':
      case 'update':
        if (type === 'update' && object && idOf(object) === sender.id) {
          await applyActorUpdate(sender, object)
          return
        }
        if (object && replies !== null && await replies.received(sender, object, type === 'update')) return
        if (!object || String(object.type) !== 'Article') return
        if (!await isFollowing(us, sender.id)) {
          options.log.info(`ignored an Article from ${sender.id}, which this wiki does not follow`)
          return
        }
        await keepArticle(sender, object, type === 'update')
        return
      case 'delete': {
        const deleted = idOf(activity.object)
        if (deleted === sender.id) await forgetActor(us, sender)
        else if (replies === null || !await replies.deleted(sender, deleted)) await forgetArticle(sender, deleted)
      }
    }
  }

  /** activitypub-express hands activities over after it has answered the sender, so the answer says nothing of this. */
  async function handle (message: InboxMessage): Promise<void> {
    try {
      await handleActivity(message)
    } finally {
      handled.emit('handled', { activityId: idOf(message.activity), type: String(message.activity.type) })
    }
  }

  return {
    handle,
    handled,
    /** Lets the comments take the replies (they are set up after federation). */
    handleReplies (handler: ReplyHandler): void { replies = handler },
    /** Whether this wiki follows the actor (replies from followed organisations may skip moderation). */
    async follows (actorId: string): Promise<boolean> { return await isFollowing(await core.actor(), actorId) },
    keepArticle,
    acceptFollow,
    /** Accepts a follow request that waited for approval. */
    async approveFollow (followId: string): Promise<void> {
      const us = await core.actor()
      const follow = await apex.store.getActivity(followId, true)
      if (!follow || String(follow.type) !== 'Follow' || idOf(follow.object) !== us.id) throw new Error(`no follow request ${followId}`)
      const follower = await apex.resolveObject(idOf(follow.actor))
      await acceptFollow(us, follow, follower)
    },
    /** Refuses a follow request: the requester is told, and it leaves the list. */
    async rejectFollow (followId: string): Promise<void> {
      const us = await core.actor()
      const follow = await apex.store.getActivity(followId, true)
      if (!follow || String(follow.type) !== 'Follow' || idOf(follow.object) !== us.id) throw new Error(`no follow request ${followId}`)
      const followerId = idOf(follow.actor)
      const reject = await apex.buildActivity('Reject', us.id, followerId, { object: follow.id })
      await apex.store.updateActivityMeta(follow, 'collection', us.inbox[0], true)
      await apex.addToOutbox(us, reject)
    },
    /** For the admin list: follow requests that wait for approval. */
    async pendingFollows (us: ActorObject): Promise<ActivityObject[]> {
      const inbox = await db.collection('streams').find({ '_meta.collection': us.inbox[0], type: 'Follow' }).toArray()
      const pending: ActivityObject[] = []
      for (const follow of inbox) {
        const followerId = idOf(follow.actor)
        if (await apex.store.findActivityByCollectionAndActorId(us.followers[0] as string, followerId)) continue
        pending.push(follow as unknown as ActivityObject)
      }
      return pending
    }
  }
}

export type InboxHandler = ReturnType<typeof createInboxHandler>
