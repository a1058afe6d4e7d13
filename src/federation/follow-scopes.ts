import type { Collection, Db } from 'mongodb'

/**
 * What this wiki takes from an organisation it follows: its lessons only (the default: the
 * network exists to share lessons, not other wikis' welcome and help pages), or all its
 * public pages. Asked at each incoming Article and at back-fill.
 */
export const FOLLOW_SCOPES = ['lessons', 'pages'] as const
export type FollowScope = typeof FOLLOW_SCOPES[number]
export const DEFAULT_FOLLOW_SCOPE: FollowScope = 'lessons'

interface FollowScopeDocument {
  _id: string
  scope: FollowScope
}

export type FollowScopes = ReturnType<typeof createFollowScopes>

export function createFollowScopes (db: Db) {
  const scopes: Collection<FollowScopeDocument> = db.collection<FollowScopeDocument>('followScopes')
  return {
    async scopeOf (actorId: string): Promise<FollowScope> {
      return (await scopes.findOne({ _id: actorId }))?.scope ?? DEFAULT_FOLLOW_SCOPE
    },
    async all (): Promise<Map<string, FollowScope>> {
      return new Map((await scopes.find({}).toArray()).map(document => [document._id, document.scope]))
    },
    /** Whether the scope changed. */
    async set (actorId: string, scope: FollowScope): Promise<boolean> {
      const result = await scopes.updateOne({ _id: actorId }, { $set: { scope } }, { upsert: true })
      return result.modifiedCount > 0 || result.upsertedCount > 0
    }
  }
}
