import { ObjectId, type Collection, type Db } from 'mongodb'
import { LRUCache } from 'lru-cache'
import type { NotificationDocument, NotificationKind, NotificationSubject } from './model.ts'

/** What another domain says when it tells someone something. */
export interface NotifyInput {
  recipient: string
  kind: NotificationKind
  subject: NotificationSubject
  actor: string | null
  at?: Date
}

/** Whether this account may be told of this subject: it exists, is not disabled and may read it. */
export type MayBeTold = (recipient: string, subject: NotificationSubject) => Promise<boolean>

export const PAGE_SIZE = 50

export type NotificationStore = ReturnType<typeof createNotificationStore>

/**
 * The `notifications` collection: one document per recipient and subject while unread,
 * so a flood of edits to a page stays one line with a count. The unread count for the
 * header is kept in memory per person and forgotten on every change of theirs, so a page
 * view costs no query once it is known.
 */
export function createNotificationStore (options: { db: Db, now: () => Date, mayBeTold: MayBeTold, countTtlMs?: number }) {
  const notifications: Collection<NotificationDocument> = options.db.collection<NotificationDocument>('notifications')
  // The time bounds how stale a count can look when several processes share one MongoDB.
  const unreadCounts = new LRUCache<string, number>({ max: 10_000, ttl: options.countTtlMs ?? 60_000 })
  // Counts writes: a count read before a write and remembered after it would hide the write until the TTL ends.
  let writes = 0
  const forgetCount = (recipient: string): void => {
    writes++
    unreadCounts.delete(recipient)
  }

  async function ensureIndexes (): Promise<void> {
    await notifications.createIndex({ recipient: 1, updatedAt: -1 }, { name: 'recipient_latest' })
    await notifications.createIndex({ mailedAt: 1, readAt: 1 }, { name: 'digest_waiting' })
    await notifications.createIndex({ updatedAt: 1 }, { name: 'age' })
  }

  /**
   * Tells one person of something, unless they did it themselves or may not read the subject.
   * An unread notification of the same kind about the same subject is brought up to date
   * and counted instead of adding another. Returns whether anything was stored.
   */
  async function notify (input: NotifyInput): Promise<boolean> {
    if (input.actor !== null && input.actor === input.recipient) return false
    if (!await options.mayBeTold(input.recipient, input.subject)) return false
    const at = input.at ?? options.now()
    // Forgotten before the write as well as after it: a page rendered meanwhile reads the count from the store.
    forgetCount(input.recipient)
    const collapsed = await notifications.findOneAndUpdate(
      { recipient: input.recipient, 'subject.id': input.subject.id, kind: input.kind, readAt: null },
      { $set: { subject: input.subject, actor: input.actor, updatedAt: at, mailedAt: null }, $inc: { count: 1 } }
    )
    if (collapsed === null) {
      await notifications.insertOne({ _id: new ObjectId(), recipient: input.recipient, kind: input.kind, subject: input.subject, actor: input.actor, createdAt: at, updatedAt: at, count: 1, readAt: null, mailedAt: null })
    }
    forgetCount(input.recipient)
    return true
  }

  /** Whether the person was ever told this about this subject (read or not, until pruned). */
  async function hasBeenTold (recipient: string, subjectId: string, kind: NotificationKind): Promise<boolean> {
    return await notifications.countDocuments({ recipient, 'subject.id': subjectId, kind }, { limit: 1 }) > 0
  }

  /** The person's notifications, newest first, a page of PAGE_SIZE at a time. */
  async function list (recipient: string, page: number): Promise<{ items: NotificationDocument[], more: boolean }> {
    const found = await notifications.find({ recipient }, { sort: { updatedAt: -1, _id: -1 }, skip: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1 }).toArray()
    return { items: found.slice(0, PAGE_SIZE), more: found.length > PAGE_SIZE }
  }

  /** The newest ones, for the private feed. */
  async function latest (recipient: string, limit: number): Promise<NotificationDocument[]> {
    return await notifications.find({ recipient }, { sort: { updatedAt: -1, _id: -1 }, limit }).toArray()
  }

  async function unreadCount (recipient: string): Promise<number> {
    let count = unreadCounts.get(recipient)
    if (count === undefined) {
      const writesBefore = writes
      count = await notifications.countDocuments({ recipient, readAt: null })
      if (writes === writesBefore) unreadCounts.set(recipient, count)
    }
    return count
  }

  /** Marks one of the person's own notifications read; false when there is no such unread one. */
  async function markRead (recipient: string, id: string): Promise<boolean> {
    if (!ObjectId.isValid(id) || id.length !== 24) return false
    forgetCount(recipient)
    const result = await notifications.updateOne({ _id: new ObjectId(id), recipient, readAt: null }, { $set: { readAt: options.now() } })
    forgetCount(recipient)
    return result.modifiedCount > 0
  }

  async function markAllRead (recipient: string): Promise<number> {
    forgetCount(recipient)
    const result = await notifications.updateMany({ recipient, readAt: null }, { $set: { readAt: options.now() } })
    forgetCount(recipient)
    return result.modifiedCount
  }

  /** Removes notifications older than `before`; the people they belonged to see a fresh count. */
  async function prune (before: Date): Promise<number> {
    writes++
    const result = await notifications.deleteMany({ updatedAt: { $lt: before } })
    writes++
    if (result.deletedCount > 0) unreadCounts.clear()
    return result.deletedCount
  }

  return { collection: notifications, ensureIndexes, notify, hasBeenTold, list, latest, unreadCount, markRead, markAllRead, prune }
}
