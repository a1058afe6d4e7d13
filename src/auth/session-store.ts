import type { Collection, Db } from 'mongodb'
import type { Session } from 'fastify'
import type { SessionStore } from '@fastify/session'

interface SessionDocument {
  _id: string
  data: Record<string, unknown>
  expiresAt: Date
}

/**
 * Server-side sessions in the `sessions` collection, so they survive a restart and
 * work with either storage engine. Expired ones are ignored on read and swept now and then.
 */
export function createSessionStore (options: { db: Db, maxAgeMs: number, now?: () => Date }): SessionStore & { sweep: () => Promise<void> } {
  const sessions: Collection<SessionDocument> = options.db.collection<SessionDocument>('sessions')
  const now = options.now ?? (() => new Date())

  const settle = (promise: Promise<unknown>, callback: (error?: unknown) => void): void => {
    promise.then(() => { callback() }, error => { callback(error) })
  }

  return {
    set (sessionId: string, session: Session, callback: (error?: unknown) => void): void {
      // A JSON round trip keeps only data (the cookie's settings and the app's own keys).
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>
      const expiresAt = new Date(now().getTime() + options.maxAgeMs)
      settle(sessions.updateOne({ _id: sessionId }, { $set: { data, expiresAt } }, { upsert: true }), callback)
    },
    get (sessionId: string, callback: (error: unknown, session?: Session | null) => void): void {
      sessions.findOne({ _id: sessionId }).then(document => {
        if (document === null || document.expiresAt.getTime() <= now().getTime()) { callback(null, null); return }
        callback(null, document.data as unknown as Session)
      }, error => { callback(error) })
    },
    destroy (sessionId: string, callback: (error?: unknown) => void): void {
      settle(sessions.deleteOne({ _id: sessionId }), callback)
    },
    async sweep (): Promise<void> {
      await sessions.deleteMany({ expiresAt: { $lte: now() } })
    }
  }
}
