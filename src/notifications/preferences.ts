import type { Collection, Db } from 'mongodb'
import { randomToken, tokenHash } from '../auth/secrets.ts'
import type { NotificationPreferences } from './model.ts'

export type Preferences = ReturnType<typeof createPreferences>

/** Per person: whether saving a page makes one watch it, the private feed's secret, the last digest. */
export function createPreferences (db: Db) {
  const preferences: Collection<NotificationPreferences> = db.collection<NotificationPreferences>('notificationPreferences')

  async function ensureIndexes (): Promise<void> {
    await preferences.createIndex({ feedHash: 1 }, { name: 'feed_hash', unique: true, partialFilterExpression: { feedHash: { $type: 'string' } } })
  }

  async function of (person: string): Promise<NotificationPreferences> {
    return await preferences.findOne({ _id: person }) ?? { _id: person }
  }

  async function watchesEdited (person: string): Promise<boolean> {
    return (await of(person)).watchEdited !== false
  }

  async function setWatchEdited (person: string, watchEdited: boolean): Promise<void> {
    await preferences.updateOne({ _id: person }, { $set: { watchEdited } }, { upsert: true })
  }

  /** A new secret for the person's feed; the address with the old one stops working. Returned once, stored as a hash. */
  async function renewFeedSecret (person: string): Promise<string> {
    const secret = randomToken()
    await preferences.updateOne({ _id: person }, { $set: { feedHash: tokenHash(secret) } }, { upsert: true })
    return secret
  }

  async function revokeFeed (person: string): Promise<void> {
    await preferences.updateOne({ _id: person }, { $set: { feedHash: null } })
  }

  /** The person whose feed this secret opens, or null. */
  async function personOfFeed (secret: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null
    const found = await preferences.findOne({ feedHash: tokenHash(secret) }, { projection: { _id: 1 } })
    return found?._id ?? null
  }

  async function markDigestSent (person: string, at: Date): Promise<void> {
    await preferences.updateOne({ _id: person }, { $set: { lastDigestAt: at } }, { upsert: true })
  }

  return { ensureIndexes, of, watchesEdited, setWatchEdited, renewFeedSecret, revokeFeed, personOfFeed, markDigestSent }
}
