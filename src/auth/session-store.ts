import type { Collection, Db } from 'mongodb'
import { LRUCache } from 'lru-cache'
import type { Session } from 'fastify'
import type { SessionStore } from '@fastify/session'

interface SessionDocument {
  _id: string
  data: Record<string, unknown>
  expiresAt: Date
}

/** How long a session read from the store is believed without reading it again. */
const REMEMBER_MS = 2000
const REMEMBERED_SESSIONS = 10_000

/**
 * Server-side sessions in the `sessions` collection, so they survive a restart and
 * work with either storage engine. Expired ones are ignored on read and swept now and then.
 *
 * Every request of a signed-in person reads their session, so what was read or written
 * is remembered for two seconds. Signing out destroys the session here, which forgets it
 * at once; the account itself (disabled, password changed, role) is read anew on every
 * request, so those take effect at once too. Only a sign-out in another process sharing
 * one MongoDB database can take up to those two seconds to reach this one.
 */
export function createSessionStore (options: { db: Db, maxAgeMs: number, now?: () => Date }): SessionStore & { sweep: () => Promise<void> } {
  const sessions: Collection<SessionDocument> = options.db.collection<SessionDocument>('sessions')
  const now = options.now ?? (() => new Date())
  const remembered = new LRUCache<string, { document: SessionDocument | null, readAt: number }>({ max: REMEMBERED_SESSIONS })
  // Counts writes: a read that a write overtook is not remembered, since it may be older than the write.
  let writes = 0
  const forget = (sessionId: string): void => {
    writes++
    remembered.delete(sessionId)
  }
  const read = async (sessionId: string): Promise<SessionDocument | null> => {
    const kept = remembered.get(sessionId)
    const time = now().getTime()
    if (kept !== undefined && time - kept.readAt < REMEMBER_MS) return kept.document
    const writesBefore = writes
    const document = await sessions.findOne({ _id: sessionId })
    if (writes === writesBefore) remembered.set(sessionId, { document, readAt: time })
    return document
  }

  const settle = (promise: Promise<unknown>, callback: (error?: unknown) => void): void => {
    promise.then(() => { callback() }, error => { callback(error) })
  }

  return {
    set (sessionId: string, session: Session, callback: (error?: unknown) => void): void {
      // A JSON round trip keeps only data (the cookie's settings and the app's own keys).
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>
      const expiresAt = new Date(now().getTime() + options.maxAgeMs)
      // Forgotten before the write and again after it, so no read that raced with it is remembered.
      forget(sessionId)
      settle(sessions.updateOne({ _id: sessionId }, { $set: { data, expiresAt } }, { upsert: true }).finally(() => { forget(sessionId) }), callback)
    },
    get (sessionId: string, callback: (error: unknown, session?: Session | null) => void): void {
      read(sessionId).then(document => {
        if (document === null || document.expiresAt.getTime() <= now().getTime()) { callback(null, null); return }
        // A copy: the session library changes the object it is given.
        callback(null, structuredClone(document.data) as unknown as Session)
      }, error => { callback(error) })
    },
    destroy (sessionId: string, callback: (error?: unknown) => void): void {
      forget(sessionId)
      settle(sessions.deleteOne({ _id: sessionId }).finally(() => { forget(sessionId) }), callback)
    },
    async sweep (): Promise<void> {
      await sessions.deleteMany({ expiresAt: { $lte: now() } })
      writes++
      remembered.clear()
    }
  }
}
