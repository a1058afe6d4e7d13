import type { Collection, Db } from 'mongodb'

export interface LockoutOptions {
  db: Db
  /** Failures of one account within the window that lock it. */
  maxAccountFailures: number
  /** Failures from one address within the window that lock it. */
  maxAddressFailures: number
  windowMs: number
  now?: () => Date
}

interface FailureDocument {
  /** `account:<username>` or `address:<ip>`: the prefix keeps a name and an address apart. */
  _id: string
  /** The latest failures, oldest first; only the limit's worth is kept, since older ones cannot lock. */
  failedAt: Date[]
  /** When the newest failure leaves the window; after that the document says nothing. */
  expiresAt: Date
}

/**
 * Counts failed sign-ins per account and per address; past the limit, sign-in is
 * refused for the rest of the window even with the right password. The counts are
 * kept in the `signInFailures` collection, so a restart keeps them and several
 * processes on one database share them (otherwise each would grant its own attempts).
 */
export function createLockout (options: LockoutOptions) {
  const failures: Collection<FailureDocument> = options.db.collection<FailureDocument>('signInFailures')
  const now = options.now ?? (() => new Date())
  const accountKey = (username: string): string => `account:${username}`
  const addressKey = (address: string): string => `address:${address}`

  async function ensureIndexes (): Promise<void> {
    await failures.createIndex({ expiresAt: 1 }, { name: 'expiry' })
  }

  async function recentFailures (key: string): Promise<number> {
    const document = await failures.findOne({ _id: key })
    const windowStart = now().getTime() - options.windowMs
    return document?.failedAt.filter(time => time.getTime() > windowStart).length ?? 0
  }

  async function isLocked (username: string, address: string): Promise<boolean> {
    const [ofAccount, fromAddress] = await Promise.all([recentFailures(accountKey(username)), recentFailures(addressKey(address))])
    return ofAccount >= options.maxAccountFailures || fromAddress >= options.maxAddressFailures
  }

  async function fail (username: string, address: string): Promise<void> {
    const time = now()
    const expiresAt = new Date(time.getTime() + options.windowMs)
    // One atomic upsert per document, so failures arriving at once (from any process) all count.
    // Sorting before slicing, and $max, keep the latest times and expiry even when processes' clocks disagree a little.
    const record = async (key: string, limit: number): Promise<void> => {
      await failures.updateOne(
        { _id: key },
        { $push: { failedAt: { $each: [time], $sort: 1, $slice: -limit } }, $max: { expiresAt } },
        { upsert: true }
      )
    }
    await Promise.all([record(accountKey(username), options.maxAccountFailures), record(addressKey(address), options.maxAddressFailures)])
  }

  /** Clears the account's failures; the address's stay, or one known account would reset an attacker's count. */
  async function succeed (username: string): Promise<void> {
    await failures.deleteOne({ _id: accountKey(username) })
  }

  /** Reads already ignore expired documents; this only keeps the collection small. */
  async function sweep (): Promise<void> {
    await failures.deleteMany({ expiresAt: { $lte: now() } })
  }

  return { ensureIndexes, isLocked, fail, succeed, sweep }
}

export type Lockout = ReturnType<typeof createLockout>
