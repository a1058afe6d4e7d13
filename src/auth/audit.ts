import { ObjectId, type Collection, type Db } from 'mongodb'

export type AuditKind =
  | 'sign-in' | 'sign-in-failed' | 'sign-in-locked' | 'sign-out' | 'setup' | 'invitation-accepted'
  | 'password-changed' | 'token-created' | 'token-revoked'
  | 'role-changed' | 'account-disabled' | 'account-enabled' | 'invitation-created' | 'invitation-revoked'
  | 'follow' | 'unfollow' | 'follow-approved' | 'follow-rejected' | 'follow-scope' | 'block-added' | 'block-removed'
  | 'publication-approved' | 'setting-changed'
  | 'comment-approved' | 'comment-rejected' | 'comment-deleted' | 'comment-author-blocked'

export interface AuditEntry {
  _id: ObjectId
  kind: AuditKind
  /** Who did it; for failed sign-ins the name that was tried. */
  actor: string | null
  /** What it was done to: an account, a host, a page. */
  target: string | null
  ip: string | null
  at: Date
  detail: string
}

const MAX_DETAIL = 500

export type AuditLog = ReturnType<typeof createAuditLog>

/** Sign-ins, failed sign-ins and admin actions, in the `audit` collection. */
export function createAuditLog (options: { db: Db, now?: () => Date }) {
  const entries: Collection<AuditEntry> = options.db.collection<AuditEntry>('audit')
  const now = options.now ?? (() => new Date())

  async function ensureIndexes (): Promise<void> {
    await entries.createIndex({ at: -1 }, { name: 'recent' })
  }

  async function record (entry: { kind: AuditKind, actor: string | null, target?: string | null, ip?: string | null, detail?: string }): Promise<void> {
    await entries.insertOne({
      _id: new ObjectId(),
      kind: entry.kind,
      actor: entry.actor === null ? null : entry.actor.slice(0, 100),
      target: entry.target?.slice(0, 300) ?? null,
      ip: entry.ip ?? null,
      at: now(),
      detail: (entry.detail ?? '').slice(0, MAX_DETAIL)
    })
  }

  async function recent (query: { limit: number, kinds?: AuditKind[] }): Promise<AuditEntry[]> {
    const filter = query.kinds === undefined ? {} : { kind: { $in: query.kinds } }
    return await entries.find(filter, { sort: { at: -1 }, limit: query.limit }).toArray()
  }

  return { ensureIndexes, record, recent }
}
