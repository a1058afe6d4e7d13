import type { Db } from 'mongodb'
import type { ActivityObject, ActorObject, Apex } from './apex-types.ts'

export interface FollowRecordsOptions {
  apex: Apex
  db: Db
  actor: () => Promise<ActorObject>
  log: { info: (message: string) => void }
}

export interface FollowRecords {
  /** Ends a follower's follow without a word to it, as for an account that is gone. */
  dropFollower: (us: ActorObject, followerId: string) => Promise<void>
  /** Removes our Follow of an actor, answered or not; the Follow removed, or null if there was none. */
  withdrawFollow: (us: ActorObject, actorId: string) => Promise<ActivityObject | null>
  /** Drops the followers behind an inbox that answered 410 Gone. */
  forgetGoneFollowers: (address: string) => Promise<void>
}

/** The Follow activities apex keeps, ours and our followers', taken out without a message. */
export function createFollowRecords (options: FollowRecordsOptions): FollowRecords {
  const { apex, db } = options

  /** Removes their Follow as their own Undo would: out of the followers and the requests alike. */
  const dropFollower = async (us: ActorObject, followerId: string): Promise<void> => {
    const follow = await apex.store.findActivityByCollectionAndActorId(us.followers[0] as string, followerId, true)
    if (follow) await apex.store.removeActivity(follow, followerId)
  }

  /** Removes our Follow of an actor, answered or not, as unfollowing does. */
  const withdrawFollow = async (us: ActorObject, actorId: string): Promise<ActivityObject | null> => {
    const follow = await apex.store.findActivityByCollectionAndObjectId(us.outbox[0] as string, actorId, true)
    if (!follow || String(follow.type) !== 'Follow') return null
    await apex.store.removeActivity(follow, us.id)
    return follow
  }

  /**
   * An inbox that answers 410 Gone belongs to an account (or, for a shared inbox, a server)
   * that no longer exists: its followers are dropped, so later changes are not sent there
   * again, once per change, for ever.
   */
  const forgetGoneFollowers = async (address: string): Promise<void> => {
    const us = await options.actor()
    const followers: unknown[] = (await apex.getFollowers({ ...us, _local: { blockList: [] } }, Infinity, true)).orderedItems
    const ids = followers.map(item => typeof item === 'string' ? item : String((item as { id?: unknown })?.id))
    // One read for the followers that could be behind the address; apex's rule (shared inbox first) decides.
    const candidates = await db.collection('objects')
      .find({ id: { $in: ids }, $or: [{ inbox: address }, { 'endpoints.sharedInbox': address }] }, { projection: { id: 1, inbox: 1, endpoints: 1 } })
      .toArray()
    for (const follower of candidates) {
      if ((follower.endpoints?.[0]?.sharedInbox?.[0] ?? follower.inbox?.[0]) !== address) continue
      const followerId = String(follower.id)
      await dropFollower(us, followerId)
      options.log.info(`${followerId} is gone (its inbox answered 410): no longer a follower`)
    }
  }

  return { dropFollower, withdrawFollow, forgetGoneFollowers }
}
